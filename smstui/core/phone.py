"""Phone numbers: one canonical form (E.164) for sending, grouping and display.

- :func:`normalize` is strict, for numbers the user is about to send to: it returns E.164
  (``"+4915752982212"``) or raises :class:`InvalidNumber` saying why.
- :func:`normalize_loose` never raises, for numbers that came from the gateway and only need a
  stable grouping key (``"+1 17642031984"``, short codes, sender IDs like ``"Vodafone"``).
- :func:`parse_recipients` splits what a user typed into a recipients field.

``region`` is the profile's default region (ISO code like ``"DE"``) used for numbers written
without a country code; ``None`` means such numbers are rejected rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, ValidationResult

_LETTERS = re.compile(r"[^\W\d_]")
# Characters people put inside numbers: spaces, dashes, dots, slashes, brackets.
_ALLOWED = re.compile(r"^\+?[\d\s\-./()\u00a0]+$")
_SHORT_CODE_MAX_DIGITS = 6


class InvalidNumber(ValueError):
    """A number that cannot be sent to; the message says why and what to do."""


@dataclass(frozen=True)
class RecipientCheck:
    raw: str
    e164: str | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.e164 is not None


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def normalize(raw: str, region: str | None = None) -> str:
    """``raw`` as E.164, or :class:`InvalidNumber`.

    Accepts ``+49 157 52982212``, ``0049 157 52982212`` and, with ``region="DE"``,
    ``0157 52982212`` - all give ``+4915752982212``.
    """
    text = (raw or "").strip()
    if not text:
        raise InvalidNumber("no number given: enter a phone number like +4915752982212")
    if _LETTERS.search(text):
        raise InvalidNumber(
            f"{text!r} is not a phone number (it contains letters); "
            "enter digits with a leading +country code, e.g. +4915752982212"
        )
    if not _ALLOWED.match(text):
        raise InvalidNumber(f"{text!r} is not a phone number; use digits, spaces, '-' and a leading '+'")
    if text.startswith("00"):
        # 00 is the international prefix in most of the world; read it as '+' so it works
        # without a region too.
        text = "+" + text[2:]
    international = text.startswith("+")
    digits = _digits(text)
    if len(digits) < 3:
        raise InvalidNumber(f"{text!r} is too short to be a phone number")
    if not international and region is None:
        raise InvalidNumber(
            f"{text!r} has no country code: write it as +<country><number> "
            '(e.g. +4915752982212) or set a default region in the profile (region = "DE")'
        )
    try:
        number = phonenumbers.parse(text, None if international else region)
    except NumberParseException as exc:
        raise InvalidNumber(_parse_error_text(text, exc)) from None
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == ValidationResult.INVALID_COUNTRY_CODE:
        raise InvalidNumber(f"{text!r} starts with an unknown country code")
    if reason == ValidationResult.TOO_SHORT:
        raise InvalidNumber(f"{text!r} is too short for a number in that country")
    if reason == ValidationResult.TOO_LONG:
        raise InvalidNumber(f"{text!r} is too long for a number in that country")
    if reason == ValidationResult.INVALID_LENGTH:
        raise InvalidNumber(f"{text!r} has the wrong number of digits for that country")
    if not international and len(digits) <= _SHORT_CODE_MAX_DIGITS and not phonenumbers.is_valid_number(number):
        raise InvalidNumber(
            f"{text!r} is too short: it looks like a short code or a local number; "
            "write the full number with its country code"
        )
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def _parse_error_text(text: str, exc: NumberParseException) -> str:
    kind = exc.error_type
    if kind == NumberParseException.INVALID_COUNTRY_CODE:
        return f"{text!r} starts with an unknown country code; check the digits after '+'"
    if kind in (NumberParseException.TOO_SHORT_NSN, NumberParseException.TOO_SHORT_AFTER_IDD):
        return f"{text!r} is too short to be a phone number"
    if kind == NumberParseException.TOO_LONG:
        return f"{text!r} is too long to be a phone number"
    return f"{text!r} is not a phone number"


def normalize_loose(raw: str, region: str | None = None) -> str:
    """A grouping key that never raises: E.164 when :func:`normalize` accepts it, else a
    cleaned-up form. Short codes stay as their digits (``"22000"``), sender IDs stay as text (``"Vodafone"``),
    other odd numbers become their digits with a leading ``+`` kept.
    """
    text = " ".join((raw or "").split())
    if not text:
        return ""
    if _LETTERS.search(text):
        return text  # alphanumeric sender ID
    digits = _digits(text)
    if not digits:
        return text
    international = text.startswith("+") or text.startswith("00")
    try:
        return normalize(text, region)
    except InvalidNumber:
        if text.startswith("00"):
            return "+" + digits[2:]
        return ("+" if international else "") + digits


@lru_cache(maxsize=4096)
def format_display(e164: str) -> str:
    """International format for display (``+49 1575 2982212``); other text is returned as is.

    Cached: lists and headers ask for the same few hundred numbers on every repaint, and
    phonenumbers needs tens of microseconds per call.
    """
    if not e164 or not e164.startswith("+"):
        return e164
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return e164
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


# --- recipients ------------------------------------------------------------------------------

_LIST_SEPARATORS = re.compile(r"[,;\n\r\t]+")


def parse_recipients(text: str, region: str | None = None) -> list[RecipientCheck]:
    """Split a recipients field into checked numbers, in the order given.

    Commas, semicolons and newlines always separate. Within one piece, spaces may be part of a
    number (``+49 157 52982212``) or separate numbers (``+4915752982212 +491711234567``): a ``+``
    always starts a new number, and otherwise the split with the fewest numbers that all parse
    wins. A piece that cannot be split into valid numbers is reported whole, with its error.
    Duplicates are kept; use :func:`unique_numbers` to drop them.
    """
    checks: list[RecipientCheck] = []
    for piece in _LIST_SEPARATORS.split(text or ""):
        tokens = piece.split()
        if not tokens:
            continue
        for group in _split_at_plus(tokens):
            checks.extend(_check_group(group, region))
    return checks


def unique_numbers(checks: list[RecipientCheck]) -> list[str]:
    """The valid E.164 numbers of ``checks``, first occurrence order, without duplicates."""
    seen: dict[str, None] = {}
    for check in checks:
        if check.e164 is not None:
            seen.setdefault(check.e164, None)
    return list(seen)


def _split_at_plus(tokens: list[str]) -> list[list[str]]:
    groups: list[list[str]] = []
    for token in tokens:
        if not groups or token.startswith("+"):
            groups.append([token])
        else:
            groups[-1].append(token)
    return groups


def _check_group(tokens: list[str], region: str | None) -> list[RecipientCheck]:
    whole = " ".join(tokens)
    try:
        return [RecipientCheck(whole, normalize(whole, region), None)]
    except InvalidNumber as exc:
        whole_error = str(exc)
    if len(tokens) > 1:
        split = _best_split(tokens, region)
        if split is not None:
            return split
    return [RecipientCheck(whole, None, whole_error)]


def _best_split(tokens: list[str], region: str | None) -> list[RecipientCheck] | None:
    """Partition ``tokens`` into consecutive numbers that all parse; fewest numbers wins.

    Ties prefer numbers that are valid (not just possible) and that start with a prefix
    ('+', '0'), which is how people begin a new number.
    """
    n = len(tokens)
    # best[i] = (score, checks) for tokens[:i]; a lower score is better.
    best: list[tuple[tuple[int, int, int], list[RecipientCheck]] | None] = [None] * (n + 1)
    best[0] = ((0, 0, 0), [])
    for end in range(1, n + 1):
        for start in range(end):
            previous = best[start]
            if previous is None:
                continue
            raw = " ".join(tokens[start:end])
            try:
                e164 = normalize(raw, region)
            except InvalidNumber:
                continue
            valid = phonenumbers.is_valid_number(phonenumbers.parse(e164, None))
            prefixed = raw[0] in "+0"
            score = (
                previous[0][0] + 1,
                previous[0][1] - int(valid),
                previous[0][2] - int(prefixed),
            )
            current = best[end]
            if current is None or score < current[0]:
                best[end] = (score, [*previous[1], RecipientCheck(raw, e164, None)])
    final = best[n]
    return final[1] if final is not None else None


_NUMBER_TEXT = re.compile(r"^\+?[\d\s\-./()\u00a0]+$")


def international_prefixes(text: str, digits: str, region: str | None) -> list[str]:
    """What a typed (partial) number starts with in E.164 when it is written in national or
    ``00`` form (``0151`` -> ``+49151`` in region DE): for searching stored numbers as you type."""
    if text.startswith("+") or not _NUMBER_TEXT.match(text):
        return []
    national, country, exit_code = _dialing(region)
    found = []
    for exit_prefix in dict.fromkeys(("00", exit_code or "00")):
        if digits.startswith(exit_prefix) and len(digits) > len(exit_prefix):
            found.append("+" + digits[len(exit_prefix) :])
    if country and national and digits.startswith(national) and not found:
        found.append(f"+{country}{digits[len(national) :]}")
    return found


@lru_cache(maxsize=32)
def _dialing(region: str | None) -> tuple[str | None, int | None, str | None]:
    """(trunk prefix, country code, plain exit code) of a region, from libphonenumber's metadata."""
    if not region:
        return None, None, None
    meta = phonenumbers.PhoneMetadata.metadata_for_region(region.upper())
    if meta is None:
        return None, None, None
    exit_code = meta.international_prefix if (meta.international_prefix or "").isdigit() else None
    return meta.national_prefix, phonenumbers.country_code_for_region(region.upper()) or None, exit_code
