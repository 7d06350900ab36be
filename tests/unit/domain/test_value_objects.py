"""EmailAddress, OrganizationSlug and OrganizationSettings: what they accept and refuse."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st
from returns.result import Failure, Success

from medcore.domain.identity.email import EmailAddress
from medcore.domain.identity.organization import OrganizationSettings, OrganizationSlug
from medcore.domain.shared.errors import ErrorKind

# --- EmailAddress ---------------------------------------------------------------------


def test_email_is_trimmed_and_lower_cased() -> None:
    parsed = EmailAddress.parse("  Dr.Who@Example.TEST \n")

    assert parsed == Success(EmailAddress("dr.who@example.test"))
    assert parsed.unwrap().local_part == "dr.who"
    assert str(parsed.unwrap()) == "dr.who@example.test"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "no-at-sign.example",
        "two@@example.test",
        "a@b@example.test",
        "space in@example.test",
        "nobody@localhost",
        "short@example.t",
        "@example.test",
        "x" * 65 + "@example.test",
        "a@" + "b" * 250 + ".test",
    ],
)
def test_malformed_email_is_refused_naming_the_field(raw: str) -> None:
    parsed = EmailAddress.parse(raw, field="owner_email")

    assert isinstance(parsed, Failure)
    error = parsed.failure()
    assert error.kind is ErrorKind.INVALID
    assert [issue.field for issue in error.fields] == ["owner_email"]


def test_email_constructor_refuses_a_value_that_is_not_normalised() -> None:
    with pytest.raises(ValueError):
        EmailAddress("Upper@Example.test")


_local = st.text(alphabet=string.ascii_letters + string.digits + "._+-", min_size=1, max_size=30)
_domain = st.from_regex(r"[a-z0-9-]{1,20}\.[a-z]{2,6}", fullmatch=True)


@given(local=_local, domain=_domain, padding=st.sampled_from(["", " ", "\t", "  \n"]))
def test_well_formed_email_parses_to_its_normal_form_and_reparses_to_itself(
    local: str, domain: str, padding: str
) -> None:
    raw = f"{padding}{local}@{domain}{padding}"

    parsed = EmailAddress.parse(raw).unwrap()

    assert parsed.value == f"{local}@{domain}".lower()
    assert parsed.local_part == local.lower()
    assert EmailAddress.parse(parsed.value) == Success(parsed)


@given(st.text().filter(lambda s: "@" not in s))
def test_text_without_an_at_sign_is_never_an_email(raw: str) -> None:
    assert isinstance(EmailAddress.parse(raw), Failure)


# --- OrganizationSlug -----------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [("clinic", "clinic"), (" Clinic-Nord-2 ", "clinic-nord-2"), ("a", "a")])
def test_slug_is_trimmed_and_lower_cased(raw: str, expected: str) -> None:
    assert OrganizationSlug.parse(raw) == Success(OrganizationSlug(expected))


@pytest.mark.parametrize("raw", ["", "-clinic", "clinic-", "clinic_nord", "clinic nord", "clinic.fr", "é", "a" * 64])
def test_bad_slug_is_refused_naming_the_field(raw: str) -> None:
    parsed = OrganizationSlug.parse(raw, field="organization")

    assert isinstance(parsed, Failure)
    assert [issue.field for issue in parsed.failure().fields] == ["organization"]


@given(st.from_regex(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", fullmatch=True))
def test_every_well_formed_slug_round_trips(raw: str) -> None:
    slug = OrganizationSlug.parse(raw).unwrap()

    assert str(slug) == raw
    assert OrganizationSlug.parse(str(slug)) == Success(slug)


@given(
    st.text(min_size=1).filter(
        lambda s: any(c not in string.ascii_lowercase + string.digits + "-" for c in s.strip().lower())
    )
)
def test_slug_with_a_character_outside_letters_digits_and_dashes_is_refused(raw: str) -> None:
    assert isinstance(OrganizationSlug.parse(raw), Failure)


# --- OrganizationSettings ----------------------------------------------------------------


def test_default_settings_are_valid_and_match_the_documented_defaults() -> None:
    settings = OrganizationSettings()

    assert settings.validate() == Success(settings)
    assert settings.lockout_threshold == 5
    assert settings.lockout_minutes == 15
    assert settings.self_registration is False
    assert {r.value for r in settings.mfa_required_roles} == {"owner", "admin", "practitioner"}


@given(threshold=st.integers(-5, 40), minutes=st.integers(-10, 3000))
def test_settings_are_valid_exactly_when_threshold_and_minutes_are_in_range(threshold: int, minutes: int) -> None:
    settings = OrganizationSettings(lockout_threshold=threshold, lockout_minutes=minutes)

    result = settings.validate()

    bad_fields = set()
    if not 3 <= threshold <= 20:
        bad_fields.add("settings.lockout_threshold")
    if not 1 <= minutes <= 1440:
        bad_fields.add("settings.lockout_minutes")
    if bad_fields:
        assert isinstance(result, Failure)
        assert result.failure().code == "organization.invalid_settings"
        assert {issue.field for issue in result.failure().fields} == bad_fields
    else:
        assert result == Success(settings)
