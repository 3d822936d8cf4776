"""The length counter shared by the newsletter form, the bulk screen and compose: characters,
encoding and parts, with many recipients the cost (recipients × parts = SMS), and the character
that made the text UCS-2 when that added parts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rich.text import Text

from smstui.core.models import Slot
from smstui.core.send_cost import cost_of, cost_of_one, cost_text, culprit_note, culprit_text
from smstui.core.smstext import analyze
from smstui.tui.widgets.send_counter import SendCounter


def counter_text(body: str, slot: int | None = None, recipients: int | None = None) -> Text:
    """``42 chars · GSM-7 · 1 SMS (118 left in part)`` and, for many recipients, the total."""
    info = Text(no_wrap=True, overflow="ellipsis")
    sms_slot = slot is None or Slot(slot).is_sms
    if sms_slot:
        sms = analyze(body)
        info.append(f"{sms.chars} chars · {sms.encoding} · ")
        info.append(f"{sms.parts} SMS" if sms.parts != 1 else "1 SMS", style="bold" if sms.parts > 1 else "")
        if sms.parts:
            info.append(f" ({sms.remaining_in_part} left in part)")
        info.append_text(cost_suffix(body, recipients or 1, always=recipients is not None)[0])
    else:
        info.append(f"{len(body)} chars · {Slot(slot).label}")
        if recipients is not None:
            info.append(f" · {recipients} recipient(s)")
    return info


def cost_suffix(body: str, recipients: int, *, always: bool = False) -> tuple[Text, int]:
    """`` · 3 recipient(s) × 2 SMS = 6 SMS · 'ő' makes it UCS-2: …`` and the SMS in all; the
    product only for more than one recipient (or ``always``), the character whenever it added parts."""
    cost = cost_of_one(body, max(recipients, 1))
    text = Text()
    if recipients > 1 or always:
        text.append(f" · {cost_text(cost)}", style="bold" if cost.sms > cost.messages else "")
    if cost.culprit is not None:
        text.append(f" · {culprit_note(cost)}", style="yellow")
    return text, cost.sms


def cost_lines(bodies: Sequence[str], sims: Sequence[tuple[int, int]], counter: SendCounter) -> Text:
    """The bulk preview's cost: messages × parts = SMS (each message as it will go), the
    character that added parts, and per SIM what this send adds beside today's sends and limits."""
    cost = cost_of(bodies, sims)
    text = Text("\nCost: ")
    text.append(cost_text(cost), style="bold")
    if cost.ucs2:
        text.append(f" ({cost.ucs2} as UCS-2)")
    culprit = culprit_text(cost)
    if culprit:
        text.append(f"\n⚠ {culprit}", style="yellow")
    messages = Counter(sims)
    for (device, slot), sms in sorted(cost.per_sim.items()):
        limit = counter.limits.for_sim(device, slot)
        caps = [f"{n}/{w}" for n, w in ((limit.daily, "day"), (limit.hourly, "hour")) if n]
        text.append(
            f"\n{counter.line(device, slot)} · this send +{messages[(device, slot)]} message(s), {sms} SMS"
            + (f" (limit {', '.join(caps)} messages)" if caps else "")
        )
    return text
