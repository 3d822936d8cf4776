"""``smstui --demo``: the app logged in against the simulator, with live-looking traffic.

The simulator runs on a free loopback port with the demo history, a real clock, statuses that
advance every few seconds and contacts that write in by themselves. The app runs its own webhook
receiver (``[ui] webhook_listen``) and the simulator pushes to it (statuses, replies, now and
then a WhatsApp image), so updates arrive pushed, and polling is the safety net. Config, tokens and the
database live in a temporary directory, so the demo never touches the user's own profiles.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

DEMO_STEP_SECONDS = 4.0
DEMO_AMBIENT_SECONDS = 25.0
DEMO_REFRESH_SECONDS = 3.0
# The demo's own config: the in-app receiver on any free loopback port, and a short safety-net
# poll so the demo shows both (push · just now, and a poll every half minute).
DEMO_CONFIG = """\
[ui]
webhook_listen = "127.0.0.1:0"
webhook_refresh_interval = 30
"""


def seed_local_contacts(store, state) -> None:  # type: ignore[no-untyped-def]
    """Copy the simulator's tags and contacts into the local store, so threads show names.

    The gateway cannot list tags or contacts; a real user's store learns them as they are created
    in the app. The demo account was "created" elsewhere, so the demo hands them over here.
    """
    with state.lock:
        tags = list(state.tags.values())
        contacts = list(state.contacts.values())
    local: dict[int, int] = {}
    for tag in tags:
        local[tag.id] = store.add_tag(tag.title, tag.id)
    for contact in contacts:
        if contact.tag_id in local:
            store.add_contact(local[contact.tag_id], contact.phone, contact.name, contact.id)


def run_demo(
    *,
    port: int = 0,
    step_seconds: float = DEMO_STEP_SECONDS,
    ambient_seconds: float | None = DEMO_AMBIENT_SECONDS,
    refresh_seconds: float = DEMO_REFRESH_SECONDS,
    data_dir: str | Path | None = None,
) -> None:
    """Start the simulator, log in to it, run the app, and stop the simulator on exit."""
    from smstui.simulator.runner import SimulatorServer, make_state

    with tempfile.TemporaryDirectory(prefix="smstui-demo-") as tmp:
        root = Path(data_dir) if data_dir is not None else Path(tmp)
        # Environment, not arguments: the token store and paths read these everywhere.
        os.environ["SMSTUI_DATA_DIR"] = str(root / "data")
        os.environ["SMSTUI_CONFIG"] = str(root / "config.toml")
        os.environ.pop("SMSTUI_PROFILE", None)
        os.environ.pop("SMSTUI_API_URL", None)
        config = root / "config.toml"
        if not config.exists():  # never rewrite a config that is there (a data_dir given)
            config.parent.mkdir(parents=True, exist_ok=True)
            config.write_text(DEMO_CONFIG, encoding="utf-8")
        state = make_state(step_seconds=step_seconds, data="demo", ambient_seconds=ambient_seconds)
        state.reply_images = True  # WhatsApp replies are now and then an image
        server = SimulatorServer(state, port=port).start()
        try:
            from smstui.core.session import open_session
            from smstui.tui.app import make_app

            session = open_session(api_url=server.url)
            seed_local_contacts(session.store, state)
            app = make_app(session, demo=True, refresh_interval=refresh_seconds, autologin=server.credentials)
            # The vendor's device settings, set for the user: push to the app's own receiver.
            app.push.on_url = server.set_webhook_url
            try:
                app.run()
            finally:
                asyncio.run(_close(app.session))
        finally:
            server.stop()


async def _close(session) -> None:  # type: ignore[no-untyped-def]
    try:
        await session.aclose()
    except Exception:  # closing at exit must not hide the app's own outcome
        pass
