"""The consultation aggregate: drafts change, signatures need the required sections, a
signed consultation refuses every change, and addenda never alter what was signed."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st
from returns.result import Failure, Success

from medcore.domain.audit.entry import ActorType
from medcore.domain.clinical.consultation import (
    CONSULTATION_DRAFT,
    CONSULTATION_SIGNED,
    Addendum,
    Consultation,
    ConsultationChanges,
    DiagnosisInput,
    VitalsChange,
    check_addendum_text,
    parse_diagnoses,
)
from medcore.domain.clinical.sections import NoteSection, soap_sections
from medcore.domain.practitioners.changes import UNCHANGED

NOW = datetime(2027, 3, 15, 9, 0, tzinfo=UTC)
AUTHOR = UUID(int=7)


def draft(sections: tuple[NoteSection, ...] | None = None, content: ConsultationChanges | None = None) -> Consultation:
    opened = Consultation.open(
        id=UUID(int=1),
        organization_id=UUID(int=2),
        patient_id=UUID(int=3),
        practitioner_id=UUID(int=4),
        sections=sections or soap_sections(),
        started_at=NOW,
        created_by_type=ActorType.USER,
        created_by=AUTHOR,
        now=NOW,
        content=content,
    )
    assert isinstance(opened, Success), opened
    return opened.unwrap()


def signed(**content: object) -> Consultation:
    consultation = draft(content=ConsultationChanges(**content))  # type: ignore[arg-type]
    assert consultation.sign(AUTHOR, NOW + timedelta(minutes=20)) == Success(None)
    return consultation


def test_a_draft_takes_notes_by_section_and_reports_what_changed() -> None:
    consultation = draft()

    first = consultation.revise(ConsultationChanges(notes={"subjective": "Cough for 3 days", "plan": ""}), NOW)
    second = consultation.revise(ConsultationChanges(notes={"objective": " Clear chest \r\n "}), NOW)
    same = consultation.revise(ConsultationChanges(notes={"objective": "Clear chest"}, reason=None), NOW)

    assert first == Success(("sections",))
    assert second == Success(("sections",))
    assert same == Success(())
    assert [s.text for s in consultation.sections] == ["Cough for 3 days", "Clear chest", "", ""]


def test_unknown_sections_and_bad_content_are_refused_naming_each_field() -> None:
    consultation = draft()
    before = copy.deepcopy(consultation)

    refused = consultation.revise(
        ConsultationChanges(
            notes={"history": "x", "plan": "ok\x00"},
            reason="x" * 501,
            vitals=VitalsChange(values={"weight_kg": 0}),
            diagnoses=(DiagnosisInput(code="XX"),),
            started_at=NOW + timedelta(days=1),
        ),
        NOW,
    )

    assert isinstance(refused, Failure)
    assert {i.field for i in refused.failure().fields} == {
        "notes.history",
        "notes.plan",
        "reason",
        "vitals.weight_kg",
        "diagnoses.0.code",
        "started_at",
    }
    assert consultation == before  # nothing applied


def test_a_consultation_starts_neither_in_the_future_nor_before_1900() -> None:
    consultation = draft()
    for started_at in (NOW + timedelta(minutes=6), datetime(1899, 12, 31, tzinfo=UTC)):
        refused = consultation.revise(ConsultationChanges(started_at=started_at), NOW)
        assert isinstance(refused, Failure)
        assert [i.field for i in refused.failure().fields] == ["started_at"]
    assert consultation.revise(ConsultationChanges(started_at=NOW - timedelta(days=3)), NOW) == Success(("started_at",))


def test_diagnoses_are_canonical_icd10_codes_each_once() -> None:
    found = parse_diagnoses((DiagnosisInput(code="e119", text="  Type 2  diabetes "), DiagnosisInput(code="I10")))
    assert [(d.code.value, d.text) for d in found.unwrap()] == [("E11.9", "Type 2 diabetes"), ("I10", None)]
    twice = parse_diagnoses((DiagnosisInput(code="I10"), DiagnosisInput(code="i10")))
    assert isinstance(twice, Failure)
    assert [i.field for i in twice.failure().fields] == ["diagnoses.1.code"]
    too_many = parse_diagnoses(tuple(DiagnosisInput(code=f"A{n:02d}") for n in range(21)))
    assert isinstance(too_many, Failure)


def test_signing_needs_every_required_section_and_names_the_empty_ones() -> None:
    sections = (
        NoteSection("subjective", "Subjective", "", required=True),
        NoteSection("objective", "Objective", "Examination:", required=False),
        NoteSection("plan", "Plan", "   ", required=True),
    )
    consultation = draft(sections)

    refused = consultation.sign(AUTHOR, NOW)

    assert isinstance(refused, Failure)
    assert refused.failure().code == "consultation.required_sections_missing"
    assert [i.field for i in refused.failure().fields] == ["sections.subjective", "sections.plan"]
    assert not consultation.signed
    consultation.revise(ConsultationChanges(notes={"subjective": "Fever", "plan": "Rest"}), NOW)
    assert consultation.sign(AUTHOR, NOW) == Success(None)
    assert (consultation.signed, consultation.signed_at, consultation.signed_by) == (True, NOW, AUTHOR)


def test_a_consultation_is_signed_once() -> None:
    consultation = signed()
    assert consultation.sign(AUTHOR, NOW) == Failure(CONSULTATION_SIGNED)


def test_addenda_follow_a_signature_only() -> None:
    consultation = draft()
    addendum = Addendum(
        id=UUID(int=9),
        consultation_id=consultation.id,
        text="x",
        author_type=ActorType.USER,
        author_id=AUTHOR,
        created_at=NOW,
    )
    assert consultation.append(addendum) == Failure(CONSULTATION_DRAFT)
    assert check_addendum_text("  \n ").failure().fields[0].field == "text"  # type: ignore[union-attr]
    assert check_addendum_text(" Result: normal. ").unwrap() == "Result: normal."


# --- properties ---------------------------------------------------------------------------

texts = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)
changes = st.builds(
    ConsultationChanges,
    reason=st.just(UNCHANGED) | st.none() | texts,
    started_at=st.just(UNCHANGED) | st.just(NOW - timedelta(hours=1)),
    notes=st.just(UNCHANGED)
    | st.dictionaries(st.sampled_from(["subjective", "objective", "assessment", "plan"]), texts),
    vitals=st.just(UNCHANGED)
    | st.none()
    | st.builds(VitalsChange, values=st.dictionaries(st.sampled_from(["weight_kg", "height_cm"]), st.floats(30, 200))),
    diagnoses=st.just(UNCHANGED)
    | st.lists(st.builds(DiagnosisInput, code=st.sampled_from(["I10", "J20.9"])), max_size=2).map(tuple),
    prescription_ids=st.just(UNCHANGED) | st.lists(st.builds(UUID, int=st.integers(1, 5)), max_size=3).map(tuple),
)


@given(change=changes)
def test_a_signed_consultation_refuses_every_change(change: ConsultationChanges) -> None:
    consultation = signed(notes={"plan": "Rest"}, vitals=VitalsChange(values={"weight_kg": 70}))
    before = copy.deepcopy(consultation)

    assert consultation.revise(change, NOW + timedelta(hours=1)) == Failure(CONSULTATION_SIGNED)
    assert consultation.sign(AUTHOR, NOW + timedelta(hours=1)) == Failure(CONSULTATION_SIGNED)
    assert consultation == before


@given(texts_=st.lists(st.text(min_size=1, max_size=50).filter(lambda t: t.strip()), min_size=1, max_size=5))
def test_addenda_never_alter_the_original(texts_: list[str]) -> None:
    consultation = signed(notes={"plan": "Rest", "assessment": "Viral"}, diagnoses=(DiagnosisInput(code="J06.9"),))
    original = consultation.content()

    for index, text in enumerate(texts_):
        addendum = Addendum(
            id=UUID(int=100 + index),
            consultation_id=consultation.id,
            text=text,
            author_type=ActorType.USER,
            author_id=UUID(int=8),
            created_at=NOW + timedelta(days=index + 1),
        )
        assert consultation.append(addendum) == Success(addendum)

    assert consultation.content() == original
    assert [a.text for a in consultation.addenda] == texts_


@given(change=changes)
def test_a_draft_change_is_all_or_nothing(change: ConsultationChanges) -> None:
    consultation = draft()
    before = copy.deepcopy(consultation)

    result = consultation.revise(change, NOW)

    if isinstance(result, Failure):
        assert consultation == before
    else:
        changed = set(result.unwrap())
        for name in ("reason", "started_at", "sections", "vitals", "diagnoses", "prescription_ids"):
            assert (getattr(consultation, name) != getattr(before, name)) == (name in changed)


def test_the_aggregate_refuses_an_inconsistent_state() -> None:
    with pytest.raises(ValueError):
        Consultation(
            id=UUID(int=1),
            organization_id=UUID(int=2),
            patient_id=UUID(int=3),
            practitioner_id=UUID(int=4),
            started_at=NOW,
            sections=soap_sections(),
            created_by_type=ActorType.USER,
            created_by=None,
            signed_at=NOW,  # but still a draft
            created_at=NOW,
            updated_at=NOW,
        )
