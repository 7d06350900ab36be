"""The schema, as SQLAlchemy Core tables. Migrations (Alembic) are the source of truth for
the database; these declarations must match them (a test compares the two).

Every table carries ``organization_id`` (but ``organizations``); mutable tables carry
``created_at``, ``updated_at`` and ``version``; append-only tables carry ``created_at``.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    SmallInteger,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from medcore.adapters.postgres.metadata import metadata


def _ts(name: str, nullable: bool = True) -> Column[object]:
    return Column(name, DateTime(timezone=True), nullable=nullable)


def _mutable() -> list[Column[object]]:
    return [
        _ts("created_at", nullable=False),
        _ts("updated_at", nullable=False),
        Column("version", Integer, nullable=False, server_default="1"),
    ]


def _org() -> Column[object]:
    return Column(
        "organization_id",
        UUID(as_uuid=True),
        ForeignKey("organizations.id"),
        nullable=False,
    )


organizations = Table(
    "organizations",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("slug", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("settings", JSONB, nullable=False, server_default="{}"),
    *_mutable(),
)

users = Table(
    "users",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    _org(),
    Column("email", Text, nullable=False),
    Column("given_name", Text, nullable=False),
    Column("family_name", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("password_hash", Text),
    _ts("password_changed_at"),
    _ts("email_verified_at"),
    Column("failed_logins", SmallInteger, nullable=False, server_default="0"),
    _ts("locked_until"),
    Column("totp_secret", Text),
    _ts("totp_confirmed_at"),
    Column("totp_last_step", BigInteger),
    Column("recovery_code_hashes", ARRAY(Text), nullable=False, server_default="{}"),
    _ts("last_login_at"),
    *_mutable(),
    UniqueConstraint("organization_id", "email"),
    Index("ix_users_organization_id_created_at", "organization_id", "created_at", "id"),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    _org(),
    Column("user_id", UUID(as_uuid=True), ForeignKey("users.id"), nullable=False),
    Column("refresh_token_hash", Text, nullable=False),
    Column("generation", Integer, nullable=False),
    Column("mfa_verified", Boolean, nullable=False),
    Column("ip", Text),
    Column("user_agent", Text),
    _ts("last_used_at", nullable=False),
    _ts("expires_at", nullable=False),
    _ts("revoked_at"),
    Column("revoked_reason", Text),
    *_mutable(),
    Index("ix_sessions_organization_id_user_id", "organization_id", "user_id"),
)

# Every refresh token ever issued, so that the reuse of a replaced one is recognised.
refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("token_hash", Text, primary_key=True),
    _org(),
    Column(
        "session_id",
        UUID(as_uuid=True),
        ForeignKey("sessions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("generation", Integer, nullable=False),
    _ts("created_at", nullable=False),
    Index("ix_refresh_tokens_session_id", "session_id"),
)

action_tokens = Table(
    "action_tokens",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    _org(),
    Column("user_id", UUID(as_uuid=True), ForeignKey("users.id"), nullable=False),
    Column("purpose", Text, nullable=False),
    Column("token_hash", Text, nullable=False),
    _ts("expires_at", nullable=False),
    _ts("used_at"),
    *_mutable(),
    UniqueConstraint("organization_id", "token_hash"),
    Index("ix_action_tokens_organization_id_user_id", "organization_id", "user_id"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    _org(),
    Column("name", Text, nullable=False),
    Column("key_id", Text, nullable=False, unique=True),
    Column("secret_hash", Text, nullable=False),
    Column("previous_secret_hash", Text),
    _ts("previous_valid_until"),
    Column("scopes", ARRAY(Text), nullable=False),
    Column("created_by", UUID(as_uuid=True), nullable=False),
    _ts("expires_at"),
    _ts("revoked_at"),
    _ts("last_used_at"),
    *_mutable(),
    Index("ix_api_keys_organization_id_created_at", "organization_id", "created_at", "id"),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", UUID(as_uuid=True), nullable=False),
    _org(),
    Column("sequence", BigInteger, nullable=False),
    _ts("occurred_at", nullable=False),
    Column("actor_type", Text, nullable=False),
    Column("actor_id", UUID(as_uuid=True)),
    Column("actor_role", Text),
    Column("action", Text, nullable=False),
    Column("outcome", Text, nullable=False),
    Column("resource_type", Text),
    Column("resource_id", UUID(as_uuid=True)),
    Column("patient_id", UUID(as_uuid=True)),
    Column("purpose", Text),
    Column("ip", Text),
    Column("user_agent", Text),
    Column("request_id", Text),
    Column("details", JSONB, nullable=False, server_default="{}"),
    _ts("created_at", nullable=False),
    # The hash chain (domain/audit/chain.py): the raw ip and user agent are erasable, their
    # keyed digests are chained.
    Column("ip_digest", Text),
    Column("user_agent_digest", Text),
    Column("hash_version", SmallInteger, nullable=False),
    Column("prev_hash", Text, nullable=False),
    Column("hash", Text, nullable=False),
    PrimaryKeyConstraint("organization_id", "sequence"),
    Index(
        "ix_audit_events_organization_id_patient_id",
        "organization_id",
        "patient_id",
        "sequence",
    ),
    Index(
        "ix_audit_events_organization_id_actor_id",
        "organization_id",
        "actor_id",
        "sequence",
    ),
    Index("ix_audit_events_organization_id_occurred_at", "organization_id", "occurred_at"),
    Index(
        "ix_audit_events_organization_id_resource_id",
        "organization_id",
        "resource_id",
        "sequence",
    ),
)

# The head of each organization's trail: its row lock serialises appends per organization,
# so sequence numbers have no gaps and the chain no forks. It holds the last event's hash
# (the next event links to it) and where the chain starts after a disposal.
audit_heads = Table(
    "audit_heads",
    metadata,
    Column(
        "organization_id",
        UUID(as_uuid=True),
        ForeignKey("organizations.id"),
        primary_key=True,
    ),
    Column("sequence", BigInteger, nullable=False),
    Column("hash", Text, nullable=False, server_default="0" * 64),
    Column("disposed_through", BigInteger, nullable=False, server_default="0"),
    Column("disposed_hash", Text),
    *_mutable(),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    _org(),
    Column("principal", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("fingerprint", Text, nullable=False),
    Column("status", Text, nullable=False),  # in_progress | completed
    Column("response_status", SmallInteger),
    Column("response_headers", JSONB),
    Column("response_body", LargeBinary),
    _ts("expires_at", nullable=False),
    *_mutable(),
    PrimaryKeyConstraint("organization_id", "principal", "key"),
    Index("ix_idempotency_keys_expires_at", "expires_at"),
)
