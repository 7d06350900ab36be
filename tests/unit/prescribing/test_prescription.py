"""The prescription aggregate (statuses, signing with acknowledgements), items in plain
language, and verification codes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st
from returns.result import Failure, Success

from medcore.adapters.security.verification_codes import HmacVerificationCodes
from medcore.domain.prescribing.prescription import (
    Acknowledgement,
    Finding,
    Frequency,
    FrequencyKind,
    Prescription,
    PrescriptionItem,
    PrescriptionStatus,
    Severity,
)
from medcore.domain.prescribing.verification import ALPHABET, code_digest, formatted, normalise
from medcore.domain.prescribing.wording import describe_item
from medcore.domain.shared.errors import ErrorKind
from tests.unit.prescribing.support import FORMULARY, item

NOW = datetime(2027, 3, 15, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
WARNING = Finding("prescription.interaction", Severity.WARNING, (0, 1), "warfarin + ibuprofen")
ERROR = Finding("prescription.allergy", Severity.ERROR, (0,), "allergic")
INFO = Finding("prescription.interaction", Severity.INFO, (1,), "moderate")


def draft(**fields: object) -> Prescription:
    values: dict[str, object] = {
        "id": UUID(int=1),
        "organization_id": UUID(int=2),
        "patient_id": UUID(int=3),
        "prescriber_id": UUID(int=4),
        "items": [item("warfarin", 3), item("ibuprofen", 400, per_day=3)],
        "created_at": NOW,
        "updated_at": NOW,
    }
    values.update(fields)
    return Prescription(**values)  # type: ignore[arg-type]


def sign(prescription: Prescription, findings: list[Finding], *acks: Acknowledgement) -> object:
    return prescription.sign(
        findings,
        list(acks),
        by=UUID(int=9),
        now=NOW,
        today=TODAY,
        verification_hash="digest",
        formulary_version="2026.11",
    )


def signed() -> Prescription:
    prescription = draft()
    assert isinstance(sign(prescription, []), Success)
    return prescription


# --- signing ------------------------------------------------------------------------------


def test_an_error_blocks_signing_whatever_is_acknowledged() -> None:
    prescription = draft()
    result = sign(prescription, [ERROR, WARNING], Acknowledgement(ERROR.code, 0, "sure"))
    assert isinstance(result, Failure)
    assert result.failure().code == "prescription.validation_failed"
    assert result.failure().extra["findings"] == [ERROR, WARNING]
    assert prescription.status is PrescriptionStatus.DRAFT


def test_a_warning_is_acknowledged_for_every_item_it_names_with_a_reason() -> None:
    for acks in (
        [Acknowledgement(WARNING.code, 0, "ok")],
        [Acknowledgement(WARNING.code, 0, "ok"), Acknowledgement(WARNING.code, 1, " ")],
        [Acknowledgement("prescription.allergy", 0, "ok"), Acknowledgement("prescription.allergy", 1, "ok")],
    ):
        assert isinstance(sign(draft(), [WARNING], *acks), Failure)
    prescription = draft()
    result = sign(
        prescription,
        [WARNING, INFO],
        Acknowledgement(WARNING.code, 0, " INR monitored "),
        Acknowledgement(WARNING.code, 1, "INR monitored"),
        Acknowledgement("prescription.route", 0, "not a finding"),
    )
    assert isinstance(result, Success)
    assert [(a.code, a.item_index, a.reason, a.by, a.at) for a in prescription.acknowledgements] == [
        (WARNING.code, 0, "INR monitored", UUID(int=9), NOW),
        (WARNING.code, 1, "INR monitored", UUID(int=9), NOW),
    ]
    assert (prescription.status, prescription.signed_at, prescription.valid_until) == (
        PrescriptionStatus.SIGNED,
        NOW,
        TODAY + timedelta(days=90),
    )
    assert (prescription.verification_hash, prescription.formulary_version) == ("digest", "2026.11")


def test_information_never_blocks() -> None:
    assert isinstance(sign(draft(), [INFO]), Success)


# --- the status machine -------------------------------------------------------------------


def test_a_signed_prescription_never_changes() -> None:
    prescription = signed()
    result = prescription.revise(items=[item("paracetamol", 500)], now=NOW)
    assert isinstance(result, Failure)
    assert (result.failure().kind, result.failure().code) == (ErrorKind.CONFLICT, "prescription.not_draft")
    assert isinstance(sign(prescription, []), Failure)


def test_revising_items_clears_acknowledgements_and_names_what_changed() -> None:
    prescription = draft(acknowledgements=[Acknowledgement(WARNING.code, 0, "ok")])
    assert prescription.revise(items=list(prescription.items), now=NOW) == Success(())
    assert prescription.acknowledgements, "the same items keep their acknowledgements"
    later = NOW + timedelta(minutes=5)
    assert prescription.revise(
        items=[item("paracetamol", 500)], notes="n", consultation_id=UUID(int=7), now=later
    ) == Success(("items", "notes", "consultation_id"))
    assert (prescription.acknowledgements, prescription.updated_at) == ([], later)
    assert prescription.revise(notes=None, now=later) == Success(("notes",))


def test_invalid_items_are_refused_field_by_field() -> None:
    bad = PrescriptionItem("J01CA04", 500, "mg", "oral", Frequency(FrequencyKind.AS_NEEDED, 30), 7, 21)
    result = draft().revise(items=[bad, item("paracetamol", 0)], now=NOW)
    assert isinstance(result, Failure)
    assert [f.field for f in result.failure().fields] == ["items.0.as_needed_max_per_day", "items.1.dose_amount"]
    assert isinstance(draft().revise(items=[], now=NOW), Failure)
    assert isinstance(draft().revise(items=[item("paracetamol", 500)] * 21, now=NOW), Failure)


@pytest.mark.parametrize("status", [PrescriptionStatus.DRAFT, PrescriptionStatus.SIGNED])
def test_drafts_and_signed_prescriptions_may_be_cancelled(status: PrescriptionStatus) -> None:
    prescription = signed() if status is PrescriptionStatus.SIGNED else draft()
    assert isinstance(prescription.cancel("duplicate", NOW), Success)
    assert (prescription.status, prescription.cancelled_at) == (PrescriptionStatus.CANCELLED, NOW)


def test_final_statuses_refuse_cancellation_and_dispensing() -> None:
    dispensed = signed()
    assert isinstance(dispensed.dispense(False, NOW, TODAY), Success)
    expired = signed()
    assert expired.expire_if_due(TODAY + timedelta(days=91), NOW)
    cancelled = signed()
    assert isinstance(cancelled.cancel("x", NOW), Success)
    for prescription in (dispensed, expired, cancelled):
        assert isinstance(prescription.cancel("again", NOW), Failure)
        assert isinstance(prescription.dispense(True, NOW, TODAY), Failure)


def test_dispensing_partially_then_fully_within_validity() -> None:
    prescription = signed()
    assert isinstance(draft().dispense(False, NOW, TODAY), Failure)
    assert isinstance(prescription.dispense(True, NOW, TODAY), Success)
    assert prescription.status is PrescriptionStatus.PARTIALLY_DISPENSED
    assert prescription.valid_on(TODAY)
    assert isinstance(prescription.dispense(False, NOW, TODAY + timedelta(days=90)), Success)
    assert prescription.status is PrescriptionStatus.DISPENSED
    assert not prescription.valid_on(TODAY)
    late = signed()
    result = late.dispense(False, NOW, TODAY + timedelta(days=91))
    assert isinstance(result, Failure)
    assert result.failure().code == "prescription.expired"


def test_expiry_comes_the_day_after_the_last_valid_day() -> None:
    prescription = signed()
    last_day = TODAY + timedelta(days=90)
    assert prescription.valid_on(last_day)
    assert not prescription.expire_if_due(last_day, NOW)
    assert prescription.expire_if_due(last_day + timedelta(days=1), NOW)
    assert prescription.status is PrescriptionStatus.EXPIRED
    assert not prescription.expire_if_due(last_day + timedelta(days=2), NOW)
    assert not draft().expire_if_due(date(2100, 1, 1), NOW)


# --- plain language -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "sentence"),
    [
        (
            item("amoxicillin", 500, per_day=3, days=7),
            "Amoxicillin 500 mg by mouth three times a day for 7 days; quantity 21; no refill",
        ),
        (
            item("atorvastatin", 20, days=28, refills=2),
            "Atorvastatin 20 mg by mouth once a day for 28 days; quantity 28; 2 refills",
        ),
        (
            item("naproxen", 250, per_day=2, days=1, refills=1),
            "Naproxen 250 mg by mouth twice a day for 1 day; quantity 2; 1 refill",
        ),
        (
            item("paracetamol", 1, "g", every_hours=6, days=3),
            "Paracetamol 1 g by mouth every 6 hours for 3 days; quantity 12; no refill",
        ),
        (
            item("paracetamol", 0.5, "g", as_needed=4, days=2),
            "Paracetamol 0.5 g by mouth when needed, at most four times a day for 2 days; quantity 8; no refill",
        ),
        (
            item("salbutamol", 100, "mcg", as_needed=8, days=30, route="inhaled"),
            "Salbutamol 100 mcg by inhalation when needed, at most eight times a day for 30 days; quantity 240; no refill",
        ),
        (
            item("insulin glargine", 12, "unit", days=30, route="subcutaneous"),
            "Insulin glargine 12 units by injection under the skin once a day for 30 days; quantity 30; no refill",
        ),
        (
            item("paracetamol", 500, per_day=12, days=1),
            "Paracetamol 500 mg by mouth 12 times a day for 1 day; quantity 12; no refill",
        ),
    ],
)
def test_items_read_as_a_sentence(written: PrescriptionItem, sentence: str) -> None:
    medication = FORMULARY.medication(written.medication_code)
    assert medication is not None
    assert describe_item(written, medication.name) == sentence


def test_counted_units_take_a_plural_and_weights_do_not() -> None:
    def sentence(dose: float, unit: str) -> str:
        written = PrescriptionItem("J01CA04", dose, unit, "oral", Frequency(FrequencyKind.TIMES_PER_DAY, 1), 2, 2)
        return describe_item(written, "amoxicillin")

    assert sentence(2, "capsule").startswith("Amoxicillin 2 capsules by mouth once a day")
    assert sentence(1, "capsule").startswith("Amoxicillin 1 capsule by")
    assert sentence(2.5, "ml").startswith("Amoxicillin 2.5 ml by")


def test_instructions_follow_the_sentence() -> None:
    with_food = PrescriptionItem(
        "J01CA04", 500, "mg", "oral", Frequency(FrequencyKind.TIMES_PER_DAY, 3), 7, 21, 0, " Take with food. "
    )
    assert describe_item(with_food, "amoxicillin").endswith("no refill. Take with food.")


# --- verification codes -------------------------------------------------------------------


def test_a_code_is_typed_in_any_case_with_or_without_dashes() -> None:
    assert normalise("k7qm-2xwd-p9rt-hb4c") == normalise("K7QM 2XWD P9RT HB4C") == "K7QM2XWDP9RTHB4C"
    assert formatted("K7QM2XWDP9RTHB4C") == "K7QM-2XWD-P9RT-HB4C"
    assert code_digest("k7qm2xwdp9rthb4c") == code_digest("K7QM-2XWD-P9RT-HB4C")
    for wrong in ("", "K7QM-2XWD-P9RT", "K7QM-2XWD-P9RT-HB40", "K7QM-2XWD-P9RT-HB4CA", "K7QM-2XWD-P9RT-HB4Ç"):
        assert normalise(wrong) is None, wrong
    with pytest.raises(ValueError):
        code_digest("nope")


@given(st.uuids(), st.uuids())
def test_codes_are_stable_per_prescription_and_differ_between_them(first: UUID, second: UUID) -> None:
    codes = HmacVerificationCodes(b"k" * 32)
    code = codes.code_for(first)
    assert code == codes.code_for(first)
    symbols = normalise(code)
    assert symbols is not None
    assert formatted(symbols) == code
    assert set(symbols) <= set(ALPHABET)
    if first != second:
        assert codes.code_for(second) != code
    assert HmacVerificationCodes(b"another key").code_for(first) != code
