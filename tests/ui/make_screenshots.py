"""Write README screenshots of every screen to screenshots/ (SVG, plus PNG when cairosvg is there).

    .venv/bin/python tests/ui/make_screenshots.py [--out screenshots] [--size 120x40]

Runs the app headless against the demo simulator on a frozen clock, in a temporary data dir, so
the pictures show the same sample data every time and never a real account. PNGs need
``pip install cairosvg`` and the Fira Code font (``apt-get install fonts-firacode``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # pilot_helpers

from pilot_helpers import svg_to_png  # noqa: E402

TZ = ZoneInfo("Europe/Berlin")
ANNA = "+4915123456781"
BEN = "+4917012345673"  # some of his messages failed


async def _idle(pilot) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    for _ in range(500):
        if all(w.is_finished or w.group == "sync" for w in app.workers):
            break
        await pilot.pause(0.02)
    await pilot.pause(0.2)


async def _open_anna(pilot) -> None:  # type: ignore[no-untyped-def]
    pilot.app.screen.show_thread(ANNA)
    await _idle(pilot)


async def _compose_pane(pilot) -> None:  # type: ignore[no-untyped-def]
    await _open_anna(pilot)
    await pilot.press("r", *"Thanks Anna, see you Thursday at 10!")


async def _new_message(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("n")
    await _idle(pilot)
    await pilot.press(*"+4915123456781, +4917012345673, 12345", "tab", *"Привет! The meeting moves to 10:30.")
    await pilot.press("ctrl+s")


async def _devices(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("f3")


async def _help(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("f1")


async def _palette(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+p")
    await _idle(pilot)
    await pilot.press(*"go to")


async def _message_detail(pilot) -> None:  # type: ignore[no-untyped-def]
    from smstui.tui.widgets.thread_view import ThreadView

    pilot.app.screen.show_thread(BEN)
    await _idle(pilot)
    view = pilot.app.screen.query_one(ThreadView)
    view.focus()
    view.selected = max(i for i, m in enumerate(view.messages) if m.failed)
    await pilot.press("i")


async def _failed_filter(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("f")
    await _idle(pilot)
    await pilot.press("down")


async def _search(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("f7")
    await _idle(pilot)
    await pilot.press(*"invoice")


async def _export(pilot) -> None:  # type: ignore[no-untyped-def]
    from textual.widgets import Input

    await _search(pilot)
    await _idle(pilot)
    await pilot.press("ctrl+s")
    await _idle(pilot)
    pilot.app.screen.query_one("#export-path", Input).value = "/home/me/smstui-search-invoice.csv"


async def _scheduled(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("S")
    await _idle(pilot)


async def _dashboard(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("f10")
    await _idle(pilot)
    await pilot.press("3")  # the week: the demo's failures, its offline phone, outdated apps


async def _failures(pilot) -> None:  # type: ignore[no-untyped-def]
    await _dashboard(pilot)
    await _idle(pilot)
    await pilot.press("f")
    await _idle(pilot)
    await pilot.press("down")


SHOTS: list[tuple[str, Callable[..., Awaitable[None]]]] = [
    ("conversations", _open_anna),
    ("compose-pane", _compose_pane),
    ("new-message", _new_message),
    ("devices", _devices),
    ("help", _help),
    ("palette", _palette),
    ("message-detail", _message_detail),
    ("failed-filter", _failed_filter),
    ("search", _search),
    ("export", _export),
    ("dashboard", _dashboard),
    ("failures", _failures),
    ("scheduled", _scheduled),
]


async def _shoot(out: Path, size: tuple[int, int], suffix: str, only: set[str] | None = None) -> list[Path]:
    from smstui.core.session import open_session
    from smstui.demo import seed_local_contacts
    from smstui.simulator.clock import DEFAULT_FAKE_START, FakeClock
    from smstui.simulator.testing import start_simulator
    from smstui.tui.app import make_app

    written: list[Path] = []
    sim = start_simulator(data="demo", step_seconds=10)
    try:
        session = open_session(api_url=sim.url, clock=sim.clock)
        await session.login(sim.email, sim.password)
        await session.syncer.sync()
        await session.syncer.refresh_devices(force=True)
        seed_local_contacts(session.store, sim.state)
        db = session.store.path
        await session.aclose()
        con = sqlite3.connect(db)
        with con:  # the simulator's random port would differ on every run
            for table, column in (("messages", "body"), ("threads", "last_body")):
                con.execute(
                    f"UPDATE {table} SET {column} = replace({column}, ?, 'http://127.0.0.1:8080')", (sim.root_url,)
                )
        con.close()
        for name, steps in SHOTS:
            if only is not None and name not in only:
                continue
            session = open_session(clock=FakeClock(DEFAULT_FAKE_START))
            app = make_app(session, clock=FakeClock(DEFAULT_FAKE_START), tz=TZ, sync=False)
            async with app.run_test(size=size) as pilot:
                await _idle(pilot)
                await steps(pilot)
                await _idle(pilot)
                path = Path(app.save_screenshot(filename=f"{name}{suffix}.svg", path=str(out)))
                written.append(path)
            session.store.close()
        if only is not None and "login" not in only:
            return written
        # The login screen of a first start (no config, no token).
        os.environ["SMSTUI_CONFIG"] = str(Path(os.environ["SMSTUI_CONFIG"]).with_name("fresh.toml"))
        os.environ["SMSTUI_DATA_DIR"] = str(Path(os.environ["SMSTUI_DATA_DIR"]).with_name("fresh"))
        session = open_session()
        app = make_app(session, clock=FakeClock(DEFAULT_FAKE_START), tz=TZ, sync=False)
        async with app.run_test(size=size) as pilot:
            await _idle(pilot)
            await pilot.press(*"me@example.com", "enter", *"hunter2")  # not submitted: no real request
            written.append(Path(app.save_screenshot(filename=f"login{suffix}.svg", path=str(out))))
        session.store.close()
    finally:
        sim.stop()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "screenshots"))
    parser.add_argument("--size", action="append", help="WxH; repeat for several (default 120x40 and 80x24)")
    parser.add_argument("--only", help="comma-separated shot names (default: all), e.g. dashboard,failures")
    args = parser.parse_args()
    only = {name.strip() for name in args.only.split(",") if name.strip()} if args.only else None
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    sizes = args.size or ["120x40", "80x24"]
    with tempfile.TemporaryDirectory(prefix="smstui-shots-") as tmp:
        os.environ["SMSTUI_CONFIG"] = str(Path(tmp) / "config.toml")
        os.environ["SMSTUI_DATA_DIR"] = str(Path(tmp) / "data")
        for text in sizes:
            width, height = (int(v) for v in text.lower().split("x"))
            suffix = "" if (width, height) == (120, 40) else f"-{width}x{height}"
            for svg in asyncio.run(_shoot(out, (width, height), suffix, only)):
                png = svg_to_png(svg)
                print(svg.relative_to(ROOT) if svg.is_relative_to(ROOT) else svg, "+ png" if png else "")
            os.environ["SMSTUI_CONFIG"] = str(Path(tmp) / f"config-{text}.toml")
            os.environ["SMSTUI_DATA_DIR"] = str(Path(tmp) / f"data-{text}")


if __name__ == "__main__":
    main()
