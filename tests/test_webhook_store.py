"""The store's webhook record (smstui.core.store.webhooks): the last accepted webhook and the
counters, kept in ``meta`` so the app (another process) reads what the receiver wrote."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from smstui.core.store.database import Store
from smstui.core.store.webhooks import META_ACCEPTED, META_LAST_AT


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "s.sqlite3", region="DE")
    yield s
    s.close()


def test_nothing_yet(store: Store) -> None:
    assert store.last_webhook() is None
    assert store.webhook_counts() == (0, 0)


def test_accepted_ones_are_the_last_and_counted(store: Store) -> None:
    store.note_webhook("status", 1000.0)
    assert store.last_webhook() == (1000.0, "status")
    store.note_webhook("incoming", 1001.5)
    assert store.last_webhook() == (1001.5, "incoming")
    assert store.webhook_counts() == (2, 0)


def test_a_rejected_one_only_counts(store: Store) -> None:
    store.note_webhook("status", 1000.0)
    store.note_webhook("rejected", 2000.0)
    assert store.last_webhook() == (1000.0, "status")
    assert store.webhook_counts() == (1, 1)


def test_the_last_never_goes_backwards(store: Store) -> None:
    store.note_webhook("incoming", 2000.0)
    store.note_webhook("status", 1500.0)  # another receiver's, or a clock step back
    assert store.last_webhook() == (2000.0, "incoming")
    assert store.webhook_counts() == (2, 0)


def test_an_unknown_kind_is_a_programming_error(store: Store) -> None:
    with pytest.raises(ValueError):
        store.note_webhook("bogus", 1.0)


def test_damaged_meta_values_read_as_nothing(store: Store) -> None:
    store.set_meta(META_LAST_AT, "yesterday")
    store.set_meta(META_ACCEPTED, "many")
    assert store.last_webhook() is None
    assert store.webhook_counts() == (0, 0)
    store.note_webhook("status", 5.0)  # and the next one repairs them
    assert store.last_webhook() == (5.0, "status")
    assert store.webhook_counts() == (1, 0)


def test_another_process_sees_it_and_no_count_is_lost(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    stores = [Store(path, region="DE") for _ in range(4)]
    try:

        def post(s: Store, n: int) -> None:
            for i in range(n):
                s.note_webhook("rejected" if i % 3 == 0 else "status", float(i))

        threads = [threading.Thread(target=post, args=(s, 30)) for s in stores]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        reader = Store(path, region="DE")
        assert reader.webhook_counts() == (4 * 20, 4 * 10)
        assert reader.last_webhook() == (29.0, "status")
        reader.close()
    finally:
        for s in stores:
            s.close()
