"""Legal holds and the retention policy on the fakes: permissions, validation naming the
field, tenancy, release, audit."""

from __future__ import annotations

from uuid import UUID

from medcore.application.compliance.get_legal_hold import GetLegalHold
from medcore.application.compliance.get_retention_policy import GetRetentionPolicy
from medcore.application.compliance.list_legal_holds import ListLegalHolds
from medcore.application.compliance.place_legal_hold import PlaceLegalHold, PlaceLegalHoldCommand
from medcore.application.compliance.release_legal_hold import ReleaseLegalHold, ReleaseLegalHoldCommand
from medcore.application.compliance.update_retention_policy import (
    PolicyOverride,
    UpdateRetentionPolicy,
    UpdateRetentionPolicyCommand,
)
from medcore.domain.compliance.holds import HoldScope
from medcore.domain.compliance.retention import Anchor, Disposal, Preset, RecordClass, RetentionSettings
from medcore.domain.identity.permissions import Role
from medcore.domain.shared.errors import ErrorKind
from medcore.domain.shared.listing import ListQuery
from tests.unit.application.world import World, err, ok


class Compliance:
    def __init__(self, world: World) -> None:
        uow = world.unit_of_work
        self.place = PlaceLegalHold(uow, world.clock, world.ids)
        self.get = GetLegalHold(uow)
        self.list = ListLegalHolds(uow)
        self.release = ReleaseLegalHold(uow, world.clock)
        self.policy = GetRetentionPolicy(uow)
        self.update_policy = UpdateRetentionPolicy(uow, world.clock)


async def test_holds_are_placed_read_listed_and_released_by_owners_and_auditors() -> None:
    world = World()
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    auditor = (await world.member(tenant, Role.AUDITOR, "audit@clinic.example"))[2]
    c = Compliance(world)

    hold = ok(await c.place.execute(auditor, PlaceLegalHoldCommand(HoldScope.ORGANIZATION, "  tax inspection  ")))
    assert hold.reason == "tax inspection" and hold.active and hold.placed_by == auditor.id
    assert ok(await c.get.execute(owner, hold.id)).id == hold.id
    assert [h.id for h in ok(await c.list.execute(owner, ListQuery(filters={"active": True}))).items] == [hold.id]

    released = ok(await c.release.execute(owner, ReleaseLegalHoldCommand(hold.id, note="closed")))
    assert not released.active and released.release_note == "closed" and released.released_by == owner.id
    again = err(await c.release.execute(owner, ReleaseLegalHoldCommand(hold.id)))
    assert again.code == "legal_hold.already_released"
    assert ok(await c.list.execute(owner, ListQuery(filters={"active": True}))).items == []
    assert [e.action for e in world.store.audit if e.action.startswith("legal_hold.")] == [
        "legal_hold.place",
        "legal_hold.read",
        "legal_hold.list",
        "legal_hold.release",
        "legal_hold.list",
    ]


async def test_holds_refuse_bad_input_naming_the_field_and_unknown_subjects_and_other_roles() -> None:
    world = World()
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    c = Compliance(world)
    missing = err(await c.place.execute(owner, PlaceLegalHoldCommand(HoldScope.PATIENT, "dispute")))
    assert [f.field for f in missing.fields] == ["subject_id"]
    short = err(await c.place.execute(owner, PlaceLegalHoldCommand(HoldScope.ORGANIZATION, " x ")))
    assert [f.field for f in short.fields] == ["reason"]
    unknown = err(await c.place.execute(owner, PlaceLegalHoldCommand(HoldScope.PATIENT, "dispute", UUID(int=7))))
    assert unknown.kind is ErrorKind.NOT_FOUND
    nurse = (await world.member(tenant, Role.NURSE, "nurse@clinic.example"))[2]
    assert err(await c.place.execute(nurse, PlaceLegalHoldCommand(HoldScope.ORGANIZATION, "dispute"))).kind is (
        ErrorKind.FORBIDDEN
    )

    other = await world.tenant("other")
    other_owner = await world.owner(other)
    foreign = ok(await c.place.execute(other_owner, PlaceLegalHoldCommand(HoldScope.ORGANIZATION, "audit")))
    assert err(await c.get.execute(owner, foreign.id)).kind is ErrorKind.NOT_FOUND
    assert err(await c.release.execute(owner, ReleaseLegalHoldCommand(foreign.id))).kind is ErrorKind.NOT_FOUND


async def test_the_policy_defaults_to_gdpr_minimal_and_may_be_lengthened_never_shortened() -> None:
    world = World()
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    c = Compliance(world)
    assert ok(await c.policy.execute(owner)).settings == RetentionSettings(preset=Preset.GDPR_MINIMAL)

    shorter = UpdateRetentionPolicyCommand(Preset.FRANCE, {RecordClass.MEDICAL_RECORD: PolicyOverride(years=19)})
    refused = err(await c.update_policy.execute(owner, shorter))
    assert refused.kind is ErrorKind.INVALID
    assert [f.field for f in refused.fields] == ["overrides.medical_record"]
    other_anchor = UpdateRetentionPolicyCommand(
        Preset.HIPAA, {RecordClass.AUDIT_EVENT: PolicyOverride(anchor=Anchor.LAST_ACTIVITY)}
    )
    assert [f.field for f in err(await c.update_policy.execute(owner, other_anchor)).fields] == [
        "overrides.audit_event"
    ]

    longer = UpdateRetentionPolicyCommand(
        Preset.FRANCE, {RecordClass.SESSION: PolicyOverride(years=1, action=Disposal.ARCHIVE)}
    )
    view = ok(await c.update_policy.execute(owner, longer))
    policy = view.settings.policy(RecordClass.SESSION)
    assert (policy.years, policy.months, policy.action) == (1, 6, Disposal.ARCHIVE)
    assert world.store.organizations[tenant.organization_id].settings.retention == view.settings
    assert world.audit("retention_policy.update")[-1].details == {"preset": "france", "overrides": "session"}

    admin = (await world.member(tenant, Role.ADMIN, "admin@clinic.example"))[2]
    assert err(await c.update_policy.execute(admin, longer)).kind is ErrorKind.FORBIDDEN
    stale = UpdateRetentionPolicyCommand(Preset.HIPAA, {}, expected_version=view.version - 1)
    assert err(await c.update_policy.execute(owner, stale)).kind is ErrorKind.PRECONDITION_FAILED


def test_retention_settings_validation_names_each_shortened_class() -> None:
    settings = RetentionSettings(preset=Preset.HIPAA)
    base = settings.policy(RecordClass.INVOICE)
    from dataclasses import replace

    bad = settings.with_override(RecordClass.INVOICE, replace(base, years=base.years - 1)).with_override(
        RecordClass.SESSION, replace(settings.policy(RecordClass.SESSION), months=12)
    )
    fields = [f.field for f in err(bad.validate()).fields]
    assert fields == ["settings.retention.overrides.invoice", "settings.retention.overrides.session"]
    assert ok(settings.with_override(RecordClass.INVOICE, replace(base, years=base.years + 5)).validate())
