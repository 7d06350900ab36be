"""The consultation use cases on the in-memory fakes: who may write, read and sign what,
templates, appointments, linked prescriptions, the vitals signing adds to the history,
and the audit of every read and change."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from uuid import UUID

import pytest

from medcore.application.clinical.add_addendum import AddAddendumCommand
from medcore.application.clinical.create_consultation import CreateConsultationCommand
from medcore.application.clinical.sign_consultation import SignConsultationCommand
from medcore.application.clinical.update_consultation import UpdateConsultationCommand
from medcore.application.clinical.update_consultation_template import UpdateTemplateCommand
from medcore.domain.audit.entry import Outcome
from medcore.domain.clinical.consultation import ConsultationChanges, DiagnosisInput, VitalsChange
from medcore.domain.clinical.sections import TemplateSectionInput
from medcore.domain.clinical.template import TemplateChanges
from medcore.domain.clinical.vitals import VITAL_SIGNS
from medcore.domain.patients.history import Measurement
from medcore.domain.patients.measurements import SCALES
from medcore.domain.prescribing.prescription import Prescription
from medcore.domain.scheduling.appointment import Appointment, AppointmentStatus
from medcore.domain.shared.errors import DomainRefusal, ErrorKind
from medcore.domain.shared.listing import ListQuery
from tests.unit.application.world import err, ok
from tests.unit.clinical.world import Clinic

NOTES = {"subjective": "Cough", "objective": "Clear chest", "assessment": "Viral", "plan": "Rest"}


def sign(clinic: Clinic, consultation_id: UUID, **fields: object) -> SignConsultationCommand:
    return SignConsultationCommand(consultation_id=consultation_id, **fields)  # type: ignore[arg-type]


async def test_the_author_defaults_to_the_callers_practitioner(clinic: Clinic) -> None:
    draft = await clinic.consultation(notes={"plan": "Rest"})

    assert draft.practitioner_id == clinic.doctor_profile.id
    assert draft.started_at == clinic.world.clock.now()
    [event] = clinic.audit("consultation.create")
    assert (event.resource_id, event.patient_id) == (draft.id, clinic.patient.id)
    assert event.details["practitioner_id"] == str(clinic.doctor_profile.id)


async def test_writing_needs_consultations_write(clinic: Clinic) -> None:
    for actor in (clinic.receptionist, clinic.patient_actor):
        refused = await clinic.world.create_consultation.execute(
            actor, CreateConsultationCommand(patient_id=clinic.patient.id)
        )
        assert err(refused).kind is ErrorKind.FORBIDDEN
    assert len(clinic.audit("consultation.create", Outcome.DENIED)) == 2
    by_nurse = await clinic.world.create_consultation.execute(
        clinic.nurse, CreateConsultationCommand(patient_id=clinic.patient.id)
    )
    assert [i.field for i in err(by_nurse).fields] == ["practitioner_id"]
    drafted = await clinic.consultation(clinic.nurse, practitioner_id=clinic.doctor_profile.id)
    assert drafted.practitioner_id == clinic.doctor_profile.id


async def test_unknown_patients_practitioners_and_templates_are_not_found(clinic: Clinic) -> None:
    world = clinic.world
    for command, code in (
        (CreateConsultationCommand(patient_id=UUID(int=999)), "patient.not_found"),
        (
            CreateConsultationCommand(patient_id=clinic.patient.id, practitioner_id=UUID(int=999)),
            "practitioner.not_found",
        ),
        (
            CreateConsultationCommand(patient_id=clinic.patient.id, template_id=UUID(int=999)),
            "consultation_template.not_found",
        ),
        (CreateConsultationCommand(appointment_id=UUID(int=999)), "appointment.not_found"),
    ):
        assert err(await world.create_consultation.execute(clinic.doctor, command)).code == code


async def test_a_template_prefills_and_a_retired_one_opens_nothing(clinic: Clinic) -> None:
    world = clinic.world
    template = ok(
        await world.create_template.execute(
            clinic.doctor,
            TemplateChanges(
                name="Diabetes review",
                sections=(
                    TemplateSectionInput(key="subjective", required=True),
                    TemplateSectionInput(key="foot_exam", title="Foot examination", default_text="Pulses: "),
                ),
            ),
        )
    )
    draft = await clinic.consultation(template_id=template.id)
    assert [(s.key, s.text, s.required) for s in draft.sections] == [
        ("subjective", "", True),
        ("foot_exam", "Pulses:", False),
    ]
    refused = await world.sign_consultation.execute(clinic.doctor, sign(clinic, draft.id))
    assert [i.field for i in err(refused).fields] == ["sections.subjective"]

    ok(
        await world.update_template.execute(
            clinic.doctor, UpdateTemplateCommand(template_id=template.id, changes=TemplateChanges(active=False))
        )
    )
    retired = await world.create_consultation.execute(
        clinic.doctor, CreateConsultationCommand(patient_id=clinic.patient.id, template_id=template.id)
    )
    assert err(retired).code == "consultation_template.inactive"


async def test_an_appointment_gives_its_patient_practitioner_and_start(clinic: Clinic) -> None:
    world = clinic.world
    now = world.clock.now()
    appointment = Appointment(
        id=UUID(int=500),
        organization_id=clinic.tenant.organization_id,
        practitioner_id=clinic.colleague_profile.id,
        patient_id=clinic.patient.id,
        appointment_type_id=None,
        room_id=None,
        starts_at=now - timedelta(minutes=30),
        ends_at=now - timedelta(minutes=10),
        status=AppointmentStatus.COMPLETED,
        reason="Sore throat",
        created_at=now - timedelta(days=1),
        updated_at=now,
    )
    world.store.appointments[appointment.id] = appointment
    cancelled = dataclasses.replace(appointment, id=UUID(int=501), status=AppointmentStatus.CANCELLED)
    world.store.appointments[cancelled.id] = cancelled

    opened = ok(
        await world.create_consultation.execute(clinic.nurse, CreateConsultationCommand(appointment_id=appointment.id))
    )
    again = await world.create_consultation.execute(
        clinic.nurse, CreateConsultationCommand(appointment_id=appointment.id)
    )
    not_held = await world.create_consultation.execute(
        clinic.nurse, CreateConsultationCommand(appointment_id=cancelled.id)
    )

    assert (opened.patient_id, opened.practitioner_id, opened.appointment_id) == (
        clinic.patient.id,
        clinic.colleague_profile.id,
        appointment.id,
    )
    assert (opened.started_at, opened.reason) == (appointment.starts_at, "Sore throat")
    assert err(again).code == "consultation.appointment_taken"
    assert err(again).extra["consultation_id"] == opened.id
    assert err(not_held).code == "consultation.appointment_not_held"


async def test_only_the_patients_own_prescriptions_are_linked(clinic: Clinic) -> None:
    world = clinic.world
    now = world.clock.now()

    def prescription(number: int, patient_id: UUID) -> Prescription:
        return Prescription(
            id=UUID(int=number),
            organization_id=clinic.tenant.organization_id,
            patient_id=patient_id,
            prescriber_id=clinic.doctor_profile.id,
            items=[],
            created_at=now,
            updated_at=now,
        )

    for found in (prescription(700, clinic.patient.id), prescription(701, clinic.own_record.id)):
        world.store.prescriptions[found.id] = found
    draft = await clinic.consultation(prescription_ids=(UUID(int=700), UUID(int=700)))
    assert draft.prescription_ids == (UUID(int=700),)

    refused = await world.update_consultation.execute(
        clinic.doctor,
        UpdateConsultationCommand(
            consultation_id=draft.id, changes=ConsultationChanges(prescription_ids=(UUID(int=701), UUID(int=702)))
        ),
    )
    assert [i.field for i in err(refused).fields] == ["prescription_ids.0", "prescription_ids.1"]


async def test_updates_merge_and_check_the_version(clinic: Clinic) -> None:
    world = clinic.world
    draft = await clinic.consultation(vitals=VitalsChange(values={"weight_kg": 80, "height_cm": 180}))

    stale = await world.update_consultation.execute(
        clinic.nurse,
        UpdateConsultationCommand(
            consultation_id=draft.id, changes=ConsultationChanges(reason="x"), expected_version=draft.version + 1
        ),
    )
    changed = ok(
        await world.update_consultation.execute(
            clinic.nurse,
            UpdateConsultationCommand(
                consultation_id=draft.id,
                changes=ConsultationChanges(
                    notes={"plan": "Rest"}, vitals=VitalsChange(values={"weight_kg": 79.5}), reason="Cough"
                ),
                expected_version=draft.version,
            ),
        )
    )

    assert err(stale).kind is ErrorKind.PRECONDITION_FAILED
    assert changed.vitals is not None and (changed.vitals.weight_kg, changed.vitals.height_cm) == (79.5, 180)
    assert changed.version == draft.version + 1
    [event] = clinic.audit("consultation.update")
    assert event.details == {"fields": "reason,sections,vitals"}
    assert "Cough" not in repr(event)


async def test_only_the_author_or_an_owner_signs(clinic: Clinic) -> None:
    world = clinic.world
    draft = await clinic.consultation(notes=NOTES)

    by_nurse = await world.sign_consultation.execute(clinic.nurse, sign(clinic, draft.id))
    by_colleague = await world.sign_consultation.execute(clinic.colleague, sign(clinic, draft.id))
    by_owner = await world.sign_consultation.execute(clinic.owner, sign(clinic, draft.id))

    assert err(by_nurse).code == "permission_denied"
    assert err(by_colleague).code == "consultation.not_author"
    assert ok(by_owner).signed_by == clinic.owner.id
    denied = clinic.audit("consultation.sign", Outcome.DENIED)
    assert [e.details.get("reason") for e in denied] == [None, "not_author"]
    assert denied[1].patient_id == clinic.patient.id


async def test_signing_freezes_and_records_the_vitals(clinic: Clinic) -> None:
    world = clinic.world
    taken = world.clock.now() - timedelta(minutes=15)
    draft = await clinic.consultation(
        notes=NOTES,
        vitals=VitalsChange(
            values={"systolic_mmhg": 130, "diastolic_mmhg": 85, "temperature_f": 99.5}, measured_at=taken
        ),
        diagnoses=(DiagnosisInput(code="J06.9"),),
    )

    signed = ok(await world.sign_consultation.execute(clinic.doctor, sign(clinic, draft.id)))
    later = await world.update_consultation.execute(
        clinic.doctor, UpdateConsultationCommand(consultation_id=draft.id, changes=ConsultationChanges(reason="x"))
    )
    twice = await world.sign_consultation.execute(clinic.doctor, sign(clinic, draft.id))

    assert signed.signed and signed.signed_by == clinic.doctor.id
    assert err(later).code == "consultation.signed" and err(twice).code == "consultation.signed"
    measurements = [e for e in world.store.patient_entries.values() if isinstance(e, Measurement)]
    assert sorted((m.kind.value, m.value, m.unit) for m in measurements) == [
        ("blood_pressure_diastolic", 85, "mmHg"),
        ("blood_pressure_systolic", 130, "mmHg"),
        ("temperature", 37.5, "degC"),
    ]
    assert {m.measured_at for m in measurements} == {taken}
    assert {m.patient_id for m in measurements} == {clinic.patient.id}
    versions = [v for v in world.store.patient_versions if v.resource_type.value == "measurement"]
    assert len(versions) == 3
    created = clinic.audit("measurement.create")
    assert {e.details["consultation_id"] for e in created} == {str(draft.id)}
    [event] = clinic.audit("consultation.sign")
    assert event.details == {"measurements_recorded": 3, "diagnoses": 1}


async def test_addenda_on_signed_consultations_only(clinic: Clinic) -> None:
    world = clinic.world
    draft = await clinic.consultation(notes=NOTES)
    early = await world.add_addendum.execute(clinic.nurse, AddAddendumCommand(consultation_id=draft.id, text="x"))
    signed = ok(await world.sign_consultation.execute(clinic.doctor, sign(clinic, draft.id)))

    added = ok(
        await world.add_addendum.execute(
            clinic.nurse, AddAddendumCommand(consultation_id=draft.id, text=" Lab normal ")
        )
    )
    by_desk = await world.add_addendum.execute(
        clinic.receptionist, AddAddendumCommand(consultation_id=draft.id, text="x")
    )

    assert err(early).code == "consultation.draft"
    assert err(by_desk).kind is ErrorKind.FORBIDDEN
    assert (added.text, added.author_id) == ("Lab normal", clinic.nurse.id)
    after = ok(await world.get_consultation.execute(clinic.doctor, draft.id))
    assert after.content() == signed.content()
    assert [a.id for a in after.addenda] == [added.id]
    assert after.version == signed.version + 1


async def test_a_patient_reads_only_their_own_signed_consultations(clinic: Clinic) -> None:
    world = clinic.world
    mine = await clinic.signed(patient_id=clinic.own_record.id, notes=NOTES)
    my_draft = await clinic.consultation(patient_id=clinic.own_record.id)
    theirs = await clinic.signed(notes=NOTES)
    me = clinic.patient_actor

    assert ok(await world.get_consultation.execute(me, mine.id)).id == mine.id
    assert err(await world.get_consultation.execute(me, my_draft.id)).code == "consultation.not_found"
    assert err(await world.get_consultation.execute(me, theirs.id)).code == "consultation.not_found"
    listed = ok(await world.list_consultations.execute(me, ListQuery()))
    assert [c.id for c in listed.items] == [mine.id]
    drafts = ok(await world.list_consultations.execute(me, ListQuery(filters={"status": "draft"})))
    others = ok(await world.list_consultations.execute(me, ListQuery(filters={"patient_id": clinic.patient.id})))
    assert drafts.items == [] and others.items == []
    [read] = clinic.audit("consultation.read")
    assert (read.patient_id, read.details) == (clinic.own_record.id, {"status": "signed", "self": True})


async def test_lists_audit_every_patient_on_the_page(clinic: Clinic) -> None:
    world = clinic.world
    await clinic.consultation()
    await clinic.consultation()
    await clinic.consultation(patient_id=clinic.own_record.id)

    everything = ok(await world.list_consultations.execute(clinic.nurse, ListQuery()))
    nothing = ok(
        await world.list_consultations.execute(
            clinic.nurse, ListQuery(filters={"patient_id": clinic.patient.id, "status": "signed"})
        )
    )
    refused = await world.list_consultations.execute(clinic.receptionist, ListQuery())

    assert len(everything.items) == 3 and nothing.items == []
    events = clinic.audit("consultation.list")
    assert sorted((e.patient_id, e.details["count"]) for e in events) == sorted(
        [(clinic.patient.id, 2), (clinic.own_record.id, 1), (clinic.patient.id, 0)]
    )
    assert err(refused).kind is ErrorKind.FORBIDDEN


async def test_templates_have_unique_names_and_need_permissions(clinic: Clinic) -> None:
    world = clinic.world
    changes = TemplateChanges(name="Asthma review", sections=(TemplateSectionInput(key="plan"),))
    ok(await world.create_template.execute(clinic.nurse, changes))

    with pytest.raises(DomainRefusal) as taken:
        await world.create_template.execute(
            clinic.doctor, TemplateChanges(name="ASTHMA  review", sections=changes.sections)
        )
    assert taken.value.error.code == "consultation_template.name_taken"
    assert err(await world.create_template.execute(clinic.receptionist, changes)).kind is ErrorKind.FORBIDDEN
    assert err(await world.list_templates.execute(clinic.patient_actor, ListQuery())).kind is ErrorKind.FORBIDDEN
    listed = ok(await world.list_templates.execute(clinic.nurse, ListQuery()))
    assert [t.name for t in listed.items] == ["Asthma review"]
    assert err(await world.get_template.execute(clinic.nurse, UUID(int=1))).code == "consultation_template.not_found"
    assert len(clinic.audit("consultation_template.create")) == 1


def test_every_vital_is_a_measurement_the_history_accepts() -> None:
    assert all(sign.unit in SCALES[sign.kind].units for sign in VITAL_SIGNS)
