"""The app's side of the default region (:mod:`smstui.core.region`): say what was learnt, ask when
the phones' SIMs disagree, keep the user's choice.

The refresh worker reports what a device refresh learnt as a ``RegionChanged`` core event; the
app hands it to :func:`region_changed`, which tells every screen (they re-read the conversations,
whose keys may have changed) and asks the question once per set of regions the SIMs show.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smstui.tui import app_messages as msgs

if TYPE_CHECKING:
    from smstui.core.session import Session
    from smstui.tui.app_interface import SmsAppBase


def region_changed(app: SmsAppBase, message: msgs.CoreRegionChanged) -> None:
    event = message.event
    _follow_in_forms(app, app.region)
    app.core_signal.publish(message)
    if event.learnt and event.region:
        app.notify(
            f"Region {event.region}, from your phones' SIMs: numbers without +country are read "
            f"as {event.region} numbers.",
            title="Region",
            timeout=8,
        )
    if event.ask:
        ask_region(app)


def _follow_in_forms(app: SmsAppBase, region: str | None) -> None:
    """Open compose forms (the new-message modal) read numbers with the new region; the login
    screen shows it."""
    from smstui.tui.widgets.compose_form import ComposeForm

    for screen in app.screen_stack:
        for form in screen.query(ComposeForm):
            form.set_region(region)
        refresh = getattr(screen, "refresh_region", None)
        if callable(refresh):
            refresh()


def ask_region(app: SmsAppBase) -> None:
    """Ask which region the SIMs' regions should be read in (one dialog at a time)."""
    from smstui.core.region import sims_by_region
    from smstui.tui.dialogs.region import RegionDialog

    if any(isinstance(screen, RegionDialog) for screen in app.screen_stack):
        return
    session = app.session
    info = session.regions.info()
    if len(info.seen) < 2:
        return
    sims = sims_by_region(d.device for d in session.store.devices())

    def done(choice: str | None) -> None:
        app.run_worker(
            lambda: _settle(app, session, choice),
            thread=True,
            group="region",
            name="choose-region",
            exit_on_error=False,
            description="set the region",
        )

    app.push_screen(RegionDialog(info.seen, sims, info.region), done)


def _settle(app: SmsAppBase, session: Session, choice: str | None) -> None:
    """The dialog's answer, in a thread: choosing re-keys the store (one transaction)."""
    from smstui.core.config import ConfigError
    from smstui.core.events import RegionChanged

    if choice is None:
        info = session.regions.info()
        if info.undecided:
            session.regions.put_off()
        if info.region is None:
            app.notify(
                "No region chosen: write numbers with their +country code, or choose on the login "
                "screen (ctrl+l) or set region in the profile.",
                title="Region",
                timeout=8,
            )
        return  # a region in effect stays as it is
    try:
        news = session.regions.choose(choice)
    except ConfigError as exc:
        app.notify(str(exc), title="Region not changed", severity="warning")
        return
    app.notify(
        f"Region {news.info.region}: numbers without +country are read as {news.info.region} numbers.",
        title="Region",
        timeout=6,
    )
    if app.session is session:
        app.post_message(msgs.CoreRegionChanged(RegionChanged.of(news)))


__all__ = ["ask_region", "region_changed"]
