"""Open the on-call dashboard on the 100k-message store: target at most 50 ms, key to painted.

Two levels:

* store: :func:`smstui.core.oncall.health.compute_health` for each window (the last hour, 24 hours,
  7 days) on a freshly opened store: the first (cold-cache) call and the median of repeats;
* UI: the real app, headless at 120x40, offline, its clock at the generated history's "now" (so
  the windows hold messages) and the demo's three phones in the store (one offline, two with an
  outdated app). F10 is pressed from the conversations 2.5 s after start (the app has loaded the
  dashboard's code in the background by then, as it does in every session); the time runs from
  the key to the end of the first frame painted after the dashboard's table showed the window's
  rows. The first open (its screen composed, its counts read) decides; reopening it from the conversations and
  switching to the 7-day window (key 3) are reported beside it, and as a baseline the devices
  screen (F3) opened the first time the same way in the same run (a machine's load moves both). Keys are sent as the terminal
  sends them (``uikit.send_key``), and only frames that reach the terminal count (none while
  Textual holds updates back, as ``switch_mode`` does for 50 ms unless told otherwise).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Row, bench_args, median, ms, print_rows  # noqa: E402
from bench.generate import NOW, store_file  # noqa: E402

TARGET = 0.050
WINDOWS = (("1h", 3600.0), ("24h", 86_400.0), ("7d", 604_800.0))


def _phones(db: Path) -> None:
    """The demo's phones, as a device refresh would have stored them at the history's "now"."""
    from datetime import timedelta

    from smstui.core.models import Device, DeviceStatus
    from smstui.core.store.database import Store
    from smstui.simulator.seed import OFFICE_PHONE, OLD_PHONE, TRAVEL_PHONE

    now = datetime.fromtimestamp(NOW, UTC)
    with Store(db, region="DE", clock=lambda: float(NOW)) as store:
        store.save_devices(
            [
                Device(OFFICE_PHONE, "Pixel 7 (office)", last_seen=now, app_version="12.4.2", app_version_current=True),
                Device(
                    TRAVEL_PHONE, "Galaxy A12 (travel)", last_seen=now, app_version="12.1.21", app_version_current=False
                ),
                Device(
                    OLD_PHONE,
                    "SM-F NIK!",
                    last_seen=now - timedelta(hours=5),
                    app_version="11.0.3",
                    app_version_current=False,
                ),
            ]
        )
        for device_id, online in ((OFFICE_PHONE, True), (TRAVEL_PHONE, True), (OLD_PHONE, False)):
            store.save_device_status(DeviceStatus(device_id, online))


def store_level(size: int, repeats: int) -> list[Row]:
    import shutil

    from smstui.core.oncall.health import compute_health
    from smstui.core.store.database import Store

    with tempfile.TemporaryDirectory(prefix="smstui-bench-dash-") as tmp:
        db = Path(tmp) / "store.sqlite3"
        shutil.copyfile(store_file(size), db)
        _phones(db)
        results: dict[str, tuple[float, float]] = {}
        week = 0
        with Store(db, region="DE", clock=lambda: float(NOW)) as store:
            for name, seconds in WINDOWS:
                t0 = time.perf_counter()
                report = compute_health(store, float(NOW), seconds, window_name=name)
                first = time.perf_counter() - t0
                times = []
                for _ in range(repeats):
                    t0 = time.perf_counter()
                    compute_health(store, float(NOW), seconds, window_name=name)
                    times.append(time.perf_counter() - t0)
                results[name] = (first, median(times))
                if name == "7d":
                    week = report.totals.total
    worst = max(first for first, _ in results.values())
    return [
        Row(
            "store: dashboard counts (1 h / 24 h / 7 d window)",
            " / ".join(ms(results[name][0]) for name, _ in WINDOWS),
            target="≤ 50 ms",
            ok=worst <= TARGET,
            note=f"first call on a fresh connection; medians {', '.join(ms(v[1]) for v in results.values())}; "
            f"{week} messages in the week",
            data={name: list(v) for name, v in results.items()},
        )
    ]


def _stamp(obj: Any, name: str, log: list[float]) -> None:
    original = getattr(obj, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        log.append(time.perf_counter())
        return result

    setattr(obj, name, wrapper)


async def _measure() -> dict[str, Any]:
    from bench.uikit import FrameRecorder, running_app, send_key, wait_until
    from smstui.tui.widgets.delivery_table import DeliveryTable

    shown: list[float] = []
    real_show = DeliveryTable.show

    def show(self: DeliveryTable, rows: Any) -> None:  # every table's rows painted: when they were set
        real_show(self, rows)
        if rows:
            shown.append(time.perf_counter())

    DeliveryTable.show = show  # type: ignore[method-assign]
    from smstui.tui.widgets.device_table import DeviceTable

    real_devices = DeviceTable.show

    def show_devices(self: DeviceTable, devices: Any, **kwargs: Any) -> None:
        real_devices(self, devices, **kwargs)
        if devices:
            shown.append(time.perf_counter())

    DeviceTable.show = show_devices  # type: ignore[method-assign]
    frames = FrameRecorder().install()
    try:
        clock = lambda: datetime.fromtimestamp(NOW, UTC)  # noqa: E731
        async with running_app(sync=False, clock=clock) as (app, pilot):
            await pilot.pause(2.5)  # past the start-up's held collector and deferred work (app.on_mount)

            async def timed(key: str, condition: Any, *, fresh_rows: bool = True) -> float | None:
                """Key (sent as the terminal does, without Pilot's waits) → the end of the first
                frame after ``condition`` holds (and, with ``fresh_rows``, new rows were set)."""
                before = len(shown)
                t0 = time.perf_counter()
                send_key(app, key)
                if not await wait_until(pilot, lambda: (len(shown) > before or not fresh_rows) and condition(), 10):
                    return None
                # Reopened, the screen shows what it showed: its first frame after the key.
                mark = shown[-1] if fresh_rows else t0
                deadline = time.perf_counter() + 10
                while time.perf_counter() < deadline:
                    frame = frames.first_after(mark)
                    if frame is not None:
                        return frame.end - t0
                    await asyncio.sleep(0.001)
                return None

            def on_dashboard() -> bool:
                return type(app.screen).__name__ == "DashboardScreen" and app.screen.report is not None

            # The baseline, in the same run: the devices screen (F3), opened the first time the same way.
            import smstui.tui.screens.devices  # noqa: F401  (imported, as the dashboard's code is)

            devices = await timed("f3", lambda: type(app.screen).__name__ == "DevicesScreen")
            await pilot.press("f2")
            await wait_until(pilot, lambda: type(app.screen).__name__ == "ConversationsScreen", 10)
            await pilot.pause(0.5)
            first = await timed("f10", on_dashboard)
            await pilot.pause(0.5)  # what the first open left to do (styles of hidden parts) is done
            week = await timed("3", lambda: on_dashboard() and app.screen.report.window_name == "7d")
            rows = len(app.screen.query_one(DeliveryTable).rows_shown)
            again: list[float] = []
            for _ in range(5):
                await pilot.press("f2")
                await wait_until(pilot, lambda: type(app.screen).__name__ == "ConversationsScreen", 10)
                await pilot.pause()
                took = await timed("f10", lambda: app.screen.is_current and on_dashboard(), fresh_rows=False)
                if took is not None:
                    again.append(took)
    finally:
        frames.uninstall()
        DeliveryTable.show = real_show  # type: ignore[method-assign]
        DeviceTable.show = real_devices  # type: ignore[method-assign]
    return {"first": first, "week": week, "again": again, "rows": rows, "devices": devices}


def ui_level(size: int) -> list[Row]:
    from bench.sandbox import make_sandbox

    with tempfile.TemporaryDirectory(prefix="smstui-bench-dash-ui-") as tmp:
        box = make_sandbox(Path(tmp), store_file(size))
        _phones(box.db_path)
        box.apply()
        result = asyncio.run(_measure())
    first, week, again, devices = result["first"], result["week"], result["again"], result["devices"]
    return [
        Row(
            "UI: open the dashboard (F10 → painted), 100k store",
            ms(first) if first is not None else "failed",
            baseline=f"{ms(devices)} (devices screen, F3)" if devices is not None else "—",
            ratio=f"{first / devices:.2f}x" if first is not None and devices else "—",
            target="≤ 50 ms",
            ok=first is not None and first <= TARGET,
            note=(
                f"first open (screen made, counts read; its code loaded after start-up); again from the chats: median "
                f"{ms(median(again))}, worst {ms(max(again, default=float('nan')))}; 7-day window (key 3): "
                f"{ms(week) if week is not None else 'n/a'}; {result['rows']} table rows"
            ),
            data=result,
        )
    ]


def run(size: int = 100_000, *, smoke: bool = False) -> list[Row]:
    rows = store_level(size, repeats=2 if smoke else 15)
    rows += ui_level(size)
    if smoke:
        for row in rows:
            row.ok = None
    return rows


def main() -> None:
    args = bench_args(__doc__.splitlines()[0], 100_000, 300)
    print_rows(run(args.size, smoke=args.smoke))


if __name__ == "__main__":
    main()
