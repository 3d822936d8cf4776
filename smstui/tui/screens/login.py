"""Login: email, password (masked), API URL and profile, 'remember me'.

A failed login keeps everything typed and says what went wrong in words: a wrong password, a
server that cannot be reached, or the gateway's own refusal.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Label, Static

from smstui.core.region import SOURCE_CONFIG
from smstui.tui.app_interface import LoginForm
from smstui.tui.screen_base import SmsScreen
from smstui.tui.widgets.format import clean
from smstui.tui.widgets.quiet_footer import QuietFooter
from smstui.tui.workers import task


def describe_login_error(exc: BaseException, api_url: str) -> str:
    """A sentence for the user; never contains the password or a token."""
    from smstui.core.api.errors import AuthError, GatewayError, TransportError

    if isinstance(exc, AuthError):
        # The client's sentence carries the gateway's own words ("wrong password", "blocked"...).
        return clean(str(exc), single_line=True) or "Wrong email or password. Check both and try again."
    if isinstance(exc, GatewayError):
        return f"The gateway refused the login: {clean(exc.gateway_message, single_line=True) or 'no reason given'}"
    if isinstance(exc, TransportError):
        # The client's sentence already names the URL and what to check; saying it again around
        # it read "Cannot reach the server at X: Cannot reach the gateway at X. ..." (issue 13).
        return clean(str(exc), single_line=True) or (
            f"Cannot reach the server at {clean(api_url, single_line=True)}. Check the API URL and your connection."
        )
    return clean(str(exc), single_line=True) or type(exc).__name__


def login_error_field(exc: BaseException) -> str:
    """The form field to fix after ``exc``: ``url`` when the server could not be reached or is
    not the gateway, ``password`` otherwise (wrong credentials, a refusal, a passing fault)."""
    from smstui.core.api.errors import TransportError
    from smstui.core.config import ConfigError

    if isinstance(exc, ConfigError):
        return "url"
    if isinstance(exc, TransportError):
        # Kinds where the request never reached a gateway, or reached something that is not one;
        # a 5xx or a dropped connection is the gateway's passing fault: trying again is the fix.
        if exc.kind in ("connect", "url", "redirect", "not_json", "timeout") or not exc.maybe_accepted:
            return "url"
    return "password"


class LoginScreen(SmsScreen):
    """The base screen of the app's "login" mode; the app leaves the mode once logged in."""

    DEFAULT_CSS = """
    LoginScreen {
        align: center middle;
    }

    #login-dialog {
        width: 72;
        max-width: 100%;
        height: auto;
        border: round $primary;
        padding: 0 2;
        background: $surface;
    }

    #login-title {
        height: 1;
        margin-bottom: 1;
    }

    #login-reason {
        height: auto;
        color: $warning;
        margin-bottom: 1;
    }

    .login-row {
        height: 1;
        margin-bottom: 1;
    }

    .login-label {
        width: 10;
        color: $foreground-muted;
    }

    .login-row Input {
        width: 1fr;
        background: $boost;
    }

    #login-region-row {
        height: auto;
        margin-bottom: 1;
    }

    #login-region {
        width: 1fr;
    }

    #login-actions {
        height: 1;
    }

    #login-remember {
        width: 1fr;
        border: none;
        padding: 0;
        background: transparent;
    }

    #login-message {
        height: auto;
        min-height: 1;
        margin-top: 1;
        color: $foreground-muted;
    }

    #login-message.-error {
        color: $error;
        text-style: bold;
    }
    """

    BINDINGS = [
        Binding("ctrl+s", "login", "Log in", id="login.submit", priority=True),
        # One key, two meanings: quit at the app's first login, back where there is a session to
        # go back to (switching profile, a lapsed session). check_action keeps one, so the footer
        # says what Esc does; one id, so a remap moves both.
        Binding("escape", "cancel", "Quit", id="login.cancel"),
        Binding("ctrl+g", "choose_region", "Region", id="login.region"),
        Binding("escape", "back", "Back", id="login.cancel"),
    ]

    def __init__(
        self,
        *,
        email: str = "",
        api_url: str = "",
        profile: str = "default",
        remember: bool = True,
        reason: str | None = None,
        can_cancel: bool = False,
    ) -> None:
        super().__init__()
        self._email = email
        self._api_url = api_url
        self._profile = profile
        self._remember = remember
        self._reason = reason
        self._can_cancel = can_cancel

    def compose(self) -> ComposeResult:
        with Vertical(id="login-dialog"):
            yield Static(Text("smstui · log in to SMSGateway24", style="bold"), id="login-title")
            if self._reason:
                yield Static(Text(self._reason), id="login-reason")
            for label, widget in (
                ("Email", Input(self._email, placeholder="you@example.com", id="login-email", compact=True)),
                ("Password", Input(placeholder="password", password=True, id="login-password", compact=True)),
                ("API URL", Input(self._api_url, id="login-url", compact=True)),
                ("Profile", Input(self._profile, id="login-profile", compact=True)),
            ):
                with Horizontal(classes="login-row"):
                    yield Label(label, classes="login-label")
                    yield widget
            with Horizontal(id="login-region-row"):
                yield Label("Region", classes="login-label")
                yield Static(self._region_text(self._profile), id="login-region")
            with Horizontal(id="login-actions"):
                yield Checkbox(
                    "Remember me (keep the password to renew the session)",
                    self._remember,
                    id="login-remember",
                    compact=True,
                )
                yield Button("Log in", id="login-button", variant="primary", compact=True)
            yield Static("", id="login-message")
        yield QuietFooter()

    def _region_text(self, profile: str) -> Text:
        """The region national numbers are read in, and where it came from (smstui.core.region)."""
        session = self.smsapp.session
        if profile != session.profile.name:
            return Text(f"of profile {profile}: its config's, else learnt from its phones' SIMs at login")
        info = session.regions.info()
        if info.region is None and not info.undecided:
            text = Text("none yet: learnt from your phones' SIMs at login (or set region in the profile)")
        else:
            text = Text(info.describe())
        if self.check_action("choose_region", ()) is True:
            text.append(" · ctrl+g: change" if info.region else " · ctrl+g: choose", style="bold")
        return text

    @on(Input.Changed, "#login-profile")
    def _profile_changed(self, event: Input.Changed) -> None:
        self.query_one("#login-region", Static).update(self._region_text(event.value.strip() or "default"))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose_region":
            # Only when the SIMs give a choice the profile's config does not settle.
            session = self.smsapp.session
            info = session.regions.info()
            profile = self.query("#login-profile")
            same = not profile or (profile.first(Input).value.strip() or "default") == session.profile.name
            return same and info.source != SOURCE_CONFIG and len(info.seen) > 1
        # Esc: quit at the first login, back where there is a session to go back to.
        if action == "cancel":
            return not self._can_cancel
        if action == "back":
            return self._can_cancel
        return True

    def action_choose_region(self) -> None:
        from smstui.tui.region_prompt import ask_region

        ask_region(self.smsapp)

    def refresh_region(self) -> None:
        """The region changed (chosen in the dialog, learnt by a refresh): show it."""
        self.query_one("#login-region", Static).update(self._region_text(self.form().profile))
        self.refresh_bindings()

    def on_mount(self) -> None:
        target = "#login-password" if self._email else "#login-email"
        self.query_one(target, Input).focus()

    def form(self) -> LoginForm:
        value = lambda name: self.query_one(f"#login-{name}", Input).value  # noqa: E731
        return LoginForm(
            email=value("email").strip(),
            password=value("password"),
            api_url=value("url").strip(),
            profile=value("profile").strip() or "default",
            remember=self.query_one("#login-remember", Checkbox).value,
        )

    def show_message(self, text: str, *, error: bool = True) -> None:
        message = self.query_one("#login-message", Static)
        message.set_class(error, "-error")
        message.update(Text(text))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        order = ["login-email", "login-password", "login-url", "login-profile"]
        current = event.input.id or ""
        if current == "login-email" and not self.query_one("#login-password", Input).value:
            self.query_one("#login-password", Input).focus()
            return
        if current in order:
            self.action_login()

    @on(Button.Pressed, "#login-button")
    def _pressed(self) -> None:
        self.action_login()

    def action_login(self) -> None:
        form = self.form()
        if not form.email:
            self.show_message("Enter the email of your SMSGateway24 account.")
            self.query_one("#login-email", Input).focus()
            return
        if not form.password:
            self.show_message("Enter your password.")
            self.query_one("#login-password", Input).focus()
            return
        problem = self._form_problem(form)
        if problem is not None:
            field, text = problem
            self.show_message(text)
            self.query_one(f"#login-{field}", Input).focus()
            return
        self.show_message("Logging in…", error=False)
        self.query_one("#login-button", Button).disabled = True
        self._login(form)

    @staticmethod
    def _form_problem(form: LoginForm) -> tuple[str, str] | None:
        """A field that cannot work (a URL that is no http(s) URL, a bad profile name), checked
        before any request so the cursor lands where the fix is."""
        from smstui.core.config import ConfigError, normalize_api_url
        from smstui.core.paths import validate_profile_name

        if form.api_url:
            try:
                normalize_api_url(form.api_url)
            except ConfigError as exc:
                return "url", f"{clean(str(exc), single_line=True)}."
        try:
            validate_profile_name(form.profile)
        except ValueError as exc:
            text = clean(str(exc), single_line=True)
            return "profile", f"{text[:1].upper()}{text[1:]}."
        return None

    @task("login", "log in", exclusive=True)
    async def _login(self, form: LoginForm) -> None:
        try:
            await self.smsapp.login(form)
        except Exception as exc:  # every failure becomes words under the form, never a traceback
            self.query_one("#login-button", Button).disabled = False
            self.show_message(describe_login_error(exc, form.api_url))
            self.query_one(f"#login-{login_error_field(exc)}", Input).focus()
            return
        # On success the app switches to the conversations; this screen goes with the mode.

    def action_cancel(self) -> None:
        if self._can_cancel:
            self.smsapp.cancel_login()
        else:
            self.app.exit()

    def action_back(self) -> None:
        self.action_cancel()
