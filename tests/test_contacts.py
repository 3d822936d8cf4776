"""Tags, contacts and newsletters against the simulator over real HTTP."""

from __future__ import annotations

import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from smstui.core.api.client import GatewayClient
from smstui.core.api.errors import GatewayError, TransportError
from smstui.core.contacts import (
    ContactError,
    ContactRow,
    add_contact,
    create_newsletter,
    create_tag,
    import_contacts,
    name_tag,
    newsletter_recipients,
    newsletter_state,
    newsletter_stats,
    recipients_count,
    recorded_tags,
    refresh_newsletters,
    tag_for_gateway_id,
    tag_label,
)
from smstui.core.sheets.csv_import import parse_csv
from smstui.core.store.database import Store
from smstui.simulator.testing import TestSimulator
from tests.bulk_helpers import DEVICE, client, store  # noqa: F401  (fixtures)


def sim_contacts(sim: TestSimulator) -> list[tuple[str, int, str]]:
    return sorted((c.phone, c.tag_id, c.name) for c in sim.state.contacts.values())


async def test_create_tag_records_gateway_id_and_reuses_by_title(
    sim_empty: TestSimulator, store: Store, client: GatewayClient
) -> None:
    tag = await create_tag(store, client, "  VIP   customers ")
    assert tag.title == "VIP customers"
    assert tag.gateway_id in sim_empty.state.tags
    again = await create_tag(store, client, "vip customers")
    assert again.id == tag.id
    assert len(sim_empty.state.tags) == 1
    with pytest.raises(ContactError, match="title"):
        await create_tag(store, client, "   ")


async def test_add_contact_is_idempotent_and_names_show_in_conversations(
    sim_empty: TestSimulator, store: Store, client: GatewayClient
) -> None:
    tag = await create_tag(store, client, "Team")
    contact = await add_contact(store, client, tag, "+49 157 52982212", "Ann")
    assert contact.phone == "+4915752982212" and contact.gateway_id is not None
    before = sim_empty.stats.requests["savecontact"]
    again = await add_contact(store, client, tag, "0049 15752982212", "Ann Smith")
    assert again.id == contact.id
    assert sim_empty.stats.requests["savecontact"] == before  # not sent twice
    assert again.name == "Ann Smith"  # the new name is kept locally
    assert store.contact_name(store.phone_key("+4915752982212")) == "Ann Smith"
    with pytest.raises(ContactError, match="letters"):
        await add_contact(store, client, tag, "call me", "x")
    assert sim_contacts(sim_empty) == [("+4915752982212", tag.gateway_id, "Ann")]


async def test_import_from_csv_with_progress_and_rerun_without_duplicates(
    sim_empty: TestSimulator, store: Store, client: GatewayClient
) -> None:
    preview = parse_csv(
        "phone;name;tag\n+4915752982212;Ann;Kunden\n+4917612345678;Bob;Kunden\n+4917612345679;Cem;Team\nbad;X;Team\n"
    )
    seen: list[tuple[int, int]] = []
    report = await import_contacts(store, client, preview.valid_rows, progress=lambda d, t: seen.append((d, t)))
    assert report.complete and len(report.saved) == 3
    assert sorted(report.tags_created) == ["Kunden", "Team"]
    assert seen[-1] == (3, 3)
    assert len(sim_empty.state.contacts) == 3
    rerun = await import_contacts(store, client, preview.valid_rows)
    assert len(rerun.saved) == 0 and len(rerun.skipped_existing) == 3
    assert rerun.tags_created == []
    assert len(sim_empty.state.contacts) == 3 and len(sim_empty.state.tags) == 2
    assert {t.title: t.contact_count for t in store.tags()} == {"Kunden": 2, "Team": 1}


async def test_import_stops_cleanly_on_a_transport_failure_and_resumes(
    sim_empty: TestSimulator, store: Store, client: GatewayClient
) -> None:
    rows = [ContactRow(f"+49157529822{i:02d}", f"N{i}", "Big", line=i + 2) for i in range(10)]

    def progress(done: int, total: int) -> None:
        if done == 4:  # the 5th savecontact never reaches the gateway
            sim_empty.faults.set("drop", methods="savecontact", count=1)

    report = await import_contacts(store, client, rows, progress=progress)
    assert not report.complete
    assert len(report.saved) == 4
    # "drop" may have reached the gateway as far as the client can tell: reported as such.
    [(failed_row, reason)] = report.failed
    assert failed_row is rows[4] and "may have saved" in reason
    assert report.not_attempted == rows[5:]
    assert "Stopped" in report.summary and "Run the import again" in report.summary
    assert any("line 6" in line for line in report.details())
    assert len(sim_empty.state.contacts) == 4

    rerun = await import_contacts(store, client, rows)
    assert rerun.complete
    assert len(rerun.skipped_existing) == 4 and len(rerun.saved) == 6
    assert len({c.phone for c in sim_empty.state.contacts.values()}) == 10
    assert len(sim_empty.state.contacts) == 10  # nothing doubled


async def test_import_refusal_is_per_row_and_cancel_stops(
    sim_empty: TestSimulator, store: Store, client: GatewayClient
) -> None:
    rows = [ContactRow("+4915752982212", "A", "T"), ContactRow("+4915752982213", "B", "")]
    report = await import_contacts(store, client, rows)
    assert len(report.saved) == 1 and report.failed[0][1] == "no tag given"

    cancel = threading.Event()
    many = [ContactRow(f"+49176123456{i:02d}", "", "T") for i in range(5)]

    def progress(done: int, total: int) -> None:
        if done == 2:
            cancel.set()

    cancelled = await import_contacts(store, client, many, progress=progress, cancel=cancel)
    assert cancelled.cancelled and len(cancelled.saved) == 2 and len(cancelled.not_attempted) == 3
    assert "Cancelled" in cancelled.summary


async def test_newsletter_create_count_and_progress(
    sim_empty: TestSimulator, store: Store, client: GatewayClient
) -> None:
    kunden = await create_tag(store, client, "Kunden")
    team = await create_tag(store, client, "Team")
    await add_contact(store, client, kunden, "+4915752982212", "Ann")
    await add_contact(store, client, kunden, "+4915123450000", "Failing")
    await add_contact(store, client, team, "+4915752982212", "Ann")  # in both tags: one message
    assert recipients_count(store, [kunden.id, team.id]) == 2

    now = sim_empty.clock()
    with pytest.raises(ContactError, match="past"):
        await create_newsletter(
            store,
            client,
            title="x",
            device_id=DEVICE,
            body="b",
            tags=[kunden],
            send_at=now - timedelta(minutes=1),
            now=now,
        )
    with pytest.raises(ContactError, match="tag"):
        await create_newsletter(store, client, title="x", device_id=DEVICE, body="b", tags=[], now=now)

    letter = await create_newsletter(
        store, client, title="Sale", device_id=DEVICE, body="20% off today", tags=[kunden, team], now=now
    )
    assert letter.gateway_id in sim_empty.state.pakets
    # The newsletter records the gateway's tag ids: what savepaket was given.
    assert letter.tag_ids == (kunden.gateway_id, team.gateway_id)
    assert sim_empty.state.pakets[letter.gateway_id].tag_ids == letter.tag_ids
    assert newsletter_recipients(store, letter) == 2
    assert "start it in the phone" in newsletter_state(letter, newsletter_stats(store, letter), now)

    assert await refresh_newsletters(store, client) == 2
    stats = newsletter_stats(store, letter)
    assert (stats.total, stats.queued) == (2, 2)
    assert newsletter_state(letter, stats, now) == "sending"

    sim_empty.advance(60)
    await refresh_newsletters(store, client)
    stats = newsletter_stats(store, letter)
    assert (stats.delivered, stats.failed, stats.queued) == (1, 1, 0)
    assert newsletter_state(letter, stats, now) == "done with failures"


async def test_newsletter_with_lost_answer_is_recorded_unconfirmed(
    sim_empty: TestSimulator, store: Store, client: GatewayClient
) -> None:
    tag = await create_tag(store, client, "Kunden")
    sim_empty.faults.set("response_lost", methods="savepaket", count=1)
    with pytest.raises(TransportError):
        await create_newsletter(store, client, title="Sale", device_id=DEVICE, body="b", tags=[tag])
    [letter] = store.newsletters()
    assert letter.gateway_id is None
    assert newsletter_state(letter, newsletter_stats(store, letter)).startswith("unconfirmed")


async def test_newsletter_send_later(sim_empty: TestSimulator, store: Store) -> None:
    # The account's zone is given: the simulator's device dates are UTC, so it cannot be learnt
    # from them (reported to the lead); time_to_send must be written in the account's zone.
    client = GatewayClient(
        sim_empty.url, email=sim_empty.email, password=sim_empty.password, gateway_tz=ZoneInfo("Europe/Berlin")
    )
    tag = await create_tag(store, client, "Kunden")
    await add_contact(store, client, tag, "+4915752982212", "Ann")
    now = sim_empty.clock()
    later = now + timedelta(hours=2)
    letter = await create_newsletter(
        store, client, title="Later", device_id=DEVICE, body="b", tags=[tag], send_at=later, now=now
    )
    assert letter.send_at == later
    paket = sim_empty.state.pakets[letter.gateway_id]  # type: ignore[index]
    assert paket.send_at == int(later.timestamp())
    assert newsletter_state(letter, newsletter_stats(store, letter), now).startswith("scheduled")
    await client.aclose()


async def test_a_pending_tag_is_saved_on_the_gateway_before_use_and_never_shown_by_a_local_id(
    sim_empty: TestSimulator, store: Store, client: GatewayClient
) -> None:
    # A tag whose savetag answer never arrived (an older smstui recorded such tags): no gateway id.
    local = store.add_tag("Trade fair", None)
    pending = store.tag(local)
    assert pending is not None and pending.pending and tag_label(pending) == "Trade fair"
    contact = await add_contact(store, client, pending, "+4915752982212", "Ann")  # retried first
    saved = store.tag(local)
    assert saved is not None and saved.gateway_id in sim_empty.state.tags and not saved.pending
    assert contact.tag_gateway_id == saved.gateway_id
    assert sim_contacts(sim_empty) == [("+4915752982212", saved.gateway_id, "Ann")]

    other = store.tag(store.add_tag("Later", None))
    assert other is not None
    letter = await create_newsletter(store, client, title="x", device_id=DEVICE, body="b", tags=[saved, other])
    refreshed = store.tag(other.id)
    assert refreshed is not None and refreshed.gateway_id is not None
    assert letter.tag_ids == (saved.gateway_id, refreshed.gateway_id)


async def test_gateway_tag_ids_never_seen_are_recorded_untitled_and_can_be_named(
    sim_empty: TestSimulator, store: Store, client: GatewayClient
) -> None:
    account = sim_empty.state.accounts[sim_empty.email]
    dashboard = sim_empty.state.save_tag(account, "Dashboard")
    tag = tag_for_gateway_id(store, dashboard)
    assert (tag.gateway_id, tag.title) == (dashboard, "")
    assert tag_label(tag) == f"tag {dashboard} (no title)"
    assert tag_for_gateway_id(store, dashboard).id == tag.id  # recorded once
    assert [t.id for t in store.tags(f"#{dashboard}")] == [t.id for t in store.tags(str(dashboard))] == [tag.id]
    await add_contact(store, client, tag, "+4915752982212", "Ann")
    assert sim_contacts(sim_empty) == [("+4915752982212", dashboard, "Ann")]
    named = name_tag(store, tag, "  Dashboard   VIPs ")
    assert named.title == "Dashboard VIPs" and tag_label(named) == "Dashboard VIPs"
    assert (await create_tag(store, client, "dashboard vips")).id == tag.id
    with pytest.raises(ContactError, match="title"):
        name_tag(store, named, " ")
    with pytest.raises(ContactError, match="positive"):
        tag_for_gateway_id(store, 0)
    # An id the gateway refuses leaves nothing behind.
    with pytest.raises(GatewayError):
        async with recorded_tags(store, [424242]) as (unknown,):
            await add_contact(store, client, unknown, "+4915752982212", "Ann")
    assert store.tag_by_gateway_id(424242) is None
    # CSV cells name a tag by title or by "#ID".
    report = await import_contacts(store, client, [ContactRow("+4917612345678", "Bo", f"#{dashboard}")])
    assert report.complete and report.tags_created == []
    [(_, saved)] = report.contacts
    assert saved.tag_gateway_id == dashboard and saved.gateway_id in sim_empty.state.contacts
