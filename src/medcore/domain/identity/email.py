"""Email addresses as a value object."""

from __future__ import annotations

import re
from dataclasses import dataclass

from returns.result import Failure, Result, Success

from medcore.domain.shared.errors import DomainError, field_invalid

# Pragmatic shape check: one @, a dotted domain, no spaces. Deliverability is proven by the
# verification email, not by a regular expression.
_SHAPE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


@dataclass(frozen=True, slots=True)
class EmailAddress:
    """A normalised address: trimmed, domain lower-cased; the local part is compared
    case-insensitively too, as every mail provider medcore's users meet does."""

    value: str

    def __post_init__(self) -> None:
        if not _SHAPE.match(self.value) or len(self.value) > 254 or self.value != self.value.lower():
            raise ValueError("not a normalised email address")

    @classmethod
    def parse(cls, raw: str, field: str = "email") -> Result[EmailAddress, DomainError]:
        candidate = raw.strip().lower()
        if len(candidate) > 254 or not _SHAPE.match(candidate):
            return Failure(field_invalid(field, "Enter a valid email address."))
        return Success(cls(candidate))

    @property
    def local_part(self) -> str:
        return self.value.rsplit("@", 1)[0]

    def __str__(self) -> str:
        return self.value
