"""The patient use cases on the in-memory fakes: records, permissions and ownership,
versions, and the audit of every read and change."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest

from medcore.application.identity.update_organization import UpdateOrganization, UpdateOrganizationCommand
from medcore.application.patients.add_allergy import AddAllergy, AddAllergyCommand
from medcore.application.patients.add_condition import AddCondition, AddConditionCommand
from medcore.application.patients.add_measurement import AddMeasurement, AddMeasurementCommand
from medcore.application.patients.add_medication import AddMedication, AddMedicationCommand
from medcore.application.patients.create_patient import CreatePatient, CreatePatientCommand
from medcore.application.patients.delete_patient import DeletePatient
from medcore.application.patients.demographics import AddressInput, PatientInput
from medcore.application.patients.end_history_entry import EndEntryCommand, EndHistoryEntry
from medcore.application.patients.get_history_entry import GetHistoryEntry
from medcore.application.patients.get_own_patient import GetOwnPatient
from medcore.application.patients.get_patient import GetPatient
from medcore.application.patients.get_patient_history import GetPatientHistory
from medcore.application.patients.list_history_entries import ListHistoryEntries
from medcore.application.patients.list_patients import ListPatients
from medcore.application.patients.update_patient import UpdatePatient, UpdatePatientCommand
from medcore.application.shared.actor import Actor
from medcore.domain.audit.entry import Outcome
from medcore.domain.identity.permissions import Role
from medcore.domain.patients.history import AllergySeverity, EntryKind, EntryStatus, Measurement
from medcore.domain.patients.measurements import MeasurementKind
from medcore.domain.patients.patient import Patient
from medcore.domain.patients.values import ContactChannel, Sex
from medcore.domain.patients.versions import VersionAction, VersionedResource
from medcore.domain.shared.errors import ErrorKind
from medcore.domain.shared.listing import ListQuery
from tests.unit.application.world import Tenant, World, err, ok


class Clinic:
    """The patient use cases wired on the world's fakes, with an owner signed in."""

    def __init__(self, world: World, tenant: Tenant, owner: Actor) -> None:
        self.world, self.tenant, self.owner = world, tenant, owner
        uow, clock, ids = world.unit_of_work, world.clock, world.ids
        self.create = CreatePatient(uow, clock, ids)
        self.get = GetPatient(uow)
        self.get_own = GetOwnPatient(uow)
        self.list = ListPatients(uow)
        self.update = UpdatePatient(uow, clock, ids)
        self.delete = DeletePatient(uow, clock, ids)
        self.add_allergy = AddAllergy(uow, clock, ids)
        self.add_condition = AddCondition(uow, clock, ids)
        self.add_medication = AddMedication(uow, clock, ids)
        self.add_measurement = AddMeasurement(uow, clock, ids)
        self.list_entries = ListHistoryEntries(uow)
        self.get_entry = GetHistoryEntry(uow)
        self.end = EndHistoryEntry(uow, clock, ids)
        self.history = GetPatientHistory(uow)
        self.update_organization = UpdateOrganization(uow, clock)

    async def staff(self, role: Role) -> Actor:
        return (await self.world.member(self.tenant, role, f"{role.value}@clinic.example"))[2]

    async def patient_account(self, email: str) -> tuple[UUID, Actor]:
        user, _, actor = await self.world.member(self.tenant, Role.PATIENT, email)
        return user.id, actor

    async def patient(self, by: Actor | None = None, **fields: Any) -> Patient:
        values: dict[str, Any] = {"given_name": "Jean", "family_name": "Dupont", "birth_date": date(1968, 4, 12)}
        return ok(await self.create.execute(by or self.owner, CreatePatientCommand(**{**values, **fields})))

    async def linked_patient(self, email: str = "jean@clinic.example", **fields: Any) -> tuple[Patient, Actor]:
        user_id, actor = await self.patient_account(email)
        return await self.patient(user_id=user_id, email=email, **fields), actor

    async def portal(self, **settings: object) -> None:
        ok(await self.update_organization.execute(self.owner, UpdateOrganizationCommand(patients=settings)))

    def audit(self, action: str, outcome: Outcome = Outcome.SUCCESS) -> list[Any]:
        return [e for e in self.world.audit(action) if e.outcome is outcome]


@pytest.fixture
async def clinic(world: World) -> Clinic:
    tenant = await world.tenant()
    return Clinic(world, tenant, await world.owner(tenant))


def everything(**filters: object) -> ListQuery:
    return ListQuery(limit=200, filters=filters)


# --- creating -----------------------------------------------------------------------------


async def test_a_record_gets_the_next_number_its_first_version_and_an_audit_event(clinic: Clinic) -> None:
    first = await clinic.patient()
    second = await clinic.patient(given_name="Marie", email="Marie@Example.org", phone="+33 6 12 34 56 78")

    assert (first.mrn, second.mrn) == ("MRN-000001", "MRN-000002")
    assert second.email == "marie@example.org"
    assert second.phone == "+33612345678"
    assert second.preferred_channel is ContactChannel.EMAIL
    [version] = [v for v in clinic.world.store.patient_versions if v.patient_id == second.id]
    assert (version.sequence, version.action, version.resource_type) == (1, VersionAction.CREATE, "patient")
    assert {"given_name", "email", "phone", "mrn"} <= set(version.changed_fields)
    assert version.snapshot["email"] == "marie@example.org"
    assert version.actor_id == clinic.owner.id
    created = clinic.audit("patient.create")
    assert [(e.resource_id, e.patient_id) for e in created] == [(first.id, first.id), (second.id, second.id)]
    assert created[0].details == {"mrn_generated": True, "linked_account": False}
    assert "marie" not in repr(created[1].details).lower()  # no names or contact values in the trail


async def test_a_given_number_must_be_free_and_generated_numbers_skip_the_taken_ones(clinic: Clinic) -> None:
    given = await clinic.patient(mrn=" mrn-000002 ")
    deleted = await clinic.patient(mrn="old/17")
    ok(await clinic.delete.execute(clinic.owner, deleted.id))

    taken = err(await clinic.create.execute(clinic.owner, command(mrn="MRN-000002")))
    reused = err(await clinic.create.execute(clinic.owner, command(mrn="OLD/17")))
    generated = [(await clinic.patient()).mrn for _ in range(2)]

    assert given.mrn == "MRN-000002"
    assert taken.code == reused.code == "patient.mrn_taken"
    assert taken.kind is ErrorKind.CONFLICT
    assert generated == ["MRN-000001", "MRN-000003"]


def command(**fields: Any) -> CreatePatientCommand:
    values: dict[str, Any] = {"given_name": "Jean", "family_name": "Dupont", "birth_date": date(1968, 4, 12)}
    return CreatePatientCommand(**{**values, **fields})


async def test_every_invalid_field_is_reported_at_once(clinic: Clinic) -> None:
    error = err(
        await clinic.create.execute(
            clinic.owner,
            command(
                given_name=" ",
                birth_date=clinic.world.clock.now().date() + timedelta(days=3),
                email="nope",
                phone="06 12 34 56 78",
                address=AddressInput(line1="1 rue", city="Paris", country="XX"),
                preferred_language="french",
                time_zone="Mars/Olympus",
                mrn="#1",
            ),
        )
    )

    assert error.kind is ErrorKind.INVALID
    assert sorted(i.field for i in error.fields) == [
        "address.country",
        "birth_date",
        "email",
        "given_name",
        "mrn",
        "phone",
        "preferred_language",
        "time_zone",
    ]
    assert clinic.world.store.patients == {}


async def test_a_record_links_one_patient_account_of_the_organization(clinic: Clinic) -> None:
    account, _ = await clinic.patient_account("jean@clinic.example")
    nurse = await clinic.world.add_user(clinic.tenant, Role.NURSE, "nurse@clinic.example")
    linked = await clinic.patient(user_id=account)

    twice = err(await clinic.create.execute(clinic.owner, command(user_id=account)))
    staff = err(await clinic.create.execute(clinic.owner, command(user_id=nurse.id)))
    unknown = err(await clinic.create.execute(clinic.owner, command(user_id=UUID(int=999_999))))
    ok(await clinic.delete.execute(clinic.owner, linked.id))
    relinked = await clinic.patient(user_id=account)

    assert twice.code == "patient.user_already_linked"
    assert staff.fields[0].field == unknown.fields[0].field == "user_id"
    assert relinked.user_id == account


async def test_patients_and_receptionists_have_their_limits_on_creation(clinic: Clinic) -> None:
    _, patient = await clinic.patient_account("jean@clinic.example")
    receptionist = await clinic.staff(Role.RECEPTIONIST)

    refused = err(await clinic.create.execute(patient, command()))
    created = await clinic.patient(by=receptionist)

    assert refused.kind is ErrorKind.FORBIDDEN
    assert clinic.audit("patient.create", Outcome.DENIED)[0].actor_id == patient.id
    assert created.mrn == "MRN-000001"


# --- reading ------------------------------------------------------------------------------


async def test_a_patient_reads_their_own_record_and_no_other(clinic: Clinic) -> None:
    own, patient = await clinic.linked_patient()
    other = await clinic.patient(given_name="Marie")

    mine = ok(await clinic.get.execute(patient, own.id))
    me = ok(await clinic.get_own.execute(patient))
    someone_else = err(await clinic.get.execute(patient, other.id))
    nobody = err(await clinic.get.execute(patient, UUID(int=123_456)))

    assert mine.id == me.id == own.id
    assert someone_else == nobody  # the same answer: nothing about other records leaks
    assert someone_else.kind is ErrorKind.NOT_FOUND
    reads = clinic.audit("patient.read")
    assert [(e.patient_id, e.details) for e in reads] == [(own.id, {"self": True}), (own.id, {"self": True})]
    denied = clinic.audit("patient.read", Outcome.DENIED)
    assert [e.resource_id for e in denied] == [other.id, UUID(int=123_456)]


async def test_my_record_is_not_found_until_the_practice_links_one(clinic: Clinic) -> None:
    _, patient = await clinic.patient_account("new@clinic.example")
    nurse = await clinic.staff(Role.NURSE)

    assert err(await clinic.get_own.execute(patient)).kind is ErrorKind.NOT_FOUND
    assert err(await clinic.get_own.execute(nurse)).kind is ErrorKind.FORBIDDEN
    assert err(await clinic.get.execute(patient, UUID(int=5))).kind is ErrorKind.FORBIDDEN


async def test_staff_read_any_record_of_their_organization_and_each_read_is_audited(clinic: Clinic) -> None:
    record = await clinic.patient()
    receptionist = await clinic.staff(Role.RECEPTIONIST)
    other_tenant = await clinic.world.tenant("other")
    stranger = await clinic.world.owner(other_tenant)

    assert ok(await clinic.get.execute(receptionist, record.id)).id == record.id
    assert err(await clinic.get.execute(stranger, record.id)).kind is ErrorKind.NOT_FOUND
    [read] = clinic.audit("patient.read")
    assert (read.actor_id, read.patient_id, read.details) == (receptionist.id, record.id, {})


async def test_a_list_writes_one_event_per_patient_returned(clinic: Clinic) -> None:
    jean = await clinic.patient()
    marie = await clinic.patient(given_name="Marie", family_name="Curie", sex=Sex.FEMALE)
    _, patient = await clinic.patient_account("p@clinic.example")

    page = ok(await clinic.list.execute(clinic.owner, ListQuery(search="mar")))
    women = ok(await clinic.list.execute(clinic.owner, everything(sex="female")))
    everyone = ok(await clinic.list.execute(clinic.owner, everything()))

    assert [p.id for p in page.items] == [marie.id] == [p.id for p in women.items]
    assert [p.id for p in everyone.items] == [marie.id, jean.id]  # by family name
    listed = clinic.audit("patient.list")
    assert [e.patient_id for e in listed] == [marie.id, marie.id, marie.id, jean.id]
    assert listed[0].details == {"search": True}
    assert err(await clinic.list.execute(patient, everything())).kind is ErrorKind.FORBIDDEN


# --- updating -----------------------------------------------------------------------------


def change(**fields: Any) -> PatientInput:
    return PatientInput(**fields)


async def test_an_update_merges_fields_and_leaves_a_version_naming_them(clinic: Clinic) -> None:
    record = await clinic.patient(email="jean@example.org")

    updated = ok(
        await clinic.update.execute(
            clinic.owner,
            UpdatePatientCommand(
                record.id,
                change(phone="+33 6 00 00 00 01", preferred_channel=ContactChannel.SMS, family_name="Dupont"),
                expected_version=record.version,
            ),
        )
    )
    unchanged = ok(await clinic.update.execute(clinic.owner, UpdatePatientCommand(updated.id, change(sex=Sex.UNKNOWN))))

    assert updated.phone == "+33600000001"
    assert updated.email == "jean@example.org"
    assert updated.version == record.version + 1
    assert unchanged.version == updated.version  # nothing really changed: no new version
    versions = [v for v in clinic.world.store.patient_versions if v.patient_id == record.id]
    assert [(v.sequence, v.action, v.changed_fields) for v in versions] == [
        (1, VersionAction.CREATE, versions[0].changed_fields),
        (2, VersionAction.UPDATE, ("phone", "preferred_channel")),
    ]
    assert versions[1].snapshot["phone"] == "+33600000001"
    assert [e.details for e in clinic.audit("patient.update")] == [
        {"fields": "phone,preferred_channel"},
        {"fields": ""},
    ]


async def test_an_update_of_a_version_already_replaced_is_refused(clinic: Clinic) -> None:
    record = await clinic.patient()
    ok(await clinic.update.execute(clinic.owner, UpdatePatientCommand(record.id, change(given_name="Paul"))))

    stale = err(
        await clinic.update.execute(
            clinic.owner, UpdatePatientCommand(record.id, change(given_name="Pierre"), expected_version=record.version)
        )
    )

    assert stale.kind is ErrorKind.PRECONDITION_FAILED
    assert clinic.world.store.patients[record.id].given_name == "Paul"


async def test_staff_change_the_mrn_and_the_linked_account_with_the_same_checks(clinic: Clinic) -> None:
    first = await clinic.patient()
    second = await clinic.patient()
    account, _ = await clinic.patient_account("p@clinic.example")

    taken = err(await clinic.update.execute(clinic.owner, UpdatePatientCommand(second.id, change(mrn=first.mrn))))
    renumbered = ok(await clinic.update.execute(clinic.owner, UpdatePatientCommand(second.id, change(mrn="b-12"))))
    linked = ok(await clinic.update.execute(clinic.owner, UpdatePatientCommand(second.id, change(user_id=account))))
    twice = err(await clinic.update.execute(clinic.owner, UpdatePatientCommand(first.id, change(user_id=account))))
    unlinked = ok(await clinic.update.execute(clinic.owner, UpdatePatientCommand(second.id, change(user_id=None))))

    assert taken.code == "patient.mrn_taken"
    assert renumbered.mrn == "B-12"
    assert linked.user_id == account
    assert twice.code == "patient.user_already_linked"
    assert unlinked.user_id is None


async def test_a_patient_changes_only_the_fields_the_organization_allows(clinic: Clinic) -> None:
    own, patient = await clinic.linked_patient()

    contact = ok(
        await clinic.update.execute(
            patient, UpdatePatientCommand(own.id, change(phone="+44 20 7946 0958", preferred_language="en-gb"))
        )
    )
    refused = err(
        await clinic.update.execute(
            patient, UpdatePatientCommand(own.id, change(phone=None, given_name="Jeannot", mrn="MINE"))
        )
    )
    await clinic.portal(editable_fields=frozenset({"email"}))
    now_refused = err(await clinic.update.execute(patient, UpdatePatientCommand(own.id, change(phone=None))))

    assert (contact.phone, contact.preferred_language) == ("+442079460958", "en-GB")
    assert refused.kind is now_refused.kind is ErrorKind.FORBIDDEN
    assert refused.code == "patient.field_not_editable"
    assert [i.field for i in refused.fields] == ["given_name", "mrn"]
    assert [i.field for i in now_refused.fields] == ["phone"]
    assert clinic.world.store.patients[own.id].given_name == "Jean"
    assert clinic.audit("patient.update")[0].details == {"fields": "phone,preferred_language", "self": True}
    assert len(clinic.audit("patient.update", Outcome.DENIED)) == 2


async def test_a_patient_cannot_update_another_record(clinic: Clinic) -> None:
    _, patient = await clinic.linked_patient()
    other = await clinic.patient(given_name="Marie")

    refused = err(await clinic.update.execute(patient, UpdatePatientCommand(other.id, change(email="x@example.org"))))

    assert refused.kind is ErrorKind.NOT_FOUND
    assert clinic.world.store.patients[other.id].email is None


# --- deleting -----------------------------------------------------------------------------


async def test_a_deleted_record_is_no_longer_found_but_its_history_stays(clinic: Clinic) -> None:
    record = await clinic.patient()
    patient_id, patient = await clinic.patient_account("p@clinic.example")
    own = await clinic.patient(user_id=patient_id)

    stale = err(await clinic.delete.execute(clinic.owner, record.id, expected_version=record.version + 3))
    ok(await clinic.delete.execute(clinic.owner, record.id, expected_version=record.version))
    refused = err(await clinic.delete.execute(patient, own.id))

    assert stale.kind is ErrorKind.PRECONDITION_FAILED
    assert refused.kind is ErrorKind.FORBIDDEN
    assert err(await clinic.get.execute(clinic.owner, record.id)).kind is ErrorKind.NOT_FOUND
    assert err(await clinic.delete.execute(clinic.owner, record.id)).kind is ErrorKind.NOT_FOUND
    assert clinic.world.store.patients[record.id].deleted_at == clinic.world.clock.now()
    versions = [v for v in clinic.world.store.patient_versions if v.patient_id == record.id]
    assert [(v.action, v.changed_fields) for v in versions][-1] == (VersionAction.DELETE, ("deleted_at",))
    assert clinic.audit("patient.delete")[0].patient_id == record.id


# --- medical history ----------------------------------------------------------------------


async def test_clinicians_record_list_and_end_entries_keeping_their_history(clinic: Clinic) -> None:
    record = await clinic.patient()
    nurse = await clinic.staff(Role.NURSE)

    allergy = ok(
        await clinic.add_allergy.execute(
            nurse,
            AddAllergyCommand(
                patient_id=record.id, substance=" Penicillin ", code="j01c", severity=AllergySeverity.SEVERE
            ),
        )
    )
    condition = ok(
        await clinic.add_condition.execute(
            nurse, AddConditionCommand(patient_id=record.id, code="e119", onset=date(2010, 5, 1))
        )
    )
    medication = ok(
        await clinic.add_medication.execute(
            nurse, AddMedicationCommand(patient_id=record.id, code="C09AA05", dose="5 mg once daily")
        )
    )
    clinic.world.clock.advance(days=1)
    ended = ok(
        await clinic.end.execute(
            nurse,
            EndEntryCommand(
                patient_id=record.id,
                kind=EntryKind.MEDICATION,
                entry_id=medication.id,
                status=EntryStatus.STOPPED,
                reason="Cough",
                expected_version=medication.version,
            ),
        )
    )

    assert (allergy.substance, str(allergy.code), allergy.recorded_by) == ("Penicillin", "J01C", nurse.id)
    assert str(condition.code) == "E11.9"
    assert (ended.status, ended.end_reason, ended.version) == (EntryStatus.STOPPED, "Cough", 2)
    active = ok(await clinic.list_entries.execute(nurse, record.id, EntryKind.MEDICATION, everything(status="active")))
    every = ok(await clinic.list_entries.execute(nurse, record.id, EntryKind.MEDICATION, everything()))
    assert (len(active.items), len(every.items)) == (0, 1)
    async with clinic.world.unit_of_work() as uow:
        facts = await uow.medical_history.history(clinic.tenant.organization_id, record.id)
    assert facts.active_allergies()[0].id == allergy.id
    assert facts.active_medications() == ()
    versions = ok(await clinic.history.execute(nurse, record.id, everything())).items
    assert [(v.sequence, v.resource_type, v.action) for v in versions] == [
        (1, VersionedResource.PATIENT, VersionAction.CREATE),
        (2, VersionedResource.ALLERGY, VersionAction.CREATE),
        (3, VersionedResource.CONDITION, VersionAction.CREATE),
        (4, VersionedResource.MEDICATION, VersionAction.CREATE),
        (5, VersionedResource.MEDICATION, VersionAction.END),
    ]
    assert versions[4].changed_fields == ("status", "ended_at", "ended_by", "end_reason")
    assert versions[4].snapshot["status"] == "stopped"
    assert versions[3].snapshot["status"] == "active"  # the earlier state is kept
    assert all(v.actor_id == nurse.id for v in versions[1:])
    events = [
        (e.action, e.resource_type, e.patient_id)
        for e in clinic.world.store.audit
        if e.actor_id == nurse.id and not e.action.startswith("auth.")
    ]
    assert events == [
        ("allergy.create", "allergy", record.id),
        ("condition.create", "condition", record.id),
        ("medication.create", "medication", record.id),
        ("entry.end", "medication", record.id),
        ("medication.list", "patient", record.id),
        ("medication.list", "patient", record.id),
        ("patient.history.read", "patient", record.id),
    ]


async def test_entries_are_checked_against_their_rules(clinic: Clinic) -> None:
    record = await clinic.patient(birth_date=date(2000, 1, 1))
    now = clinic.world.clock.now()

    bad_allergy = err(
        await clinic.add_allergy.execute(clinic.owner, AddAllergyCommand(patient_id=record.id, substance="", code="X1"))
    )
    early_onset = err(
        await clinic.add_condition.execute(
            clinic.owner, AddConditionCommand(patient_id=record.id, code="I10", onset=date(1999, 1, 1))
        )
    )
    bad_status = err(
        await clinic.add_condition.execute(
            clinic.owner, AddConditionCommand(patient_id=record.id, code="I10", status=EntryStatus.STOPPED)
        )
    )
    nameless = err(await clinic.add_medication.execute(clinic.owner, AddMedicationCommand(patient_id=record.id)))
    future = err(
        await clinic.add_measurement.execute(
            clinic.owner,
            AddMeasurementCommand(
                patient_id=record.id,
                kind=MeasurementKind.WEIGHT,
                value=80,
                unit="kg",
                measured_at=now + timedelta(hours=1),
            ),
        )
    )
    implausible = err(
        await clinic.add_measurement.execute(
            clinic.owner,
            AddMeasurementCommand(
                patient_id=record.id, kind=MeasurementKind.HEIGHT, value=178, unit="m", measured_at=now
            ),
        )
    )

    assert sorted(i.field for i in bad_allergy.fields) == ["code", "substance"]
    assert [i.field for i in early_onset.fields] == ["onset"]
    assert [i.field for i in bad_status.fields] == ["status"]
    assert [i.field for i in nameless.fields] == ["name"]
    assert [i.field for i in future.fields] == ["measured_at"]
    assert [i.field for i in implausible.fields] == ["value"]
    assert clinic.world.store.patient_entries == {}


async def test_receptionists_manage_records_but_never_see_the_medical_history(clinic: Clinic) -> None:
    record = await clinic.patient()
    ok(await clinic.add_allergy.execute(clinic.owner, AddAllergyCommand(patient_id=record.id, substance="Latex")))
    receptionist = await clinic.staff(Role.RECEPTIONIST)

    listing = err(await clinic.list_entries.execute(receptionist, record.id, EntryKind.ALLERGY, everything()))
    adding = err(
        await clinic.add_allergy.execute(receptionist, AddAllergyCommand(patient_id=record.id, substance="Nuts"))
    )
    versions = ok(await clinic.history.execute(receptionist, record.id, everything())).items
    asking = err(await clinic.history.execute(receptionist, record.id, everything(resource_type="allergy")))

    assert listing.kind is adding.kind is asking.kind is ErrorKind.FORBIDDEN
    assert [v.resource_type for v in versions] == [VersionedResource.PATIENT]
    assert clinic.audit("allergy.list", Outcome.DENIED)[0].actor_id == receptionist.id
    assert clinic.audit("allergy.create", Outcome.DENIED)[0].actor_id == receptionist.id


async def test_a_patient_records_home_measurements_and_nothing_else(clinic: Clinic) -> None:
    own, patient = await clinic.linked_patient()
    other = await clinic.patient(given_name="Marie")
    now = clinic.world.clock.now()

    def weight(patient_id: UUID, kind: MeasurementKind = MeasurementKind.WEIGHT) -> AddMeasurementCommand:
        return AddMeasurementCommand(patient_id=patient_id, kind=kind, value=81.2, unit="kg", measured_at=now)

    mine = ok(await clinic.add_measurement.execute(patient, weight(own.id)))
    lab = err(
        await clinic.add_measurement.execute(
            patient,
            AddMeasurementCommand(
                patient_id=own.id, kind=MeasurementKind.EGFR, value=60, unit="mL/min/1.73m2", measured_at=now
            ),
        )
    )
    allergy = err(await clinic.add_allergy.execute(patient, AddAllergyCommand(patient_id=own.id, substance="Cats")))
    elsewhere = err(await clinic.add_measurement.execute(patient, weight(other.id)))
    staff_measured = ok(await clinic.add_measurement.execute(clinic.owner, weight(own.id)))

    def error_of(entry: Measurement) -> EndEntryCommand:
        return EndEntryCommand(
            patient_id=own.id, kind=EntryKind.MEASUREMENT, entry_id=entry.id, status=EntryStatus.ENTERED_IN_ERROR
        )

    corrected = ok(await clinic.end.execute(patient, error_of(mine)))
    not_theirs = err(await clinic.end.execute(patient, error_of(staff_measured)))

    assert mine.recorded_by_patient and not staff_measured.recorded_by_patient
    assert lab.code == "patient.measurement_not_recordable"
    assert allergy.code == "patient.history_read_only"
    assert lab.kind is allergy.kind is not_theirs.kind is ErrorKind.FORBIDDEN
    assert elsewhere.kind is ErrorKind.NOT_FOUND
    assert corrected.status is EntryStatus.ENTERED_IN_ERROR
    assert clinic.audit("measurement.create")[0].details == {"measurement_kind": "weight", "recorded_by_patient": True}


async def test_a_patient_sees_their_history_only_where_the_organization_shows_it(clinic: Clinic) -> None:
    own, patient = await clinic.linked_patient()
    allergy = ok(
        await clinic.add_allergy.execute(clinic.owner, AddAllergyCommand(patient_id=own.id, substance="Penicillin"))
    )

    shown = ok(await clinic.list_entries.execute(patient, own.id, EntryKind.ALLERGY, everything()))
    one = ok(await clinic.get_entry.execute(patient, own.id, EntryKind.ALLERGY, allergy.id))
    all_versions = ok(await clinic.history.execute(patient, own.id, everything())).items
    await clinic.portal(history_visible=False)
    hidden = err(await clinic.list_entries.execute(patient, own.id, EntryKind.ALLERGY, everything()))
    hidden_one = err(await clinic.get_entry.execute(patient, own.id, EntryKind.ALLERGY, allergy.id))
    demographics = ok(await clinic.history.execute(patient, own.id, everything())).items

    assert [a.id for a in shown.items] == [one.id] == [allergy.id]
    assert [v.resource_type for v in all_versions] == [VersionedResource.PATIENT, VersionedResource.ALLERGY]
    assert hidden.code == hidden_one.code == "patient.history_hidden"
    assert [v.resource_type for v in demographics] == [VersionedResource.PATIENT]
    assert clinic.audit("allergy.list")[0].details == {"count": 1, "self": True}


async def test_an_entry_of_another_patient_or_kind_is_not_found(clinic: Clinic) -> None:
    first = await clinic.patient()
    second = await clinic.patient()
    allergy = ok(
        await clinic.add_allergy.execute(clinic.owner, AddAllergyCommand(patient_id=first.id, substance="Latex"))
    )

    wrong_patient = err(await clinic.get_entry.execute(clinic.owner, second.id, EntryKind.ALLERGY, allergy.id))
    wrong_kind = err(await clinic.get_entry.execute(clinic.owner, first.id, EntryKind.CONDITION, allergy.id))
    end_elsewhere = err(
        await clinic.end.execute(
            clinic.owner,
            EndEntryCommand(
                patient_id=second.id, kind=EntryKind.ALLERGY, entry_id=allergy.id, status=EntryStatus.RESOLVED
            ),
        )
    )

    assert wrong_patient.code == "allergy.not_found"
    assert wrong_kind.code == "condition.not_found"
    assert end_elsewhere.kind is ErrorKind.NOT_FOUND


async def test_ending_checks_the_version_and_the_lifecycle(clinic: Clinic) -> None:
    record = await clinic.patient()
    allergy = ok(
        await clinic.add_allergy.execute(clinic.owner, AddAllergyCommand(patient_id=record.id, substance="Latex"))
    )

    def end(status: EntryStatus, version: int | None = None) -> EndEntryCommand:
        return EndEntryCommand(
            patient_id=record.id, kind=EntryKind.ALLERGY, entry_id=allergy.id, status=status, expected_version=version
        )

    wrong_status = err(await clinic.end.execute(clinic.owner, end(EntryStatus.STOPPED)))
    stale = err(await clinic.end.execute(clinic.owner, end(EntryStatus.RESOLVED, version=7)))
    ok(await clinic.end.execute(clinic.owner, end(EntryStatus.RESOLVED)))
    again = err(await clinic.end.execute(clinic.owner, end(EntryStatus.RESOLVED)))

    assert wrong_status.kind is ErrorKind.INVALID
    assert stale.kind is ErrorKind.PRECONDITION_FAILED
    assert again.code == "patient.entry_already_ended"
    assert [e.details for e in clinic.audit("entry.end")] == [{"status": "resolved"}]
