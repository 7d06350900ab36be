"""UpdateOrganization: rename the organization or change its settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from returns.result import Failure, Result, Success

from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.identity.organization import Organization
from medcore.domain.identity.permissions import Permission, Role
from medcore.domain.shared.errors import DomainError, not_found, version_mismatch
from medcore.domain.shared.ports import Clock


@dataclass(frozen=True, slots=True)
class UpdateOrganizationCommand:
    name: str | None = None
    self_registration: bool | None = None
    mfa_required_roles: frozenset[Role] | None = None
    lockout_threshold: int | None = None
    lockout_minutes: int | None = None
    scheduling: Mapping[str, object] | None = None  # SchedulingPolicy fields to change
    patients: Mapping[str, object] | None = None  # PatientPortalPolicy fields to change
    expected_version: int | None = None


def _audit_value(value: object) -> str | int | bool | None:
    if isinstance(value, frozenset | tuple | list):
        return ",".join(sorted(str(getattr(v, "value", v)) for v in value))
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)


class UpdateOrganization:
    """Merge the given fields. Every change is audited with the names of the settings
    changed and their new values (settings hold no personal data)."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, actor: Actor, command: UpdateOrganizationCommand) -> Result[Organization, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.ORGANIZATION_WRITE,
                action="organization.update",
                resource_type="organization",
                resource_id=actor.organization_id,
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            organization = await uow.organizations.get(actor.organization_id, lock=True)
            if organization is None:
                return Failure(not_found("organization"))
            if command.expected_version is not None and command.expected_version != organization.version:
                return Failure(version_mismatch("organization"))
            now = self._clock.now()
            details: dict[str, str | int | bool | None] = {}
            if command.name is not None and " ".join(command.name.split()) != organization.name:
                renamed = organization.rename(command.name, now)
                if isinstance(renamed, Failure):
                    return Failure(renamed.failure())
                details["name"] = True
            setting_changes = {
                key: value
                for key in (
                    "self_registration",
                    "mfa_required_roles",
                    "lockout_threshold",
                    "lockout_minutes",
                )
                if (value := getattr(command, key)) is not None and value != getattr(organization.settings, key)
            }
            groups: dict[str, Any] = {}
            for group_name, group_changes in (("scheduling", command.scheduling), ("patients", command.patients)):
                current = getattr(organization.settings, group_name)
                changes = {k: v for k, v in (group_changes or {}).items() if v != getattr(current, k)}
                if changes:
                    groups[group_name] = replace(current, **changes)
                    for key, value in changes.items():
                        details[f"settings.{group_name}.{key}"] = _audit_value(value)
            if setting_changes or groups:
                merged: dict[str, Any] = {**setting_changes, **groups}
                changed = organization.change_settings(replace(organization.settings, **merged), now)
                if isinstance(changed, Failure):
                    return Failure(changed.failure())
                for key, value in setting_changes.items():
                    details[f"settings.{key}"] = _audit_value(value)
            if details:
                if not await uow.organizations.save(organization):
                    return Failure(version_mismatch("organization"))
                await uow.audit.record(
                    actor.audit(
                        "organization.update",
                        resource_type="organization",
                        resource_id=organization.id,
                        details=details,
                    )
                )
                await uow.commit()
            return Success(organization)
