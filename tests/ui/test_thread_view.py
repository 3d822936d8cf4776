"""ThreadView: height measurement matches rendering, bounded caches, stable viewport, cheap ticks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings, strategies as st
from rich.console import Console
from rich.text import Text
from textual.app import App, ComposeResult
from ui_helpers import wait_for

from smstui.core.store.records import StoredMessage
from smstui.tui.widgets import thread_view as tv
from smstui.tui.widgets.bubbles import wrapped_height
from smstui.tui.widgets.thread_view import ThreadView

_console = Console(width=200)
_pieces = st.sampled_from(list("abcdefghij  \n-.,") + ["é", "Ж", "日本", "😀", "👍🏽", "مرحبا", "x" * 30, "  \n "])
_words = st.lists(_pieces, max_size=120).map("".join)


@settings(max_examples=400, deadline=None)
@given(text=_words, width=st.integers(min_value=10, max_value=120))
def test_wrapped_height_matches_rich_wrap(text: str, width: int) -> None:
    expected = len(Text(text or " ", overflow="fold").wrap(_console, width))
    assert wrapped_height(text or " ", width) == expected


NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
_BODIES = [
    "hi",
    "a longer message that certainly wraps over a couple of lines in a narrow view " * 3,
    "line one\nline two\n\nline four",
    "😀 emoji and 日本語 text " * 4,
    "x" * 150,
]


def _msg(i: int, *, incoming: bool | None = None, **kw: object) -> StoredMessage:
    fields: dict = dict(
        lid=i + 1,
        sms_id=1000 + i,
        phone="+4915550000001",
        phone_key="+4915550000001",
        body=_BODIES[i % len(_BODIES)] + f" #{i}",
        status=7,
        status_title="Delivered",
        device_id=7,
        slot=0,
        created=NOW - timedelta(hours=5000) + timedelta(minutes=37 * i),
        sent_at=None,
        scheduled_at=None,
        customer_id=None,
        urgent=False,
        paket_id=None,
        incoming=(i % 3 == 0) if incoming is None else incoming,
        outbox=None,
        outbox_error=None,
        attempts=0,
        image_path=None,
        batch=None,
    )
    fields.update(kw)
    return StoredMessage(**fields)


class ViewApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.now = NOW

    def compose(self) -> ComposeResult:
        yield ThreadView(clock=lambda: self.now, tz=UTC, id="thread")


def _layout_matches_rendering(view: ThreadView) -> None:
    width = view.scrollable_content_region.width
    for index in range(len(view.messages)):
        assert view._heights[index] == len(view._block(index, width)), index


async def test_heights_match_rendered_blocks_and_cache_is_bounded(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(tv, "BLOCK_CACHE_SIZE", 20)
    app = ViewApp()
    async with app.run_test(size=(70, 20)) as pilot:
        view = app.query_one(ThreadView)
        view.set_messages([_msg(i) for i in range(200, 400)], has_older=True)
        await pilot.pause()
        # Layout did not render every bubble; painting renders about a screenful.
        assert view.cached_blocks <= 20
        _layout_matches_rendering(view)
        assert view.cached_blocks == 20
        assert view.virtual_size.height == 1 + sum(view._heights)
        await pilot.resize_terminal(50, 20)
        await pilot.pause()
        _layout_matches_rendering(view)


async def test_opening_a_conversation_again_reuses_its_layout_but_not_what_changed(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Moving up and down the list reopens the same conversations: their heights and bubbles come
    from the caches, keyed by the message itself, so a message whose status moved meanwhile is
    measured and drawn again (a cache keyed by local id would show its old status)."""
    app = ViewApp()
    async with app.run_test(size=(70, 20)) as pilot:
        view = app.query_one(ThreadView)
        first = [_msg(i, incoming=False, status=1, status_title="Pending") for i in range(40)]
        other = [_msg(i, phone_key="+4915550000002") for i in range(100, 140)]
        view.set_messages(first, has_older=False)
        await pilot.pause()
        view.set_messages(other, has_older=False)
        await pilot.pause()
        wrapped: list[str] = []
        drawn: list[int] = []
        original_render = view._render_block

        def counting_height(text: str, width: int) -> int:
            wrapped.append(text)
            return wrapped_height(text, width)

        def counting_render(msg: StoredMessage, *args: object) -> list:  # type: ignore[type-arg]
            drawn.append(msg.lid)
            return original_render(msg, *args)  # type: ignore[arg-type]

        view._render_block = counting_render  # type: ignore[method-assign]
        delivered = _msg(39, incoming=False, status=7, status_title="Delivered")
        monkeypatch.setattr(tv, "wrapped_height", counting_height)
        view.set_messages([*first[:-1], delivered], has_older=False)
        await pilot.pause()
        monkeypatch.undo()
        # Only the message that changed was measured (body and meta line) and drawn again.
        assert len(wrapped) == 2 and drawn == [delivered.lid]
        text = "\n".join(view.render_line(y).text for y in range(view.size.height))
        assert "✓✓ delivered" in text
        _layout_matches_rendering(view)


async def test_prepend_keeps_the_viewport_still_and_measures_only_the_new_page() -> None:
    app = ViewApp()
    async with app.run_test(size=(70, 20)) as pilot:
        view = app.query_one(ThreadView)
        view.set_messages([_msg(i) for i in range(200, 400)], has_older=True)
        await pilot.pause()
        view.scroll_to(y=40, animate=False, force=True, immediate=True)
        await pilot.pause()
        before = [view.render_line(y).text for y in range(view.size.height)]
        measured: list[int] = []
        original = view._measure

        def counting(index: int, width: int) -> int:
            measured.append(index)
            return original(index, width)

        view._measure = counting  # type: ignore[method-assign]
        view.prepend([_msg(i) for i in range(0, 200)], has_older=False)
        await pilot.pause()
        # The 200 new messages plus the old first one (it may lose its day header).
        assert sorted(measured) == list(range(201))
        assert [view.render_line(y).text for y in range(view.size.height)] == before
        _layout_matches_rendering(view)
        assert view.messages[0].lid == 1 and len(view.messages) == 400


async def test_tick_remeasures_only_scheduled_messages_and_keeps_other_bubbles() -> None:
    app = ViewApp()
    async with app.run_test(size=(70, 20)) as pilot:
        view = app.query_one(ThreadView)
        later = NOW + timedelta(days=2)
        rows = [_msg(i, incoming=False) for i in range(50)]
        rows.append(_msg(50, incoming=False, outbox="queued", status=None, scheduled_at=later, created=NOW))
        view.set_messages(rows, has_older=False)
        await pilot.pause()
        assert "scheduled" in "\n".join(view.render_line(y).text for y in range(view.size.height))
        cached = dict(view._blocks)
        measured: list[int] = []
        original = view._measure
        view._measure = lambda index, width: measured.append(index) or original(index, width)  # type: ignore[method-assign]
        app.now = later + timedelta(minutes=1)
        view.tick()
        await pilot.pause()
        assert measured == [50]
        # Other bubbles stay cached (same keys); the scheduled one is drawn again without the mark.
        assert all(key in view._blocks for key in cached if key[0].lid != rows[-1].lid)
        text = "\n".join(view.render_line(y).text for y in range(view.size.height))
        assert "scheduled" not in text and "queued" in text


async def test_selection_repaints_only_the_two_bubbles() -> None:
    app = ViewApp()
    async with app.run_test(size=(70, 30)) as pilot:
        view = app.query_one(ThreadView)
        view.set_messages([_msg(i) for i in range(100)], has_older=False)
        view.focus()
        await pilot.pause()
        view.selected = 98
        await pilot.pause()
        rendered: list[int] = []
        original = view._render_block
        view._render_block = lambda msg, *a: rendered.append(msg.lid) or original(msg, *a)  # type: ignore[method-assign]
        await pilot.press("up")
        assert view.selected == 97
        # The newly selected bubble is drawn again; nothing but the two changed ones is.
        assert view.messages[97].lid in rendered
        assert set(rendered) <= {view.messages[97].lid, view.messages[98].lid}


# ---------------------------------------------------------------------- retry / cancel (the real app)

from ui_helpers import build_app, threads_shown  # noqa: E402

from smstui.core.session import Session  # noqa: E402
from smstui.core.store.schema import CANCELLED, QUEUED, REJECTED, SUBMITTED  # noqa: E402
from smstui.simulator.seed import OFFICE_PHONE  # noqa: E402
from smstui.simulator.testing import TestSimulator  # noqa: E402
from smstui.tui.screens.conversations import ConversationsScreen  # noqa: E402

PHONE = "+4915550000077"


_KEYS = {"thread.retry": "retry", "thread.cancel": "cancel_send"}


async def _footer(pilot, app) -> set[str]:  # type: ignore[no-untyped-def]
    """Ids of the retry/cancel bindings the footer shows, once it has followed the selection."""
    from textual.widgets._footer import FooterKey

    view = app.screen.query_one(ThreadView)
    await wait_for(pilot, lambda: not view.footer_pending, "the footer to follow the selection")
    await pilot.pause()
    shown = {key.action for key in app.screen.query(FooterKey)}
    return {ident for ident, action in _KEYS.items() if any(a.endswith(action) for a in shown)}


async def _select_newest(pilot, app, text: str) -> ThreadView:  # type: ignore[no-untyped-def]
    await wait_for(pilot, lambda: threads_shown(app) > 0, "the conversation list")
    screen = app.screen
    assert isinstance(screen, ConversationsScreen)
    screen.show_thread(PHONE)
    view = screen.query_one(ThreadView)
    await wait_for(pilot, lambda: view.phone_key == PHONE and view.messages, "the thread")
    await wait_for(pilot, lambda: view.messages[-1].body == text, "the newest message")
    view.focus()
    await pilot.press("up")
    assert view.selected_message is not None and view.selected_message.body == text
    return view


async def test_retry_sends_a_refused_message_again(session: Session, sim: TestSimulator) -> None:
    store = session.store
    lid = session.outbox.queue([PHONE], "try me again", OFFICE_PHONE, 0)[0]
    store.set_outbox_states([lid], REJECTED, error="refused for a test")
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        view = await _select_newest(pilot, app, "try me again")
        assert {"thread.retry", "thread.cancel"} <= await _footer(pilot, app)
        await pilot.press("R")
        await wait_for(pilot, lambda: store.message(lid).outbox == SUBMITTED, "the gateway to accept it")
        await wait_for(pilot, lambda: view.messages[-1].outbox == SUBMITTED, "the view to show it sent")
        # Accepted by the gateway: nothing to retry or cancel any more.
        assert not {"thread.retry", "thread.cancel"} & await _footer(pilot, app)
        assert any(n.title == "Sending again" for n in app._notifications)


async def test_cancel_a_queued_message_and_a_stale_one_explains(session: Session, sim: TestSimulator) -> None:
    store = session.store
    lid = session.outbox.queue([PHONE], "do not send", OFFICE_PHONE, 0)[0]
    app = build_app(session, sim)  # sync off: nothing submits it meanwhile
    async with app.run_test(size=(100, 30)) as pilot:
        view = await _select_newest(pilot, app, "do not send")
        ids = await _footer(pilot, app)
        assert "thread.cancel" in ids and "thread.retry" not in ids  # queued: nothing to retry yet
        await pilot.press("x")
        await wait_for(pilot, lambda: store.message(lid).outbox == CANCELLED, "the cancel")
        await wait_for(pilot, lambda: view.messages[-1].outbox == CANCELLED, "the view to show it")
        ids = await _footer(pilot, app)
        assert "thread.retry" in ids and "thread.cancel" not in ids
        # A cancelled message can be sent after all.
        await pilot.press("R")
        await wait_for(pilot, lambda: store.message(lid).outbox == SUBMITTED, "the send")

        # The view may be behind the store: the outbox refuses, and the user is told why.
        lid2 = session.outbox.queue([PHONE], "already gone", OFFICE_PHONE, 0)[0]
        app.screen._refresh_open_thread(PHONE, (lid2,))
        await wait_for(pilot, lambda: view.messages[-1].lid == lid2, "the new queued message")
        await pilot.press("end")
        assert view.selected_message is not None and view.selected_message.outbox == QUEUED
        store.attach_sms_ids([(lid2, 99_999_999)])
        await pilot.press("x")
        await wait_for(pilot, lambda: any(n.title == "Cannot cancel" for n in app._notifications), "the refusal")
        note = next(n for n in app._notifications if n.title == "Cannot cancel")
        assert "already accepted" in note.message
        assert store.message(lid2).outbox == SUBMITTED


async def test_incoming_messages_offer_no_retry_or_cancel(session: Session, sim: TestSimulator) -> None:
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app) > 0, "the conversation list")
        screen = app.screen
        view = screen.query_one(ThreadView)
        key = screen.query_one("#threads").threads[0].phone_key
        screen.show_thread(key)
        await wait_for(pilot, lambda: view.phone_key == key and view.messages, "a thread")
        view.focus()
        incoming = max(i for i, m in enumerate(view.messages) if m.incoming)
        view.selected = incoming
        await pilot.pause()
        assert not {"thread.retry", "thread.cancel"} & await _footer(pilot, app)
        await pilot.press("R", "x")
        assert not any(n.title in ("Sending again", "Cancelled") for n in app._notifications)


def _view_text(view: ThreadView) -> str:
    return "\n".join(view.render_line(y).text for y in range(view.size.height))


async def test_retry_and_cancel_say_why_when_they_cannot(session: Session, sim: TestSimulator) -> None:
    """R and x did nothing, silently, with no message selected or on a taken/scheduled message;
    a scheduled message showed 'scheduled 03 Dec' without its time (issue 13, item 8)."""
    from pilot_helpers import BERLIN

    from smstui.tui.widgets.format import to_local

    store = session.store
    when = to_local(sim.clock() + timedelta(days=12), BERLIN).replace(hour=9, minute=30, second=0, microsecond=0)
    lid = session.outbox.queue([PHONE], "see you then", OFFICE_PHONE, 0, when)[0]
    app = build_app(session, sim)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: threads_shown(app) > 0, "the conversation list")
        screen = app.screen
        screen.show_thread(PHONE)
        view = screen.query_one(ThreadView)
        await wait_for(pilot, lambda: view.phone_key == PHONE and view.messages, "the thread")
        view.focus()
        await pilot.pause()
        assert view.selected_message is None
        await pilot.press("R")
        await wait_for(pilot, lambda: any(n.title == "Nothing to send again" for n in app._notifications), "R's reason")
        assert "Select a message first" in list(app._notifications)[-1].message
        await pilot.press("x")
        await wait_for(pilot, lambda: any(n.title == "Nothing to cancel" for n in app._notifications), "x's reason")
        assert "Select a message first" in list(app._notifications)[-1].message

        await pilot.press("up")
        assert view.selected_message is not None and view.selected_message.lid == lid
        assert f"scheduled {when.strftime('%d %b')} 09:30" in " ".join(
            _view_text(view).split()
        )  # the time, not just the day
        await pilot.press("R")  # queued for later: nothing to send again, and it says so
        await wait_for(
            pilot,
            lambda: sum(n.title == "Nothing to send again" for n in app._notifications) == 2,
            "R's reason on a scheduled message",
        )
        assert "x cancels it" in list(app._notifications)[-1].message

        # Taken by the gateway: x cannot cancel it and says why.
        store.attach_sms_ids([(lid, 99_999_998)])
        screen._refresh_open_thread(PHONE, (lid,))
        await wait_for(pilot, lambda: view.messages[-1].outbox == SUBMITTED, "the view to show it taken")
        await pilot.press("end")
        await pilot.press("x")
        await wait_for(
            pilot,
            lambda: sum(n.title == "Nothing to cancel" for n in app._notifications) == 2,
            "x's reason on a taken message",
        )
        assert "gateway has taken it" in list(app._notifications)[-1].message
        assert store.message(lid).outbox == SUBMITTED
