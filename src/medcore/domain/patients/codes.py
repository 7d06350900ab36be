"""Clinical codes: ATC for substances and drug classes, ICD-10 for diagnoses."""

from __future__ import annotations

import re
from dataclasses import dataclass

from returns.result import Failure, Result, Success

from medcore.domain.shared.errors import DomainError, field_invalid

# The fourteen anatomical main groups of the WHO ATC classification.
_ATC_GROUPS = frozenset("ABCDGHJLMNPRSV")
# Levels: J (1) / J01 (2) / J01C (3) / J01CA (4) / J01CA04 (5, the substance).
_ATC = re.compile(r"^[A-Z](?:[0-9]{2}(?:[A-Z](?:[A-Z](?:[0-9]{2})?)?)?)?$")
_ATC_LENGTH_TO_LEVEL = {1: 1, 3: 2, 4: 3, 5: 4, 7: 5}


@dataclass(frozen=True, slots=True)
class AtcCode:
    """A WHO ATC code at any level: a class (``J01C``, the penicillins) or a substance
    (``J01CA04``, amoxicillin). A class covers every code below it."""

    value: str

    def __post_init__(self) -> None:
        if not _ATC.match(self.value) or self.value[0] not in _ATC_GROUPS:
            raise ValueError("not an ATC code")

    @classmethod
    def parse(cls, raw: str, field: str = "code", *, substance: bool = False) -> Result[AtcCode, DomainError]:
        """``substance`` asks for a level-5 code (one medicinal substance)."""
        candidate = "".join(raw.split()).upper()
        if not _ATC.match(candidate) or candidate[0] not in _ATC_GROUPS:
            return Failure(field_invalid(field, "Use an ATC code such as J01C (a class) or J01CA04 (a substance)."))
        code = cls(candidate)
        if substance and code.level != 5:
            return Failure(field_invalid(field, "Use the ATC code of a substance (7 characters, such as C09AA05)."))
        return Success(code)

    @property
    def level(self) -> int:
        return _ATC_LENGTH_TO_LEVEL[len(self.value)]

    def covers(self, other: AtcCode) -> bool:
        """True when ``other`` is this code or lies below it (J01C covers J01CA04)."""
        return other.value.startswith(self.value)

    def __str__(self) -> str:
        return self.value


# A letter, two characters (the second may be a letter: C4A, U07), then up to four after a dot.
_ICD10 = re.compile(r"^[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?$")


@dataclass(frozen=True, slots=True)
class Icd10Code:
    """An ICD-10 code (``I10``, ``E11.9``), in canonical form: upper case, with the dot after
    the category (``e119`` is read as ``E11.9``)."""

    value: str

    def __post_init__(self) -> None:
        if not _ICD10.match(self.value):
            raise ValueError("not an ICD-10 code")

    @classmethod
    def parse(cls, raw: str, field: str = "code") -> Result[Icd10Code, DomainError]:
        candidate = "".join(raw.split()).upper().rstrip(".")
        if "." not in candidate and len(candidate) > 3:
            candidate = f"{candidate[:3]}.{candidate[3:]}"
        if not _ICD10.match(candidate):
            return Failure(field_invalid(field, "Use an ICD-10 code such as I10 or E11.9."))
        return Success(cls(candidate))

    @property
    def category(self) -> str:
        """The three-character category (``E11`` of ``E11.9``)."""
        return self.value[:3]

    @property
    def indicates_pregnancy(self) -> bool:
        """Pregnancy supervision (Z33-Z35) and the pregnancy chapter before delivery (O00-O48)."""
        category = self.category
        if category in ("Z33", "Z34", "Z35"):
            return True
        return category[0] == "O" and category[1:].isdigit() and int(category[1:]) <= 48

    def __str__(self) -> str:
        return self.value
