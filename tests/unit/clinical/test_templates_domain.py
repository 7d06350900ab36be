"""Consultation templates: sections with distinct keys, titles, default texts and the
required flag; changes report what changed; consultations are pre-filled from them."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from returns.result import Failure, Success

from medcore.domain.clinical.sections import TemplateSectionInput, parse_template_sections
from medcore.domain.clinical.template import ConsultationTemplate, TemplateChanges, name_key

NOW = datetime(2027, 3, 15, 9, 0, tzinfo=UTC)


def section(key: str, **fields: object) -> TemplateSectionInput:
    return TemplateSectionInput(key=key, **fields)  # type: ignore[arg-type]


def test_sections_get_default_titles_and_keep_their_order() -> None:
    parsed = parse_template_sections(
        [section("subjective", required=True), section("Family_History"), section("plan", title="  Next   steps ")]
    ).unwrap()

    assert [(s.key, s.title, s.required) for s in parsed] == [
        ("subjective", "Subjective", True),
        ("family_history", "Family history", False),
        ("plan", "Next steps", False),
    ]


def test_bad_sections_are_refused_naming_each() -> None:
    refused = parse_template_sections(
        [section("plan"), section("Plan"), section("2nd"), section("ok", default_text="x" * 20_001)]
    )

    assert isinstance(refused, Failure)
    assert [i.field for i in refused.failure().fields] == [
        "sections.1.key",
        "sections.2.key",
        "sections.3.default_text",
    ]
    assert isinstance(parse_template_sections([]), Failure)
    assert isinstance(parse_template_sections([section(f"s{n}") for n in range(31)]), Failure)


def test_a_template_needs_a_name_and_sections_and_reports_its_changes() -> None:
    missing = ConsultationTemplate.create(
        id=UUID(int=1), organization_id=UUID(int=2), changes=TemplateChanges(), created_by=None, now=NOW
    )
    assert isinstance(missing, Failure)
    assert {i.field for i in missing.failure().fields} == {"name", "sections"}

    template = ConsultationTemplate.create(
        id=UUID(int=1),
        organization_id=UUID(int=2),
        changes=TemplateChanges(name=" General   consultation ", sections=(section("plan", default_text="Rest"),)),
        created_by=UUID(int=3),
        now=NOW,
    ).unwrap()
    assert template.name == "General consultation"
    assert template.name_key == name_key("GENERAL CONSULTATION") == "general consultation"
    assert template.change(TemplateChanges(name="General consultation", active=True), NOW) == Success(())
    assert template.change(TemplateChanges(active=False, description="For GPs"), NOW) == Success(
        ("description", "active")
    )
    [prefilled] = template.note_sections()
    assert (prefilled.key, prefilled.text, prefilled.required) == ("plan", "Rest", False)
