"""Postgres repositories of the identity context, with explicit row <-> domain mappers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from returns.result import Result
from sqlalchemy import RowMapping, func, select, text

from medcore.adapters.postgres import tables as t
from medcore.adapters.postgres.base import Repository, refuse_on
from medcore.adapters.postgres.compliance_settings import retention_from_json, retention_to_json
from medcore.adapters.postgres.listing import keyset_page, prefix_tsquery
from medcore.domain.identity.action_token import ActionToken, TokenPurpose
from medcore.domain.identity.api_key import ApiKey
from medcore.domain.identity.email import EmailAddress
from medcore.domain.identity.organization import (
    Organization,
    OrganizationSettings,
    OrganizationSlug,
)
from medcore.domain.identity.permissions import Permission, Role
from medcore.domain.identity.session import RevocationReason, Session
from medcore.domain.identity.user import TotpState, User, UserStatus
from medcore.domain.patients.policy import PatientPortalPolicy
from medcore.domain.scheduling.policy import SchedulingPolicy
from medcore.domain.shared.errors import DomainError, conflict
from medcore.domain.shared.listing import ListQuery, Page, SortKey

refuse_on(
    "uq_users_organization_id_email",
    conflict("user.email_taken", "An account with this email already exists."),
)
refuse_on(
    "uq_organizations_slug",
    conflict("organization.slug_taken", "This organization slug is taken."),
)

# --- organizations ----------------------------------------------------------------------


def settings_to_json(settings: OrganizationSettings) -> dict[str, Any]:
    return {
        "self_registration": settings.self_registration,
        "mfa_required_roles": sorted(r.value for r in settings.mfa_required_roles),
        "lockout_threshold": settings.lockout_threshold,
        "lockout_minutes": settings.lockout_minutes,
        "scheduling": {
            "slot_granularity_minutes": settings.scheduling.slot_granularity_minutes,
            "min_notice_minutes": settings.scheduling.min_notice_minutes,
            "max_horizon_days": settings.scheduling.max_horizon_days,
            "patient_overlap_allowed": settings.scheduling.patient_overlap_allowed,
            "late_cancel_window_minutes": settings.scheduling.late_cancel_window_minutes,
            "reminder_offsets_minutes": list(settings.scheduling.reminder_offsets_minutes),
            "calendar_detail": settings.scheduling.calendar_detail,
        },
        "patients": {
            "editable_fields": sorted(settings.patients.editable_fields),
            "history_visible": settings.patients.history_visible,
        },
        "retention": retention_to_json(settings.retention),
    }


def settings_from_json(data: Mapping[str, Any]) -> OrganizationSettings:
    defaults = OrganizationSettings()
    return OrganizationSettings(
        self_registration=bool(data.get("self_registration", defaults.self_registration)),
        mfa_required_roles=frozenset(Role(r) for r in data["mfa_required_roles"])
        if "mfa_required_roles" in data
        else defaults.mfa_required_roles,
        lockout_threshold=int(data.get("lockout_threshold", defaults.lockout_threshold)),
        lockout_minutes=int(data.get("lockout_minutes", defaults.lockout_minutes)),
        scheduling=_scheduling_from_json(data.get("scheduling", {})),
        patients=_patients_from_json(data.get("patients", {})),
        retention=retention_from_json(data.get("retention", {})),
    )


def _scheduling_from_json(data: Mapping[str, Any]) -> SchedulingPolicy:
    defaults = SchedulingPolicy()
    return SchedulingPolicy(
        slot_granularity_minutes=int(data.get("slot_granularity_minutes", defaults.slot_granularity_minutes)),
        min_notice_minutes=int(data.get("min_notice_minutes", defaults.min_notice_minutes)),
        max_horizon_days=int(data.get("max_horizon_days", defaults.max_horizon_days)),
        patient_overlap_allowed=bool(data.get("patient_overlap_allowed", defaults.patient_overlap_allowed)),
        late_cancel_window_minutes=int(data.get("late_cancel_window_minutes", defaults.late_cancel_window_minutes)),
        reminder_offsets_minutes=tuple(
            int(m) for m in data.get("reminder_offsets_minutes", defaults.reminder_offsets_minutes)
        ),
        calendar_detail=str(data.get("calendar_detail", defaults.calendar_detail)),
    )


def _patients_from_json(data: Mapping[str, Any]) -> PatientPortalPolicy:
    defaults = PatientPortalPolicy()
    return PatientPortalPolicy(
        editable_fields=frozenset(data.get("editable_fields", defaults.editable_fields)),
        history_visible=bool(data.get("history_visible", defaults.history_visible)),
    )


def _organization(row: RowMapping) -> Organization:
    return Organization(
        id=row["id"],
        slug=OrganizationSlug(row["slug"]),
        name=row["name"],
        settings=settings_from_json(row["settings"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )


class PgOrganizations(Repository):
    async def add(self, organization: Organization) -> None:
        await self._execute(
            t.organizations.insert().values(
                id=organization.id,
                slug=organization.slug.value,
                name=organization.name,
                settings=settings_to_json(organization.settings),
                created_at=organization.created_at,
                updated_at=organization.updated_at,
                version=organization.version,
            )
        )

    async def get(self, organization_id: UUID, *, lock: bool = False) -> Organization | None:
        statement = select(t.organizations).where(t.organizations.c.id == organization_id)
        if lock:
            statement = statement.with_for_update()
        row = (await self._execute(statement)).mappings().first()
        return _organization(row) if row else None

    async def by_slug(self, slug: OrganizationSlug) -> Organization | None:
        row = (
            (await self._execute(select(t.organizations).where(t.organizations.c.slug == slug.value)))
            .mappings()
            .first()
        )
        return _organization(row) if row else None

    async def slug_taken(self, slug: OrganizationSlug) -> bool:
        return await self.by_slug(slug) is not None

    async def save(self, organization: Organization) -> bool:
        saved = await self._update_versioned(
            t.organizations,
            organization.id,
            None,
            organization.version,
            {
                "name": organization.name,
                "settings": settings_to_json(organization.settings),
                "updated_at": organization.updated_at,
            },
        )
        if saved:
            organization.version += 1
        return saved


# --- users ------------------------------------------------------------------------------


def _user(row: RowMapping) -> User:
    totp = None
    if row["totp_secret"] is not None:
        totp = TotpState(
            sealed_secret=row["totp_secret"],
            confirmed_at=row["totp_confirmed_at"],
            last_used_step=row["totp_last_step"],
        )
    return User(
        id=row["id"],
        organization_id=row["organization_id"],
        email=EmailAddress(row["email"]),
        given_name=row["given_name"],
        family_name=row["family_name"],
        role=Role(row["role"]),
        status=UserStatus(row["status"]),
        password_hash=row["password_hash"],
        password_changed_at=row["password_changed_at"],
        email_verified_at=row["email_verified_at"],
        failed_logins=row["failed_logins"],
        locked_until=row["locked_until"],
        totp=totp,
        recovery_code_hashes=tuple(row["recovery_code_hashes"]),
        last_login_at=row["last_login_at"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )


def _user_values(user: User) -> dict[str, Any]:
    return {
        "email": user.email.value,
        "given_name": user.given_name,
        "family_name": user.family_name,
        "role": user.role.value,
        "status": user.status.value,
        "password_hash": user.password_hash,
        "password_changed_at": user.password_changed_at,
        "email_verified_at": user.email_verified_at,
        "failed_logins": user.failed_logins,
        "locked_until": user.locked_until,
        "totp_secret": user.totp.sealed_secret if user.totp else None,
        "totp_confirmed_at": user.totp.confirmed_at if user.totp else None,
        "totp_last_step": user.totp.last_used_step if user.totp else None,
        "recovery_code_hashes": list(user.recovery_code_hashes),
        "last_login_at": user.last_login_at,
        "updated_at": user.updated_at,
    }


USER_SEARCH_DOCUMENT = func.to_tsvector(
    text("'simple'"),
    t.users.c.given_name + " " + t.users.c.family_name + " " + func.translate(t.users.c.email, "@.+_-", "     "),
)


class PgUsers(Repository):
    async def add(self, user: User) -> None:
        await self._execute(
            t.users.insert().values(
                id=user.id,
                organization_id=user.organization_id,
                created_at=user.created_at,
                version=user.version,
                **_user_values(user),
            )
        )

    async def get(self, organization_id: UUID, user_id: UUID, *, lock: bool = False) -> User | None:
        statement = select(t.users).where(t.users.c.organization_id == organization_id, t.users.c.id == user_id)
        if lock:
            statement = statement.with_for_update()
        row = (await self._execute(statement)).mappings().first()
        return _user(row) if row else None

    async def by_email(self, organization_id: UUID, email: EmailAddress, *, lock: bool = False) -> User | None:
        statement = select(t.users).where(t.users.c.organization_id == organization_id, t.users.c.email == email.value)
        if lock:
            statement = statement.with_for_update()
        row = (await self._execute(statement)).mappings().first()
        return _user(row) if row else None

    async def email_taken(self, organization_id: UUID, email: EmailAddress) -> bool:
        return await self.by_email(organization_id, email) is not None

    async def count_active_owners(self, organization_id: UUID) -> int:
        statement = select(func.count()).where(
            t.users.c.organization_id == organization_id,
            t.users.c.role == Role.OWNER.value,
            t.users.c.status == UserStatus.ACTIVE.value,
        )
        return int((await self._execute(statement)).scalar_one())

    async def save(self, user: User) -> bool:
        saved = await self._update_versioned(t.users, user.id, user.organization_id, user.version, _user_values(user))
        if saved:
            user.version += 1
        return saved

    async def list(self, organization_id: UUID, query: ListQuery) -> Result[Page[User], DomainError]:
        base = select(t.users).where(t.users.c.organization_id == organization_id)
        for name, value in query.filters.items():
            base = base.where(getattr(t.users.c, name) == value)
        if query.search and (tsquery := prefix_tsquery(query.search)):
            base = base.where(USER_SEARCH_DOCUMENT.op("@@")(func.to_tsquery(text("'simple'"), tsquery)))
        sortable = {name: getattr(t.users.c, name) for name in ("created_at", "email", "family_name", "given_name")}
        return await keyset_page(
            self._connection,
            base,
            query,
            sortable,
            t.users.c.id,
            _user,
            default_sort=SortKey("created_at"),
        )


# --- sessions ---------------------------------------------------------------------------


def _session(row: RowMapping) -> Session:
    return Session(
        id=row["id"],
        organization_id=row["organization_id"],
        user_id=row["user_id"],
        refresh_token_hash=row["refresh_token_hash"],
        generation=row["generation"],
        mfa_verified=row["mfa_verified"],
        ip=row["ip"],
        user_agent=row["user_agent"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        last_used_at=row["last_used_at"],
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
        revoked_reason=RevocationReason(row["revoked_reason"]) if row["revoked_reason"] else None,
        version=row["version"],
    )


def _session_values(session: Session) -> dict[str, Any]:
    return {
        "refresh_token_hash": session.refresh_token_hash,
        "generation": session.generation,
        "mfa_verified": session.mfa_verified,
        "last_used_at": session.last_used_at,
        "expires_at": session.expires_at,
        "revoked_at": session.revoked_at,
        "revoked_reason": session.revoked_reason.value if session.revoked_reason else None,
        "updated_at": session.updated_at,
    }


class PgSessions(Repository):
    async def add(self, session: Session) -> None:
        await self._execute(
            t.sessions.insert().values(
                id=session.id,
                organization_id=session.organization_id,
                user_id=session.user_id,
                ip=session.ip,
                user_agent=session.user_agent,
                created_at=session.created_at,
                version=session.version,
                **_session_values(session),
            )
        )
        await self.remember_refresh_token(session)

    async def remember_refresh_token(self, session: Session) -> None:
        await self._execute(
            t.refresh_tokens.insert().values(
                token_hash=session.refresh_token_hash,
                organization_id=session.organization_id,
                session_id=session.id,
                generation=session.generation,
                created_at=session.updated_at,
            )
        )

    async def get(self, organization_id: UUID, session_id: UUID, *, lock: bool = False) -> Session | None:
        statement = select(t.sessions).where(
            t.sessions.c.organization_id == organization_id,
            t.sessions.c.id == session_id,
        )
        if lock:
            statement = statement.with_for_update()
        row = (await self._execute(statement)).mappings().first()
        return _session(row) if row else None

    async def by_refresh_token(self, token_hash: str, *, lock: bool = False) -> tuple[Session, int] | None:
        statement = (
            select(t.sessions, t.refresh_tokens.c.generation.label("presented_generation"))
            .join(t.refresh_tokens, t.refresh_tokens.c.session_id == t.sessions.c.id)
            .where(t.refresh_tokens.c.token_hash == token_hash)
        )
        if lock:
            statement = statement.with_for_update(of=t.sessions)
        row = (await self._execute(statement)).mappings().first()
        return (_session(row), row["presented_generation"]) if row else None

    async def active_for_user(self, organization_id: UUID, user_id: UUID, now: datetime) -> Sequence[Session]:
        statement = (
            select(t.sessions)
            .where(
                t.sessions.c.organization_id == organization_id,
                t.sessions.c.user_id == user_id,
                t.sessions.c.revoked_at.is_(None),
                t.sessions.c.expires_at > now,
            )
            .order_by(t.sessions.c.last_used_at.desc())
        )
        return [_session(r) for r in (await self._execute(statement)).mappings().all()]

    async def revoke_all_for_user(
        self,
        organization_id: UUID,
        user_id: UUID,
        now: datetime,
        reason: RevocationReason,
        *,
        keep: UUID | None = None,
    ) -> int:
        condition = (
            (t.sessions.c.organization_id == organization_id)
            & (t.sessions.c.user_id == user_id)
            & t.sessions.c.revoked_at.is_(None)
        )
        if keep is not None:
            condition &= t.sessions.c.id != keep
        result = await self._execute(
            t.sessions.update()
            .where(condition)
            .values(
                revoked_at=now,
                revoked_reason=reason.value,
                updated_at=now,
                version=t.sessions.c.version + 1,
            )
        )
        return int(result.rowcount)

    async def save(self, session: Session) -> bool:
        saved = await self._update_versioned(
            t.sessions,
            session.id,
            session.organization_id,
            session.version,
            _session_values(session),
        )
        if saved:
            session.version += 1
        return saved


# --- API keys ---------------------------------------------------------------------------


def _api_key(row: RowMapping) -> ApiKey:
    return ApiKey(
        id=row["id"],
        organization_id=row["organization_id"],
        name=row["name"],
        key_id=row["key_id"],
        secret_hash=row["secret_hash"],
        previous_secret_hash=row["previous_secret_hash"],
        previous_valid_until=row["previous_valid_until"],
        scopes=frozenset(Permission(s) for s in row["scopes"] if s in Permission._value2member_map_),
        created_by=row["created_by"],
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
        last_used_at=row["last_used_at"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )


def _api_key_values(key: ApiKey) -> dict[str, Any]:
    return {
        "name": key.name,
        "secret_hash": key.secret_hash,
        "previous_secret_hash": key.previous_secret_hash,
        "previous_valid_until": key.previous_valid_until,
        "scopes": sorted(p.value for p in key.scopes),
        "expires_at": key.expires_at,
        "revoked_at": key.revoked_at,
        "last_used_at": key.last_used_at,
        "updated_at": key.updated_at,
    }


class PgApiKeys(Repository):
    async def add(self, key: ApiKey) -> None:
        await self._execute(
            t.api_keys.insert().values(
                id=key.id,
                organization_id=key.organization_id,
                key_id=key.key_id,
                created_by=key.created_by,
                created_at=key.created_at,
                version=key.version,
                **_api_key_values(key),
            )
        )

    async def get(self, organization_id: UUID, key_id: UUID, *, lock: bool = False) -> ApiKey | None:
        statement = select(t.api_keys).where(t.api_keys.c.organization_id == organization_id, t.api_keys.c.id == key_id)
        if lock:
            statement = statement.with_for_update()
        row = (await self._execute(statement)).mappings().first()
        return _api_key(row) if row else None

    async def by_public_id(self, public_id: str) -> ApiKey | None:
        row = (await self._execute(select(t.api_keys).where(t.api_keys.c.key_id == public_id))).mappings().first()
        return _api_key(row) if row else None

    async def save(self, key: ApiKey) -> bool:
        saved = await self._update_versioned(t.api_keys, key.id, key.organization_id, key.version, _api_key_values(key))
        if saved:
            key.version += 1
        return saved

    async def list(self, organization_id: UUID, query: ListQuery, now: datetime) -> Result[Page[ApiKey], DomainError]:
        base = select(t.api_keys).where(t.api_keys.c.organization_id == organization_id)
        if "active" in query.filters:
            usable = t.api_keys.c.revoked_at.is_(None) & (
                t.api_keys.c.expires_at.is_(None) | (t.api_keys.c.expires_at > now)
            )
            base = base.where(usable if query.filters["active"] else ~usable)
        sortable = {"created_at": t.api_keys.c.created_at, "name": t.api_keys.c.name}
        return await keyset_page(
            self._connection,
            base,
            query,
            sortable,
            t.api_keys.c.id,
            _api_key,
            default_sort=SortKey("created_at"),
        )


# --- one-time tokens --------------------------------------------------------------------


def _action_token(row: RowMapping) -> ActionToken:
    return ActionToken(
        id=row["id"],
        organization_id=row["organization_id"],
        user_id=row["user_id"],
        purpose=TokenPurpose(row["purpose"]),
        token_hash=row["token_hash"],
        expires_at=row["expires_at"],
        used_at=row["used_at"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )


class PgActionTokens(Repository):
    async def add(self, token: ActionToken) -> None:
        await self._execute(
            t.action_tokens.insert().values(
                id=token.id,
                organization_id=token.organization_id,
                user_id=token.user_id,
                purpose=token.purpose.value,
                token_hash=token.token_hash,
                expires_at=token.expires_at,
                used_at=token.used_at,
                created_at=token.created_at,
                updated_at=token.updated_at,
                version=token.version,
            )
        )

    async def by_hash(self, organization_id: UUID, token_hash: str, *, lock: bool = False) -> ActionToken | None:
        statement = select(t.action_tokens).where(
            t.action_tokens.c.organization_id == organization_id,
            t.action_tokens.c.token_hash == token_hash,
        )
        if lock:
            statement = statement.with_for_update()
        row = (await self._execute(statement)).mappings().first()
        return _action_token(row) if row else None

    async def save(self, token: ActionToken) -> bool:
        saved = await self._update_versioned(
            t.action_tokens,
            token.id,
            token.organization_id,
            token.version,
            {"used_at": token.used_at, "updated_at": token.updated_at},
        )
        if saved:
            token.version += 1
        return saved

    async def invalidate_for_user(
        self, organization_id: UUID, user_id: UUID, purpose: TokenPurpose, now: datetime
    ) -> None:
        await self._execute(
            t.action_tokens.update()
            .where(
                t.action_tokens.c.organization_id == organization_id,
                t.action_tokens.c.user_id == user_id,
                t.action_tokens.c.purpose == purpose.value,
                t.action_tokens.c.used_at.is_(None),
            )
            .values(used_at=now, updated_at=now, version=t.action_tokens.c.version + 1)
        )
