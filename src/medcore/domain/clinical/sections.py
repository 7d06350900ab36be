"""The written parts of a consultation: named sections (the SOAP four, subjective,
objective, assessment and plan, and any a template adds), each with its text.

A template declares sections with a default text and a ``required`` flag; a consultation
copies them when it is opened, so that changing the template later changes no
consultation already written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from returns.result import Failure, Result, Success

from medcore.domain.shared.errors import DomainError, FieldIssue, invalid

SOAP_TITLES: Mapping[str, str] = {
    "subjective": "Subjective",
    "objective": "Objective",
    "assessment": "Assessment",
    "plan": "Plan",
}
MAX_SECTIONS = 30
MAX_SECTION_TEXT = 20_000
MAX_TITLE = 100
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_ALLOWED_CONTROLS = "\n\t"


def clean_text(raw: str) -> str | None:
    """Free text with line breaks (``\\r\\n`` becomes ``\\n``), trimmed; None when it holds
    a control character other than a line break or a tab."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").strip()
    if any(unicodedata.category(c) == "Cc" and c not in _ALLOWED_CONTROLS for c in text):
        return None
    return text


def check_note_text(raw: str, field: str, max_length: int = MAX_SECTION_TEXT) -> Result[str, FieldIssue]:
    """A section's text: may be empty, at most ``max_length`` characters."""
    text = clean_text(raw)
    if text is None or len(text) > max_length:
        return Failure(FieldIssue(field, f"Use at most {max_length} characters (line breaks and tabs allowed)."))
    return Success(text)


def check_key(raw: str, field: str) -> Result[str, FieldIssue]:
    key = raw.strip().lower()
    if not _KEY.match(key):
        return Failure(
            FieldIssue(field, "Use 1-40 lower-case letters, digits or underscores, starting with a letter (plan).")
        )
    return Success(key)


def _title_for(key: str) -> str:
    return SOAP_TITLES.get(key, key.replace("_", " ").capitalize())


@dataclass(frozen=True, slots=True)
class TemplateSection:
    key: str
    title: str
    default_text: str = ""
    required: bool = False

    def __post_init__(self) -> None:
        if not _KEY.match(self.key) or not 1 <= len(self.title) <= MAX_TITLE:
            raise ValueError("invalid template section")
        if len(self.default_text) > MAX_SECTION_TEXT:
            raise ValueError("default text too long")


@dataclass(frozen=True, slots=True)
class NoteSection:
    """A section of a consultation; ``required`` ones must hold text before signing."""

    key: str
    title: str
    text: str = ""
    required: bool = False

    def __post_init__(self) -> None:
        if not _KEY.match(self.key) or not 1 <= len(self.title) <= MAX_TITLE:
            raise ValueError("invalid section")
        if len(self.text) > MAX_SECTION_TEXT:
            raise ValueError("section text too long")

    @property
    def filled(self) -> bool:
        return bool(self.text.strip())


def soap_sections() -> tuple[NoteSection, ...]:
    """The sections of a consultation opened without a template: SOAP, none required."""
    return tuple(NoteSection(key, title) for key, title in SOAP_TITLES.items())


@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateSectionInput:
    key: str
    title: str | None = None
    default_text: str | None = None
    required: bool = False


def parse_template_sections(
    raw: Sequence[TemplateSectionInput], field: str = "sections"
) -> Result[tuple[TemplateSection, ...], DomainError]:
    """1 to 30 sections with distinct keys; a title defaults to the key in words (the SOAP
    keys to their usual names)."""
    issues: list[FieldIssue] = []
    if not 1 <= len(raw) <= MAX_SECTIONS:
        issues.append(FieldIssue(field, f"Give 1 to {MAX_SECTIONS} sections."))
    sections: list[TemplateSection] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        at = f"{field}.{index}"
        key = check_key(item.key, f"{at}.key")
        if isinstance(key, Failure):
            issues.append(key.failure())
            continue
        name = key.unwrap()
        if name in seen:
            issues.append(FieldIssue(f"{at}.key", f"The key '{name}' appears twice."))
            continue
        seen.add(name)
        title = " ".join((item.title or "").split()) or _title_for(name)
        if len(title) > MAX_TITLE or clean_text(title) is None:
            issues.append(FieldIssue(f"{at}.title", f"Use 1-{MAX_TITLE} characters."))
            continue
        text = check_note_text(item.default_text or "", f"{at}.default_text")
        if isinstance(text, Failure):
            issues.append(text.failure())
            continue
        sections.append(TemplateSection(name, title, text.unwrap(), item.required))
    if issues:
        return Failure(invalid("validation_failed", "Some sections are not valid.", *issues))
    return Success(tuple(sections))


def fill_sections(
    sections: tuple[NoteSection, ...], texts: Mapping[str, str], field: str = "notes"
) -> Result[tuple[NoteSection, ...], DomainError]:
    """``sections`` with the given texts by key (merge: the others keep theirs). A key the
    consultation does not have is refused, naming it."""
    known = {s.key for s in sections}
    issues: list[FieldIssue] = []
    cleaned: dict[str, str] = {}
    for key, raw in texts.items():
        if key not in known:
            issues.append(FieldIssue(f"{field}.{key}", f"No such section. Sections: {', '.join(sorted(known))}."))
            continue
        text = check_note_text(raw, f"{field}.{key}")
        if isinstance(text, Failure):
            issues.append(text.failure())
        else:
            cleaned[key] = text.unwrap()
    if issues:
        return Failure(invalid("validation_failed", "Some notes are not valid.", *issues))
    return Success(tuple(NoteSection(s.key, s.title, cleaned.get(s.key, s.text), s.required) for s in sections))
