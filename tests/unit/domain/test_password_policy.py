"""The password policy: at least 12 characters, not common (even with digits appended), not
built on the email's local part."""

from __future__ import annotations

import string

from hypothesis import example, given
from hypothesis import strategies as st
from returns.result import Failure, Success

from medcore.domain.identity.email import EmailAddress
from medcore.domain.identity.password import MAX_LENGTH, PasswordPolicy
from medcore.domain.shared.errors import DomainError

# Each common word holds a letter beyond "f", so no password drawn from SAFE_ALPHABET below can
# ever be one of them; that keeps the acceptance property honest.
COMMON = frozenset({"password", "letmein", "sunshine", "dragon", "iloveyou", "qwertyuiop"})
POLICY = PasswordPolicy(is_common=COMMON.__contains__)
SAFE_ALPHABET = "ABCDEFabcdef0123456789!#%&*+=?@^~-"
EMAIL = EmailAddress.parse("jim.wong@example.test").unwrap()  # local part: no letter of SAFE_ALPHABET


def messages(error: DomainError) -> list[str]:
    return [issue.message for issue in error.fields]


@given(st.text(max_size=11))
def test_any_password_shorter_than_twelve_characters_is_refused(password: str) -> None:
    result = POLICY.check(password)

    assert isinstance(result, Failure)
    assert result.failure().code == "password.too_weak"
    assert "Use at least 12 characters." in messages(result.failure())


@given(
    local=st.text(alphabet=string.ascii_lowercase + string.digits, min_size=3, max_size=20),
    before=st.text(alphabet=SAFE_ALPHABET, max_size=10),
    after=st.text(alphabet=SAFE_ALPHABET, min_size=12, max_size=20),
    shout=st.booleans(),
)
def test_a_password_containing_the_emails_local_part_is_refused(
    local: str, before: str, after: str, shout: bool
) -> None:
    email = EmailAddress.parse(f"{local}@example.test").unwrap()
    password = before + (local.upper() if shout else local) + after

    result = POLICY.check(password, email)

    assert isinstance(result, Failure)
    assert "The password must not contain your email address." in messages(result.failure())


def test_a_local_part_shorter_than_three_characters_is_not_held_against_the_password() -> None:
    email = EmailAddress.parse("jo@example.test").unwrap()

    assert POLICY.check("majorly-joyful-4711", email) == Success("majorly-joyful-4711")


@given(
    word=st.sampled_from(sorted(COMMON)),
    capitalised=st.booleans(),
    noise=st.text(alphabet=string.digits + string.punctuation + " ", min_size=0, max_size=12),
)
@example(word="password", capitalised=True, noise="123!")
def test_common_passwords_are_refused_also_with_trailing_digits_or_symbols(
    word: str, capitalised: bool, noise: str
) -> None:
    password = (word.capitalize() if capitalised else word) + noise

    result = POLICY.check(password)

    assert isinstance(result, Failure)
    assert any("too common" in m for m in messages(result.failure()))


def test_a_common_word_inside_a_longer_password_is_not_a_common_password() -> None:
    assert POLICY.check("mypassword-is-orange") == Success("mypassword-is-orange")


@given(st.text(alphabet=SAFE_ALPHABET, min_size=12, max_size=MAX_LENGTH))
def test_long_random_passwords_from_a_safe_alphabet_are_accepted(password: str) -> None:
    assert POLICY.check(password, EMAIL) == Success(password)


def test_a_password_over_the_maximum_length_is_refused() -> None:
    result = POLICY.check("a1B2" * 65)

    assert isinstance(result, Failure)
    assert f"Use at most {MAX_LENGTH} characters." in messages(result.failure())


def test_every_problem_is_reported_against_the_named_field() -> None:
    result = POLICY.check("jimwong1", EmailAddress.parse("jimwong@example.test").unwrap(), field="new_password")

    assert isinstance(result, Failure)
    assert {issue.field for issue in result.failure().fields} == {"new_password"}
    assert len(result.failure().fields) == 2  # too short, and built on the email


def test_the_minimum_length_is_configurable() -> None:
    strict = PasswordPolicy(is_common=COMMON.__contains__, min_length=16)

    assert isinstance(strict.check("fifteen-chars-x"), Failure)
    assert strict.check("sixteen-chars-xy") == Success("sixteen-chars-xy")
