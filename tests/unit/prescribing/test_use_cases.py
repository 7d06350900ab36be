"""The prescribing use cases on the in-memory fakes: drafting with findings from the record,
signing with acknowledged warnings, who may do what, renewal, dispensing, expiry, printing,
verification and templates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from medcore.adapters.security.verification_codes import HmacVerificationCodes
from medcore.application.prescribing.dispense_prescription import DispensePrescriptionCommand
from medcore.application.prescribing.update_prescription import UpdatePrescriptionCommand
from medcore.application.shared.actor import RequestMeta
from medcore.domain.audit.entry import ActorType, Outcome
from medcore.domain.patients.measurements import MeasurementKind
from medcore.domain.prescribing.prescription import Finding, PrescriptionStatus, Severity
from medcore.domain.prescribing.verification import code_digest
from medcore.domain.shared.errors import ErrorKind
from tests.unit.application.world import err, ok
from tests.unit.prescribing.world import Clinic, PrescribingWorld, amoxicillin, ibuprofen, open_clinic

META = RequestMeta(request_id="req-9", ip="198.51.100.4", user_agent="pharmacy")


@pytest.fixture
async def clinic() -> Clinic:
    return await open_clinic(PrescribingWorld())


def codes(findings: list[Finding] | None) -> list[tuple[str, Severity, tuple[int, ...]]]:
    assert findings is not None
    return [(f.code, f.severity, f.items) for f in findings]


# --- drafting -----------------------------------------------------------------------------


async def test_a_draft_answers_its_findings_from_the_patients_record(clinic: Clinic) -> None:
    await clinic.allergy("Penicillin", "J01C")
    view = await clinic.drafted(amoxicillin(), ibuprofen())

    assert view.prescription.status is PrescriptionStatus.DRAFT
    assert ("prescription.allergy", Severity.ERROR, (0,)) in codes(view.findings)
    [event] = clinic.world.audit("prescription.create")
    assert event.patient_id == clinic.patient.id
    assert event.resource_id == view.prescription.id
    assert event.details["items"] == 2
    assert event.details["errors"] == 1
    assert "amoxicillin" not in str(event.details).lower(), "no health data in the trail"


async def test_only_active_allergies_count(clinic: Clinic) -> None:
    entry = await clinic.allergy("amoxicillin")
    await clinic.resolve_allergy(entry)
    assert (await clinic.drafted(amoxicillin())).findings == []


async def test_weight_egfr_pregnancy_and_medications_come_from_the_record(clinic: Clinic) -> None:
    world = clinic.world
    toddler = await clinic.another_patient(birth_date=date(2023, 1, 5))
    no_weight = ok(await clinic.draft(amoxicillin(dose_amount=250), patient=toddler))
    assert ("prescription.dose_limit", Severity.ERROR, (0,)) in codes(no_weight.findings)

    # 30.9 lb = 14 kg, weighed last month: 90 mg/kg/day allows 1260 mg.
    await clinic.measure(MeasurementKind.WEIGHT, 30.9, "lb", world.clock.now() - timedelta(days=30), patient=toddler)
    within = ok(await clinic.draft(amoxicillin(dose_amount=250), patient=toddler))
    assert within.findings == []
    above = ok(await clinic.draft(amoxicillin(dose_amount=500), patient=toddler))
    assert codes(above.findings) == [("prescription.dose_limit", Severity.ERROR, (0,))]

    await clinic.measure(MeasurementKind.EGFR, 25, "mL/min/1.73m2", world.clock.now())
    await clinic.condition("Z34.0")  # supervision of a normal pregnancy
    await clinic.medication("B01AA03")  # warfarin
    found = codes((await clinic.drafted(ibuprofen())).findings)
    assert ("prescription.condition", Severity.ERROR, (0,)) in found  # eGFR below 30
    assert ("prescription.condition", Severity.WARNING, (0,)) in found  # pregnancy
    assert ("prescription.interaction", Severity.WARNING, (0,)) in found  # warfarin


async def test_a_receptionist_cannot_draft_and_the_refusal_is_audited(clinic: Clinic) -> None:
    error = err(await clinic.draft(by=clinic.reception))
    assert error.kind is ErrorKind.FORBIDDEN
    [denied] = clinic.world.audit("prescription.create")
    assert denied.outcome is Outcome.DENIED
    assert clinic.world.store.prescriptions == {}


async def test_a_practitioner_prescribes_as_themself_while_a_nurse_drafts_for_any(clinic: Clinic) -> None:
    house, house_practitioner = await clinic.colleague()
    error = err(await clinic.draft(by=house))  # for Dr Martin
    assert [f.field for f in error.fields] == ["prescriber_id"]
    assert ok(await clinic.draft(by=house, prescriber_id=house_practitioner.id))
    assert ok(await clinic.draft(by=clinic.nurse, prescriber_id=house_practitioner.id))


async def test_a_nurses_draft_reports_whether_the_prescriber_may_sign(clinic: Clinic) -> None:
    no_account = await clinic.world.practitioner(
        clinic.owner, given_name="Ana", family_name="Nobody", licence_number="X1", can_prescribe=True
    )
    view = ok(await clinic.draft(by=clinic.nurse, prescriber_id=no_account.id))
    assert ("prescription.prescriber", Severity.ERROR, (0,)) in codes(view.findings)
    assert ok(await clinic.draft(by=clinic.nurse)).findings == []  # Dr Martin's account may sign


async def test_unknown_or_foreign_patients_and_prescribers_are_not_found() -> None:
    world = PrescribingWorld()
    clinic = await open_clinic(world)
    other = await open_clinic(world, "other")
    assert err(await clinic.draft(patient=other.patient)).code == "patient.not_found"
    assert (
        err(await clinic.draft(by=clinic.nurse, prescriber_id=other.practitioner.id)).code == "practitioner.not_found"
    )


async def test_every_invalid_item_field_is_named(clinic: Clinic) -> None:
    error = err(
        await clinic.draft(
            amoxicillin(interval_hours=8),  # two frequencies
            amoxicillin(route="by mouth", dose_unit="spoon", quantity=0, medication_code="J01"),
        )
    )
    assert error.code == "validation_failed"
    assert [f.field for f in error.fields] == [
        "items.0.frequency_per_day",
        "items.1.dose_unit",
        "items.1.medication_code",
        "items.1.quantity",
        "items.1.route",
    ]


async def test_codes_units_and_routes_are_normalised(clinic: Clinic) -> None:
    view = await clinic.drafted(
        amoxicillin(medication_code=" j01ca04 ", dose_unit="MG", route="Oral", instructions="  ")
    )
    [item] = view.prescription.items
    assert (item.medication_code, item.dose_unit, item.route, item.instructions) == ("J01CA04", "mg", "oral", None)


# --- changing a draft ---------------------------------------------------------------------


async def test_a_draft_changes_and_answers_its_new_findings(clinic: Clinic) -> None:
    view = await clinic.drafted(amoxicillin(quantity=30))
    assert codes(view.findings) == [("prescription.quantity", Severity.ERROR, (0,))]
    changed = ok(
        await clinic.world.update.execute(
            clinic.nurse,
            UpdatePrescriptionCommand(
                prescription_id=view.prescription.id,
                items=[amoxicillin()],
                notes="For acute otitis media.",
                expected_version=view.prescription.version,
            ),
        )
    )
    assert changed.findings == []
    assert changed.prescription.version == view.prescription.version + 1
    [event] = clinic.world.audit("prescription.update")
    assert event.details["fields"] == "items,notes"


async def test_a_stale_version_is_refused(clinic: Clinic) -> None:
    view = await clinic.drafted()
    error = err(
        await clinic.world.update.execute(
            clinic.doctor,
            UpdatePrescriptionCommand(prescription_id=view.prescription.id, notes="x", expected_version=7),
        )
    )
    assert error.kind is ErrorKind.PRECONDITION_FAILED


async def test_a_signed_prescription_never_changes(clinic: Clinic) -> None:
    view = await clinic.signed()
    error = err(
        await clinic.world.update.execute(
            clinic.doctor, UpdatePrescriptionCommand(prescription_id=view.prescription.id, items=[ibuprofen()])
        )
    )
    assert (error.kind, error.code) == (ErrorKind.CONFLICT, "prescription.not_draft")
    assert clinic.world.store.prescriptions[view.prescription.id].items[0].medication_code == "J01CA04"


# --- signing ------------------------------------------------------------------------------


async def test_errors_refuse_the_signature_with_the_blocking_findings(clinic: Clinic) -> None:
    await clinic.allergy("amoxicillin")
    view = await clinic.drafted()
    error = err(await clinic.sign(view.prescription.id, ("prescription.allergy", 0)))
    assert (error.kind, error.code) == (ErrorKind.CONFLICT, "prescription.validation_failed")
    blocking = error.extra["findings"]
    assert isinstance(blocking, list)
    assert ("prescription.allergy", Severity.ERROR, (0,)) in codes(blocking)
    assert clinic.world.store.prescriptions[view.prescription.id].status is PrescriptionStatus.DRAFT
    [refused] = clinic.world.audit("prescription.sign")
    assert (refused.outcome, refused.patient_id) == (Outcome.FAILURE, clinic.patient.id)


async def test_each_warning_needs_an_acknowledgement_with_a_reason(clinic: Clinic) -> None:
    await clinic.medication("B01AA03")  # warfarin: ibuprofen is a major interaction (a warning)
    view = await clinic.drafted(amoxicillin(), ibuprofen())
    assert codes(view.findings) == [("prescription.interaction", Severity.WARNING, (1,))]
    pid = view.prescription.id

    refused = err(await clinic.sign(pid))
    assert codes(refused.extra["findings"]) == [("prescription.interaction", Severity.WARNING, (1,))]  # type: ignore[arg-type]
    wrong_item = err(await clinic.sign(pid, ("prescription.interaction", 0)))
    assert wrong_item.code == "prescription.validation_failed"
    blank = err(await clinic.sign(pid, ("prescription.interaction", 1), reason="   "))
    assert [f.field for f in blank.fields] == ["acknowledgements.0.reason"]
    out_of_range = err(await clinic.sign(pid, ("prescription.interaction", 5)))
    assert [f.field for f in out_of_range.fields] == ["acknowledgements.0.item_index"]

    signed = ok(
        await clinic.sign(
            pid, ("prescription.interaction", 1), ("prescription.allergy", 0), reason="INR checked weekly."
        )
    )
    prescription = signed.prescription
    assert prescription.status is PrescriptionStatus.SIGNED
    assert [(a.code, a.item_index, a.reason, a.by) for a in prescription.acknowledgements] == [
        ("prescription.interaction", 1, "INR checked weekly.", clinic.doctor.id)
    ], "only acknowledgements of actual warnings are kept"
    assert prescription.signed_by == clinic.doctor.id
    assert prescription.valid_until == date(2026, 3, 2) + timedelta(days=90)
    assert prescription.formulary_version == clinic.world.formulary.version
    assert prescription.verification_hash == code_digest(clinic.world.codes.code_for(prescription.id))
    event = next(e for e in clinic.world.audit("prescription.sign") if e.outcome is Outcome.SUCCESS)
    assert event.details["acknowledged"] == "prescription.interaction@1"
    assert "INR" not in str(event.details)


async def test_a_warning_naming_two_items_needs_both_acknowledged(clinic: Clinic) -> None:
    view = await clinic.drafted(
        ibuprofen(), ibuprofen(medication_code="M01AE02", dose_amount=250, frequency_per_day=2, quantity=10)
    )
    assert codes(view.findings) == [("prescription.duplicate_therapy", Severity.WARNING, (0, 1))]
    assert err(await clinic.sign(view.prescription.id, ("prescription.duplicate_therapy", 0)))
    assert ok(
        await clinic.sign(
            view.prescription.id, ("prescription.duplicate_therapy", 0), ("prescription.duplicate_therapy", 1)
        )
    )


async def test_signing_judges_the_record_as_it_is_when_signing(clinic: Clinic) -> None:
    view = await clinic.drafted()
    assert view.findings == []
    await clinic.allergy("penicillins", "J01C")
    assert err(await clinic.sign(view.prescription.id)).code == "prescription.validation_failed"


async def test_only_the_prescribers_own_account_signs(clinic: Clinic) -> None:
    view = await clinic.drafted()
    house, _ = await clinic.colleague()
    for actor, code in (
        (house, "prescription.not_prescriber"),
        (clinic.nurse, "permission_denied"),
        (clinic.reception, "permission_denied"),
        (clinic.owner, "prescription.not_prescriber"),
    ):
        error = err(await clinic.sign(view.prescription.id, by=actor))
        assert (error.kind, error.code) == (ErrorKind.FORBIDDEN, code)
    denials = [e for e in clinic.world.audit("prescription.sign") if e.outcome is Outcome.DENIED]
    assert len(denials) == 4
    assert ok(await clinic.sign(view.prescription.id))


async def test_a_prescriber_without_a_valid_licence_cannot_sign(clinic: Clinic) -> None:
    clinic.world.store.practitioners[clinic.practitioner.id].licence_expires_on = date(2026, 3, 1)
    view = await clinic.drafted()
    assert ("prescription.prescriber", Severity.ERROR, (0,)) in codes(view.findings)
    assert err(await clinic.sign(view.prescription.id)).code == "prescription.validation_failed"


async def test_signing_twice_is_a_conflict(clinic: Clinic) -> None:
    view = await clinic.signed()
    assert err(await clinic.sign(view.prescription.id)).code == "prescription.not_draft"


# --- cancelling and renewing --------------------------------------------------------------


async def test_a_nurse_cancels_a_draft_but_only_a_prescriber_a_signed_prescription(clinic: Clinic) -> None:
    draft = await clinic.drafted()
    assert ok(await clinic.cancel(draft.prescription.id, by=clinic.nurse)).status is PrescriptionStatus.CANCELLED
    assert err(await clinic.cancel(draft.prescription.id)).code == "prescription.invalid_transition"

    signed = await clinic.signed()
    assert err(await clinic.cancel(signed.prescription.id, by=clinic.nurse)).kind is ErrorKind.FORBIDDEN
    cancelled = ok(await clinic.cancel(signed.prescription.id))
    assert (cancelled.status, cancelled.cancellation_reason) == (PrescriptionStatus.CANCELLED, "Changed my mind.")
    events = clinic.world.audit("prescription.cancel")
    assert [(e.outcome, e.details.get("from")) for e in events] == [
        (Outcome.SUCCESS, "draft"),
        (Outcome.DENIED, None),
        (Outcome.SUCCESS, "signed"),
    ]


async def test_a_renewal_is_a_new_draft_that_replaces_the_original_once_signed(clinic: Clinic) -> None:
    original = (await clinic.signed()).prescription
    renewal = ok(await clinic.world.renew.execute(clinic.nurse, original.id))
    assert renewal.prescription.status is PrescriptionStatus.DRAFT
    assert renewal.prescription.renewed_from_id == original.id
    assert renewal.prescription.items == original.items
    assert renewal.findings == []
    clinic.world.clock.advance(days=30)
    ok(await clinic.sign(renewal.prescription.id))
    replaced = clinic.world.store.prescriptions[original.id]
    assert replaced.status is PrescriptionStatus.CANCELLED
    assert str(renewal.prescription.id) in (replaced.cancellation_reason or "")


async def test_a_dispensed_original_stays_dispensed_when_its_renewal_is_signed(clinic: Clinic) -> None:
    original = (await clinic.signed()).prescription
    pharmacy = await clinic.world.api_key_actor(clinic.tenant, "prescriptions:dispense")
    ok(await clinic.world.dispense.execute(pharmacy, DispensePrescriptionCommand(prescription_id=original.id)))
    renewal = ok(await clinic.world.renew.execute(clinic.doctor, original.id))
    ok(await clinic.sign(renewal.prescription.id))
    assert clinic.world.store.prescriptions[original.id].status is PrescriptionStatus.DISPENSED


async def test_drafts_and_cancelled_prescriptions_are_not_renewed(clinic: Clinic) -> None:
    draft = await clinic.drafted()
    assert (
        err(await clinic.world.renew.execute(clinic.doctor, draft.prescription.id)).code == "prescription.not_renewable"
    )
    ok(await clinic.cancel(draft.prescription.id))
    assert (
        err(await clinic.world.renew.execute(clinic.doctor, draft.prescription.id)).code == "prescription.not_renewable"
    )


# --- reading ------------------------------------------------------------------------------


async def test_a_patient_reads_their_own_signed_prescriptions_only(clinic: Clinic) -> None:
    draft = await clinic.drafted()
    signed = await clinic.signed()
    someone_else = await clinic.another_patient()
    theirs = await clinic.signed(patient=someone_else)
    world = clinic.world

    assert ok(await world.get.execute(clinic.patient_actor, signed.prescription.id)).findings is None
    for hidden in (draft.prescription.id, theirs.prescription.id):
        assert err(await world.get.execute(clinic.patient_actor, hidden)).kind is ErrorKind.NOT_FOUND
    page = ok(await clinic.listed(clinic.patient_actor, clinic.patient.id))
    assert [p.id for p in page.items] == [signed.prescription.id]
    assert err(await clinic.listed(clinic.patient_actor, someone_else.id)).code == "patient.not_found"
    [read] = [e for e in world.audit("prescription.read") if e.outcome is Outcome.SUCCESS]
    assert (read.patient_id, read.details) == (clinic.patient.id, {"self": True})
    assert [e.outcome for e in world.audit("prescription.list")] == [Outcome.SUCCESS, Outcome.DENIED]


async def test_staff_read_drafts_with_their_findings_and_list_everything(clinic: Clinic) -> None:
    draft = await clinic.drafted(amoxicillin(quantity=40))
    await clinic.signed()
    view = ok(await clinic.world.get.execute(clinic.nurse, draft.prescription.id))
    assert codes(view.findings) == [("prescription.quantity", Severity.ERROR, (0,))]
    page = ok(await clinic.listed(clinic.nurse, clinic.patient.id))
    assert len(page.items) == 2
    [listed] = clinic.world.audit("prescription.list")
    assert (listed.patient_id, listed.details["count"]) == (clinic.patient.id, 2)


async def test_a_receptionist_reads_no_prescription(clinic: Clinic) -> None:
    view = await clinic.signed()
    assert err(await clinic.world.get.execute(clinic.reception, view.prescription.id)).kind is ErrorKind.FORBIDDEN
    assert err(await clinic.listed(clinic.reception, clinic.patient.id)).kind is ErrorKind.FORBIDDEN
    assert err(await clinic.world.validate.execute(clinic.reception, view.prescription.id)).kind is ErrorKind.FORBIDDEN


async def test_validating_reports_the_findings_and_is_audited(clinic: Clinic) -> None:
    view = await clinic.drafted(amoxicillin(route="topical"))
    assert codes(ok(await clinic.world.validate.execute(clinic.nurse, view.prescription.id))) == [
        ("prescription.route", Severity.WARNING, (0,))
    ]
    [event] = clinic.world.audit("prescription.validate")
    assert (event.patient_id, event.details["warnings"]) == (clinic.patient.id, 1)


async def test_another_organization_sees_nothing() -> None:
    world = PrescribingWorld()
    clinic = await open_clinic(world)
    other = await open_clinic(world, "other")
    view = await clinic.signed()
    pid = view.prescription.id
    assert err(await world.get.execute(other.doctor, pid)).kind is ErrorKind.NOT_FOUND
    assert err(await other.sign(pid)).kind is ErrorKind.NOT_FOUND
    assert err(await other.cancel(pid)).kind is ErrorKind.NOT_FOUND
    assert err(await world.renew.execute(other.doctor, pid)).kind is ErrorKind.NOT_FOUND
    assert err(await world.print_use_case.execute(other.doctor, pid)).kind is ErrorKind.NOT_FOUND
    assert err(await other.listed(other.doctor, clinic.patient.id)).kind is ErrorKind.NOT_FOUND


# --- dispensing and expiry ----------------------------------------------------------------


async def test_a_pharmacy_dispenses_a_valid_signed_prescription(clinic: Clinic) -> None:
    world = clinic.world
    pharmacy = await world.api_key_actor(clinic.tenant, "prescriptions:dispense")
    draft = await clinic.drafted()
    assert (
        err(
            await world.dispense.execute(pharmacy, DispensePrescriptionCommand(prescription_id=draft.prescription.id))
        ).kind
        is ErrorKind.CONFLICT
    )
    signed = (await clinic.signed()).prescription
    assert (
        err(await world.dispense.execute(clinic.doctor, DispensePrescriptionCommand(prescription_id=signed.id))).kind
        is ErrorKind.FORBIDDEN
    )

    partly = ok(
        await world.dispense.execute(pharmacy, DispensePrescriptionCommand(prescription_id=signed.id, partial=True))
    )
    assert partly.status is PrescriptionStatus.PARTIALLY_DISPENSED
    done = ok(await world.dispense.execute(pharmacy, DispensePrescriptionCommand(prescription_id=signed.id)))
    assert done.status is PrescriptionStatus.DISPENSED
    assert (
        err(await world.dispense.execute(pharmacy, DispensePrescriptionCommand(prescription_id=signed.id))).kind
        is ErrorKind.CONFLICT
    )
    events = [e for e in world.audit("prescription.dispense") if e.outcome is Outcome.SUCCESS]
    assert [(e.actor_type, e.details["partial"], e.patient_id) for e in events] == [
        (ActorType.API_KEY, True, clinic.patient.id),
        (ActorType.API_KEY, False, clinic.patient.id),
    ]


async def test_expiry_marks_signed_prescriptions_past_validity_once(clinic: Clinic) -> None:
    world = clinic.world
    expiring = (await clinic.signed()).prescription
    dispensed = (await clinic.signed()).prescription
    pharmacy = await world.api_key_actor(clinic.tenant, "prescriptions:dispense")
    ok(await world.dispense.execute(pharmacy, DispensePrescriptionCommand(prescription_id=dispensed.id)))
    await clinic.drafted()

    world.clock.advance(days=90)  # the last valid day
    assert await world.expire.due_count() == 0
    assert (await world.expire.execute()).expired == 0
    world.clock.advance(days=1)
    assert await world.expire.due_count() == 1
    seen: list[int] = []
    run = await world.expire.execute(on_progress=seen.append)
    assert (run.expired, run.organizations, seen) == (1, {clinic.tenant.organization_id}, [1])
    assert world.store.prescriptions[expiring.id].status is PrescriptionStatus.EXPIRED
    assert world.store.prescriptions[dispensed.id].status is PrescriptionStatus.DISPENSED
    assert (await world.expire.execute()).expired == 0, "a second run has nothing to do"
    [event] = world.audit("prescription.expire")
    assert (event.actor_type, event.patient_id, event.resource_id) == (ActorType.SYSTEM, clinic.patient.id, expiring.id)
    assert (
        err(await world.dispense.execute(pharmacy, DispensePrescriptionCommand(prescription_id=expiring.id))).kind
        is ErrorKind.CONFLICT
    )


# --- printing and verification ------------------------------------------------------------


async def test_printing_renders_what_a_pharmacist_needs(clinic: Clinic) -> None:
    signed = (await clinic.signed(amoxicillin(instructions="Take with food."))).prescription
    printed = ok(await clinic.world.print_use_case.execute(clinic.doctor, signed.id))
    assert printed.pdf.startswith(b"%PDF")
    [document] = clinic.world.renderer.printed
    assert document.organization_name == "clinic practice"
    assert (document.prescriber_name, document.prescriber_licence) == ("Claire Martin", "RPPS 10001234567")
    assert (document.patient_name, document.patient_birth_date) == ("Jean Dupont", date(1968, 4, 12))
    assert document.items == (
        "Amoxicillin 500 mg by mouth three times a day for 7 days; quantity 21; no refill. Take with food.",
    )
    assert (document.issued_on, document.valid_until) == (date(2026, 3, 2), date(2026, 5, 31))
    assert code_digest(document.verification_code) == signed.verification_hash
    [event] = clinic.world.audit("prescription.print")
    assert event.patient_id == clinic.patient.id


async def test_the_patient_prints_their_own_prescription(clinic: Clinic) -> None:
    signed = (await clinic.signed()).prescription
    assert ok(await clinic.world.print_use_case.execute(clinic.patient_actor, signed.id))


async def test_drafts_and_cancelled_prescriptions_are_not_printed(clinic: Clinic) -> None:
    draft = (await clinic.drafted()).prescription
    assert err(await clinic.world.print_use_case.execute(clinic.doctor, draft.id)).code == "prescription.not_signed"
    signed = (await clinic.signed()).prescription
    ok(await clinic.cancel(signed.id))
    assert err(await clinic.world.print_use_case.execute(clinic.doctor, signed.id)).code == "prescription.cancelled"
    assert clinic.world.renderer.printed == []


async def test_a_code_the_server_key_no_longer_gives_is_not_printed(clinic: Clinic) -> None:
    signed = (await clinic.signed()).prescription
    clinic.world.print_use_case._codes = HmacVerificationCodes(b"another key")
    assert (
        err(await clinic.world.print_use_case.execute(clinic.doctor, signed.id)).code
        == "prescription.verification_unavailable"
    )


async def test_a_pharmacist_verifies_a_code_as_typed(clinic: Clinic) -> None:
    world = clinic.world
    signed = (await clinic.signed()).prescription
    code = world.codes.code_for(signed.id)
    typed = code.replace("-", " ").lower()
    verification = ok(await world.verify.execute(typed, META))
    assert verification.prescription_id == signed.id
    assert (verification.status, verification.valid) == (PrescriptionStatus.SIGNED, True)
    assert (verification.patient_initials, verification.patient_birth_year) == ("J. D.", 1968)
    assert (verification.prescriber_name, verification.prescriber_licence) == ("Claire Martin", "RPPS 10001234567")
    assert verification.items == ("Amoxicillin 500 mg by mouth three times a day for 7 days; quantity 21; no refill",)
    [event] = world.audit("prescription.verify")
    assert (event.actor_type, event.patient_id, event.ip, event.organization_id) == (
        ActorType.ANONYMOUS,
        clinic.patient.id,
        "198.51.100.4",
        clinic.tenant.organization_id,
    )

    world.clock.advance(days=91)
    expired = ok(await world.verify.execute(code, META))
    assert (expired.status, expired.valid) == (PrescriptionStatus.EXPIRED, False)


async def test_a_cancelled_prescription_verifies_as_cancelled(clinic: Clinic) -> None:
    signed = (await clinic.signed()).prescription
    ok(await clinic.cancel(signed.id))
    verification = ok(await clinic.world.verify.execute(clinic.world.codes.code_for(signed.id), META))
    assert (verification.status, verification.valid) == (PrescriptionStatus.CANCELLED, False)


@pytest.mark.parametrize("code", ["", "ABCD", "K7QM-2XWD-P9RT-HB4C", "0000-0000-0000-0000", "K7QM-2XWD-P9RT-HB4C-AAAA"])
async def test_unknown_codes_are_not_found(clinic: Clinic, code: str) -> None:
    await clinic.signed()
    assert err(await clinic.world.verify.execute(code, META)).code == "prescription.unknown_code"
    assert clinic.world.audit("prescription.verify") == []


# --- templates ----------------------------------------------------------------------------


async def test_templates_belong_to_a_practitioner_and_start_drafts() -> None:
    from medcore.application.prescribing.create_prescription_template import CreatePrescriptionTemplateCommand
    from medcore.application.prescribing.prescribe_from_template import PrescribeFromTemplateCommand
    from medcore.domain.shared.errors import DomainRefusal
    from medcore.domain.shared.listing import ListQuery

    world = PrescribingWorld()
    clinic = await open_clinic(world)
    template = ok(
        await world.create_template.execute(
            clinic.doctor,
            CreatePrescriptionTemplateCommand(name="  Acute   otitis ", items=[amoxicillin()], notes="First line."),
        )
    )
    assert (template.practitioner_id, template.name) == (clinic.practitioner.id, "Acute otitis")
    with pytest.raises(DomainRefusal):
        await world.create_template.execute(
            clinic.doctor, CreatePrescriptionTemplateCommand(name="ACUTE OTITIS", items=[amoxicillin()])
        )
    assert (
        err(
            await world.create_template.execute(
                clinic.nurse, CreatePrescriptionTemplateCommand(name="x", items=[amoxicillin()])
            )
        )
        .fields[0]
        .field
        == "practitioner_id"
    )

    view = ok(
        await world.prescribe_from_template.execute(
            clinic.nurse, PrescribeFromTemplateCommand(template_id=template.id, patient_id=clinic.patient.id)
        )
    )
    assert (view.prescription.prescriber_id, view.prescription.notes) == (clinic.practitioner.id, "First line.")
    assert view.prescription.items == template.items
    assert view.findings == []

    house, _ = await clinic.colleague()
    assert (
        err(
            await world.prescribe_from_template.execute(
                house, PrescribeFromTemplateCommand(template_id=template.id, patient_id=clinic.patient.id)
            )
        ).code
        == "prescription_template.not_yours"
    )
    assert err(await world.delete_template.execute(house, template.id)).code == "prescription_template.not_yours"
    assert [t.id for t in ok(await world.list_templates.execute(house, ListQuery())).items] == [template.id]
    assert ok(await world.delete_template.execute(clinic.doctor, template.id)) is None
    assert err(await world.get_template.execute(clinic.doctor, template.id)).kind is ErrorKind.NOT_FOUND
    assert [e.action for e in world.store.audit if e.action.startswith("prescription_template.")] == [
        "prescription_template.create",
        "prescription_template.delete",
    ]


# --- the formulary ------------------------------------------------------------------------


async def test_the_formulary_is_searched_by_atc_code_or_name(clinic: Clinic) -> None:
    from medcore.domain.shared.listing import ListQuery, SortKey

    world = clinic.world
    penicillins = ok(await world.search_formulary.execute(clinic.nurse, ListQuery(search="J01C", limit=50)))
    assert penicillins.items
    assert all(m.code.startswith("J01C") for m in penicillins.items)
    amox = ok(await world.search_formulary.execute(clinic.doctor, ListQuery(search="amox")))
    assert [m.name for m in amox.items][:2] == ["amoxicillin", "co-amoxiclav"]
    controlled = ok(
        await world.search_formulary.execute(clinic.doctor, ListQuery(filters={"controlled": True}, limit=200))
    )
    assert {m.name for m in controlled.items} >= {"morphine", "oxycodone", "codeine", "tramadol"}
    first = ok(await world.search_formulary.execute(clinic.doctor, ListQuery(limit=10, sort=(SortKey("code"),))))
    second = ok(
        await world.search_formulary.execute(
            clinic.doctor, ListQuery(limit=10, cursor=first.next_cursor, sort=(SortKey("code"),))
        )
    )
    assert first.total == 96
    codes_seen = [m.code for m in (*first.items, *second.items)]
    assert codes_seen == sorted(codes_seen)
    assert (
        err(await world.search_formulary.execute(clinic.doctor, ListQuery(cursor="x"))).code
        == "pagination.invalid_cursor"
    )
    assert err(await world.search_formulary.execute(clinic.reception, ListQuery())).kind is ErrorKind.FORBIDDEN
    assert ok(await world.get_medication.execute(clinic.doctor, "j01ca04")).name == "amoxicillin"
    assert err(await world.get_medication.execute(clinic.doctor, "J01CA99")).code == "medication.not_found"


async def test_an_actor_signed_at_a_time_zone_boundary_dates_in_the_prescribers_zone() -> None:
    world = PrescribingWorld()
    world.clock.current = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)  # already 3 March in Paris
    clinic = await open_clinic(world)
    signed = (await clinic.signed()).prescription
    assert signed.valid_until == date(2026, 3, 3) + timedelta(days=90)
