"""The store watcher (smstui.core.store_watcher): another process's writes are noticed and named by
conversation; the app's own writes and an idle store cost a pragma and tell nothing."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from smstui.core.events import MessagesChanged
from smstui.core.priority import BACKGROUND_NICE
from smstui.core.push_state import PushInfo, judge_push
from smstui.core.store.database import Store
from smstui.core.store_watcher import EVERY, StoreWatcher, pause_after
from tests.test_store import msg

ANNA = "+4915123456781"
BEN = "+4915123456782"


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "s.sqlite3"


@pytest.fixture
def stores(path: Path):
    app, other = Store(path, region="DE"), Store(path, region="DE")
    yield app, other
    app.close()
    other.close()


_watchers: list[StoreWatcher] = []


@pytest.fixture(autouse=True)
def _stop_watchers():  # type: ignore[no-untyped-def]
    yield
    while _watchers:
        _watchers.pop().stop()  # each closes the connection it read the marks on


def watch(store: Store) -> tuple[StoreWatcher, list[MessagesChanged], list[PushInfo]]:
    told: list[MessagesChanged] = []
    pushes: list[PushInfo] = []
    watcher = StoreWatcher(store, told.append, on_push=pushes.append)
    _watchers.append(watcher)
    watcher.prime()
    return watcher, told, pushes


def test_nothing_written_tells_nothing(stores: tuple[Store, Store]) -> None:
    app, _other = stores
    watcher, told, _ = watch(app)
    assert not watcher.check() and not watcher.check()
    assert told == []


def test_own_writes_are_not_told_again(stores: tuple[Store, Store]) -> None:
    app, _other = stores
    watcher, told, _ = watch(app)
    app.upsert_messages([msg(1, ANNA)])
    assert not watcher.check()
    assert told == []


def test_another_connections_new_message_and_status(stores: tuple[Store, Store]) -> None:
    app, other = stores
    other.upsert_messages([msg(1, ANNA, status=2), msg(2, BEN, status=7, minutes=1)])
    watcher, told, _ = watch(app)
    incoming = msg(3, BEN, status=5, minutes=2)
    other.upsert_messages([incoming])
    assert watcher.check()
    assert told[-1].phone_keys == {app.phone_key(BEN)} and told[-1].new_incoming == 1
    # A status change of a message that is not the thread's last one is still seen.
    other.upsert_messages([msg(4, ANNA, status=7, minutes=3)])
    assert watcher.check()
    other.update_status(1, 6)
    assert watcher.check()
    assert told[-1].phone_keys == {app.phone_key(ANNA)} and told[-1].new_incoming == 0
    # A webhook's note alone changes no conversation.
    other.note_webhook("status", 1000.0)
    assert watcher.check()
    assert len(told) == 3


def test_push_info_follows_the_store(stores: tuple[Store, Store]) -> None:
    app, other = stores
    watcher, _told, pushes = watch(app)
    watcher.check_push()
    assert pushes == [PushInfo(None, 0)]
    other.upsert_messages([msg(1, ANNA, status=2)])
    other.note_webhook("status", 1000.0)
    watcher.check_push()
    watcher.check_push()  # unchanged: not told twice
    assert pushes[1:] == [PushInfo((1000.0, "status"), 1)]


def test_a_plain_sqlite_write_from_another_process(stores: tuple[Store, Store], path: Path) -> None:
    app, other = stores
    other.upsert_messages([msg(1, ANNA, status=2)])
    watcher, told, _ = watch(app)
    code = (
        "import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); "
        "db.execute('UPDATE messages SET status = 7 WHERE sms_id = 1'); db.commit()"
    )
    subprocess.run([sys.executable, "-c", code, str(path)], check=True, timeout=60)
    assert watcher.check()
    assert told[-1].phone_keys == {app.phone_key(ANNA)}


def test_a_broken_store_is_reported_not_raised(stores: tuple[Store, Store], path: Path) -> None:
    app, _other = stores
    watcher, told, _ = watch(app)
    app.close()
    assert not watcher.check()
    watcher.check_push()
    assert told == []


def test_the_thread_tells_on_its_own_at_a_lower_priority_than_the_app(stores: tuple[Store, Store]) -> None:
    import os
    import sys
    import threading

    app, other = stores
    seen = threading.Event()
    priorities: list[int] = []

    linux = sys.platform.startswith("linux")  # elsewhere a thread id is not a process id

    def told(change: object) -> None:  # on the watcher's thread
        if linux:
            priorities.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        seen.set()

    watcher = StoreWatcher(app, told, every=0.01).start()
    try:
        assert watcher.ready.wait(10)
        other.upsert_messages([msg(9, ANNA)])
        assert seen.wait(10)
    finally:
        watcher.stop()
    if linux:  # this thread's own priority is the app's
        assert priorities[0] == min(19, os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) + BACKGROUND_NICE)


def test_the_marks_are_read_on_a_connection_of_its_own(stores: tuple[Store, Store], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Reading them on the app's connection held the lock every UI read waits on (a conversation
    opened while a million messages' marks were read waited for them)."""
    app, other = stores
    on_app: list[str] = []
    original = app._query
    monkeypatch.setattr(app, "_query", lambda sql, params=(): on_app.append(sql) or original(sql, params))
    watcher, told, pushes = watch(app)
    other.upsert_messages([msg(9, ANNA)])
    assert watcher.check()
    watcher.check_push()
    assert told and told[-1].phone_keys == frozenset({ANNA}) and pushes
    assert on_app and all(sql == "PRAGMA data_version" for sql in on_app)
    watcher.stop()
    assert watcher._reader is None


def test_a_slow_look_is_followed_by_a_pause_nine_times_as_long(stores: tuple[Store, Store], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A sync worker commits many times a second; reading the marks of a million messages takes
    ~60 ms: looking every 0.1 s would keep most of a core busy beside the UI."""
    import time
    from types import SimpleNamespace

    from smstui.core import store_watcher

    waits: list[float] = []

    class Stop:
        def wait(self, timeout: float) -> bool:
            waits.append(timeout)
            return len(waits) > 3

    cpu = iter([0.0, 0.06, 1.0, 1.001, 2.0, 2.0])  # per look: 60 ms, 1 ms, nothing
    monkeypatch.setattr(store_watcher, "time", SimpleNamespace(thread_time=lambda: next(cpu), monotonic=time.monotonic))
    monkeypatch.setattr(store_watcher, "lower_this_thread", lambda: False)  # this is the test's thread
    watcher = StoreWatcher(stores[0], lambda change: None)
    watcher._stop = Stop()  # type: ignore[assignment]
    watcher._run()
    assert waits == [EVERY, pytest.approx(0.54), EVERY, EVERY]
    assert pause_after(0.008) == pytest.approx(0.1, abs=0.03)  # 100k messages: as often as before


@pytest.mark.parametrize(
    ("last", "now", "pending", "expected", "mode"),
    [
        (None, 1000.0, 3, False, "off"),
        (None, 1000.0, 3, True, "poll"),
        ((990.0, "status"), 1000.0, 3, False, "push"),
        ((600.0, "status"), 1000.0, 3, False, "quiet"),
        ((600.0, "status"), 1000.0, 0, False, "poll"),
    ],
)
def test_judge_push(last, now, pending, expected, mode) -> None:  # type: ignore[no-untyped-def]
    state = judge_push(last, now, quiet_after=300, pending=pending, expected=expected)
    assert state.mode == mode


def test_sqlite_data_version_is_per_connection(path: Path) -> None:
    # The fact the watcher stands on, checked against the SQLite this Python has.
    a, b = sqlite3.connect(path), sqlite3.connect(path)
    a.execute("CREATE TABLE t (x)")
    a.commit()
    before = b.execute("PRAGMA data_version").fetchone()[0]
    own = a.execute("PRAGMA data_version").fetchone()[0]
    a.execute("INSERT INTO t VALUES (1)")
    a.commit()
    assert a.execute("PRAGMA data_version").fetchone()[0] == own
    assert b.execute("PRAGMA data_version").fetchone()[0] != before


def test_unread_incoming_since_counts_only_those_conversations(stores: tuple[Store, Store]) -> None:
    app, _other = stores
    app.upsert_messages([msg(1, ANNA, status=7)])
    mark = app.max_lid()
    app.upsert_messages([msg(2, ANNA, status=5, minutes=1), msg(3, BEN, status=5, minutes=2)])
    count, newest = app.unread_incoming_since(mark, frozenset({app.phone_key(ANNA)}))
    assert count == 1 and newest > mark
    assert app.unread_incoming_since(newest, frozenset({app.phone_key(ANNA)})) == (0, newest)
    assert app.unread_incoming_since(mark, frozenset()) == (0, mark)


def test_a_phone_key_holding_a_separator_still_names_its_conversation() -> None:
    """The marks' fields are joined by U+001F: a key holding one (no writer makes such keys today)
    is still read whole, from the end the key is not at."""
    from smstui.core.store.watch import _changed, _pending_key, _summary_key

    odd = "x\x1fy"
    before = f"7\x1f1\x1f{odd}"
    assert _changed(before, f"7\x1f3\x1f{odd}", _pending_key) == {odd}
    summary = "\x1f".join([odd, "9", "1", "", "4", "0", "0"])
    assert _changed(summary, summary.replace("\x1f4\x1f", "\x1f5\x1f"), _summary_key) == {odd}
    assert _changed(before, before, _pending_key) == set()
