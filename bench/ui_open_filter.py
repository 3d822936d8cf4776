"""The UI half of the open/filter bench: the real app, headless, offline, on the generated store.

Open: the thread list has focus; the highlight is put just above a conversation (not timed),
then ``down`` is pressed. The app opens the highlighted conversation in a worker; the time runs
from the key press to the end of the first frame painted after ``ThreadView.set_messages`` showed
that conversation. Done for the big thread (10k messages at 100k, 50k at 1M) and a few others.

Filter: ``/`` focuses the filter, then a number is typed one key at a time; each key is timed from
the press to the end of the first frame painted after the list showed that key's result. Then the
same for a contact's name (600 named contacts are added to the sandbox's copy of the store; the
generator makes none).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import Row, median, ms
from bench.generate import BIG_THREAD_PHONE, big_thread_label, store_file
from bench.sandbox import make_sandbox
from bench.uikit import FrameRecorder, conversations, running_app, wait_until

TARGET = 0.050
FILTER_TEXT = "+49 151"
NAME_TEXT = "weber"
NAMES = ["Anna Weber", "Ben Okafor", "Carlos García", "Dmitri Ivanov", "Emma Schulz", "Fatima Al-Sayed"]


def _with_contacts(path: Path) -> None:
    """600 named contacts over the newest conversations, as bench/search.py adds them."""
    from smstui.core.store.database import Store

    with Store(path, region="DE") as store:
        tag = store.add_tag("Customers", 8303)
        for i, thread in enumerate(store.threads(limit=600)):
            store.add_contact(tag, thread.phone_key, f"{NAMES[i % len(NAMES)]} {i}", None)


def _stamp(obj: Any, name: str, log: list[float]) -> None:
    """Record when ``obj.name(...)`` returns."""
    original = getattr(obj, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        log.append(time.perf_counter())
        return result

    setattr(obj, name, wrapper)


async def _frame_after(frames: FrameRecorder, stamps: list[float], count: int, timeout: float = 10.0) -> float | None:
    """End of the first frame that started after the ``count``-th stamp."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if len(stamps) >= count:
            frame = frames.first_after(stamps[count - 1])
            if frame is not None:
                return frame.end
        await asyncio.sleep(0.001)
    return None


async def _measure(smoke: bool) -> dict[str, Any]:
    frames = FrameRecorder().install()
    try:
        async with running_app(sync=False) as (app, pilot):
            screen = conversations(app)
            thread_list = screen.query_one("#threads")
            view = screen.query_one("#thread")
            shown: list[float] = []
            listed: list[float] = []
            _stamp(view, "set_messages", shown)
            _stamp(thread_list, "show", listed)
            thread_list.focus()
            await pilot.pause()
            keys = [t.phone_key for t in thread_list.threads]
            targets = [BIG_THREAD_PHONE] + [k for k in keys[1 :: max(1, len(keys) // 5)] if k != BIG_THREAD_PHONE][:4]
            opens: dict[str, float] = {}
            for key in targets:
                if key not in keys:
                    continue
                index = keys.index(key)
                if index == 0:
                    continue
                thread_list.highlighted = index - 1
                await wait_until(pilot, lambda: view.phone_key == keys[index - 1] and bool(view.messages), 10)
                await pilot.pause()
                before = len(shown)
                t0 = time.perf_counter()
                await pilot.press("down")
                await wait_until(pilot, lambda: view.phone_key == key and len(shown) > before, 10)
                end = await _frame_after(frames, shown, len(shown))
                if end is not None:
                    opens[key] = end - t0
            # Filter, one key at a time: a number, then (cleared) a contact's name.
            await pilot.press("slash")
            await pilot.pause()
            per_key, unchanged = await _type(pilot, frames, thread_list, listed, FILTER_TEXT)
            matches = len(thread_list.threads)
            for _ in FILTER_TEXT:
                await pilot.press("backspace")
            await wait_until(pilot, lambda: len(thread_list.threads) > matches, 10)
            name_keys, name_unchanged = await _type(pilot, frames, thread_list, listed, NAME_TEXT)
            name_matches = len(thread_list.threads)
    finally:
        frames.uninstall()
    return {
        "opens": opens,
        "filter": per_key,
        "matches": matches,
        "unchanged": unchanged,
        "name": name_keys,
        "name_matches": name_matches,
        "name_unchanged": name_unchanged,
    }


async def _type(
    pilot: Any, frames: FrameRecorder, thread_list: Any, listed: list[float], text: str
) -> tuple[list[float], int]:
    """Type ``text`` into the focused filter key by key; each key's time to its painted result."""
    per_key: list[float] = []
    unchanged = 0
    for char in text:
        await pilot.pause()
        before = len(listed)
        rows_before = [t.phone_key for t in thread_list.threads]
        t0 = time.perf_counter()
        await pilot.press("space" if char == " " else char)
        if not await wait_until(pilot, lambda: len(listed) > before, 10):
            continue
        same = [t.phone_key for t in thread_list.threads] == rows_before
        # A key that leaves the list as it was ("+49" -> "+49 ") repaints nothing, so no
        # frame follows it: its time is the list's answer, not the next unrelated frame.
        end = await _frame_after(frames, listed, before + 1, timeout=0.25 if same else 10.0)
        if end is None and same:
            end = listed[before]
            unchanged += 1
        if end is not None:
            per_key.append(end - t0)
    return per_key, unchanged


def measure(size: int, *, smoke: bool = False) -> list[Row]:
    store = store_file(size)
    with tempfile.TemporaryDirectory(prefix="smstui-bench-ui-") as tmp:
        box = make_sandbox(Path(tmp), store)
        _with_contacts(box.db_path)
        box.apply()
        result = asyncio.run(_measure(smoke))
    opens, per_key = result["opens"], result["filter"]
    big = opens.get(BIG_THREAD_PHONE)
    worst_open = max(opens.values(), default=float("nan"))
    worst_key = max(per_key, default=float("nan"))
    name_keys = result["name"]
    worst_name = max(name_keys, default=float("nan"))
    label = big_thread_label(size)
    return [
        Row(
            "UI: open conversation (key → painted)",
            ms(worst_open),
            target="≤ 50 ms",
            ok=bool(opens) and worst_open <= TARGET,
            note=(
                f"{len(opens)} threads; {label} thread {ms(big) if big is not None else 'n/a'}; "
                f"median {ms(median(list(opens.values())))}"
            ),
            data=opens,
        ),
        Row(
            f"UI: phone filter, typing {FILTER_TEXT!r} (key → painted)",
            ms(worst_key),
            target="≤ 50 ms",
            ok=bool(per_key) and worst_key <= TARGET,
            note=(
                f"per key: {', '.join(ms(v) for v in per_key)}; {result['matches']} matches shown"
                + (
                    f"; {result['unchanged']} key(s) left the list as it was (nothing to repaint)"
                    if result["unchanged"]
                    else ""
                )
            ),
            data={"per_key": per_key},
        ),
        Row(
            f"UI: name filter, typing {NAME_TEXT!r} (key → painted)",
            ms(worst_name),
            target="≤ 50 ms",
            ok=bool(name_keys) and worst_name <= TARGET,
            note=(
                f"per key: {', '.join(ms(v) for v in name_keys)}; {result['name_matches']} matches shown "
                f"(600 named contacts)"
                + (f"; {result['name_unchanged']} key(s) left the list as it was" if result["name_unchanged"] else "")
            ),
            data={"per_key": name_keys},
        ),
    ]
