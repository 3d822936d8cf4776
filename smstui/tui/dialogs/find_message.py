"""Find a message by its gateway id (the palette, or ``#id`` + Enter in the conversation filter).

The store answers first. An id it lacks is looked up on the gateway only when the user asks
(Enter again): that is a request to the network, and most ids people paste are simply mistyped.
The dialog says plainly what it found: the message (then its conversation opens at it), that the
gateway has no such message, or that the gateway knows it but smstui cannot list it, and why.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from smstui.core.lookup import EXAMPLE_ID, parse_gateway_id
from smstui.tui.app_interface import SmsAppBase, sms_app
from smstui.tui.textual_internals import QuietFocus
from smstui.tui.widgets.format import clean
from smstui.tui.workers import store_read, task

if TYPE_CHECKING:
    from smstui.core.lookup import Fetched

#: (phone_key, lid) of the message found.
Found = tuple[str, int]
HINT = "enter: find · esc: cancel"
ASK_HINT = "enter: ask the gateway · esc: cancel"


class FindMessageDialog(QuietFocus, ModalScreen[Found | None]):
    """Asks for a gateway id; dismisses with the message's (phone_key, lid), or None."""

    DEFAULT_CSS = """
    FindMessageDialog { align: center middle; }
    FindMessageDialog > Vertical {
        width: 68; max-width: 100%; height: auto; border: round $primary; padding: 0 1; background: $surface;
    }
    FindMessageDialog .dialog-title { text-style: bold; margin-bottom: 1; }
    FindMessageDialog #find-result { height: auto; margin-top: 1; }
    FindMessageDialog #find-result.-error { color: $error; }
    FindMessageDialog #find-hint { color: $foreground-muted; margin-top: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="find_message.cancel")]

    def __init__(self, value: str = "", *, not_stored: bool = False) -> None:
        """``not_stored``: the caller looked ``value`` up in the store already, in vain."""
        super().__init__()
        self.initial = value
        self._not_stored = not_stored
        self._asked: int | None = None  # the id the store lacks, which Enter now asks the gateway about
        self.busy = False

    @property
    def smsapp(self) -> SmsAppBase:
        return sms_app(self.app)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Find a message by its gateway id", classes="dialog-title")
            yield Input(self.initial, placeholder=f"Gateway id, e.g. {EXAMPLE_ID}", id="find-id", max_length=40)
            yield Static("", id="find-result")
            yield Static(HINT, id="find-hint")

    def on_mount(self) -> None:
        self.query_one("#find-id", Input).focus()
        if self._not_stored:
            try:
                self._offer_gateway(parse_gateway_id(self.initial))
            except ValueError:
                pass

    def _say(self, text: str | Text, *, error: bool = False, hint: str = HINT) -> None:
        result = self.query_one("#find-result", Static)
        # A Text, never a str: the gateway's answer is data, and a str would be read as markup.
        result.update(Text(text) if isinstance(text, str) else text)
        result.set_class(error, "-error")
        self.query_one("#find-hint", Static).update(Text(hint))

    def _offer_gateway(self, sms_id: int) -> None:
        self._asked = sms_id
        self._say(
            f"Message #{sms_id} is not in the local store (smstui keeps what it has synced). "
            "It can ask the gateway for it.",
            hint=ASK_HINT,
        )

    @on(Input.Changed, "#find-id")
    def _changed(self, event: Input.Changed) -> None:
        try:
            typed: int | None = parse_gateway_id(event.value)
        except ValueError:
            typed = None
        if self._asked is not None and typed != self._asked:
            self._asked = None
            self._say("")

    @on(Input.Submitted, "#find-id")
    def action_submit(self) -> None:
        if self.busy:
            return
        try:
            sms_id = parse_gateway_id(self.query_one("#find-id", Input).value)
        except ValueError as exc:
            self._say(str(exc), error=True)
            return
        if sms_id == self._asked:
            self._ask_gateway(sms_id)
        else:
            self._look_in_store(sms_id)

    @store_read("find-message", "look a gateway id up in the store", name="find-in-store")
    def _look_in_store(self, sms_id: int) -> None:
        found = self.smsapp.store.message_by_sms_id(sms_id)
        if found is not None:
            self.app.call_from_thread(self.dismiss, (found.phone_key, found.lid))
        else:
            self.app.call_from_thread(self._offer_gateway, sms_id)

    @task("find-message", "ask the gateway for a message", name="find-on-gateway", exclusive=True)
    async def _ask_gateway(self, sms_id: int) -> None:
        from smstui.core.api.errors import ApiError, AuthError, GatewayError
        from smstui.core.lookup import fetch_message

        session = self.smsapp.session
        self.busy = True
        self._say(f"Asking the gateway about #{sms_id}…", hint="esc: cancel")
        try:
            # Made off the UI's loop: a first use of the client imports the HTTP stack.
            client, outbox = await asyncio.to_thread(lambda: (session.client, session.outbox))
            fetched = await session.on_network(
                fetch_message(client, session.store, sms_id, now=session.store.now(), fold=outbox.fold_from_sync)
            )
        except GatewayError as exc:
            said = clean(exc.gateway_message, single_line=True) or "no reason given"
            self._say(
                f"The gateway has no message #{sms_id} (it answered: {said}). Check the id: the "
                "dashboard and smstui send show it.",
                error=True,
            )
            return
        except AuthError:
            self._say(
                "The gateway no longer accepts this session: log in again (ctrl+l), then try again.",
                error=True,
                hint=ASK_HINT,
            )
            return
        except ApiError as exc:
            self._say(f"{clean(str(exc), single_line=True)} Enter tries again.", error=True, hint=ASK_HINT)
            return
        except Exception as exc:  # the store, say: never a traceback
            self._say(
                f"The lookup failed: {clean(str(exc), single_line=True) or type(exc).__name__}.",
                error=True,
                hint=ASK_HINT,
            )
            return
        finally:
            self.busy = False
        self._fetched(sms_id, fetched)

    def _fetched(self, sms_id: int, fetched: Fetched) -> None:
        message = fetched.message
        if message is not None:
            from smstui.core import events
            from smstui.tui import app_messages as msgs

            # The conversation list and an open thread follow the newly stored message.
            self.app.post_message(msgs.CoreMessagesChanged(events.MessagesChanged(frozenset({message.phone_key}))))
            self.dismiss((message.phone_key, message.lid))
            return
        status = fetched.status
        self._say(
            f"Message #{sms_id} is on the gateway: status {status.status} {status.title}. "
            f"{fetched.reason or ''}".strip(),
            hint="esc: close",
        )

    def action_cancel(self) -> None:
        self.dismiss(None)


def open_find_message(app: SmsAppBase, sms_id: int | None = None) -> None:
    """The palette's "Find message by gateway id…": the dialog, then the conversation at it.

    With ``sms_id`` (typed as ``#62807347`` in the palette) a stored message opens at once."""

    def done(found: Found | None) -> None:
        if found is not None:
            app.go_to_message(*found)

    if sms_id is None:
        app.push_screen(FindMessageDialog(), done)
        return

    async def find() -> None:
        found = await asyncio.to_thread(app.store.message_by_sms_id, sms_id)
        if found is not None:
            app.go_to_message(found.phone_key, found.lid)
        else:
            app.push_screen(FindMessageDialog(str(sms_id), not_stored=True), done)

    app.run_worker(
        find(),
        group="find-message",
        exclusive=True,
        name="find-message",
        exit_on_error=False,
        description="find a message by its gateway id",
    )
