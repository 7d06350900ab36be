"""Organizations: the tenants. Everything else belongs to exactly one."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.domain.compliance.retention import RetentionSettings
from medcore.domain.identity.permissions import Role
from medcore.domain.patients.policy import PatientPortalPolicy
from medcore.domain.scheduling.policy import SchedulingPolicy
from medcore.domain.shared.errors import DomainError, FieldIssue, field_invalid, invalid

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")

DEFAULT_MFA_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.PRACTITIONER})


@dataclass(frozen=True, slots=True)
class OrganizationSlug:
    """The short name people type at login: lower-case letters, digits and dashes."""

    value: str

    def __post_init__(self) -> None:
        if not _SLUG.match(self.value):
            raise ValueError("invalid organization slug")

    @classmethod
    def parse(cls, raw: str, field: str = "slug") -> Result[OrganizationSlug, DomainError]:
        candidate = raw.strip().lower()
        if not _SLUG.match(candidate):
            return Failure(
                field_invalid(
                    field,
                    "Use 1-63 lower-case letters, digits or dashes, not starting or ending with a dash.",
                )
            )
        return Success(cls(candidate))

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True, kw_only=True)
class OrganizationSettings:
    """Settings an owner changes through the API; each change is an audited admin action."""

    self_registration: bool = False
    mfa_required_roles: frozenset[Role] = DEFAULT_MFA_ROLES
    lockout_threshold: int = 5
    lockout_minutes: int = 15
    scheduling: SchedulingPolicy = field(default_factory=SchedulingPolicy)
    patients: PatientPortalPolicy = field(default_factory=PatientPortalPolicy)
    retention: RetentionSettings = field(default_factory=RetentionSettings)

    def validate(self) -> Result[OrganizationSettings, DomainError]:
        issues: list[FieldIssue] = []
        for group in (self.scheduling.validate(), self.patients.validate(), self.retention.validate()):
            if isinstance(group, Failure):
                issues.extend(group.failure().fields)
        if not 3 <= self.lockout_threshold <= 20:
            issues.append(FieldIssue("settings.lockout_threshold", "Must be between 3 and 20."))
        if not 1 <= self.lockout_minutes <= 24 * 60:
            issues.append(FieldIssue("settings.lockout_minutes", "Must be between 1 and 1440 minutes."))
        if issues:
            return Failure(
                invalid(
                    "organization.invalid_settings",
                    "Invalid organization settings.",
                    *issues,
                )
            )
        return Success(self)


@dataclass(slots=True, kw_only=True)
class Organization:
    id: UUID
    slug: OrganizationSlug
    name: str
    settings: OrganizationSettings = field(default_factory=OrganizationSettings)
    created_at: datetime
    updated_at: datetime
    version: int = 1

    @staticmethod
    def check_name(name: str, field: str = "name") -> Result[str, DomainError]:
        cleaned = " ".join(name.split())
        if not 1 <= len(cleaned) <= 200:
            return Failure(field_invalid(field, "Use 1-200 characters."))
        return Success(cleaned)

    def rename(self, name: str, now: datetime) -> Result[None, DomainError]:
        return self.check_name(name).map(lambda cleaned: self._touch(now, name=cleaned))

    def change_settings(self, settings: OrganizationSettings, now: datetime) -> Result[None, DomainError]:
        return settings.validate().map(lambda valid: self._touch(now, settings=valid))

    def requires_mfa(self, role: Role) -> bool:
        return role in self.settings.mfa_required_roles

    def _touch(self, now: datetime, **changes: object) -> None:
        for name, value in changes.items():
            setattr(self, name, value)
        self.updated_at = now
