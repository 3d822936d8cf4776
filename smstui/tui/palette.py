"""Command palette (ctrl+p): app actions, and 'go to' any device or recent conversation."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher
from textual.markup import escape

from smstui.core.phone import format_display
from smstui.core.store.messages import Thread
from smstui.tui.app_interface import SmsAppBase, sms_app
from smstui.tui.modes import OTHER_MODES
from smstui.tui.widgets.format import clean


def highlight_plain(matcher: Matcher, title: str) -> Content:
    """Like ``Matcher.highlight`` but for data: the title is never parsed as markup."""
    content = Content(title)
    score, offsets = matcher.fuzzy_search.match(matcher.query, title)
    if score:
        for offset in offsets:
            if not title[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


def _find_message(app: SmsAppBase, sms_id: int | None = None) -> None:
    from smstui.tui.dialogs.find_message import (
        open_find_message,  # when used: the palette stays light
    )

    open_find_message(app, sms_id)


class SmsCommands(Provider):
    """Actions plus one command per device and per recent conversation."""

    _threads: list[Thread]

    @property
    def smsapp(self) -> SmsAppBase:
        return sms_app(self.app)

    async def startup(self) -> None:
        app = self.smsapp
        self._threads = []
        if app.session_ready:
            worker = app.run_worker(
                lambda: app.store.threads(limit=200),
                thread=True,
                group="palette",
                name="palette-threads",
                description="recent conversations for the palette",
                exit_on_error=False,
            )
            await worker.wait()
            self._threads = worker.result or []

    def _actions(self) -> list[tuple[str, str, object]]:
        app = self.smsapp
        items: list[tuple[str, str, object]] = [
            ("New message", "Write a message to one or many numbers", app.action_compose),
            (
                "Find message by gateway id…",
                "Open a message by the id the gateway gave it, e.g. #62807347",
                partial(_find_message, app),
            ),
            ("Refresh now", "Sync messages and devices with the gateway", app.action_refresh),
            (
                "Scheduled messages",
                "Every message still waiting for its time, with the time left",
                app.action_show_scheduled,
            ),
            ("Conversations", "Show the conversation list", partial(app.switch_mode, "messages")),
            ("Devices", "Show the phones and their SIMs", partial(app.switch_mode, "devices")),
            ("Show all devices' conversations", "Clear the device filter", partial(app.set_device_filter, None)),
            ("Switch profile", "Log in to another account or gateway", app.action_switch_profile),
            ("Toggle theme", "Switch between the dark and light theme", app.action_toggle_theme),
            ("Help", "List the keys", app.action_help),
            ("Log out", "Forget this profile's session token", app.action_logout),
        ]
        for mode in OTHER_MODES:
            items.append((mode.title, mode.help, partial(app.switch_mode, mode.name)))
        return items

    def _goto(self) -> list[tuple[str, str, object]]:
        app = self.smsapp
        items: list[tuple[str, str, object]] = []
        for stored in app.devices:
            title = clean(stored.device.title, single_line=True)
            items.append(
                (
                    f"Go to device: {title}",
                    f"Conversations of device #{stored.device.id}",
                    partial(app.go_to_device, stored.device.id),
                )
            )
        for thread in self._threads:
            number = (
                format_display(thread.phone_key)
                if thread.phone_key.startswith("+")
                else clean(thread.phone, single_line=True)
            )
            label = clean(thread.name, single_line=True) if thread.name else number
            items.append((f"Go to thread: {label}", number, partial(app.go_to_thread, thread.phone_key)))
        return items

    async def discover(self) -> Hits:
        for title, help_text, callback in self._actions():
            yield DiscoveryHit(Content(title), callback, help=escape(help_text))  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        from smstui.core.lookup import id_query, parse_gateway_id

        if id_query(query):  # "#62807347": that message, straight away
            try:
                sms_id = parse_gateway_id(query)
            except ValueError:
                pass
            else:
                yield Hit(
                    1.0,
                    Content(f"Find message #{sms_id}"),
                    partial(_find_message, self.smsapp, sms_id),
                    help="Open its conversation at it (asks the gateway if it is not stored)",
                )
        matcher = self.matcher(query)
        for title, help_text, callback in [*self._actions(), *self._goto()]:
            haystack = f"{title} {help_text}"
            score = matcher.match(haystack)
            if score > 0:
                yield Hit(score, highlight_plain(matcher, title), callback, help=escape(help_text))  # type: ignore[arg-type]
