"""UpdateRetentionPolicy: choose a preset and lengthen the periods of some record classes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from returns.result import Failure, Result, Success

from medcore.application.compliance.get_retention_policy import RetentionPolicyView
from medcore.application.shared.actor import Actor
from medcore.application.shared.authorization import authorize
from medcore.application.shared.unit_of_work import UnitOfWorkFactory
from medcore.domain.compliance.retention import (
    PRESETS,
    Anchor,
    ClassPolicy,
    Disposal,
    Preset,
    RecordClass,
    RetentionSettings,
)
from medcore.domain.identity.permissions import Permission
from medcore.domain.shared.errors import DomainError, not_found, version_mismatch
from medcore.domain.shared.ports import Clock


@dataclass(frozen=True, slots=True, kw_only=True)
class PolicyOverride:
    """A class's policy; what is left out is the preset's."""

    years: int | None = None
    months: int | None = None
    anchor: Anchor | None = None
    action: Disposal | None = None
    min_age_years: int | None = None


@dataclass(frozen=True, slots=True)
class UpdateRetentionPolicyCommand:
    preset: Preset
    overrides: Mapping[RecordClass, PolicyOverride]  # replaces every override
    expected_version: int | None = None


class UpdateRetentionPolicy:
    """``retention:manage`` (owners). A period may be lengthened, never shortened below the
    preset's legal minimum: 422 naming ``overrides.<record class>``. Audited as
    ``retention_policy.update`` with the preset and the classes overridden."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(
        self, actor: Actor, command: UpdateRetentionPolicyCommand
    ) -> Result[RetentionPolicyView, DomainError]:
        async with self._uow() as uow:
            allowed = await authorize(
                uow,
                actor,
                Permission.RETENTION_MANAGE,
                action="retention_policy.update",
                resource_type="organization",
                resource_id=actor.organization_id,
            )
            if isinstance(allowed, Failure):
                return Failure(allowed.failure())
            settings = RetentionSettings(
                preset=command.preset,
                overrides=tuple(
                    (record_class, _merge(PRESETS[command.preset][record_class], override))
                    for record_class, override in command.overrides.items()
                ),
            )
            valid = settings.validate(prefix="")
            if isinstance(valid, Failure):
                return Failure(valid.failure())
            organization = await uow.organizations.get(actor.organization_id, lock=True)
            if organization is None:
                return Failure(not_found("organization"))
            if command.expected_version is not None and command.expected_version != organization.version:
                return Failure(version_mismatch("organization"))
            if settings != organization.settings.retention:
                changed = organization.change_settings(
                    replace(organization.settings, retention=settings), self._clock.now()
                )
                if isinstance(changed, Failure):
                    return Failure(changed.failure())
                if not await uow.organizations.save(organization):
                    return Failure(version_mismatch("organization"))
                await uow.audit.record(
                    actor.audit(
                        "retention_policy.update",
                        resource_type="organization",
                        resource_id=organization.id,
                        details={
                            "preset": settings.preset.value,
                            "overrides": ",".join(sorted(c.value for c, _ in settings.overrides)) or None,
                        },
                    )
                )
                await uow.commit()
            return Success(RetentionPolicyView(organization.settings.retention, organization.version))


def _merge(base: ClassPolicy, override: PolicyOverride) -> ClassPolicy:
    return ClassPolicy(
        years=base.years if override.years is None else override.years,
        anchor=override.anchor or base.anchor,
        action=override.action or base.action,
        min_age_years=base.min_age_years if override.min_age_years is None else override.min_age_years,
        months=base.months if override.months is None else override.months,
    )
