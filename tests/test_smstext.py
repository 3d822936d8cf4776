"""SMS length rules: GSM-7 vs UCS-2, extension characters, part counts."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings, strategies as st

from smstui.core.smstext import GSM7, UCS2, analyze, gsm_septets, non_gsm_chars

GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = "\f^{}\\[~]|€"


def test_alphabet_tables() -> None:
    assert all(gsm_septets(c) == 1 for c in GSM_BASIC)
    assert all(gsm_septets(c) == 2 for c in GSM_EXTENSION)
    for c in "ç😀ÀáЖ中\x1b\t`":
        assert gsm_septets(c) == 0, repr(c)


def test_empty_is_zero_parts() -> None:
    info = analyze("")
    assert (info.encoding, info.chars, info.units, info.parts) == (GSM7, 0, 0, 0)
    assert info.remaining_in_part == 160


@pytest.mark.parametrize(
    ("text", "encoding", "units", "parts", "per_part", "remaining"),
    [
        ("a", GSM7, 1, 1, 160, 159),
        ("a" * 160, GSM7, 160, 1, 160, 0),
        ("a" * 161, GSM7, 161, 2, 153, 145),
        ("a" * 306, GSM7, 306, 2, 153, 0),
        ("a" * 307, GSM7, 307, 3, 153, 152),
        ("€" * 80, GSM7, 160, 1, 160, 0),
        ("€" * 81, GSM7, 162, 2, 153, 153 - 10),  # 76 € fill part 1 (152), 5 € part 2
        ("a" * 159 + "€", GSM7, 161, 2, 153, 145),
        ("ç", UCS2, 1, 1, 70, 69),
        ("ç" * 70, UCS2, 70, 1, 70, 0),
        ("ç" * 71, UCS2, 71, 2, 67, 63),
        ("😀", UCS2, 2, 1, 70, 68),
        ("😀" * 35, UCS2, 70, 1, 70, 0),
        ("😀" * 36, UCS2, 72, 2, 67, 67 - 6),
        ("€" * 100 + "😀", UCS2, 102, 2, 67, 32),  # ext chars are 1 unit in UCS-2
    ],
)
def test_known_lengths(text: str, encoding: str, units: int, parts: int, per_part: int, remaining: int) -> None:
    info = analyze(text)
    assert (info.encoding, info.units, info.parts, info.per_part, info.remaining_in_part) == (
        encoding,
        units,
        parts,
        per_part,
        remaining,
    )
    assert info.chars == len(text)


def test_escape_pair_not_split_across_parts() -> None:
    # 152 septets, then a 2-septet char: it cannot share part 1, so it opens part 2.
    info = analyze("a" * 152 + "€" + "a" * 10)
    assert info.units == 164
    assert info.parts == 2
    assert info.remaining_in_part == 153 - 12


def test_surrogate_pair_not_split_across_parts() -> None:
    info = analyze("ç" * 66 + "😀" + "ç" * 4)  # 72 units; emoji would straddle 67
    assert info.parts == 2
    assert info.remaining_in_part == 67 - 6


def test_non_gsm_chars_reports_culprits() -> None:
    assert non_gsm_chars("Hallo ç und 😀 und ç") == ["ç", "😀"]
    assert non_gsm_chars("plain € text") == []


# --- properties ------------------------------------------------------------------------------

gsm_text = st.text(alphabet=GSM_BASIC + GSM_EXTENSION, max_size=600)
basic_text = st.text(alphabet=GSM_BASIC, max_size=600)
any_text = st.text(max_size=400)


@settings(max_examples=300)
@given(basic_text)
def test_basic_gsm_parts_formula(text: str) -> None:
    info = analyze(text)
    n = len(text)
    assert info.encoding == GSM7 and info.units == n
    expected = 0 if n == 0 else 1 if n <= 160 else math.ceil(n / 153)
    assert info.parts == expected


@settings(max_examples=300)
@given(gsm_text)
def test_gsm_units_count_extension_twice(text: str) -> None:
    info = analyze(text)
    assert info.encoding == GSM7
    assert info.units == len(text) + sum(c in GSM_EXTENSION for c in text)


@settings(max_examples=300)
@given(any_text)
def test_invariants(text: str) -> None:
    info = analyze(text)
    if info.encoding == UCS2:
        assert info.units == len(text.encode("utf-16-le")) // 2
        assert non_gsm_chars(text)
    else:
        assert not non_gsm_chars(text)
    assert (info.parts == 0) == (text == "")
    assert info.parts * info.per_part >= info.units
    assert 0 <= info.remaining_in_part <= info.per_part
    if info.parts == 1:
        assert info.units + info.remaining_in_part == info.per_part
    if info.parts > 1:
        assert info.per_part in (153, 67)
        # Packing never wastes more than one unit per part boundary.
        assert info.parts <= math.ceil(info.units / (info.per_part - 1))


@settings(max_examples=300)
@given(any_text, st.characters())
def test_appending_never_shrinks(text: str, extra: str) -> None:
    assert analyze(text + extra).parts >= analyze(text).parts
