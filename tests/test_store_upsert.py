"""The set-wise upsert keeps every conversation summary exactly what a full recompute gives.

``Store.upsert_messages`` adds new rows to their summaries from the rows alone (a first sync
would otherwise re-read its biggest conversation for every batch); these tests compare the
summaries after random batches of new, changed, repeated and duplicate messages with a
``rebuild_threads`` of the same store.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from smstui.core.gateway_messages import Message
from smstui.core.store.database import Store

T0 = datetime(2026, 5, 20, 10, 0, tzinfo=UTC)
PHONES = ("+4915123456781", "015123456782", "+44 7700 900123", "+4915123456781", "+15551234567")
STATUSES = (1, 2, 5, 5, 6, 7, 8, 9, 12)


def _threads(store: Store) -> list[tuple]:
    return store._query(
        "SELECT phone_key, phone, last_lid, last_created, last_body, last_status, last_incoming, last_outbox, "
        "total, unread, failed, devices, display FROM threads ORDER BY phone_key"
    )


def _index(store: Store) -> list[list[int]]:
    """The search index's rowids for each word the batches use (contentless: ask by term)."""
    store._apply_queue()
    return [
        [
            r[0]
            for r in store._query("SELECT rowid FROM message_search WHERE message_search MATCH ? ORDER BY rowid", (w,))
        ]
        for w in ("hi", "ok", "Спасибо", "4915123456781")
    ]


def _message(rng: random.Random, sms_id: int) -> Message:
    return Message(
        id=sms_id,
        phone=rng.choice(PHONES),
        body=rng.choice(("hi", "ok", "Спасибо " * 40, "👍", "")),
        status=rng.choice(STATUSES),
        device_id=rng.choice((11231, 11232, None)),
        slot=rng.choice((0, 1, None)),
        # Same-second messages too: the newest is decided by the lid then.
        created=T0 + timedelta(minutes=rng.choice((0, 0, 5, 30, -60, rng.randint(-5000, 5000)))),
    )


@pytest.mark.parametrize("seed", range(12))
def test_summaries_match_a_full_recompute(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    with Store(tmp_path / "s.sqlite3", region="DE", clock=lambda: T0.timestamp()) as store:
        ids = list(range(1, 120))
        for _ in range(15):
            batch = [_message(rng, rng.choice(ids)) for _ in range(rng.randint(0, 25))]
            if batch and rng.random() < 0.3:
                batch.append(batch[0])  # the same id twice in one listing
            store.upsert_messages(batch, mark_unseen=rng.random() < 0.5)
            if rng.random() < 0.4:  # the outbox saves sends into the same conversations, and sends them
                lid = store.enqueue(phone=rng.choice(PHONES), body=rng.choice(("hi", "")), device_id=None, slot=0)
                if rng.random() < 0.5:
                    assert store.begin_send(lid)
            for _ in range(rng.randint(0, 4)):  # status answers one by one, as sync's checks give them
                store.update_status(rng.choice(ids), rng.choice(STATUSES), rng.choice((None, "x")))
            incremental = _threads(store)
            store.rebuild_threads()
            assert incremental == _threads(store)
            assert store.get_meta("search.bulk") is None
        # The search index, written set-wise for new rows, is what a rebuild from the rows gives.
        index = _index(store)
        store.rebuild_search_index()
        assert index == _index(store)
        gateway_rows = store._int("SELECT COUNT(*) FROM messages WHERE sms_id IS NOT NULL")
        assert gateway_rows == store._int("SELECT COUNT(DISTINCT sms_id) FROM messages")


def test_a_repeated_id_in_one_batch_is_stored_once_with_its_last_state(tmp_path: Path) -> None:
    first = Message(id=7, phone="+4915123456781", body="hi", status=1, created=T0)
    later = Message(id=7, phone="+4915123456781", body="hi", status=7, created=T0)
    with Store(tmp_path / "s.sqlite3", region="DE") as store:
        result = store.upsert_messages([first, later])
        assert len(result.inserted) == 1 and len(result.changed) == 1
        assert store.message_count() == 1
        assert store.message_by_sms_id(7).status == 7
        assert store.threads()[0].last_status == 7


def test_inserted_lids_are_the_new_rows_in_listing_order(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite3", region="DE") as store:
        store.upsert_messages([Message(id=1, phone="+4915123456781", body="a", status=7, created=T0)])
        result = store.upsert_messages(
            [
                Message(id=1, phone="+4915123456781", body="a", status=7, created=T0),
                Message(id=3, phone="+4915123456782", body="c", status=7, created=T0),
                Message(id=2, phone="+4915123456781", body="b", status=7, created=T0),
            ]
        )
        assert [store.message(lid).sms_id for lid in result.inserted] == [3, 2]
        assert not result.changed


def test_large_writes_checkpoint_less_often_and_then_as_before(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite3", region="DE") as store:
        pragma = "PRAGMA wal_autocheckpoint"
        assert store._int(pragma) == 1000
        with pytest.raises(RuntimeError), store.large_writes():
            assert store._int(pragma) == 10_000
            raise RuntimeError("a sync that failed half way")
        assert store._int(pragma) == 1000
