"""Opt-outs: which replies count (a table of must and must-not), the suppression list in the
store, and sync putting a number on it (and taking it off) from real incoming messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from smstui.core.optout import ReplyWords, detect_reply
from smstui.core.store.database import Store
from smstui.core.store.optouts import OptoutReply
from smstui.simulator.seed import OFFICE_PHONE
from smstui.simulator.testing import TestSimulator
from tests.core_helpers import open_sim_session

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")

STOPS = [
    "STOP",
    "Stop",
    "stop",
    "STOP.",
    "Stop!!!",
    "  stop  ",
    "STOPP",
    "Stopp!",
    "Abmelden",
    "abmelden bitte",
    "bitte STOP",
    "unsubscribe",
    "Unsubscribe.",
    "STOP ALL",
    "stopall",
    "désinscrire",
    "desinscrire",
    "Arrêt",
    "Stop 🙏",
    '"STOP"',
    "S T O P".replace(" ", ""),
    "opt-out",
    "CANCEL",
    "Quit",
    "END",
]
NOT_STOPS = [
    "Stop the delivery please",
    "Can you stop by at 5?",
    "Please don't stop sending me offers",
    "stopped by the shop today",
    "Bus stop 5",
    "STOP!! I mean, wait, send me the invoice again",
    "Ich möchte mich nicht abmelden",
    "unsubscribe my colleague, not me",
    "",
    "   ",
    "🙏",
    "Stopover in Frankfurt",
    "Thanks, see you at the end of the week",
    "stop" * 20,
]


@pytest.mark.parametrize("text", STOPS)
def test_replies_that_opt_out(text: str) -> None:
    assert detect_reply(text) == "stop"


@pytest.mark.parametrize("text", NOT_STOPS)
def test_replies_that_do_not(text: str) -> None:
    assert detect_reply(text) is None


@pytest.mark.parametrize("text", ["START", "Start!", "Anmelden", "unstop", "wieder anmelden"])
def test_replies_that_opt_back_in(text: str) -> None:
    assert detect_reply(text) == "start"


def test_words_are_configurable() -> None:
    words = ReplyWords(stop=["Nicht mehr schreiben!"], start=["Ja bitte"])
    assert words.detect("nicht mehr schreiben") == "stop"
    assert words.detect("JA, BITTE.") == "start"
    assert words.detect("STOP") == "stop"  # the built-in words stay
    assert detect_reply("nicht mehr schreiben") is None


def test_the_list_keeps_the_latest_change(tmp_path: Path) -> None:
    now = [1_700_000_000.0]
    store = Store(tmp_path / "s.sqlite3", region="DE", clock=lambda: now[0])
    try:
        with store.transaction() as db:
            store.apply_optout_replies(db, [OptoutReply("+4915112345671", True, now[0] - 100, "STOP", 5)])
        [optout] = store.optouts()
        assert (optout.phone, optout.reply, optout.source) == ("+4915112345671", "STOP", "reply")
        assert store.optout(store.phone_key("0151 12345671")) == optout
        assert store.optouts_among(["0151 12345671", "+4915112345672"]) == {"0151 12345671": optout}
        # Lifted by hand: the same STOP listed again (the sync's overlap) does not bring it back.
        assert store.set_optout("+4915112345671", False)
        assert not store.set_optout("+4915112345671", False)
        with store.transaction() as db:
            assert store.apply_optout_replies(db, [OptoutReply("+4915112345671", True, now[0] - 100, "STOP", 5)]) == 0
        assert store.optouts() == []
        # A newer STOP does; then START lifts it.
        with store.transaction() as db:
            store.apply_optout_replies(db, [OptoutReply("+4915112345671", True, now[0] + 10, "Stopp", 6)])
        assert [o.reply for o in store.optouts()] == ["Stopp"]
        with store.transaction() as db:
            store.apply_optout_replies(db, [OptoutReply("+4915112345671", False, now[0] + 20, "START", 7)])
        assert store.optouts() == []
        assert store.set_optout("+4915112345679", True)
        assert [(o.phone, o.source) for o in store.optouts()] == [("+4915112345679", "manual")]
    finally:
        store.close()


async def test_sync_puts_a_stop_reply_on_the_list_and_start_lifts_it(sim_empty: TestSimulator) -> None:
    session = open_sim_session(sim_empty)
    try:
        sim_empty.state.add_incoming(OFFICE_PHONE, "+4915112345671", "Stop the delivery please")
        sim_empty.state.add_incoming(OFFICE_PHONE, "+4917612345678", "STOP!")
        sim_empty.advance(5)
        report = await session.syncer.sync()
        assert report.optouts_changed == 1
        assert [(o.phone, o.reply) for o in session.store.optouts()] == [("+4917612345678", "STOP!")]
        sim_empty.advance(60)
        again = await session.syncer.sync()  # the overlap lists the STOP again: nothing changes
        assert again.optouts_changed == 0 and len(session.store.optouts()) == 1
        sim_empty.state.add_incoming(OFFICE_PHONE, "+4917612345678", "Anmelden")
        sim_empty.advance(5)
        assert (await session.syncer.sync()).optouts_changed == 1
        assert session.store.optouts() == []
    finally:
        await session.aclose()
