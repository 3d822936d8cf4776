"""The default region in the app (issue 13 item 6): a refresh learns it from the phones' SIMs and
says so, the two forms of a number become one conversation (the open one follows, with what is
typed), the SIMs' disagreement is asked about in a dialog, the login/profile screen shows it, and
the CSV import reads national numbers with it. Against the simulator over loopback HTTP."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Input, OptionList
from ui_helpers import build_app, login_session, settle, threads_shown, wait_for

from smstui.simulator.records import Msg
from smstui.simulator.seed import OFFICE_PHONE, TRAVEL_PHONE
from smstui.simulator.testing import TestSimulator
from smstui.tui.screens.conversations import ConversationsScreen
from smstui.tui.screens.login import LoginScreen
from smstui.tui.widgets.thread_list import ThreadList
from smstui.tui.widgets.thread_view import ThreadView

NATIONAL = "015752982212"
E164 = "+4915752982212"


def _sims_say(sim: TestSimulator, office: str, travel: str) -> None:
    with sim.state.lock:
        for device, country in ((OFFICE_PHONE, office), (TRAVEL_PHONE, travel)):
            for card in sim.state.devices[device].siminfo:
                card["CountryIso"] = country


def _both_forms(sim: TestSimulator) -> None:
    """One person, two spellings: a reply came in international form, we wrote the national one."""
    now = int(sim.clock().timestamp())
    sim.state.add_message(
        Msg(
            id=0,
            phone="+49 1575 2982212",
            body="Reply from the network",
            device_id=OFFICE_PHONE,
            created=now - 3600,
            status=5,
            outcome=5,
        )
    )
    sim.state.add_message(
        Msg(id=0, phone=NATIONAL, body="Sent the national way", device_id=OFFICE_PHONE, created=now - 600, status=7)
    )


def _keys(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.phone_key for t in app.screen.query_one(ThreadList).threads]


def _notes(app, title: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.message for n in app._notifications if n.title == title]


def _region_dialog(app):  # type: ignore[no-untyped-def]
    from smstui.tui.dialogs.region import RegionDialog

    return app.screen if isinstance(app.screen, RegionDialog) else None


async def test_a_refresh_learns_the_region_and_the_open_thread_follows_with_its_draft(sim: TestSimulator) -> None:
    _sims_say(sim, "", "")  # the phones did not tell their country at first
    _both_forms(sim)
    session = await login_session(sim)
    assert session.region is None
    _sims_say(sim, "de", "de")
    app = build_app(session, sim, sync=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app) > 5, "the conversations")
        screen = app.screen
        assert isinstance(screen, ConversationsScreen)
        await pilot.press("slash", *"2982212")
        await wait_for(pilot, lambda: sorted(_keys(app)) == sorted([E164, NATIONAL]), "both forms listed")
        await pilot.press("enter", "enter")  # to the list, open the newest: the national one
        await wait_for(pilot, lambda: screen.phone_key == NATIONAL and not screen.open_pending, "the thread")
        await pilot.press("r", *"half written")
        await pilot.press("ctrl+r")  # refresh now: the phones too
        await wait_for(pilot, lambda: _keys(app) == [E164], "one conversation for both forms")
        await wait_for(pilot, lambda: screen.phone_key == E164 and not screen.open_pending, "the open thread to follow")
        await settle(pilot)
        assert _notes(app, "Region") == [
            "Region DE, from your phones' SIMs: numbers without +country are read as DE numbers."
        ]
        view = screen.query_one(ThreadView)
        assert [m.body for m in view.messages] == ["Reply from the network", "Sent the national way"]
        form = screen.compose_form
        assert form is not None and form.body == "half written" and form.draft_key == f"thread:{E164}"

        await pilot.press("escape", "ctrl+l")  # the profile screen says where the region came from
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen), "the login screen")
        line = str(app.screen.query_one("#login-region").render())
        assert line == "DE, from your phones' SIMs"  # and no ctrl+g: nothing to choose
    await session.aclose()


async def test_sims_that_disagree_are_asked_about_and_the_choice_joins_the_threads(sim: TestSimulator) -> None:
    _sims_say(sim, "de", "us")
    _both_forms(sim)
    session = await login_session(sim)
    app = build_app(session, sim, sync=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app) > 5, "the conversations")
        assert {E164, NATIONAL} <= set(_keys(app))
        await pilot.press("ctrl+r")
        dialog = await wait_for(pilot, lambda: _region_dialog(app), "the question")
        options = dialog.query_one(OptionList)
        assert options.highlighted is None  # it may open while one types: a stray enter picks nothing
        await pilot.press("enter")
        assert _region_dialog(app) is dialog
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert labels[0].startswith("DE  +49") and "Pixel 7 (office) SIM 1, Pixel 7 (office) SIM 2" in labels[0]
        assert labels[1].startswith("US  +1") and "Galaxy A12 (travel) SIM 1" in labels[1]
        await pilot.press("escape")  # later: not asked again for the same SIMs
        await wait_for(pilot, lambda: _notes(app, "Region"), "what 'later' means")
        assert "write numbers with their +country code" in _notes(app, "Region")[0]
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert _region_dialog(app) is None

        await pilot.press("ctrl+l")  # the profile screen offers the choice
        await wait_for(pilot, lambda: isinstance(app.screen, LoginScreen), "the login screen")
        assert "SIMs are from DE and US; choose one · ctrl+g: choose" in str(
            app.screen.query_one("#login-region").render()
        )
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: _region_dialog(app), "the question again")
        await pilot.press("down", "enter")  # the first: DE
        await wait_for(
            pilot,
            lambda: str(app.screen.query_one("#login-region").render()) == "DE, chosen by you · ctrl+g: change",
            "the choice on the login screen",
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen), "back to the conversations")
        await wait_for(pilot, lambda: E164 in _keys(app) and NATIONAL not in _keys(app), "one conversation")
        assert app.screen.query_one(ThreadList).thread(E164).total == 2
    assert session.region == "DE"
    await session.aclose()


async def test_csv_import_reads_national_numbers_with_the_learnt_region(sim: TestSimulator, tmp_path: Path) -> None:
    csv_path = tmp_path / "kunden.csv"
    csv_path.write_text("Telefon;Name;Gruppe\n0157 52982212;Anna;Kunden\n+4917612345678;Ben;Kunden\n", encoding="utf-8")
    session = await login_session(sim)  # no region in the profile: learnt from the SIMs (DE)
    app = build_app(session, sim)
    async with app.run_test(size=(110, 36)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app) > 5, "the conversations")
        await pilot.press("f4")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "TagsScreen", "the tags screen")
        await settle(pilot)
        await pilot.press("i")
        await wait_for(pilot, lambda: app.screen.query("#csv-path"), "the import dialog")
        app.screen.query_one("#csv-path", Input).value = str(csv_path)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one("#csv-valid", DataTable).row_count == 2
        assert app.screen.query_one("#csv-invalid", DataTable).row_count == 0
    await session.aclose()
