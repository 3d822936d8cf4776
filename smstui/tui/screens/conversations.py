"""The main screen: conversations on the left, the open thread and its compose pane on the right."""

from __future__ import annotations

import gc
import time
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.worker import get_current_worker

from smstui.core.startup import freeze_startup_heap
from smstui.core.store.messages import Thread
from smstui.tui import app_messages as msgs
from smstui.tui.screen_base import SmsScreen
from smstui.tui.screens.list_filter import (
    FAILED_ANY,
    FAILED_RECENT,
    ListFilter,
    empty_text,
    read_threads,
    title_mark,
)
from smstui.tui.textual_internals import paint_now
from smstui.tui.widgets.deferred_mount import DeferredMount
from smstui.tui.widgets.format import clean
from smstui.tui.widgets.quiet import update_static
from smstui.tui.widgets.quiet_footer import QuietFooter
from smstui.tui.widgets.status_line import StatusLine
from smstui.tui.widgets.thread_header import ThreadHeader, optout_text
from smstui.tui.widgets.thread_list import ThreadList
from smstui.tui.widgets.thread_view import ThreadView
from smstui.tui.workers import store_read

if TYPE_CHECKING:
    from smstui.core.store.records import StoredMessage
    from smstui.tui.widgets.compose_form import ComposeForm

PAGE = 200
THREAD_LIMIT = 500
# The app's first frame lists this many (a few screens' worth); the rest is read right after it.
FIRST_READ = 100
# Moving through the list faster than this (a held arrow key) opens only where the highlight stops.
OPEN_DELAY = 0.15
# A message opened by its gateway id shows with this many older ones above it (and a page of
# newer ones below; the rest load as the view scrolls, as older pages do).
CONTEXT_ABOVE = 20
NEWEST = -1  # ``select``: the conversation's newest message


def _set_line(line: Static, text: Text) -> None:
    """Show ``text`` in a one-line Static (the list title), repainted only when it reads
    differently. One line high (app.tcss): no layout pass, which would reflow the screen."""
    update_static(line, text, layout=False)


class ConversationsScreen(SmsScreen):
    """Conversation list, thread view and compose pane."""

    BINDINGS = [
        Binding("slash", "focus_filter", "Filter", id="conversations.filter"),
        Binding("r", "reply", "Reply", id="conversations.reply"),
        Binding("f", "failed('any')", "Failed", id="conversations.failed"),
        Binding("F", "failed('recent')", "Failed last hour", show=False, id="conversations.failed_recent"),
        Binding("S", "app.show_scheduled", "Scheduled", show=False, id="conversations.scheduled"),
        Binding("escape", "back", "Back", show=False, id="conversations.back"),
        Binding("ctrl+d", "all_devices", "All devices", show=False, id="conversations.all_devices"),
        Binding("e", "export", "Export", show=False, id="conversations.export"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.phone_key: str | None = None
        self._thread: Thread | None = None
        self._filter = ListFilter()
        self._open_timer: Timer | None = None
        self._last_move = 0.0
        self._move_clock = time.monotonic  # tests pin it
        self._opening: str | None = None  # a thread whose page is being read
        # A filter was typed or a device picked: if the open thread drops out of the list it
        # answers, the pane closes (it kept showing a conversation the filter had hidden).
        self._refiltered = False
        self._listed: tuple[int | None, bool] = (None, False)  # the list title's count, "+"
        self._heap_frozen = False
        # The compose pane's form is mounted after the first frame (TextArea, Select, ... and
        # their CSS are ~40 ms of a cold start); what is asked of it before then waits.
        self._pane: DeferredMount[ComposeForm] = DeferredMount(
            self, lambda: self.query_one("#compose-pane"), self._new_form
        )

    def compose(self) -> ComposeResult:
        app = self.smsapp
        with Horizontal(id="conversations"):
            with Vertical(id="sidebar"):
                yield Input(placeholder="/ name, number or #id", id="filter", compact=True)
                yield Static("", id="list-title")
                yield ThreadList(clock=app.clock, tz=app.tz, id="threads")
            with Vertical(id="conversation"):
                yield ThreadHeader(id="thread-header")
                yield ThreadView(clock=app.clock, tz=app.tz, id="thread")
                yield Vertical(id="compose-pane")  # its ComposeForm: self._pane
        yield StatusLine(clock=app.clock, tz=app.tz, id="status-line")
        yield QuietFooter()

    def on_mount(self) -> None:
        app = self.smsapp
        self.follow_app(self._on_core, self._on_device_filter)
        self.query_one("#compose-pane").display = False
        self._update_title()
        self.query_one(ThreadList).focus()
        threads = app.take_prefetched_threads(app.device_filter)
        if threads is None:
            self.load_threads()
        else:  # listed in the first frame: no worker round trip, no frame without them
            self._show_threads(threads, first=True)
        self.set_interval(60, self._tick, name="relative-times")

    def on_unmount(self) -> None:
        if self._heap_frozen:
            # What this screen froze may be cyclic garbage now (its widgets); let the collector see it.
            gc.unfreeze()

    def _tick(self) -> None:
        self.query_one(ThreadList).redraw()
        self.query_one(ThreadView).tick()
        if self._filter.failed == FAILED_RECENT:
            self.load_threads()  # "the last hour" moved on

    # ------------------------------------------------------------------ conversation list

    def _update_title(self, count: int | None = None, *, more: bool = False) -> None:
        app = self.smsapp
        if count is None:  # a device's name or state changed: the count stays what was listed
            count, more = self._listed
        else:
            self._listed = (count, more)
        device = app.device_name(app.device_filter) if app.device_filter is not None else "All devices"
        text = Text(no_wrap=True, overflow="ellipsis")
        flt = self._filter
        mark = title_mark(flt)
        counted = "" if count is None else f"{count}{'+' if more or count >= THREAD_LIMIT else ''}"
        if flt.asks_id:  # one message: no device, no count
            text.append(mark or "", style="bold")
            if count == 0 and flt.sms_id is not None:
                text.append(" · not stored")
        elif mark is not None:  # a failure filter: first, with its count, so a narrow sidebar shows both
            text.append(mark, style="bold red")
            if counted:
                text.append(f" · {counted}")
            text.append(" · ")
            text.append(clean(device, single_line=True), style="bold")
        else:
            text.append(clean(device, single_line=True), style="bold")
            if counted:
                text.append(f" · {counted}")
        if flt.text and not flt.asks_id:
            text.append(" · filtered")
        _set_line(self.query_one("#list-title", Static), text)

    @store_read("threads", "read conversations from the store", name="load-threads")
    def load_threads(self) -> None:
        app = self.smsapp
        threads = read_threads(app.store, self._filter, app.device_filter, app.clock(), THREAD_LIMIT)
        if get_current_worker().is_cancelled:
            return
        self.app.call_from_thread(self._show_threads, threads)

    def _show_threads(self, threads: list[Thread], *, first: bool = False) -> None:
        thread_list = self.query_one(ThreadList)
        moved = self._moved_key(threads)
        thread_list.empty_text = empty_text(self._filter)
        # ``first``: shown while mounting, before the list's focus has landed.
        thread_list.show(threads, keep=moved, highlight_first=first)
        if moved is not None:
            self._follow(moved)
        partial = first and len(threads) >= FIRST_READ  # the app's first read: the rest comes next
        self._update_title(len(threads), more=partial)
        if partial:
            self.call_after_refresh(self.load_threads)
        if not first:
            paint_now(self)  # a filter key's result, a sync's change: no wait for the frame slot
        if not self._heap_frozen:
            self._heap_frozen = True
            self.call_after_refresh(freeze_startup_heap)
        if self._pane.widget is None:
            self.call_after_refresh(self._pane.mount)
        refiltered, self._refiltered = self._refiltered, False
        if self.phone_key is not None:
            current = thread_list.thread(self.phone_key)
            if current is not None:
                self._thread = current
                self._update_header()
            elif refiltered and (self._filter.text or self._filter.failed or self.smsapp.device_filter is not None):
                self.close_thread()

    def _moved_key(self, threads: list[Thread]) -> str | None:
        """The open conversation's key now, when the region changed it (``015752982212`` is
        ``+4915752982212`` once the region is DE) and it is no longer listed under the old one."""
        key = self.phone_key
        if key is None or any(t.phone_key == key for t in threads):
            return None
        new = self.smsapp.store.phone_key(self._thread.phone if self._thread else key)
        return new if new != key and any(t.phone_key == new for t in threads) else None

    def _follow(self, new_key: str) -> None:
        """Keep the open conversation open under its new key, with what is typed in its pane
        (the store moved its saved draft along: smstui.core.store.region)."""
        form = self.compose_form
        if form is not None and self.phone_key is not None and form.draft_key == self._draft_key(self.phone_key):
            form.draft_key = self._draft_key(new_key)
        self.open_thread(new_key)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._filter = self._filter.with_text(event.value)
        self._refiltered = True
        self.load_threads()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        if self._filter.asks_id:
            self._submit_id()
            return
        thread_list = self.query_one(ThreadList)
        if thread_list.option_count:
            thread_list.highlighted = 0
            thread_list.focus()

    @on(OptionList.OptionHighlighted, "#threads")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """Open the highlighted conversation, unless the highlight is racing through the list.

        A single move opens at once. While moves come quicker than ``OPEN_DELAY`` and a
        conversation is still being read, opening waits until the highlight rests for
        ``OPEN_DELAY``: repainting the highlight never waits for threads nobody stops at.
        """
        now = self._move_clock()
        quick = now - self._last_move < OPEN_DELAY
        self._last_move = now
        self._stop_open_timer()
        if not event.option.id or event.option.id == self.phone_key:
            return
        if quick and self._opening is not None:
            self._open_timer = self.set_timer(OPEN_DELAY, self._open_highlighted, name="open-highlighted")
        else:
            self.open_thread(event.option.id)

    def _stop_open_timer(self) -> None:
        if self._open_timer is not None:
            self._open_timer.stop()
            self._open_timer = None

    def _open_highlighted(self) -> None:
        self._open_timer = None
        key = self.query_one(ThreadList).highlighted_key
        if key and key != self.phone_key:
            self.open_thread(key)

    @property
    def open_pending(self) -> bool:
        """A conversation is waiting to be opened or read (tests wait on this going False)."""
        return self._open_timer is not None or self._opening is not None

    @on(OptionList.OptionSelected, "#threads")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._stop_open_timer()
        if self._filter.sms_id is not None:  # the conversation holding that id: open at the message
            self.find_gateway_id(self._filter.sms_id)
            return
        if event.option.id and event.option.id != self.phone_key:
            self.open_thread(event.option.id)
        self.query_one(ThreadView).focus()

    # ------------------------------------------------------------------ the open thread

    def open_thread(self, phone_key: str, *, focus: str | None = None, select: int | None = None) -> None:
        """Show a conversation (loaded in a worker); ``focus`` = "thread" or "compose";
        ``select``: the local id of a message to show selected (else the view shows the newest)."""
        pane = self._pane.ready
        if pane is not None and self.phone_key is not None and pane.recipient:
            pane.save_draft_now()
        self._pane.mount()
        self.phone_key = phone_key
        self._opening = phone_key
        self._thread = self.query_one(ThreadList).thread(phone_key)
        view = self.query_one(ThreadView)
        view.show_loading()
        self._update_header()
        self._load_thread(phone_key, focus, select)

    def close_thread(self) -> None:
        """Show no conversation (the filter hid the open one); its draft is kept."""
        if self.compose_form is not None and self.compose_form.recipient:
            self.compose_form.save_draft_now()
        self.workers.cancel_group(self, "thread")
        self.phone_key = None
        self._opening = None
        self._thread = None
        self.query_one(ThreadView).clear("No conversation open: the filter hides it. Pick one on the left.")
        self.query_one("#compose-pane").display = False
        self._update_header()

    @store_read("thread", "read one conversation from the store", name="load-thread")
    def _load_thread(self, phone_key: str, focus: str | None, select: int | None = None) -> None:
        store = self.smsapp.store
        target = store.message(select) if select is not None and select != NEWEST else None
        has_newer = False
        if target is not None and target.phone_key == phone_key:
            # A window around it: reaching back from the newest could mean thousands of messages.
            at = (target.created.timestamp(), target.lid)
            older, has_older = store.thread_page(phone_key, limit=CONTEXT_ABOVE + 1, before=(at[0], at[1] + 1))
            newer, has_newer = store.thread_page(phone_key, limit=PAGE, after=at)
            page = older + newer
        else:
            page, has_older = store.thread_page(phone_key, limit=PAGE)
            if select == NEWEST and page:
                select = page[-1].lid
        # Behind the draft saves and sends still being written (a send deletes its draft).
        draft = self.smsapp.store_writes.submit(store.draft, self._draft_key(phone_key)).result()
        thread = self._thread
        if thread is None or thread.phone_key != phone_key:
            # Its own summary row (the primary key), not the newest 500 searched in Python.
            found = store.threads(only=("t.phone_key = ?", [phone_key]), limit=1)
            thread = found[0] if found else None
        if get_current_worker().is_cancelled:
            return
        # Read only when the user goes into it (focus "thread"/"compose": Enter, reply, the
        # palette); the highlight passing over it only previews it (issue 13 item 8).
        changed = store.mark_thread_seen(phone_key) if focus is not None else False
        self.app.call_from_thread(self.query_one(ThreadHeader).set_optout, phone_key, optout_text(store, phone_key))
        self.app.call_from_thread(
            self._show_thread, phone_key, page, has_older, draft, thread, focus, changed, select, has_newer
        )

    def _show_thread(
        self,
        phone_key: str,
        page: list[StoredMessage],
        has_older: bool,
        draft: dict | None,
        thread: Thread | None,
        focus: str | None,
        seen_changed: bool,
        select: int | None = None,
        has_newer: bool = False,
    ) -> None:
        if phone_key != self.phone_key:
            return
        self._opening = None
        self._thread = thread
        phone = thread.phone if thread else (page[-1].phone if page else phone_key)
        view = self.query_one(ThreadView)
        view.set_device_names(self.smsapp.device_names())
        view.set_messages(
            page, has_older=has_older, phone_key=phone_key, phone=phone, select=select, has_newer=has_newer
        )
        if not page:
            view.empty_text = "No messages yet: write the first one below."
        self._update_header()
        pane_box = self.query_one("#compose-pane")
        recipient = phone_key if phone_key.startswith("+") else phone
        last_device = next((m.device_id for m in reversed(page) if m.device_id is not None), None)
        device = self.smsapp.device_filter or self.smsapp.choose_device("compose", last_used=last_device)

        def target(pane: ComposeForm) -> None:
            pane.retarget(recipient, self._draft_key(phone_key))
            pane.set_default_device(device)
            pane.load_draft(draft)

        self._pane.call(target)
        if draft or focus == "compose":
            pane_box.display = True
        if focus == "compose":
            self._pane.call(lambda pane: pane.focus_body())
        elif focus == "thread":
            view.focus()
        paint_now(self)  # the conversation is what the key asked for: show it now
        if seen_changed:
            self.load_threads()

    def _draft_key(self, phone_key: str) -> str:
        return f"thread:{phone_key}"

    def _update_header(self) -> None:
        self.query_one(ThreadHeader).show(self.phone_key, self._thread)

    @on(ThreadView.NeedOlder)
    def _need_older(self, event: ThreadView.NeedOlder) -> None:
        self._need_page(event.view, older=True)

    @on(ThreadView.NeedNewer)
    def _need_newer(self, event: ThreadView.NeedNewer) -> None:
        view = event.view
        if event.newest and view.phone_key is not None and view.messages:
            # End: the newest message itself, as a plain open shows it
            self.open_thread(view.phone_key, focus="thread", select=NEWEST)
            return
        self._need_page(view, older=False)

    def _need_page(self, view: ThreadView, *, older: bool) -> None:
        if view.phone_key is None or not view.messages:
            if older:
                view.loading_older = False
            else:
                view.loading_newer = False
            return
        self._load_page(view.phone_key, view.messages[0] if older else view.messages[-1], older=older)

    def _load_page(self, phone_key: str, anchor: StoredMessage, *, older: bool) -> None:
        """Read the page before (``older``) or after ``anchor`` in a thread worker; the view adds
        it if it still shows that conversation. One exclusive group per direction, so scrolling
        up never cancels the page being read below."""
        store = self.smsapp.store
        key = (anchor.created.timestamp(), anchor.lid)

        def read() -> None:
            if older:
                page, more = store.thread_page(phone_key, limit=PAGE, before=key)
            else:
                page, more = store.thread_page(phone_key, limit=PAGE, after=key)
            self.app.call_from_thread(self._show_page, phone_key, page, more, older)

        which = "older" if older else "newer"
        self.run_worker(
            read,
            thread=True,
            exclusive=True,
            group=f"thread-{which}",
            name=f"load-{which}",
            exit_on_error=False,
            description=f"read {which} messages of a conversation",
        )

    def _show_page(self, phone_key: str, page: list[StoredMessage], more: bool, older: bool) -> None:
        view = self.query_one(ThreadView)
        if view.phone_key != phone_key:
            return
        if older:
            view.prepend(page, has_older=more)
        else:
            view.append(page, has_newer=more)

    @on(ThreadView.Copy)
    def _copy(self, event: ThreadView.Copy) -> None:
        self.smsapp.copy_text(event.text, event.what)

    @on(ThreadView.Details)
    def _details(self, event: ThreadView.Details) -> None:
        from smstui.tui.dialogs.message_detail import MessageDetailScreen

        self.app.push_screen(MessageDetailScreen(event.message))

    # ------------------------------------------------------------------ a message by its gateway id

    def _submit_id(self) -> None:
        problem = self._filter.id_problem()
        if problem is not None:
            self.notify(problem, title="Not a gateway id", severity="warning", timeout=5)
        elif self._filter.sms_id is not None:
            self.find_gateway_id(self._filter.sms_id)

    @store_read("find-id", "find a message by its gateway id", name="find-gateway-id")
    def find_gateway_id(self, sms_id: int) -> None:
        """Open the message with this gateway id; one the store lacks is offered to be looked up."""
        found = self.smsapp.store.message_by_sms_id(sms_id)
        if found is None:
            self.app.call_from_thread(self._ask_gateway, sms_id)
        else:
            self.app.call_from_thread(self.show_message, found.phone_key, found.lid)

    def _ask_gateway(self, sms_id: int) -> None:
        from smstui.tui.dialogs.find_message import FindMessageDialog

        def done(found: tuple[str, int] | None) -> None:
            if found is not None:
                self.show_message(*found)

        self.app.push_screen(FindMessageDialog(str(sms_id), not_stored=True), done)

    def show_message(self, phone_key: str, lid: int) -> None:
        """Open a conversation at one message, selected, with the thread view focused."""
        thread_list = self.query_one(ThreadList)
        index = next((i for i, t in enumerate(thread_list.threads) if t.phone_key == phone_key), None)
        if index is not None:
            with self.prevent(OptionList.OptionHighlighted):
                thread_list.highlighted = index
        self.open_thread(phone_key, focus="thread", select=lid)

    # ------------------------------------------------------------------ failed conversations

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "failed":
            # Keys of the conversation list: its footer shows them, the thread's has its own.
            return isinstance(self.focused, ThreadList)
        if action == "export":
            return self.phone_key is not None
        return True

    def action_export(self) -> None:
        """``e``: the open conversation to a file (smstui.tui.dialogs.export)."""
        from smstui.core.filters import MessageFilters
        from smstui.core.search import SearchQuery
        from smstui.tui.dialogs.export import open_export

        if self.phone_key is None:
            return
        thread = self._thread
        label = (thread.label if thread else None) or self.phone_key
        query = SearchQuery("", MessageFilters(phone_key=self.phone_key))
        open_export(self.smsapp, query, f"the conversation with {label}", slug=self.phone_key)

    def action_failed(self, which: str) -> None:
        """``f``: only conversations with a failed message; ``F``: with one from the last hour."""
        self._filter = self._filter.toggled(FAILED_RECENT if which == FAILED_RECENT else FAILED_ANY)
        if self._filter.asks_id and self._filter.failed is not None:
            # An id names one message whatever else is set: asking for failures replaces it.
            self._filter = self._filter.with_text("")
            with self.prevent(Input.Changed):
                self.query_one("#filter", Input).value = ""
        self._update_title()
        self._refiltered = True  # an open thread the filter now hides closes (its draft kept)
        self.load_threads()

    # ------------------------------------------------------------------ retry / cancel a sent message

    @on(ThreadView.Retry)
    def _retry(self, event: ThreadView.Retry) -> None:
        self.smsapp.send_again(event.message)

    @on(ThreadView.CancelSend)
    def _cancel_send(self, event: ThreadView.CancelSend) -> None:
        self.smsapp.cancel_sending(event.message)

    # ------------------------------------------------------------------ read marks

    def _in_conversation(self) -> bool:
        """Focus is in the open conversation (its messages or its compose pane)."""
        focused = self.focused
        return focused is not None and self.query_one("#conversation") in focused.ancestors_with_self

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # Going into the conversation (Enter, tab, a click, reply) is what opens it for reading.
        if self.phone_key is not None and self._in_conversation():
            self._mark_seen(self.phone_key)

    @store_read("seen", "mark a conversation as read", name="mark-seen", exclusive=False)
    def _mark_seen(self, phone_key: str) -> None:
        if self.smsapp.store.mark_thread_seen(phone_key):
            self.app.call_from_thread(self.load_threads)

    # ------------------------------------------------------------------ live updates

    def _on_core(self, message: msgs.CoreMessage | msgs.Queued) -> None:
        if isinstance(message, msgs.Queued):  # the app publishes it on the same signal
            self.on_queued(message)
        elif isinstance(message, msgs.CoreMessagesChanged):
            self.load_threads()
            if self.phone_key is not None and self.phone_key in message.phone_keys:
                self._refresh_open_thread(self.phone_key, ())
        elif isinstance(message, msgs.CoreOutboxChanged):
            self.load_threads()
            view = self.query_one(ThreadView)
            lids = tuple(lid for lid in message.lids if any(m.lid == lid for m in view.messages))
            if self.phone_key is not None:
                self._refresh_open_thread(self.phone_key, lids)
        elif isinstance(message, msgs.CoreRegionChanged):
            region = self.smsapp.region
            self._pane.call(lambda pane: pane.set_region(region))
            self.load_threads()  # keys changed: the open conversation is followed (_moved_key)
            if self.phone_key is not None:
                self._refresh_open_thread(self.phone_key, ())  # another may have joined it
        elif isinstance(message, msgs.CoreDevicesChanged):
            app = self.smsapp
            self.query_one(ThreadView).set_device_names(app.device_names())
            self._pane.call(lambda pane: pane.set_devices(app.devices, app.device_filter or app.default_device_id))
            self._update_title()

    def on_queued(self, message: msgs.Queued) -> None:
        self.load_threads()
        if self.phone_key is not None and self.phone_key in message.phone_keys:
            self._refresh_open_thread(self.phone_key, tuple(message.lids))

    def _refresh_open_thread(self, phone_key: str, lids: tuple[int, ...]) -> None:
        # Decided here, on the UI's thread: what arrives is seen only if the user is reading it.
        self._reread_open_thread(phone_key, lids, self._in_conversation())

    @store_read("thread-refresh", "re-read the open conversation", name="refresh-thread", exclusive=False)
    def _reread_open_thread(self, phone_key: str, lids: tuple[int, ...], seen: bool) -> None:
        store = self.smsapp.store
        latest = store.thread_messages(phone_key, limit=PAGE)
        extra = [m for m in (store.message(lid) for lid in lids) if m is not None and m.phone_key == phone_key]
        gone = [lid for lid in lids if store.message(lid) is None]
        if seen:
            store.mark_thread_seen(phone_key)
        self.app.call_from_thread(self.query_one(ThreadHeader).set_optout, phone_key, optout_text(store, phone_key))
        self.app.call_from_thread(self._apply_refresh, phone_key, latest + extra, gone)

    def _apply_refresh(self, phone_key: str, rows: list[StoredMessage], gone: list[int]) -> None:
        view = self.query_one(ThreadView)
        if view.phone_key != phone_key:
            return
        view.upsert(rows)
        if gone:
            view.remove(gone)

    def _on_device_filter(self, device_id: int | None) -> None:
        self._refiltered = True
        self._update_title()
        self._pane.call(lambda pane: pane.set_default_device(device_id))
        self.load_threads()

    # ------------------------------------------------------------------ compose pane

    def _new_form(self) -> ComposeForm:
        from smstui.tui.widgets.compose_form import ComposeForm

        app = self.smsapp
        return ComposeForm(
            store=app.store,
            devices=app.devices,
            region=app.region,
            clock=app.clock,
            tz=app.tz,
            recipient="",
            device_id=app.default_device_id,
            limits=app.session.config.limits,
            id="compose",
        )

    @property
    def compose_form(self) -> ComposeForm | None:
        """The pane's form once its fields exist (None before: see DeferredMount)."""
        return self._pane.ready

    def on_compose_form_submitted(self, event: ComposeForm.Submitted) -> None:
        # By name, not @on(ComposeForm.Submitted): the class is imported only with the pane.
        if event.form is not self._pane.widget:
            return
        event.stop()
        form = event.form
        typed, draft_key = event.typed, event.draft_key

        def done(lids: list[int] | None, error: str | None) -> None:
            # On success there is nothing to do: the form was emptied at ctrl+s (what is in it
            # now was typed after) and the outbox write deleted the draft.
            if lids is None and form.draft_key == draft_key:
                form.restore(typed, error or "could not queue the message")
            elif lids is None:
                self.notify(error or "could not queue the message", title="Not sent", severity="error")

        self.smsapp.queue_outgoing(event.outgoing, done, draft_key=draft_key)

    def action_reply(self) -> None:
        if self.phone_key is None:
            self.smsapp.action_compose()
            return
        self.query_one("#compose-pane").display = True
        self._pane.call(lambda pane: pane.focus_body())

    def action_close_pane(self) -> None:
        if self.compose_form is not None:
            self.compose_form.save_draft_now()
        self.query_one("#compose-pane").display = False
        self.query_one(ThreadView).focus()

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_all_devices(self) -> None:
        self.smsapp.set_device_filter(None)

    def action_back(self) -> None:
        focused = self.focused
        filter_input = self.query_one("#filter", Input)
        if focused is filter_input:
            if filter_input.value:
                filter_input.value = ""
            else:
                self.query_one(ThreadList).focus()
        elif focused is not None and self.query_one("#compose-pane") in focused.ancestors_with_self:
            self.action_close_pane()
        elif isinstance(focused, ThreadView):
            if focused.selected is not None:
                focused.selected = None
            else:
                self.query_one(ThreadList).focus()
        elif self._filter.failed is not None:
            self.action_failed(self._filter.failed)
        elif self.smsapp.device_filter is not None:
            self.smsapp.set_device_filter(None)

    def show_thread(self, phone_key: str, focus: str | None = "thread") -> None:
        """Open a conversation from elsewhere (palette, new message sent)."""
        thread_list = self.query_one(ThreadList)
        ids = [t.phone_key for t in thread_list.threads]
        if phone_key in ids:
            with self.prevent(OptionList.OptionHighlighted):
                thread_list.highlighted = ids.index(phone_key)
        self.open_thread(phone_key, focus=focus)
