"""What a send costs before it goes: recipients × SMS parts = the SMS the carrier counts.

Each message is measured after its placeholders are filled (a name with an ``ü`` or an emoji
makes that one message UCS-2: 70 characters per SMS instead of 160), and the character that
added parts is named, so the user can replace it (``ü`` → ``ue``) or accept the cost.

    cost = cost_of(["Hallo Jörg, 20% off"] * 3)
    cost_text(cost)   -> "3 recipient(s) × 1 SMS = 3 SMS"
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from smstui.core.smstext import GSM7, analyze, non_gsm_chars


@dataclass(frozen=True, slots=True)
class Culprit:
    """A character that switched messages to UCS-2 and so gave them more parts."""

    char: str
    messages: int  # how many messages it made longer
    parts: int  # parts each of those has
    parts_without: int  # parts they would have without the UCS-2 characters


@dataclass(frozen=True, slots=True)
class SendCost:
    messages: int
    sms: int  # parts in all: what the carrier counts
    min_parts: int
    max_parts: int
    ucs2: int  # messages sent as UCS-2
    culprit: Culprit | None = None
    per_sim: dict[tuple[int, int], int] = field(default_factory=dict)  # (device, slot) -> SMS

    @property
    def uniform(self) -> bool:
        return self.min_parts == self.max_parts


@lru_cache(maxsize=4096)
def _measure(text: str) -> tuple[int, bool, str | None, int]:
    """(parts, is UCS-2, the first UCS-2 character that added parts, parts without them)."""
    info = analyze(text)
    if info.encoding == GSM7 or not info.parts:
        return info.parts, False, None, info.parts
    forcing = non_gsm_chars(text)
    # The same text with each forcing character as one GSM character: what it would cost in GSM-7.
    plain = "".join("?" if ch in forcing else ch for ch in text)
    without = analyze(plain).parts
    return info.parts, True, (forcing[0] if without < info.parts else None), without


def cost_of(bodies: Iterable[str], sims: Iterable[tuple[int, int]] | None = None) -> SendCost:
    """The cost of one message per body (the texts as they will go, placeholders filled);
    ``sims`` gives each message's (device, slot) for the per-SIM figures."""
    sim_list = list(sims) if sims is not None else None
    total = count = ucs2 = 0
    low, high = 0, 0
    culprits: Counter[str] = Counter()
    shapes: dict[str, tuple[int, int]] = {}
    per_sim: Counter[tuple[int, int]] = Counter()
    for index, body in enumerate(bodies):
        parts, is_ucs2, char, without = _measure(body)
        count += 1
        total += parts
        low = parts if count == 1 else min(low, parts)
        high = max(high, parts)
        ucs2 += int(is_ucs2)
        if char is not None:
            culprits[char] += 1
            shapes.setdefault(char, (parts, without))
        if sim_list is not None and index < len(sim_list):
            per_sim[sim_list[index]] += parts
    culprit = None
    if culprits:
        char, hits = culprits.most_common(1)[0]
        culprit = Culprit(char, hits, *shapes[char])
    return SendCost(count, total, low, high, ucs2, culprit, dict(per_sim))


def cost_of_one(body: str, recipients: int) -> SendCost:
    """One text to ``recipients`` numbers."""
    return cost_of([body] * max(recipients, 0))


def char_name(char: str) -> str:
    """How a character is named to the user: itself, in quotes, with its code for invisible ones."""
    if char.isprintable() and not char.isspace():
        return f"'{char}'"
    return f"U+{ord(char):04X}"


def cost_text(cost: SendCost) -> str:
    """``3 recipient(s) × 2 SMS = 6 SMS`` (or ``120 message(s), 1-2 SMS each = 156 SMS``)."""
    if cost.messages == 0:
        return "no recipients"
    if cost.uniform:
        return f"{cost.messages} recipient(s) × {cost.max_parts} SMS = {cost.sms} SMS"
    return f"{cost.messages} message(s), {cost.min_parts}-{cost.max_parts} SMS each = {cost.sms} SMS"


def culprit_text(cost: SendCost) -> str:
    """``'ü' makes 12 message(s) UCS-2: 2 SMS each instead of 1`` ("" when no character added parts)."""
    culprit = cost.culprit
    if culprit is None:
        return ""
    return (
        f"{char_name(culprit.char)} makes {culprit.messages} message(s) UCS-2: "
        f"{culprit.parts} SMS each instead of {culprit.parts_without}"
    )


def culprit_note(cost: SendCost) -> str:
    """``'ü' makes it UCS-2: 2 SMS instead of 1``, for one text ("" when no character added parts)."""
    culprit = cost.culprit
    if culprit is None:
        return ""
    return f"{char_name(culprit.char)} makes it UCS-2: {culprit.parts} SMS instead of {culprit.parts_without}"


__all__ = [
    "Culprit",
    "SendCost",
    "char_name",
    "cost_of",
    "cost_of_one",
    "cost_text",
    "culprit_note",
    "culprit_text",
]
