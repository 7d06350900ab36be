"""Value objects of a patient's demographics. Each refuses invalid state on construction
and offers a ``parse`` that turns raw input into it, or into an error naming the field."""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from returns.result import Failure, Result, Success

from medcore.domain.patients.countries import ISO_3166_ALPHA_2
from medcore.domain.shared.errors import DomainError, FieldIssue, field_invalid, invalid

MAX_AGE_YEARS = 130
# The calendar date somewhere on Earth runs up to 14 hours ahead of UTC (Kiribati): a baby
# born there "today" may still be "tomorrow" in UTC terms.
_EARLIEST_OFFSET = timedelta(hours=14)


class Sex(enum.StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class ContactChannel(enum.StrEnum):
    """How the patient wants to hear from the practice (reminders, offers)."""

    EMAIL = "email"
    SMS = "sms"
    NONE = "none"


def _has_control_characters(value: str, allowed: str = "") -> bool:
    return any(unicodedata.category(c) == "Cc" and c not in allowed for c in value)


def check_name(value: str, field: str) -> Result[str, DomainError]:
    """A given or family name: 1-100 characters, inner spaces collapsed."""
    cleaned = " ".join(value.split())
    if not 1 <= len(cleaned) <= 100 or _has_control_characters(cleaned):
        return Failure(field_invalid(field, "Use 1-100 characters."))
    return Success(cleaned)


def check_text(value: str, field: str, max_length: int = 500) -> Result[str, DomainError]:
    """Free text (a reaction, a dose): trimmed, 1 to ``max_length`` characters, line breaks
    allowed, other control characters not."""
    cleaned = value.strip()
    if not 1 <= len(cleaned) <= max_length or _has_control_characters(cleaned, allowed="\n\t"):
        return Failure(field_invalid(field, f"Use 1-{max_length} characters."))
    return Success(cleaned)


def latest_local_date(now: datetime) -> date:
    """The latest calendar date anywhere on Earth at ``now``: nothing dated after it has happened."""
    return (now + _EARLIEST_OFFSET).date()


def check_birth_date(value: date, now: datetime, field: str = "birth_date") -> Result[date, DomainError]:
    """Not in the future, not more than 130 years ago."""
    latest = latest_local_date(now)
    if value > latest:
        return Failure(field_invalid(field, "The birth date cannot be in the future."))
    try:
        earliest = latest.replace(year=latest.year - MAX_AGE_YEARS)
    except ValueError:  # 29 February
        earliest = latest.replace(year=latest.year - MAX_AGE_YEARS, day=28)
    if value < earliest:
        return Failure(field_invalid(field, f"The birth date cannot be more than {MAX_AGE_YEARS} years ago."))
    return Success(value)


def check_past_date(
    value: date, now: datetime, field: str, *, not_before: date | None = None
) -> Result[date, DomainError]:
    """A date something happened (an onset, the start of a treatment): not in the future, and
    not before ``not_before`` (the birth date)."""
    if value > latest_local_date(now):
        return Failure(field_invalid(field, "The date cannot be in the future."))
    if not_before is not None and value < not_before:
        return Failure(field_invalid(field, "The date cannot be before the patient's birth date."))
    return Success(value)


_MRN = re.compile(r"^[A-Z0-9/-]{1,32}$")
_MRN_HAS_ALNUM = re.compile(r"[A-Z0-9]")
GENERATED_MRN_PREFIX = "MRN-"


@dataclass(frozen=True, slots=True)
class MedicalRecordNumber:
    """The organization's number for a patient's record: 1-32 letters, digits, '-' or '/',
    upper-cased, with at least one letter or digit."""

    value: str

    def __post_init__(self) -> None:
        if not _MRN.match(self.value) or not _MRN_HAS_ALNUM.search(self.value):
            raise ValueError("invalid medical record number")

    @classmethod
    def parse(cls, raw: str, field: str = "mrn") -> Result[MedicalRecordNumber, DomainError]:
        candidate = raw.strip().upper()
        if not _MRN.match(candidate) or not _MRN_HAS_ALNUM.search(candidate):
            return Failure(field_invalid(field, "Use 1-32 letters, digits, '-' or '/'."))
        return Success(cls(candidate))

    @classmethod
    def generated(cls, number: int) -> MedicalRecordNumber:
        """The number medcore gives when none is given: ``MRN-000123``."""
        return cls(f"{GENERATED_MRN_PREFIX}{number:06d}")

    def __str__(self) -> str:
        return self.value


_PHONE_CHARACTERS = re.compile(r"^[0-9+().\-\s/]+$")
_PHONE_SEPARATORS = re.compile(r"[\s().\-/]")
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    """An international number in E.164 form: ``+`` then 7 to 15 digits (``+33612345678``).

    Spaces, dots, dashes, slashes and parentheses are dropped, a ``00`` international prefix
    becomes ``+`` and a trunk ``(0)`` after the country code is removed. A national number
    without its country code is refused: medcore cannot guess the country."""

    value: str

    def __post_init__(self) -> None:
        if not _E164.match(self.value):
            raise ValueError("not an E.164 phone number")

    @classmethod
    def parse(cls, raw: str, field: str = "phone") -> Result[PhoneNumber, DomainError]:
        text = raw.strip()
        if not text or len(text) > 40 or not _PHONE_CHARACTERS.match(text):
            return Failure(field_invalid(field, "Enter a phone number such as +33 6 12 34 56 78."))
        compact = _PHONE_SEPARATORS.sub("", text.replace("(0)", ""))
        if compact.startswith("00"):
            compact = "+" + compact[2:]
        if not compact.startswith("+"):
            return Failure(field_invalid(field, "Include the country code, such as +33 6 12 34 56 78."))
        if not _E164.match(compact):
            return Failure(field_invalid(field, "Enter a phone number such as +33 6 12 34 56 78."))
        return Success(cls(compact))

    def __str__(self) -> str:
        return self.value


_LANGUAGE = re.compile(r"^(?P<language>[a-z]{2,3})(?:-(?P<script>[a-z]{4}))?(?:-(?P<region>[a-z]{2}|[0-9]{3}))?$")


@dataclass(frozen=True, slots=True)
class LanguageTag:
    """A BCP 47 language tag of the common shape: language, optional script, optional region
    (``fr``, ``en-GB``, ``zh-Hant-TW``, ``es-419``), in canonical case."""

    value: str

    def __post_init__(self) -> None:
        canonical = _canonical_language(self.value)
        if canonical is None or canonical != self.value:
            raise ValueError("not a canonical language tag")

    @classmethod
    def parse(cls, raw: str, field: str = "preferred_language") -> Result[LanguageTag, DomainError]:
        canonical = _canonical_language(raw.strip().replace("_", "-"))
        if canonical is None:
            return Failure(field_invalid(field, "Use a language tag such as fr or en-GB."))
        return Success(cls(canonical))

    def __str__(self) -> str:
        return self.value


def _canonical_language(raw: str) -> str | None:
    match = _LANGUAGE.match(raw.lower()) if len(raw) <= 16 else None
    if match is None:
        return None
    parts = [match["language"]]
    if match["script"]:
        parts.append(match["script"].title())
    if match["region"]:
        parts.append(match["region"].upper())
    return "-".join(parts)


@dataclass(frozen=True, slots=True)
class CountryCode:
    """An ISO 3166-1 alpha-2 country code (``FR``)."""

    value: str

    def __post_init__(self) -> None:
        if self.value not in ISO_3166_ALPHA_2:
            raise ValueError("not an ISO 3166-1 alpha-2 code")

    @classmethod
    def parse(cls, raw: str, field: str = "country") -> Result[CountryCode, DomainError]:
        candidate = raw.strip().upper()
        if candidate not in ISO_3166_ALPHA_2:
            return Failure(field_invalid(field, "Use an ISO 3166-1 alpha-2 country code such as FR."))
        return Success(cls(candidate))

    def __str__(self) -> str:
        return self.value


_POSTAL_CODE = re.compile(r"^[A-Z0-9][A-Z0-9 -]{0,18}[A-Z0-9]$|^[A-Z0-9]$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Address:
    """A postal address: the first line, the city and the country are required."""

    line1: str
    city: str
    country: CountryCode
    line2: str | None = None
    postal_code: str | None = None

    def __post_init__(self) -> None:
        for value in (self.line1, self.city):
            if not 1 <= len(value) <= 200:
                raise ValueError("address lines and city hold 1-200 characters")
        if self.line2 is not None and not 1 <= len(self.line2) <= 200:
            raise ValueError("the second address line holds 1-200 characters")
        if self.postal_code is not None and not _POSTAL_CODE.match(self.postal_code):
            raise ValueError("invalid postal code")

    @classmethod
    def build(
        cls,
        *,
        line1: str,
        city: str,
        country: str,
        line2: str | None = None,
        postal_code: str | None = None,
        field: str = "address",
    ) -> Result[Address, DomainError]:
        issues: list[FieldIssue] = []
        cleaned: dict[str, str | None] = {}
        for name, raw, required in (("line1", line1, True), ("line2", line2, False), ("city", city, True)):
            text = " ".join(raw.split()) if raw is not None else ""
            if not text and not required:
                cleaned[name] = None
            elif not 1 <= len(text) <= 200 or _has_control_characters(text):
                issues.append(FieldIssue(f"{field}.{name}", "Use 1-200 characters."))
            else:
                cleaned[name] = text
        postal = " ".join(postal_code.upper().split()) if postal_code is not None else ""
        if postal and not _POSTAL_CODE.match(postal):
            issues.append(FieldIssue(f"{field}.postal_code", "Use up to 20 letters, digits, spaces or dashes."))
        parsed_country = CountryCode.parse(country, f"{field}.country")
        if isinstance(parsed_country, Failure):
            issues.extend(parsed_country.failure().fields)
        if issues:
            return Failure(invalid("validation_failed", "The address is not valid.", *issues))
        return Success(
            cls(
                line1=str(cleaned["line1"]),
                line2=cleaned["line2"],
                city=str(cleaned["city"]),
                postal_code=postal or None,
                country=parsed_country.unwrap(),
            )
        )

    def snapshot(self) -> dict[str, Any]:
        return {
            "line1": self.line1,
            "line2": self.line2,
            "postal_code": self.postal_code,
            "city": self.city,
            "country": self.country.value,
        }
