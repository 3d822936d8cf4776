"""Pilot tests of the bulk-send screen: preview, send with faults, pause/resume, resume after restart."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from bulkui_helpers import Host, idle, table_rows, wait_for
from textual.widgets import Button, DataTable, Input, Select, TextArea

from smstui.core.bulk.jobs import DONE, list_jobs
from smstui.core.bulk.plan import BulkRow
from smstui.core.bulk.runner import BulkJob
from smstui.core.contacts import add_contact, create_tag
from smstui.core.store.schema import SUBMITTED
from smstui.core.templates import save_template
from smstui.simulator.testing import TestSimulator
from smstui.tui.screens.bulk import BulkScreen

OFFICE = 11231
FAST = dict(settle_seconds=0, settle_margin=0, retry_delays=(0, 0, 0), lookup_retries=1, lookup_delay=0)


def host(sim: TestSimulator, session: SimpleNamespace) -> Host:
    return Host(lambda: BulkScreen(session, job_options=FAST), clock=sim.clock, session=session)


def outgoing(sim: TestSimulator) -> Counter[tuple[str, str]]:
    return Counter((m.phone, m.body) for m in sim.state.messages.values() if m.status != 5)


async def fill(app: Any, pilot: Any, *, csv: str = "", numbers: str = "", body: str = "", batch: str = "") -> None:
    screen = app.screen
    screen.query_one("#bulk-csv", Input).value = csv
    screen.query_one("#bulk-numbers", TextArea).text = numbers
    screen.query_one("#bulk-body", TextArea).text = body
    screen.query_one("#bulk-device", Select).value = OFFICE
    if batch:
        screen.query_one("#bulk-batch", Input).value = batch
    await pilot.pause()


async def test_numbers_with_template_preview_then_send(sim_empty: TestSimulator, ui_session: SimpleNamespace) -> None:
    tag = await create_tag(ui_session.store, ui_session.client, "Team")
    await add_contact(ui_session.store, ui_session.client, tag, "+4915752982212", "Ann")
    save_template(ui_session.store, "Greeting", "Hi {name}! Your number is {phone}.")
    app = host(sim_empty, ui_session)
    async with app.run_test(size=(110, 36)) as pilot:
        await idle(pilot)
        screen = app.screen
        assert isinstance(screen, BulkScreen)
        screen.query_one("#bulk-template", Select).value = "Hi {name}! Your number is {phone}."
        await pilot.pause()
        assert screen.query_one("#bulk-body", TextArea).text.startswith("Hi {name}")
        assert "template: {name}, {phone}" in str(screen.query_one("#bulk-counter").render())
        await fill(
            app,
            pilot,
            numbers="0157 52982212\n+49 176 12345672, nonsense",
            body=screen.query_one("#bulk-body", TextArea).text,
        )

        await pilot.press("ctrl+s")
        await idle(pilot)
        preview = table_rows(app, "#bulk-preview")
        assert [r[2] for r in preview] == [
            "Hi Ann! Your number is +4915752982212.",
            "Hi ! Your number is +4917612345672.",
        ]
        assert "letters" in table_rows(app, "#bulk-invalid")[0][2]
        summary = str(screen.query_one("#bulk-summary").render())
        assert "2 message(s) to 2 number(s) in 1 batch(es)" in summary and "1 row(s) will not be sent" in summary
        assert str(screen.query_one("#bulk-send", Button).label) == "Send 2 message(s)"

        await pilot.press("ctrl+g")
        await idle(pilot)
        assert outgoing(sim_empty) == Counter(
            {
                ("+4915752982212", "Hi Ann! Your number is +4915752982212."): 1,
                ("+4917612345672", "Hi ! Your number is +4917612345672."): 1,
            }
        )
        [job] = list_jobs(ui_session.store)
        assert job.state == DONE
        assert table_rows(app, "#bulk-jobs")[0][2:4] == ["done", "2/2"]
        assert "2/2 accepted" in str(screen.query_one("#bulk-job-counts").render())
        # Tracked like single sends: the conversation holds the message with its gateway id.
        [msg] = ui_session.store.thread_messages(ui_session.store.phone_key("+4915752982212"))
        assert msg.outbox == SUBMITTED and msg.sms_id is not None


async def test_changing_the_form_invalidates_the_preview(sim_empty: TestSimulator, ui_session: SimpleNamespace) -> None:
    app = host(sim_empty, ui_session)
    async with app.run_test(size=(110, 36)) as pilot:
        await idle(pilot)
        await fill(app, pilot, numbers="+4915752982212", body="Hello")
        await pilot.press("ctrl+s")
        await idle(pilot)
        assert not app.screen.query_one("#bulk-send", Button).disabled
        app.screen.query_one("#bulk-body", TextArea).text = "Hello again"
        await pilot.pause()
        assert app.screen.query_one("#bulk-send", Button).disabled
        await pilot.press("ctrl+g")
        await idle(pilot)
        assert outgoing(sim_empty) == Counter()
        assert any("Preview the messages first" in n.message for n in app._notifications)


async def test_csv_bulk_with_a_lost_answer_mid_way(
    sim_empty: TestSimulator, ui_session: SimpleNamespace, tmp_path: Path
) -> None:
    path = tmp_path / "bulk.csv"
    lines = ["phone;message;customer_id"] + [f"+49157{i:07d}2;Order {i}, ready;" for i in range(25)]
    lines += ["+4915700000012;;", "nope;x;"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    app = host(sim_empty, ui_session)
    async with app.run_test(size=(110, 36)) as pilot:
        await idle(pilot)
        await fill(app, pilot, csv=str(path), batch="10")
        await pilot.press("ctrl+s")
        await idle(pilot)
        assert app.screen.query_one("#bulk-preview", DataTable).row_count == 25
        reasons = [r[2] for r in table_rows(app, "#bulk-invalid")]
        assert reasons[0].startswith("missing message text") and reasons[1].startswith("bad number")

        screen = app.screen
        original = screen._show_progress

        def progress(p: Any) -> None:
            if p.note == "batch 1 sent":
                sim_empty.faults.set("response_lost", methods="addalotofsms", count=1)
            original(p)

        screen._show_progress = progress  # type: ignore[method-assign]
        await pilot.press("ctrl+g")
        await idle(pilot)
        assert sum(outgoing(sim_empty).values()) == 25  # nothing doubled
        assert sim_empty.stats.requests["addalotofsms"] == 3
        [job] = list_jobs(ui_session.store)
        assert job.state == DONE


async def test_pause_and_resume_from_the_screen(sim_empty: TestSimulator, ui_session: SimpleNamespace) -> None:
    app = host(sim_empty, ui_session)
    async with app.run_test(size=(110, 36)) as pilot:
        await idle(pilot)
        numbers = "\n".join(f"+49157{i:07d}2" for i in range(30))
        await fill(app, pilot, numbers=numbers, body="News", batch="10")
        await pilot.press("ctrl+s")
        await idle(pilot)
        screen = app.screen
        original = screen._show_progress

        def progress(p: Any) -> None:
            if p.note == "batch 1 sent":
                screen.action_pause_resume()
            original(p)

        screen._show_progress = progress  # type: ignore[method-assign]
        await pilot.press("ctrl+g")
        await idle(pilot)
        assert sum(outgoing(sim_empty).values()) == 10
        assert str(screen.query_one("#bulk-pause", Button).label) == "Resume"
        assert table_rows(app, "#bulk-jobs")[0][2:4] == ["paused", "10/30"]
        screen._show_progress = original  # type: ignore[method-assign]
        await pilot.press("f8")
        await idle(pilot)
        assert sum(outgoing(sim_empty).values()) == 30
        assert table_rows(app, "#bulk-jobs")[0][2:4] == ["done", "30/30"]


async def test_unfinished_job_is_offered_and_resumed_after_restart(
    sim_empty: TestSimulator, ui_session: SimpleNamespace
) -> None:
    rows = [BulkRow(f"+49157{i:07d}2", "Left over") for i in range(4)]
    BulkJob.create(ui_session.store, ui_session.client, rows, device_id=OFFICE, batch_size=2)
    app = host(sim_empty, ui_session)
    async with app.run_test(size=(110, 36)) as pilot:
        await idle(pilot)
        assert any("did not finish" in n.message for n in app._notifications)
        app.screen.query_one("#bulk-tabs").active = "bulk-jobs-pane"  # type: ignore[attr-defined]
        await pilot.pause()
        table = app.screen.query_one("#bulk-jobs", DataTable)
        table.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: sum(outgoing(sim_empty).values()) == 4, "the job to finish")
        await idle(pilot)
        assert table_rows(app, "#bulk-jobs")[0][2:4] == ["done", "4/4"]


async def test_the_preview_warns_before_passing_a_sims_limit(
    sim_empty: TestSimulator, ui_session: SimpleNamespace
) -> None:
    from smstui.core.send_limits import SendLimits, SimLimit

    ui_session.config.limits = SendLimits(SimLimit(daily=1))
    app = host(sim_empty, ui_session)
    async with app.run_test(size=(110, 36)) as pilot:
        await idle(pilot)
        screen = app.screen
        await fill(app, pilot, numbers="+4915752982212, +4917612345672", body="Hello")
        await pilot.press("ctrl+s")
        await idle(pilot)
        summary = str(screen.query_one("#bulk-summary").render())
        assert "0 sent today + 2 = 2, past its daily limit of 1 (the send is not stopped)" in summary, summary
        assert not screen.query_one("#bulk-send", Button).disabled  # a warning, not a stop
