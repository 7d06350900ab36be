"""The password policy: what a new password must be."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from returns.result import Failure, Result, Success

from medcore.domain.identity.email import EmailAddress
from medcore.domain.shared.errors import DomainError, FieldIssue, invalid

MIN_LENGTH = 12
MAX_LENGTH = 256  # argon2 copes with more, but nobody types more and it bounds hashing cost

_TRAILING_NOISE = re.compile(r"[\d\W_]+$")


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    """Minimum length, not a known common or breached password, not built on the email.

    ``is_common`` answers whether a (lower-cased) candidate appears in the shipped list of
    common and breached passwords; it is a port so the list can grow without touching rules.
    """

    is_common: Callable[[str], bool]
    min_length: int = MIN_LENGTH

    def check(
        self, password: str, email: EmailAddress | None = None, field: str = "password"
    ) -> Result[str, DomainError]:
        problems: list[str] = []
        if len(password) < self.min_length:
            problems.append(f"Use at least {self.min_length} characters.")
        if len(password) > MAX_LENGTH:
            problems.append(f"Use at most {MAX_LENGTH} characters.")
        lowered = password.lower()
        if self.is_common(lowered) or self.is_common(_TRAILING_NOISE.sub("", lowered)):
            problems.append("This password is too common; choose one that is not on lists of leaked passwords.")
        if email is not None and len(email.local_part) >= 3 and email.local_part in lowered:
            problems.append("The password must not contain your email address.")
        if problems:
            return Failure(
                invalid(
                    "password.too_weak",
                    "The password does not meet the policy.",
                    *(FieldIssue(field, p) for p in problems),
                )
            )
        return Success(password)
