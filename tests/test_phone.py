"""Phone number normalisation, loose grouping keys and recipient parsing."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given, settings, strategies as st

from smstui.core.phone import (
    InvalidNumber,
    format_display,
    normalize,
    normalize_loose,
    parse_recipients,
    unique_numbers,
)

E164 = "+4915752982212"


@pytest.mark.parametrize(
    ("raw", "region"),
    [
        ("+49 157 52982212", None),
        ("+4915752982212", None),
        ("015752982212", "DE"),
        ("0157 52982212", "DE"),
        ("0157-5298-2212", "DE"),
        ("(0157) 52982212", "DE"),
        ("0049 157 52982212", None),
        ("0049 157 52982212", "DE"),
        ("  +49 157 52982212\n", "US"),  # an explicit country code beats the region
    ],
)
def test_equal_forms_normalise_to_e164(raw: str, region: str | None) -> None:
    assert normalize(raw, region) == E164


@pytest.mark.parametrize(
    ("raw", "region", "why"),
    [
        ("", "DE", "no number given"),
        ("   ", None, "no number given"),
        ("015752982212", None, "no country code"),
        ("Vodafone", "DE", "contains letters"),
        ("12", None, "too short"),
        ("+49 1", None, "too short"),
        ("+4915752982212999999", None, "too long"),
        ("+999 123456", None, "unknown country code"),
        ("22000", "DE", "too short"),
        ("+49 157 * 529", None, "not a phone number"),
    ],
)
def test_invalid_numbers_say_why(raw: str, region: str | None, why: str) -> None:
    with pytest.raises(InvalidNumber, match=why):
        normalize(raw, region)


def test_invalid_number_is_value_error() -> None:
    assert issubclass(InvalidNumber, ValueError)


def test_missing_region_message_says_what_to_do() -> None:
    with pytest.raises(InvalidNumber) as info:
        normalize("0171 1234567")
    assert "+<country>" in str(info.value) and "region" in str(info.value)


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("+1 17642031984", "+17642031984"),
        ("Vodafone", "Vodafone"),
        ("  My  Bank ", "My Bank"),
        ("22000", "22000"),
        ("+49 1", "+491"),
        ("0049 1", "+491"),
        ("+999 123456", "+999123456"),
        ("+49 157 52982212", E164),
        ("", ""),
    ],
)
def test_normalize_loose_never_raises(raw: str, key: str) -> None:
    assert normalize_loose(raw, "DE") == key


def test_normalize_loose_uses_region() -> None:
    assert normalize_loose("0157 52982212", "DE") == E164
    assert normalize_loose("0157 52982212", None) == "015752982212"


def test_format_display() -> None:
    assert format_display(E164) == "+49 1575 2982212"
    assert format_display("Vodafone") == "Vodafone"
    assert format_display("+999") == "+999"


def test_parse_recipients_mixed_separators() -> None:
    checks = parse_recipients("+49 157 52982212, 0171 1234567;\n+4915752982212", "DE")
    assert [(c.raw, c.e164, c.error) for c in checks] == [
        ("+49 157 52982212", E164, None),
        ("0171 1234567", "+491711234567", None),
        ("+4915752982212", E164, None),
    ]
    assert unique_numbers(checks) == [E164, "+491711234567"]


@pytest.mark.parametrize(
    "text",
    [
        "0157 52982212 0171 1234567",
        "015752982212 01711234567",
        "+49 157 52982212 +49 171 1234567",
        "+4915752982212 +491711234567",
    ],
)
def test_parse_recipients_spaces_between_numbers(text: str) -> None:
    checks = parse_recipients(text, "DE")
    assert [c.e164 for c in checks] == [E164, "+491711234567"]
    assert all(c.ok for c in checks)


def test_parse_recipients_reports_bad_entries() -> None:
    checks = parse_recipients("hello, +49 1, 0171 1234567", None)
    assert [c.raw for c in checks] == ["hello", "+49 1", "0171 1234567"]
    assert all(not c.ok for c in checks)
    assert "letters" in (checks[0].error or "")
    assert "too short" in (checks[1].error or "")
    assert "country code" in (checks[2].error or "")


def test_parse_recipients_empty() -> None:
    assert parse_recipients("", "DE") == []
    assert parse_recipients(" ,; \n ", "DE") == []


# --- properties ------------------------------------------------------------------------------

_REGIONS = ["DE", "US", "GB", "FR", "AU", "IN", "BR"]


@st.composite
def valid_numbers(draw: st.DrawFn) -> phonenumbers.PhoneNumber:
    region = draw(st.sampled_from(_REGIONS))
    kind = draw(st.sampled_from([phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE]))
    number = phonenumbers.example_number_for_type(region, kind)
    assert number is not None
    return number


@settings(max_examples=60, deadline=None)
@given(valid_numbers(), st.sampled_from(["", " ", "-", "."]))
def test_any_formatting_gives_the_same_e164(number: phonenumbers.PhoneNumber, sep: str) -> None:
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    region = phonenumbers.region_code_for_number(number)
    international = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    assert normalize(e164) == e164
    assert normalize(international.replace(" ", sep)) == e164
    assert normalize(national, region) == e164
    assert normalize(format_display(e164)) == e164
    assert parse_recipients(f"{international}, {national}", region)[0].e164 == e164


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40), st.sampled_from([None, "DE", "US"]))
def test_loose_and_recipients_never_raise(text: str, region: str | None) -> None:
    key = normalize_loose(text, region)
    assert isinstance(key, str)
    for check in parse_recipients(text, region):
        assert (check.e164 is None) != (check.error is None)
        if check.e164 is not None:
            assert check.e164.startswith("+") and check.e164[1:].isdigit()


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789+ -()", max_size=25), st.sampled_from([None, "DE"]))
def test_normalize_either_e164_or_invalid(text: str, region: str | None) -> None:
    try:
        result = normalize(text, region)
    except InvalidNumber as exc:
        assert str(exc)
    else:
        assert result.startswith("+") and result[1:].isdigit()
        assert normalize(result) == result  # idempotent
        assert normalize_loose(text, region) == result
