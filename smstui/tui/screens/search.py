"""Search (F7, or the palette): every stored message by its words, number or contact name.

Results follow each key: every change of the field starts a search in a thread worker and
cancels the one before (its answer, if it still comes, is dropped by its serial number), so
typing fast never queues stale lists. Filters go in the same field (``invoice status:failed
since:7d``, smstui.core.search.parse_search_input); with filters and no words it is the filtered
list. Enter opens the conversation at the message; ctrl+s exports what is found.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, OptionList, Static
from textual.worker import get_current_worker

from smstui.core.search import FILTER_HELP, SearchQuery, describe_filters, parse_search_input
from smstui.tui import app_messages as msgs
from smstui.tui.screen_base import SmsScreen
from smstui.tui.widgets.quiet_footer import QuietFooter
from smstui.tui.widgets.search_results import SearchResults, result_prompt
from smstui.tui.widgets.status_line import StatusLine
from smstui.tui.workers import store_read

if TYPE_CHECKING:
    from smstui.core.store.search_page import SearchPage

PAGE = 50  # results read and laid out per key; more as the highlight reaches the end
COUNT_CAP = 1_000  # "1,000+ messages": an exact count of a common word is not worth its time
EMPTY = "Type words, a number or a contact's name."
HELP = (
    "Every word must match the start of a word of the message, its number or its contact's name "
    "(deliv finds delivered; one letter finds only that word; case and accents do not matter).\n\n"
    f"{FILTER_HELP}\n\n"
    "↓ or enter: the results · enter: open the conversation at the message · ctrl+s: export · esc: back"
)


class SearchScreen(SmsScreen):
    DEFAULT_CSS = """
    #search-input { margin: 0 1; background: $boost; }
    #search-summary { height: 1; padding: 0 1; color: $foreground-muted; }
    #search-summary.-problem { color: $error; }
    #search-help { height: auto; padding: 1 1 0 1; color: $foreground-muted; }
    #search-help.-hidden { display: none; }
    """
    BINDINGS = [
        Binding("ctrl+s", "export", "Export", id="search.export", priority=True),
        Binding("down", "results", "Results", show=False, id="search.results"),
        Binding("slash", "focus_input", "Search field", show=False, id="search.focus"),
        Binding("escape", "back", "Back", show=False, id="search.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._serial = 0  # of the latest search started; older answers are dropped
        self._query = SearchQuery()
        self._shown_serial = -1
        self._loading_more = False
        self.searches = 0  # answers shown (tests wait on it)

    def compose(self) -> ComposeResult:
        app = self.smsapp
        yield Input(placeholder="Search messages, e.g. invoice status:failed since:7d", id="search-input")
        yield Static(Text(EMPTY), id="search-summary")
        yield Static(Text(HELP), id="search-help")
        yield SearchResults(id="search-results")
        yield StatusLine(clock=app.clock, tz=app.tz, id="status-line")
        yield QuietFooter()

    def on_mount(self) -> None:
        self.follow_app(self._on_core, lambda _device: None)
        self.query_one("#search-input", Input).focus()

    # ------------------------------------------------------------------ typing

    @on(Input.Changed, "#search-input")
    def _typed(self, event: Input.Changed) -> None:
        self.search(event.value)

    def search(self, typed: str) -> None:
        """Start the search for ``typed`` (what the field holds), cancelling the one under way."""
        from smstui.core.gateway_time import local_zone

        app = self.smsapp
        self._serial += 1
        self.workers.cancel_group(self, "search")
        self._loading_more = False
        parsed = parse_search_input(typed, now=app.clock(), zone=app.tz or local_zone(), phone_key=app.store.phone_key)
        self._query = SearchQuery(parsed.text, parsed.filters)
        self.query_one("#search-help").set_class(bool(typed.strip()), "-hidden")
        if not typed.strip():
            self._show_summary(Text(EMPTY))
            self.query_one(SearchResults).show([], [], more=False, append=False)
            self._shown_serial = self._serial
            self.searches += 1
            return
        self._run(self._serial, self._query, parsed.problems)

    @store_read("search", "search the messages")
    def _run(self, serial: int, query: SearchQuery, problems: tuple[str, ...], before: Any = None) -> None:
        worker = get_current_worker()
        app = self.smsapp
        page = app.store.search_messages(query, limit=PAGE, before=before, count_cap=COUNT_CAP)
        count = None if before is not None else page.total
        prompts = self._prompts(page)
        if worker.is_cancelled:
            return
        self.app.call_from_thread(self._show, serial, page, prompts, count, problems, before is not None)

    def _prompts(self, page: SearchPage) -> list[Text]:
        app = self.smsapp
        now = app.clock()
        names = app.device_names()
        width = max(20, self.query_one(SearchResults).scrollable_content_region.width - 1)
        return [
            result_prompt(
                m,
                page.names.get(m.phone_key),
                page.words,
                now=now,
                tz=app.tz,
                device=names.get(m.device_id) if m.device_id is not None else None,
                width=width,
            )
            for m in page.messages
        ]

    def _show(
        self,
        serial: int,
        page: SearchPage,
        prompts: list[Text],
        count: int | None,
        problems: tuple[str, ...],
        append: bool,
    ) -> None:
        if serial != self._serial:
            return  # an older search's answer: the field has changed since
        results = self.query_one(SearchResults)
        results.show(prompts, page.messages, more=page.more, append=append)
        self._loading_more = False
        self._shown_serial = serial
        self.searches += 1
        if not append:
            self._summary(count or 0, problems)

    def _summary(self, count: int, problems: tuple[str, ...]) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        if problems:
            text.append(problems[0], style="bold")
            self._show_summary(text, problem=True)
            return
        query = self._query
        if count == 0:
            text.append("No stored message matches.")
        else:
            shown = f"{count:,}+" if count >= COUNT_CAP else f"{count:,}"
            text.append(f"{shown} message{'s' if count != 1 else ''}", style="bold")
            text.append(", newest first")
        filters = describe_filters(query.filters, self.smsapp.device_name)
        if filters:
            text.append(" · " + ", ".join(filters))
        text.append("  enter: open · ctrl+s: export", style="dim")
        self._show_summary(text)

    def _show_summary(self, text: Text, *, problem: bool = False) -> None:
        summary = self.query_one("#search-summary", Static)
        summary.update(text)
        summary.set_class(problem, "-problem")

    # ------------------------------------------------------------------ the results

    @on(Input.Submitted, "#search-input")
    def action_results(self) -> None:
        results = self.query_one(SearchResults)
        if results.option_count:
            results.focus()

    def action_focus_input(self) -> None:
        self.query_one("#search-input", Input).focus()

    @on(OptionList.OptionHighlighted, "#search-results")
    def _highlighted(self) -> None:
        results = self.query_one(SearchResults)
        if results.at_end and not self._loading_more and self._shown_serial == self._serial:
            self._loading_more = True
            last = results.messages[-1]
            self._run(self._serial, self._query, (), (last.created.timestamp(), last.lid))

    @on(OptionList.OptionSelected, "#search-results")
    def _open(self) -> None:
        message = self.query_one(SearchResults).selected_message
        if message is not None:
            self.smsapp.go_to_message(message.phone_key, message.lid)

    def action_export(self) -> None:
        from smstui.tui.dialogs.export import open_export

        query = self._query
        what = "every stored message"
        if query.text or not query.filters.empty:
            parts = [f"“{query.text}”"] if query.text else []
            parts += describe_filters(query.filters, self.smsapp.device_name)
            what = "the messages found: " + ", ".join(parts)
        open_export(self.smsapp, query, what, slug="search")

    def on_resize(self) -> None:
        # Results are cut to the list's width (an option list would wrap them): cut them again.
        value = self.query_one("#search-input", Input).value
        if value.strip() and self.query_one(SearchResults).option_count:
            self.search(value)

    def action_back(self) -> None:
        self.app.switch_mode("messages")

    def _on_core(self, message: msgs.CoreMessage) -> None:
        # New messages from a sync: while the user is typing, the list follows; once they move
        # through the results it stays put under them.
        if isinstance(message, msgs.CoreMessagesChanged) and self.query_one("#search-input", Input).has_focus:
            value = self.query_one("#search-input", Input).value
            if value.strip():
                self.search(value)
