"""Sending exactly what the fields show, however fast the input came, and drafts that a send
consumes for good (issue 13, items 2 and 3).

``pilot.press`` waits after every key; a terminal delivers a paste, a key macro or fast typing
over SSH in one read, so :func:`burst` queues such input at once, the way the app receives it.
Every send is checked where it ends: at the simulated gateway and in the store.
"""

from __future__ import annotations

from pilot_helpers import burst, paste
from textual.widgets import Input, TextArea
from ui_helpers import build_app, settle, threads_shown, wait_for

from smstui.core.session import Session
from smstui.simulator.testing import TestSimulator
from smstui.tui.dialogs.compose import DRAFT_KEY, ComposeScreen
from smstui.tui.screens.conversations import ConversationsScreen
from smstui.tui.widgets.compose_form import ComposeForm
from smstui.tui.widgets.thread_view import ThreadView

ANNA = "+4915123456781"
NEW_NUMBER = "+4917612345672"  # no conversation yet in the demo data


def at_gateway(sim: TestSimulator, phone: str) -> list[str]:
    """The bodies the simulated gateway accepted for ``phone``, oldest first."""
    return [m.body for m in sorted(sim.state.messages.values(), key=lambda m: m.id) if m.phone == phone]


def in_store(session: Session, phone: str) -> list[str]:
    return [m.body for m in session.store.messages(phone_key=phone, limit=200)]


async def _reply_pane(pilot, phone_key: str = ANNA) -> ComposeForm:  # type: ignore[no-untyped-def]
    app = pilot.app
    await wait_for(pilot, lambda: threads_shown(app) > 0, "the conversation list")
    app.screen.show_thread(phone_key)
    view = app.screen.query_one(ThreadView)
    await wait_for(pilot, lambda: view.phone_key == phone_key and view.messages, "the thread")
    await pilot.press("r")
    await wait_for(pilot, lambda: isinstance(app.focused, TextArea), "the reply field")
    return app.screen.query_one(ComposeForm)


async def _new_message(pilot) -> ComposeForm:  # type: ignore[no-untyped-def]
    app = pilot.app
    await wait_for(pilot, lambda: threads_shown(app) > 0, "the conversation list")
    await pilot.press("n")
    await wait_for(pilot, lambda: isinstance(app.screen, ComposeScreen), "the compose modal")
    await settle(pilot)  # its draft is read in a worker
    return app.screen.query_one(ComposeForm)


# ---------------------------------------------------------------------- item 3: every character


async def test_reply_paste_then_ctrl_s_sends_every_pasted_letter(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _reply_pane(pilot)
        await pilot.press(*"Reply ")
        await burst(pilot, paste("quick"), "ctrl+s")  # a paste and ctrl+s in one read
        await settle(pilot)
        assert at_gateway(sim, ANNA)[-1] == "Reply quick"
        assert in_store(session, ANNA).count("Reply quick") == 1
        assert form.body == ""


async def test_reply_typed_in_one_read_is_sent_whole(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _reply_pane(pilot)
        await burst(pilot, *"Reply quick", "ctrl+s")  # a key macro: the keys, then ctrl+s
        await settle(pilot)
        assert at_gateway(sim, ANNA)[-1] == "Reply quick"
        assert form.body == ""


async def test_three_pasted_sends_in_a_row_each_carry_their_own_text(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim)
    async with app.run_test(size=(120, 40)) as pilot:
        before = len(at_gateway(sim, ANNA))
        form = await _reply_pane(pilot)
        texts = ["first: abc", "second: every letter counts", "third: xyz"]
        await burst(pilot, *[item for text in texts for item in (paste(text), "ctrl+s")])
        await settle(pilot)
        assert at_gateway(sim, ANNA)[before:] == texts
        for text in texts:
            assert in_store(session, ANNA).count(text) == 1
        assert form.body == ""


async def test_text_typed_right_after_ctrl_s_starts_the_next_message(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _reply_pane(pilot)
        await burst(pilot, paste("one message"), "ctrl+s", *"next")
        await settle(pilot)
        assert at_gateway(sim, ANNA)[-1] == "one message"
        assert form.body == "next"  # neither sent with the first nor wiped by its send


async def test_new_message_paste_then_ctrl_s_reaches_the_gateway_whole(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim)
    async with app.run_test(size=(120, 40)) as pilot:
        await _new_message(pilot)
        await pilot.press(*NEW_NUMBER, "tab")
        await burst(pilot, paste("sent at once, every letter counts: xyz"), "ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen), "the modal to close")
        await settle(pilot)
        assert at_gateway(sim, NEW_NUMBER) == ["sent at once, every letter counts: xyz"]


# ---------------------------------------------------------------------- item 2: drafts a send consumed


async def test_a_sent_new_message_does_not_come_back_as_a_draft(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim)
    async with app.run_test(size=(120, 40)) as pilot:
        await _new_message(pilot)
        # Typed and sent well within the draft save's 0.4 s debounce.
        await pilot.press(*NEW_NUMBER, "tab", *"see you at eight", "ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen), "the modal to close")
        await settle(pilot)
        assert session.store.draft(DRAFT_KEY) is None
        form = await _new_message(pilot)
        assert form.body == "" and app.screen.query_one("#compose-recipients", Input).value == ""
        await pilot.press("ctrl+s")  # an empty form sends nothing
        await pilot.press("escape")
        await settle(pilot)
    assert at_gateway(sim, NEW_NUMBER) == ["see you at eight"]
    assert session.store.draft(DRAFT_KEY) is None
    again = build_app(session, sim)  # a restart
    async with again.run_test(size=(120, 40)) as pilot:
        form = await _new_message(pilot)
        assert form.body == ""
    assert in_store(session, NEW_NUMBER) == ["see you at eight"]


async def test_a_sent_reply_does_not_come_back_as_a_draft(session: Session, sim: TestSimulator) -> None:
    key = f"thread:{ANNA}"
    app = build_app(session, sim)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _reply_pane(pilot)
        await pilot.press(*"half a thought")
        # The debounced save fires and lands: a draft exists…
        await wait_for(pilot, lambda: (session.store.draft(key) or {}).get("body") == "half a thought", "the draft")
        await pilot.press(*", finished", "ctrl+s")  # …then more keys and ctrl+s within the debounce
        await wait_for(pilot, lambda: "half a thought, finished" in in_store(session, ANNA), "the queued reply")
        assert form.body == ""
        # …and the app quits at once, with the debounced save still pending.
    assert session.store.draft(key) is None
    again = build_app(session, sim)  # a restart
    async with again.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: threads_shown(again), "the conversation list")
        again.screen.show_thread(ANNA)
        await wait_for(
            pilot,
            lambda: again.screen.compose_form is not None and again.screen.phone_key == ANNA,
            "the thread and its pane",
        )
        await settle(pilot)
        assert again.screen.compose_form.body == ""
        assert not again.screen.query_one("#compose-pane").display
    assert in_store(session, ANNA).count("half a thought, finished") == 1
    assert session.store.draft(key) is None


async def test_a_refused_send_keeps_the_text_and_the_draft(session: Session, sim: TestSimulator) -> None:
    """The outbox write fails (the store refuses it): the text comes back, the draft stays."""
    app = build_app(session, sim)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _reply_pane(pilot)
        await pilot.press(*"keep me")
        await wait_for(
            pilot, lambda: (session.store.draft(f"thread:{ANNA}") or {}).get("body") == "keep me", "the draft"
        )
        real = session.store.enqueue_many

        def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
            raise RuntimeError("disk full")

        session.store.enqueue_many = refuse  # type: ignore[method-assign]
        try:
            await pilot.press("ctrl+s")
            await settle(pilot)
        finally:
            session.store.enqueue_many = real  # type: ignore[method-assign]
        assert form.body == "keep me"
        assert "disk full" in str(form.query_one("#compose-errors").render())
        assert session.store.draft(f"thread:{ANNA}")["body"] == "keep me"
        assert "keep me" not in at_gateway(sim, ANNA)


def test_queueing_deletes_the_draft_in_the_same_transaction(session: Session) -> None:
    store = session.store
    store.save_draft("new", {"body": "hello"})
    store.save_draft("thread:other", {"body": "stays"})
    lids = session.outbox.queue([NEW_NUMBER], "hello", store.devices()[0].device.id, clear_draft="new")
    assert len(lids) == 1 and store.draft("new") is None
    assert store.draft("thread:other") == {"body": "stays"}
    # A write that fails leaves the draft where it was.
    try:
        store.enqueue_many([{"phone": NEW_NUMBER}], delete_draft="thread:other")  # no body: refused
    except Exception:
        pass
    assert store.draft("thread:other") == {"body": "stays"}


async def test_an_editing_key_in_the_same_read_as_ctrl_s_is_applied_before_the_send(
    session: Session, sim: TestSimulator
) -> None:
    """A typo, backspace and ctrl+s in one read (fast typing over SSH): the field's own editing
    keys (bindings, which Textual runs from the app after the key went up the tree) act before
    the send, so what goes out is what the field showed: "Reply quick", not "Reply quickk"."""
    app = build_app(session, sim)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await _reply_pane(pilot)
        await burst(pilot, *"Reply quickk", "backspace", "ctrl+s")
        await settle(pilot)
        assert at_gateway(sim, ANNA)[-1] == "Reply quick"
        assert form.body == ""
