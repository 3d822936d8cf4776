"""Choosing the device that sends: the default, how a choice is shown, and what to warn about.

Shared by compose (modal and thread pane), bulk and newsletter forms (issue 13, item 4):

- the default is the profile's ``default_device``, else the device last used for that thread or
  form, else the online device that sent most recently (never just the alphabetically first);
- a choice shows the title literally (cleaned, never markup), its ``#id``, its SIMs and whether it
  is online;
- :func:`device_warning` names what will go wrong through an offline phone or a slot without a
  SIM, for a warning line the user sees before ctrl+s.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rich.text import Text

from smstui.core.models import Slot
from smstui.core.store.devices import StoredDevice
from smstui.tui.widgets.format import clean

#: meta keys remembering the device a form last sent through
LAST_DEVICE_KEY = "ui.last_device.{form}"


def device_title(stored: StoredDevice) -> str:
    return clean(stored.device.title, single_line=True) or "(untitled)"


def sims_text(stored: StoredDevice) -> str:
    sims = sorted((s for s in stored.device.sims if s.slot in (0, 1)), key=lambda s: s.slot)
    if not sims:
        return "no SIM info"
    return ", ".join(f"SIM{s.slot + 1}" + (f" {clean(s.carrier, single_line=True)}" if s.carrier else "") for s in sims)


def state_text(stored: StoredDevice) -> str:
    return {True: "online", False: "offline"}.get(stored.online, "state unknown")  # type: ignore[arg-type]


def device_label(stored: StoredDevice) -> Text:
    """``Pixel 7 (office)  #11231 · online · SIM1 Telekom.de, SIM2 o2`` — plain Text, never markup."""
    text = Text(device_title(stored), no_wrap=True, overflow="ellipsis")
    text.append(f"  #{stored.device.id}")
    text.append(f" · {state_text(stored)}")
    text.append(f" · {sims_text(stored)}")
    return text


def device_options(devices: Sequence[StoredDevice]) -> list[tuple[Text, int]]:
    return [(device_label(d), d.device.id) for d in devices]


def pick_default(
    devices: Sequence[StoredDevice],
    *,
    profile_default: int | None = None,
    last_used: int | None = None,
    last_sent: Mapping[int, float] | Callable[[], Mapping[int, float]] | None = None,
) -> int | None:
    """The device a form starts with (see the module's docstring); None without devices.

    ``last_sent`` may be a function: it is called only when neither default applies (it scans
    every message, too slow to do on each opened conversation)."""
    ids = [d.device.id for d in devices]
    if not ids:
        return None
    for wanted in (profile_default, last_used):
        if wanted is not None and wanted in ids:
            return wanted
    sent = (last_sent() if callable(last_sent) else last_sent) or {}
    online = [d for d in devices if d.online]
    pool = online or [d for d in devices if d.online is not False] or list(devices)
    # max() keeps the first of equals: among phones that never sent, the list's order decides.
    best = max(pool, key=lambda d: sent.get(d.device.id, float("-inf")))
    return best.device.id


def _sim_index(slot: Slot) -> int | None:
    if slot in (Slot.SMS1, Slot.RCS1):
        return 0
    if slot in (Slot.SMS2, Slot.RCS2):
        return 1
    return None


def device_warning(stored: StoredDevice | None, slot: int | Slot | None) -> str | None:
    """What is wrong with sending through ``stored`` on ``slot``, in words; None when nothing."""
    if stored is None:
        return None
    problems = []
    name = f"{device_title(stored)} #{stored.device.id}"
    if stored.online is False:
        problems.append(f"{name} is offline: the message waits on the gateway until the phone connects")
    if slot is not None:
        try:
            chosen = Slot(int(slot))
        except ValueError:
            chosen = None
        index = _sim_index(chosen) if chosen is not None else None
        if index is not None:
            sims = [s.slot for s in stored.device.sims]
            if not sims:
                problems.append(f"{name} reported no SIM info: {chosen.label} may not send")  # type: ignore[union-attr]
            elif index not in sims:
                problems.append(f"{name} has no SIM in slot {index + 1} ({chosen.label})")  # type: ignore[union-attr]
    return "; ".join(problems) or None


def warning_text(stored: StoredDevice | None, slot: int | Slot | None) -> Text:
    """The warning line (empty Text when there is nothing to warn about)."""
    problem = device_warning(stored, slot)
    return Text(f"⚠ {problem} (ctrl+s still sends)", style="bold yellow") if problem else Text("")


def remember_last_device(store: Any, form: str, device_id: int | None) -> None:
    if device_id is None:
        return
    try:
        store.set_meta(LAST_DEVICE_KEY.format(form=form), str(int(device_id)))
    except Exception:  # a read-only or damaged store: the default just stays as it was
        pass


def last_device(store: Any, form: str) -> int | None:
    try:
        value = store.get_meta(LAST_DEVICE_KEY.format(form=form))
    except Exception:
        return None
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def default_for(
    store: Any, devices: Sequence[StoredDevice], form: str, *, profile_default: int | None, last_used: int | None = None
) -> int | None:
    """pick_default with the store's own memory: ``last_used`` (a thread's) over the form's."""

    def sent() -> Mapping[int, float]:
        try:
            return store.last_sent_by_device()
        except Exception:  # a damaged store: the order of the list decides
            return {}

    remembered = last_used if last_used is not None else last_device(store, form)
    return pick_default(devices, profile_default=profile_default, last_used=remembered, last_sent=sent)


def slot_options(devices: list[StoredDevice], device_id: int | None) -> list[tuple[Any, int]]:
    """(label, slot) choices for a device: its SIM slots, then WhatsApp and RCS."""
    from rich.text import Text

    from smstui.core.models import Slot

    device = next((d.device for d in devices if d.device.id == device_id), None)
    slots = device.slots if device is not None else tuple(Slot)
    return [(Text(s.label), int(s)) for s in slots]
