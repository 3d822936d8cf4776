"""Alerts in the app (issue 15 item 3): after a refresh, a phone offline or back and a message that
failed become notifications, ring the bell if the config says so, and reach the user's command
as JSON on its stdin; a command that fails is said once. Against the simulator: its old phone
has been offline for 5 h 17 min, numbers ending in 0000 fail."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

from ui_helpers import build_app, threads_shown, wait_for

from smstui.core.session import Session
from smstui.simulator.seed import OFFICE_PHONE, OLD_PHONE
from smstui.simulator.testing import TestSimulator


async def _refresh_and_wait(pilot) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    await wait_for(pilot, lambda: app._service is not None, "the refresh service")
    before = app._service.polls
    app.action_refresh()
    await wait_for(pilot, lambda: app._service.polls > before and not app._service.busy, "a refresh")


def _oncall(session: Session, **changes: object) -> None:
    session.config = replace(session.config, oncall=session.config.oncall._replace(**changes))


def _said(app, title: str, words: str) -> bool:  # type: ignore[no-untyped-def]
    return any(n.title == title and words in n.message for n in app._notifications)


async def test_alerts_notify_ring_and_run_the_command(session: Session, sim: TestSimulator, tmp_path: Path) -> None:
    got = tmp_path / "alerts.jsonl"
    script = tmp_path / "hook.py"
    script.write_text(f"import sys\nwith open({str(got)!r}, 'a') as f:\n    f.write(sys.stdin.read())\n")
    _oncall(session, bell=True, command=(sys.executable, str(script)), max_queue_age=24 * 60)
    app = build_app(session, sim, sync=True, refresh_interval=3600)
    rings: list[None] = []
    app.bell = lambda: rings.append(None)  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        await wait_for(pilot, lambda: _said(app, "Alert", "SM-F NIK! (#260) is offline"), "the offline alert")
        assert "not seen for 5 h 17 min (allowed: 15 min)" in next(
            n.message for n in app._notifications if n.title == "Alert"
        )
        await wait_for(pilot, lambda: got.exists() and got.read_text().count("\n") >= 1, "the command's input")
        (doc,) = [json.loads(line) for line in got.read_text().splitlines()]
        assert (doc["kind"], doc["state"], doc["device_id"]) == ("device_offline", "firing", OLD_PHONE)
        assert len(rings) == 1
        # A message that fails: one alert, an error.
        sent = sim.call(
            "addsms", token=sim.token(), sendto="+4915123450000", body="will fail", device_id=OFFICE_PHONE, sim=0
        )
        sim.advance(60)
        await _refresh_and_wait(pilot)
        await wait_for(pilot, lambda: _said(app, "Message failed", "failed (Not sent: generic failure)"), "the failure")
        failure = next(n for n in app._notifications if n.title == "Message failed")
        assert failure.severity == "error" and "+4915123450000" in failure.message
        await wait_for(pilot, lambda: got.read_text().count("\n") >= 2, "the failure's JSON")
        assert json.loads(got.read_text().splitlines()[1])["sms_ids"] == [sent["sms_id"]]
        # Another refresh says nothing new: one alert per condition.
        shown = len(app._notifications)
        await _refresh_and_wait(pilot)
        await pilot.pause()
        assert len([n for n in app._notifications if n.title in ("Alert", "Message failed")]) == 2
        assert len(app._notifications) >= shown
        # The phone comes back: cleared, no bell for that.
        sim.set_online(OLD_PHONE, True)
        await _refresh_and_wait(pilot)
        await wait_for(pilot, lambda: _said(app, "Cleared", "SM-F NIK! (#260) is back"), "the phone back")
        assert len(rings) == 2  # the offline phone and the failure
        assert [a.key for a in app.oncall_alerts.active] == []


async def test_a_failing_command_is_said_once(session: Session, sim: TestSimulator, tmp_path: Path) -> None:
    _oncall(session, command=(str(tmp_path / "no-such-hook"),), max_queue=0)
    app = build_app(session, sim, sync=True, refresh_interval=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app), "the conversation list")
        await wait_for(pilot, lambda: _said(app, "Alert command failed", "was not found"), "the command's failure")
        assert _said(app, "Alert", "is offline") and _said(app, "Alert", "wait to leave")  # two alerts ...
        await pilot.pause()
        assert sum(n.title == "Alert command failed" for n in app._notifications) == 1  # ... said once
        assert "[oncall] command" in next(n.message for n in app._notifications if n.title == "Alert command failed")
