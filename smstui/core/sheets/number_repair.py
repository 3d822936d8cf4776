"""Phone numbers as spreadsheets leave them: recovered when that is certain, flagged when not.

A number typed into a spreadsheet cell becomes a number: ``+49 151 12345678`` loses its ``+``
(``4915112345678``), ``0151 12345678`` loses its leading zero (``15112345678``), and a long one
is shown, and exported, in scientific notation (``4.91511E+12``), which keeps only the digits
the column was wide enough for. :func:`repair_number` gives the text to normalise and a note of
what it changed; when digits were lost it raises :class:`InvalidNumber` saying what to do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

from smstui.core.phone import InvalidNumber, normalize

_SCIENTIFIC = re.compile(r"^\+?(\d+)(?:[.,](\d*))?[eE]\+?(\d{1,2})$")
_FLOAT_TAIL = re.compile(r"^(\+?\d{5,})[.,]0+$")


@dataclass(frozen=True, slots=True)
class Repaired:
    e164: str
    note: str = ""  # what was changed, "" when the number was fine as written


def _valid(text: str, region: str | None) -> str | None:
    try:
        e164 = normalize(text, region)
    except InvalidNumber:
        return None
    try:
        return e164 if phonenumbers.is_valid_number(phonenumbers.parse(e164, None)) else None
    except NumberParseException:
        return None


def repair_number(raw: str, region: str | None = None) -> Repaired:
    """``raw`` as E.164 with a note of any repair, or :class:`InvalidNumber`."""
    text = raw.strip()
    note = ""
    scientific = _SCIENTIFIC.match(text.replace(" ", ""))
    if scientific:
        whole, fraction, exponent = scientific.group(1), scientific.group(2) or "", int(scientific.group(3))
        if len(fraction) < exponent:
            raise InvalidNumber(
                f"{text!r} is a number the spreadsheet showed in scientific notation, and its last "
                f"{exponent - len(fraction)} digit(s) were lost; format the column as text, type the "
                "numbers again (or export them with their full digits) and import again"
            )
        if len(fraction) > exponent:
            raise InvalidNumber(f"{text!r} is not a whole number, so not a phone number")
        text = whole + fraction
        note = f"written as {raw.strip()} (scientific notation)"
    else:
        floating = _FLOAT_TAIL.match(text)
        if floating:
            text = floating.group(1)
    digits = re.sub(r"[\s\-./()\u00a0]", "", text)
    if not digits.isdigit() or digits.startswith("0"):
        return Repaired(normalize(text, region), note)
    # Digits with neither "+" nor the trunk "0": a number cell drops either. Every reading that
    # gives a real number is a candidate, and a mobile number wins (these lists are for SMS), then
    # the number as written.
    candidates = [(_valid(digits, region), "")]
    candidates.append((_valid("+" + digits, region), "its leading + was missing"))
    if region is not None:
        candidates.append((_valid("0" + digits, region), "its leading 0 was missing"))
    found = [(e164, change) for e164, change in candidates if e164 is not None]
    if not found:
        return Repaired(normalize(text, region), note)
    mobile = [(e164, change) for e164, change in found if _is_mobile(e164)]
    e164, change = (mobile or found)[0]
    return Repaired(e164, _join(note, change) if change else note)


def _is_mobile(e164: str) -> bool:
    kind = phonenumbers.number_type(phonenumbers.parse(e164, None))
    return kind in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)


def _join(first: str, second: str) -> str:
    return f"{first}; {second}" if first else second


__all__ = ["Repaired", "repair_number"]
