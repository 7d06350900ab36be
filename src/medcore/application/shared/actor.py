"""Who is asking, and from where."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from medcore.domain.audit.entry import ActorType, AuditEntry, Outcome
from medcore.domain.identity.permissions import Permission, Role


@dataclass(frozen=True, slots=True)
class RequestMeta:
    """Where a request came from; copied into every audit event it causes."""

    request_id: str | None = None
    ip: str | None = None
    user_agent: str | None = None


SYSTEM_META = RequestMeta(request_id=None, ip=None, user_agent="medcore-cli")


@dataclass(frozen=True, slots=True, kw_only=True)
class Actor:
    """An authenticated principal inside one organization: a user (with a session) or an
    API key. ``permissions`` is what this principal may do now: the role's permissions for
    a user, the key's scopes for an API key, nothing while MFA enrolment is outstanding."""

    organization_id: UUID
    actor_type: ActorType
    id: UUID
    role: Role | None
    permissions: frozenset[Permission]
    session_id: UUID | None = None
    mfa_enrollment_required: bool = False
    meta: RequestMeta = field(default_factory=RequestMeta)

    @property
    def user_id(self) -> UUID | None:
        return self.id if self.actor_type is ActorType.USER else None

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    def audit(
        self,
        action: str,
        *,
        outcome: Outcome = Outcome.SUCCESS,
        resource_type: str | None = None,
        resource_id: UUID | None = None,
        patient_id: UUID | None = None,
        details: dict[str, str | int | bool | None] | None = None,
    ) -> AuditEntry:
        return AuditEntry(
            organization_id=self.organization_id,
            action=action,
            outcome=outcome,
            actor_type=self.actor_type,
            actor_id=self.id,
            actor_role=self.role.value if self.role is not None else None,
            resource_type=resource_type,
            resource_id=resource_id,
            patient_id=patient_id,
            ip=self.meta.ip,
            user_agent=self.meta.user_agent,
            request_id=self.meta.request_id,
            details=details or {},
        )

    def with_meta(self, meta: RequestMeta) -> Actor:
        return Actor(
            organization_id=self.organization_id,
            actor_type=self.actor_type,
            id=self.id,
            role=self.role,
            permissions=self.permissions,
            session_id=self.session_id,
            mfa_enrollment_required=self.mfa_enrollment_required,
            meta=meta,
        )


def system_actor(organization_id: UUID, operator_id: UUID, meta: RequestMeta = SYSTEM_META) -> Actor:
    """The operator running a CLI command: all permissions, audited as the system."""
    return Actor(
        organization_id=organization_id,
        actor_type=ActorType.SYSTEM,
        id=operator_id,
        role=None,
        permissions=frozenset(Permission),
        meta=meta,
    )


def anonymous_entry(
    organization_id: UUID,
    action: str,
    meta: RequestMeta,
    *,
    outcome: Outcome,
    actor_id: UUID | None = None,
    resource_type: str | None = None,
    resource_id: UUID | None = None,
    details: dict[str, str | int | bool | None] | None = None,
) -> AuditEntry:
    """An event caused before authentication completed (login attempts, reset requests).

    ``actor_id`` names the account concerned when it is known."""
    return AuditEntry(
        organization_id=organization_id,
        action=action,
        outcome=outcome,
        actor_type=ActorType.USER if actor_id else ActorType.ANONYMOUS,
        actor_id=actor_id,
        resource_type=resource_type,
        resource_id=resource_id,
        ip=meta.ip,
        user_agent=meta.user_agent,
        request_id=meta.request_id,
        details=details or {},
    )
