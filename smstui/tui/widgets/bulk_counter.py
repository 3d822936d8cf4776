"""The length counter shared by the newsletter form and the bulk screen (as in compose)."""

from __future__ import annotations

from rich.text import Text

from smstui.core.models import Slot
from smstui.core.smstext import analyze


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
        if recipients is not None:
            info.append(f" · {recipients} recipient(s) = {recipients * sms.parts} SMS")
    else:
        info.append(f"{len(body)} chars · {Slot(slot).label}")
        if recipients is not None:
            info.append(f" · {recipients} recipient(s)")
    return info
