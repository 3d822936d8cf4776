"""The default region (issue 13 item 6): learnt from the phones' SIMs when the profile sets none,
asked when they disagree, and every stored key re-made when it changes, so ``015752982212`` and
``+49 1575 2982212`` are one conversation. Against the simulator over HTTP."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from smstui.core.session import Session, open_session
from smstui.core.store.database import Store
from smstui.simulator.records import Msg
from smstui.simulator.seed import OFFICE_PHONE, TRAVEL_PHONE
from smstui.simulator.testing import TestSimulator
from tests.core_helpers import sim_config

NATIONAL = "015752982212"
E164 = "+4915752982212"


def _sims_say(sim: TestSimulator, **countries: str) -> None:
    """Set the CountryIso of every SIM of the named phones (office=..., travel=...)."""
    ids = {"office": OFFICE_PHONE, "travel": TRAVEL_PHONE}
    with sim.state.lock:
        for name, country in countries.items():
            for card in sim.state.devices[ids[name]].siminfo:
                card["CountryIso"] = country


def _message(sim: TestSimulator, phone: str, body: str, *, incoming: bool = False, minutes_ago: int = 10) -> None:
    now = int(sim.clock().timestamp())
    sim.state.add_message(
        Msg(
            id=0,
            phone=phone,
            body=body,
            device_id=OFFICE_PHONE,
            created=now - 60 * minutes_ago,
            status=5 if incoming else 7,
            outcome=5 if incoming else 7,
        )
    )


def _open(sim: TestSimulator, region: str | None = None) -> Session:
    sim_config(sim, region=region)
    session = open_session(clock=sim.clock)
    session.client.set_credentials(sim.email, sim.password)
    return session


def _keys(store: Store) -> dict[str, int]:
    return {t.phone_key: t.total for t in store.threads()}


async def test_sims_that_agree_give_the_region_and_the_two_forms_become_one_thread(sim_empty: TestSimulator) -> None:
    sim = sim_empty
    _sims_say(sim, office="", travel="")  # phones that do not say their country yet
    _message(sim, NATIONAL, "sent the national way", minutes_ago=30)
    session = _open(sim)
    try:
        await session.syncer.sync()
        _message(sim, "+49 1575 2982212", "a reply from the phone network", incoming=True, minutes_ago=1)
        await session.syncer.sync()  # a new reply: unread
        assert session.region is None
        assert _keys(session.store) == {NATIONAL: 1, E164: 1}  # the bug: two threads
        store = session.store
        queued = session.outbox.queue([NATIONAL], "still queued", OFFICE_PHONE, 0)  # replying as written
        store.save_draft(f"thread:{NATIONAL}", {"body": "half written"})
        tag = store.add_tag("Customers", 8303)
        store.add_contact(tag, "0157 5298 2212", "Anna", 99)

        _sims_say(sim, office="de", travel="DE")
        report = await session.syncer.sync(force_devices=True)

        assert session.region == "DE"
        [thread] = store.threads()
        assert (thread.phone_key, thread.total, thread.unread, thread.name) == (E164, 3, 1, "Anna")
        assert report.region is not None and report.region.learnt
        assert report.region.info.sentence() == "Region DE, from your phones' SIMs"
        assert report.region.renamed == {NATIONAL: E164}
        assert store.message(queued[0]).phone_key == E164  # the outbox row moved along
        assert store.draft(f"thread:{E164}") == {"body": "half written"}
        assert store.draft(f"thread:{NATIONAL}") is None
        assert [c.phone_key for c in store.contacts(tag)] == [E164]
        # Numbers typed from now on read the same way, and the summaries show the number.
        assert store.phone_key("0157 52982212") == E164
        assert thread.display == "+49 1575 2982212"
    finally:
        await session.aclose()

    again = _open(sim)  # the next start: what was learnt is kept in the store
    try:
        assert again.region == "DE"
        assert list(_keys(again.store)) == [E164]
        assert again.regions.info().source == "sims"
    finally:
        await again.aclose()


async def test_the_profiles_region_wins_over_the_sims(sim_empty: TestSimulator) -> None:
    _message(sim_empty, "0664 1234567", "Servus")  # an Austrian mobile, written the Austrian way
    session = _open(sim_empty, region="AT")  # the SIMs say DE
    try:
        report = await session.syncer.sync()
        assert session.region == "AT"
        assert list(_keys(session.store)) == ["+436641234567"]
        assert report.region is None and session.regions.info().source == "config"
        assert session.regions.info().sentence() == "Region AT, set in the profile"
    finally:
        await session.aclose()


async def test_sims_that_disagree_leave_national_numbers_alone_until_the_user_chooses(sim_empty: TestSimulator) -> None:
    sim = sim_empty
    _sims_say(sim, office="de", travel="us")
    _message(sim, NATIONAL, "national", minutes_ago=30)
    _message(sim, E164, "international", minutes_ago=20)
    session = _open(sim)
    try:
        report = await session.syncer.sync()
        assert session.region is None and set(_keys(session.store)) == {NATIONAL, E164}
        news = report.region
        assert news is not None and news.ask and news.first_seen and not news.learnt
        assert news.info.seen == ("DE", "US")  # the office phone's two SIMs first
        assert "DE and US" in news.info.sentence()

        # Put off: not asked again for the same SIMs; a new SIM country asks again.
        session.regions.put_off()
        assert (await session.syncer.sync(force_devices=True)).region is None
        assert session.regions.info().undecided

        chosen = session.regions.choose("de")
        assert chosen.renamed == {NATIONAL: E164}
        assert session.region == "DE" and _keys(session.store) == {E164: 2}
        # A choice stays, whatever the SIMs say next.
        _sims_say(sim, office="us", travel="us")
        assert (await session.syncer.sync(force_devices=True)).region is None
        assert session.region == "DE"
    finally:
        await session.aclose()
    again = _open(sim)
    try:
        assert (again.region, again.regions.info().source) == ("DE", "chosen")
    finally:
        await again.aclose()


async def test_a_region_removed_from_the_config_rekeys_the_store_at_the_next_start(sim_empty: TestSimulator) -> None:
    _sims_say(sim_empty, office="", travel="")
    _message(sim_empty, NATIONAL, "national")
    session = _open(sim_empty, region="DE")
    try:
        await session.syncer.sync()
        assert list(_keys(session.store)) == [E164]
    finally:
        await session.aclose()
    session = _open(sim_empty, region=None)
    try:
        assert session.region is None
        assert list(_keys(session.store)) == [NATIONAL]  # as written: no region reads it now
    finally:
        await session.aclose()


def test_a_store_from_before_keeps_its_keys_without_rekeying(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with Store(path, region="DE") as store:
        store.enqueue(phone=NATIONAL, body="x", device_id=1, slot=0)
    con = sqlite3.connect(path)
    with con:
        con.execute("DELETE FROM meta WHERE key LIKE 'region.%'")
        con.execute("UPDATE messages SET phone_key = 'made-by-an-old-version'")  # would be re-made
    con.close()
    from smstui.core.region import Regions

    with Store(path, region="DE") as store:
        assert Regions(store, "DE").open() == {}
        assert store.messages()[0].phone_key == "made-by-an-old-version"
        assert store.get_meta("region.keys") == "DE"


def test_rekeying_joins_contacts_and_drafts_of_the_same_number(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite3", clock=lambda: 1000.0) as store:
        tag = store.add_tag("Team", 1)
        store.add_contact(tag, NATIONAL, "", 11)
        store.add_contact(tag, E164, "Anna", None)
        store.enqueue(phone=NATIONAL, body="a", device_id=1, slot=0)
        store.enqueue(phone=E164, body="b", device_id=1, slot=0)
        store.save_draft(f"thread:{E164}", {"body": "older"})
        store.save_draft(f"thread:{NATIONAL}", {"body": "newer"})
        store._db.execute("UPDATE drafts SET updated = 2000 WHERE key = ?", (f"thread:{NATIONAL}",))
        assert store.rekey_phones("DE") == {NATIONAL: E164}
        [contact] = store.contacts(tag)
        assert (contact.phone_key, contact.name, contact.gateway_id) == (E164, "Anna", 11)
        assert store.draft(f"thread:{E164}") == {"body": "newer\n\nolder"}  # nothing typed is lost
        assert [(t.phone_key, t.total) for t in store.threads()] == [(E164, 2)]
