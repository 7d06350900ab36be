"""Value objects of patient records: each refuses invalid input and normalises valid input to
one canonical form, whatever way it was typed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from returns.result import Failure, Success

from medcore.domain.patients.codes import AtcCode, Icd10Code
from medcore.domain.patients.countries import ISO_3166_ALPHA_2
from medcore.domain.patients.values import (
    Address,
    CountryCode,
    LanguageTag,
    MedicalRecordNumber,
    PhoneNumber,
    check_birth_date,
    check_name,
    check_past_date,
    check_text,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def value(result: object) -> object:
    assert isinstance(result, Success), result
    return result.unwrap()


def field_of(result: object) -> str:
    assert isinstance(result, Failure), result
    return result.failure().fields[0].field


# --- phone numbers ----------------------------------------------------------------------

e164 = st.builds(
    lambda first, rest: f"+{first}{rest}",
    st.integers(1, 9),
    st.text(alphabet="0123456789", min_size=6, max_size=14),
)


@st.composite
def written_like_people_do(draw: st.DrawFn, number: str) -> str:
    """The same number with spaces, dots, dashes or parentheses, or a 00 prefix."""
    digits = number[1:]
    prefix = draw(st.sampled_from(["+", "00", "+ "]))
    separators = draw(st.lists(st.sampled_from(["", " ", ".", "-"]), min_size=len(digits), max_size=len(digits)))
    return prefix + "".join(d + s for d, s in zip(digits, separators, strict=True)).rstrip(" .-")


@given(st.data(), e164)
def test_any_way_of_writing_an_international_number_gives_its_e164_form(data: st.DataObject, number: str) -> None:
    written = data.draw(written_like_people_do(number))

    assert value(PhoneNumber.parse(written)) == PhoneNumber(number)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033 6.12.34.56.78", "+33612345678"),
        ("+33 (0)6 12 34 56 78", "+33612345678"),
        ("+1 (555) 123-4567", "+15551234567"),
        ("+44 20/7946 0958", "+442079460958"),
    ],
)
def test_phone_numbers_are_normalised(raw: str, expected: str) -> None:
    assert value(PhoneNumber.parse(raw)) == PhoneNumber(expected)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("06 12 34 56 78", "country code"),  # national: medcore cannot guess the country
        ("+0 612345678", "phone number"),  # no country code starts with 0
        ("+33 6 12", "phone number"),  # too short
        ("+1234567890123456", "phone number"),  # 16 digits: longer than E.164 allows
        ("call me", "phone number"),
        ("+33 6 12 34 56 78 ext. 12", "phone number"),
        ("", "phone number"),
    ],
)
def test_invalid_phone_numbers_are_refused_with_a_hint(raw: str, message: str) -> None:
    result = PhoneNumber.parse(raw)

    assert isinstance(result, Failure)
    assert result.failure().fields[0].field == "phone"
    assert message in result.failure().fields[0].message


def test_a_phone_number_object_cannot_hold_a_non_e164_value() -> None:
    with pytest.raises(ValueError):
        PhoneNumber("0612345678")


# --- medical record numbers -------------------------------------------------------------


@given(st.text(alphabet="abcdefXYZ0123456789-/", min_size=1, max_size=32).filter(lambda t: any(c.isalnum() for c in t)))
def test_a_medical_record_number_is_upper_cased_and_parsing_it_again_changes_nothing(raw: str) -> None:
    parsed = value(MedicalRecordNumber.parse(f"  {raw} "))

    assert isinstance(parsed, MedicalRecordNumber)
    assert parsed.value == raw.upper()
    assert value(MedicalRecordNumber.parse(parsed.value)) == parsed


@pytest.mark.parametrize("raw", ["", "---", "A" * 33, "MRN 12", "MRN_12", "MRN#1", "MRNé1"])
def test_invalid_medical_record_numbers_are_refused(raw: str) -> None:
    assert field_of(MedicalRecordNumber.parse(raw)) == "mrn"


@given(st.integers(1, 10**9))
def test_generated_numbers_are_valid_and_ordered_by_their_counter_up_to_a_million(number: int) -> None:
    generated = MedicalRecordNumber.generated(number)

    assert generated.value.startswith("MRN-")
    assert int(generated.value.removeprefix("MRN-")) == number
    assert MedicalRecordNumber.generated(123).value == "MRN-000123"


# --- language, country, address ---------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [("fr", "fr"), ("EN-gb", "en-GB"), ("en_GB", "en-GB"), ("zh-hant-tw", "zh-Hant-TW"), ("es-419", "es-419")],
)
def test_language_tags_take_their_canonical_case(raw: str, canonical: str) -> None:
    assert value(LanguageTag.parse(raw)) == LanguageTag(canonical)


@pytest.mark.parametrize("raw", ["", "f", "french", "en-GBR", "en--GB", "12", "en-GB-x-private"])
def test_invalid_language_tags_are_refused(raw: str) -> None:
    assert field_of(LanguageTag.parse(raw)) == "preferred_language"


@given(st.sampled_from(sorted(ISO_3166_ALPHA_2)))
def test_every_assigned_country_code_is_accepted_in_any_case(code: str) -> None:
    assert value(CountryCode.parse(code.lower())) == CountryCode(code)


@pytest.mark.parametrize("raw", ["UK", "XX", "FRA", "F", ""])
def test_unassigned_country_codes_are_refused(raw: str) -> None:
    assert field_of(CountryCode.parse(raw)) == "country"


def test_an_address_is_cleaned_and_each_invalid_part_is_named() -> None:
    address = value(
        Address.build(line1="  1  rue de la Paix ", line2=" ", postal_code="75002", city="Paris", country="fr")
    )

    assert address == Address(line1="1 rue de la Paix", city="Paris", postal_code="75002", country=CountryCode("FR"))
    failed = Address.build(line1="", city="x" * 201, country="ZZ", postal_code="75#02")
    assert isinstance(failed, Failure)
    assert sorted(i.field for i in failed.failure().fields) == [
        "address.city",
        "address.country",
        "address.line1",
        "address.postal_code",
    ]


# --- names, text, dates -----------------------------------------------------------------


def test_names_are_trimmed_and_bounded() -> None:
    assert value(check_name("  Jean   Pierre ", "given_name")) == "Jean Pierre"
    assert field_of(check_name("   ", "given_name")) == "given_name"
    assert field_of(check_name("x" * 101, "family_name")) == "family_name"
    assert field_of(check_name("Jean\x07", "given_name")) == "given_name"


def test_free_text_keeps_line_breaks_but_no_other_control_character() -> None:
    assert value(check_text(" Hives\nand itching ", "reaction")) == "Hives\nand itching"
    assert field_of(check_text("bad\x1b[31m", "reaction")) == "reaction"
    assert field_of(check_text("x" * 201, "substance", 200)) == "substance"


def test_a_birth_date_is_neither_in_the_future_nor_more_than_130_years_ago() -> None:
    assert value(check_birth_date(date(1980, 5, 17), NOW)) == date(1980, 5, 17)
    assert value(check_birth_date(NOW.date(), NOW)) == NOW.date()
    assert field_of(check_birth_date(NOW.date() + timedelta(days=1), NOW)) == "birth_date"
    # At noon UTC it is already tomorrow in Kiribati (UTC+14): a birth there is not "future".
    noon = NOW.replace(hour=12)
    assert value(check_birth_date(noon.date() + timedelta(days=1), noon)) == noon.date() + timedelta(days=1)
    assert field_of(check_birth_date(noon.date() + timedelta(days=2), noon)) == "birth_date"
    assert value(check_birth_date(date(1896, 3, 3), NOW)) == date(1896, 3, 3)
    assert field_of(check_birth_date(date(1896, 3, 1), NOW)) == "birth_date"


def test_a_past_date_lies_between_the_birth_date_and_today() -> None:
    born = date(2000, 1, 1)

    assert value(check_past_date(date(2010, 1, 1), NOW, "onset", not_before=born)) == date(2010, 1, 1)
    assert field_of(check_past_date(date(1999, 12, 31), NOW, "onset", not_before=born)) == "onset"
    assert field_of(check_past_date(date(2027, 1, 1), NOW, "since")) == "since"


# --- clinical codes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "canonical", "level"),
    [
        ("j01c", "J01C", 3),
        ("J01CA04", "J01CA04", 5),
        (" c09 aa05 ", "C09AA05", 5),
        ("N", "N", 1),
        ("M01AE", "M01AE", 4),
    ],
)
def test_atc_codes_of_every_level_are_read(raw: str, canonical: str, level: int) -> None:
    code = value(AtcCode.parse(raw))

    assert code == AtcCode(canonical)
    assert isinstance(code, AtcCode)
    assert code.level == level


@pytest.mark.parametrize("raw", ["", "X01", "J1", "J01CA4", "J01CA045", "01CA04", "J01-C"])
def test_invalid_atc_codes_are_refused(raw: str) -> None:
    assert field_of(AtcCode.parse(raw)) == "code"


def test_a_medication_needs_the_code_of_a_substance() -> None:
    assert field_of(AtcCode.parse("J01C", substance=True)) == "code"
    assert value(AtcCode.parse("J01CA04", substance=True)) == AtcCode("J01CA04")


atc_substances = st.builds(
    lambda group, a, b, c, d, e, f: f"{group}{a}{b}{c}{d}{e}{f}",
    st.sampled_from("ABCDGHJLMNPRSV"),
    *(st.sampled_from("0123456789") for _ in range(2)),
    *(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(2)),
    *(st.sampled_from("0123456789") for _ in range(2)),
)


@given(atc_substances)
def test_a_class_covers_exactly_the_substances_below_it(substance: str) -> None:
    code = AtcCode(substance)
    ancestors = [AtcCode(substance[:n]) for n in (1, 3, 4, 5, 7)]

    assert all(ancestor.covers(code) for ancestor in ancestors)
    assert [a.level for a in ancestors] == [1, 2, 3, 4, 5]
    other_group = next(g for g in "ABCDGHJLMNPRSV" if g != substance[0])
    assert not AtcCode(other_group).covers(code)
    assert not code.covers(AtcCode(substance[:4]))


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("I10", "I10"),
        ("e11.9", "E11.9"),
        ("E119", "E11.9"),
        ("S72.001A", "S72.001A"),
        ("C4A.0", "C4A.0"),
        ("U07.1", "U07.1"),
    ],
)
def test_icd10_codes_are_read_in_their_canonical_form(raw: str, canonical: str) -> None:
    assert value(Icd10Code.parse(raw)) == Icd10Code(canonical)


@pytest.mark.parametrize("raw", ["", "I1", "110", "E11.", "E11.12345", "E11-9", "hypertension"])
def test_invalid_icd10_codes_are_refused(raw: str) -> None:
    if raw == "E11.":  # a trailing dot alone is forgiven
        assert value(Icd10Code.parse(raw)) == Icd10Code("E11")
        return
    assert field_of(Icd10Code.parse(raw)) == "code"


@given(st.from_regex(r"[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?", fullmatch=True))
def test_reading_a_canonical_icd10_code_changes_nothing_with_or_without_its_dot(code: str) -> None:
    assert value(Icd10Code.parse(code)) == Icd10Code(code)
    assert value(Icd10Code.parse(code.replace(".", "").lower())) == Icd10Code(code)


@pytest.mark.parametrize(
    ("code", "pregnancy"),
    [
        ("Z34.0", True),
        ("Z33.1", True),
        ("O24.4", True),
        ("O48", True),
        ("O80", False),
        ("I10", False),
        ("Z30.0", False),
    ],
)
def test_pregnancy_is_read_from_supervision_and_pregnancy_codes(code: str, pregnancy: bool) -> None:
    assert Icd10Code(code).indicates_pregnancy is pregnancy
