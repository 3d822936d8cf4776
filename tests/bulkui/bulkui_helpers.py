"""Helpers for the Pilot tests of the tags, newsletters and bulk screens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from types import SimpleNamespace
from typing import Any

from pilot_helpers import BERLIN, wait_for
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen


class Host(App[None]):
    """A bare app that shows one screen: the screens under test stand alone, as in the real app."""

    def __init__(self, make_screen: Callable[[], Screen[Any]], *, clock: Callable[[], Any], session: Any) -> None:
        super().__init__()
        self._make_screen = make_screen
        self.clock = clock
        self.tz = BERLIN
        self.session = session

    def on_mount(self) -> None:
        self.push_screen(self._make_screen())


def make_session(store: Any, client: Any, *, region: str | None = "DE", batch_size: int = 100) -> SimpleNamespace:
    config = SimpleNamespace(bulk=SimpleNamespace(batch_size=batch_size))
    return SimpleNamespace(store=store, client=client, region=region, config=config, profile=None)


async def idle(pilot: Pilot) -> None:
    """Wait until every worker has finished."""
    await wait_for(pilot, lambda: all(w.is_finished for w in pilot.app.workers), "workers to finish")
    await pilot.pause()


def table_rows(app: App[Any], selector: str) -> list[list[str]]:
    from textual.widgets import DataTable

    table = app.screen.query_one(selector, DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


# ---------------------------------------------------------------------------- fixed data

FIXED_NOW = 1779271200.0  # 2026-05-20 10:00 UTC, the simulator's FakeClock start


def fixed_clock() -> Any:
    from datetime import datetime

    return datetime.fromtimestamp(FIXED_NOW, UTC)


def seed_store(store: Any) -> None:
    """Local data for snapshots and screenshots: no network, the same on every run."""
    from datetime import datetime, timedelta

    from smstui.core.bulk.plan import BulkRow
    from smstui.core.bulk.runner import BulkJob
    from smstui.core.gateway_messages import Message
    from smstui.core.models import Device, SimCard
    from smstui.core.store.schema import UNKNOWN

    now = datetime.fromtimestamp(FIXED_NOW, UTC)
    store.save_devices(
        [
            Device(
                11231,
                "Pixel 7 (office)",
                sims=(SimCard(0, "+4915112345671", "Telekom.de"), SimCard(1, "+4917698765433", "o2 - de")),
            ),
            Device(1297, "Galaxy A12 (travel)", sims=(SimCard(0, "+4915752982212", "Vodafone"),)),
        ]
    )
    berlin = store.add_tag("Customers Berlin", 8304)
    team = store.add_tag("Team", 8305)
    store.add_tag("Trade fair leads", None)  # pending: the gateway never confirmed it
    store.add_tag("", 8310)  # made on the vendor's dashboard, known only by its id
    for index, (phone, name) in enumerate(
        (
            ("+4915752982212", "Anna Schmidt"),
            ("+4917612345678", "Bob [bold]Builder[/bold]"),
            ("+4915123450000", "Café Müller"),
            ("+4930123456789", ""),
        )
    ):
        store.add_contact(berlin, phone, name, 15954766 + index)
    store.add_contact(team, "+4915752982212", "Anna Schmidt", 15954770)
    store.add_contact(team, "+4916098765432", "Deniz", None)
    store.add_newsletter(
        gateway_id=1012,
        title="Summer sale",
        device_id=11231,
        slot=0,
        body="20% off everything until Sunday! Reply STOP to opt out.",
        tag_ids=[8304],
        send_at=None,
    )
    store.add_newsletter(
        gateway_id=1013,
        title="Opening hours",
        device_id=11231,
        slot=1,
        body="We open at 9:00 from Monday.",
        tag_ids=[8304, 8305],
        send_at=now + timedelta(days=2),
    )
    store.add_newsletter(
        gateway_id=None, title="Lost answer", device_id=1297, slot=0, body="Test", tag_ids=[8305], send_at=None
    )
    statuses = (7, 7, 9, 6)
    store.upsert_messages(
        [
            Message(
                id=62900000 + i,
                phone=phone,
                body="20% off everything until Sunday! Reply STOP to opt out.",
                status=status,
                device_id=11231,
                slot=0,
                created=now - timedelta(hours=1),
                paket_id=1012,
                paket_title="Summer sale",
            )
            for i, (phone, status) in enumerate(
                zip(("+4915752982212", "+4917612345678", "+4915123450000", "+4930123456789"), statuses, strict=False)
            )
        ],
        mark_unseen=False,
    )
    store.save_template("Pickup", "Hi {name}, order {order} is ready for pickup.")
    rows = [BulkRow(f"+49157{i:07d}2", f"Your code is {1000 + i}") for i in range(40)]
    job = BulkJob.create(store, None, rows, device_id=11231, batch_size=10, title="Codes May")
    for index, row in enumerate(job.rows()[:25]):
        store.attach_sms_ids([(row.lid, 63000000 + index, 7 if index % 5 else 6)])
    store.set_outbox_states([job.rows()[25].lid], UNKNOWN, error="the answer was lost")
    job._set_state("paused")
