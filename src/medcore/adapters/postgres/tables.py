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

from medcore.adapters.postgres.columns import mutable, organization, timestamp
from medcore.adapters.postgres.metadata import metadata

organizations = Table(
    "organizations",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    Column("slug", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("settings", JSONB, nullable=False, server_default="{}"),
    *mutable(),
)

users = Table(
    "users",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    organization(),
    Column("email", Text, nullable=False),
    Column("given_name", Text, nullable=False),
    Column("family_name", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("password_hash", Text),
    timestamp("password_changed_at"),
    timestamp("email_verified_at"),
    Column("failed_logins", SmallInteger, nullable=False, server_default="0"),
    timestamp("locked_until"),
    Column("totp_secret", Text),
    timestamp("totp_confirmed_at"),
    Column("totp_last_step", BigInteger),
    Column("recovery_code_hashes", ARRAY(Text), nullable=False, server_default="{}"),
    timestamp("last_login_at"),
    *mutable(),
    UniqueConstraint("organization_id", "email"),
    Index("ix_users_organization_id_created_at", "organization_id", "created_at", "id"),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    organization(),
    Column("user_id", UUID(as_uuid=True), ForeignKey("users.id"), nullable=False),
    Column("refresh_token_hash", Text, nullable=False),
    Column("generation", Integer, nullable=False),
    Column("mfa_verified", Boolean, nullable=False),
    Column("ip", Text),
    Column("user_agent", Text),
    timestamp("last_used_at", nullable=False),
    timestamp("expires_at", nullable=False),
    timestamp("revoked_at"),
    Column("revoked_reason", Text),
    *mutable(),
    Index("ix_sessions_organization_id_user_id", "organization_id", "user_id"),
)

# Every refresh token ever issued, so that the reuse of a replaced one is recognised.
refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("token_hash", Text, primary_key=True),
    organization(),
    Column(
        "session_id",
        UUID(as_uuid=True),
        ForeignKey("sessions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("generation", Integer, nullable=False),
    timestamp("created_at", nullable=False),
    Index("ix_refresh_tokens_session_id", "session_id"),
)

action_tokens = Table(
    "action_tokens",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    organization(),
    Column("user_id", UUID(as_uuid=True), ForeignKey("users.id"), nullable=False),
    Column("purpose", Text, nullable=False),
    Column("token_hash", Text, nullable=False),
    timestamp("expires_at", nullable=False),
    timestamp("used_at"),
    *mutable(),
    UniqueConstraint("organization_id", "token_hash"),
    Index("ix_action_tokens_organization_id_user_id", "organization_id", "user_id"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", UUID(as_uuid=True), primary_key=True),
    organization(),
    Column("name", Text, nullable=False),
    Column("key_id", Text, nullable=False, unique=True),
    Column("secret_hash", Text, nullable=False),
    Column("previous_secret_hash", Text),
    timestamp("previous_valid_until"),
    Column("scopes", ARRAY(Text), nullable=False),
    Column("created_by", UUID(as_uuid=True), nullable=False),
    timestamp("expires_at"),
    timestamp("revoked_at"),
    timestamp("last_used_at"),
    *mutable(),
    Index("ix_api_keys_organization_id_created_at", "organization_id", "created_at", "id"),
)

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", UUID(as_uuid=True), nullable=False),
    organization(),
    Column("sequence", BigInteger, nullable=False),
    timestamp("occurred_at", nullable=False),
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
    timestamp("created_at", nullable=False),
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
    *mutable(),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    organization(),
    Column("principal", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("fingerprint", Text, nullable=False),
    Column("status", Text, nullable=False),  # in_progress | completed
    Column("response_status", SmallInteger),
    Column("response_headers", JSONB),
    Column("response_body", LargeBinary),
    timestamp("expires_at", nullable=False),
    *mutable(),
    PrimaryKeyConstraint("organization_id", "principal", "key"),
    Index("ix_idempotency_keys_expires_at", "expires_at"),
)
