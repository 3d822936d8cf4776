"""How long an SMS is: encoding, units used and the number of parts.

Rules (3GPP TS 23.038 / 23.040):

- Text made only of GSM 03.38 characters is sent as GSM-7: 160 septets in a single SMS, 153 per
  part when split (the rest of each part is the concatenation header). Characters of the
  extension table (``€ [ ] { } \\ ~ ^ |`` and form feed) take two septets (escape + char).
- Anything else switches the whole message to UCS-2: 70 UTF-16 code units single, 67 per part;
  characters outside the BMP (most emoji) take two code units.
- A character is never split across two parts (neither an escape pair nor a surrogate pair),
  so parts are packed greedily rather than by plain division.
- Empty text is 0 parts.

The GSM alphabet comes from the ``gsm0338`` package rather than a hand-copied table.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import gsm0338

GSM7 = "GSM-7"
UCS2 = "UCS-2"

_LIMITS = {GSM7: (160, 153), UCS2: (70, 67)}
_CODEC = gsm0338.Codec()
_ESCAPE = "\x1b"


@dataclass(frozen=True)
class SmsInfo:
    encoding: str  # "GSM-7" or "UCS-2"
    chars: int  # code points in the text
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    parts: int
    per_part: int  # capacity of each part at the current part count (160/153 or 70/67)
    remaining_in_part: int  # units still free in the last part before another part is needed

    @property
    def is_multipart(self) -> bool:
        return self.parts > 1


@lru_cache(maxsize=4096)
def gsm_septets(char: str) -> int:
    """Septets ``char`` takes in GSM-7 (1 or 2), or 0 when it is not in the GSM alphabet."""
    if char == _ESCAPE:  # the escape code itself is not a character one can send
        return 0
    try:
        encoded, _ = _CODEC.encode(char)
    except (UnicodeEncodeError, KeyError):
        return 0
    return len(encoded)


def non_gsm_chars(text: str) -> list[str]:
    """The distinct characters that force UCS-2, in order of first appearance."""
    seen: dict[str, None] = {}
    for char in text:
        if gsm_septets(char) == 0:
            seen.setdefault(char, None)
    return list(seen)


def _utf16_units(char: str) -> int:
    return 2 if ord(char) > 0xFFFF else 1


def analyze(text: str) -> SmsInfo:
    """Encoding, size and part count of ``text`` as an SMS."""
    septets = [gsm_septets(c) for c in text]
    if all(septets):
        encoding, sizes = GSM7, septets
    else:
        encoding, sizes = UCS2, [_utf16_units(c) for c in text]
    single, multi = _LIMITS[encoding]
    units = sum(sizes)
    if units == 0:
        return SmsInfo(encoding, 0, 0, 0, single, single)
    if units <= single:
        return SmsInfo(encoding, len(text), units, 1, single, single - units)
    parts, used = _pack(sizes, multi)
    return SmsInfo(encoding, len(text), units, parts, multi, multi - used)


def _pack(sizes: list[int], capacity: int) -> tuple[int, int]:
    """Greedy packing without splitting a character: (parts, units used in the last part)."""
    parts, used = 1, 0
    for size in sizes:
        if used + size > capacity:
            parts += 1
            used = 0
        used += size
    return parts, used
