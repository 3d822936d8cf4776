"""Opening databases written by older smstui versions, newer ones and damaged files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from smstui.core.store.connection import StoreError
from smstui.core.store.database import Store
from smstui.core.store.schema import MIGRATIONS, PENDING_WHERE, QUEUED, SCHEMA_VERSION


def make_db(path: Path, version: int) -> None:
    """A database exactly as smstui at schema ``version`` left it, with some data."""
    db = sqlite3.connect(path)
    for script in MIGRATIONS[:version]:
        db.executescript(script)
    db.execute(f"PRAGMA user_version = {version}")
    db.execute(
        "INSERT INTO messages (sms_id, phone, phone_key, body, status, created, incoming, seen, updated) "
        "VALUES (62807347, '+4915123456781', '+4915123456781', 'Hello from v1', 7, 1700000000, 0, 1, 1700000000)"
    )
    db.execute(
        "INSERT INTO messages (phone, phone_key, body, slot, created, outbox, attempts, updated) "
        "VALUES ('+4915123456782', '+4915123456782', 'still queued', 0, 1700000100, 'queued', 2, 1700000100)"
    )
    db.execute(
        "INSERT INTO threads (phone_key, phone, last_lid, last_created, last_body, last_status, last_incoming, "
        "total, unread, failed) VALUES ('+4915123456781', '+4915123456781', 1, 1700000000, 'Hello from v1', 7, 0, 1, 0, 0)"
    )
    if version >= 6:  # smstui at v6 wrote the shown number with the summary
        db.execute("UPDATE threads SET display = '+49 1512 3456781'")
    db.execute("INSERT INTO meta (key, value) VALUES ('sync.cursor', '1700000000.0')")
    db.execute("INSERT INTO tags (gateway_id, title, created) VALUES (8304, 'Customers', 1700000000)")
    db.execute("INSERT INTO tags (gateway_id, title, created) VALUES (NULL, 'Never confirmed', 1700000000)")
    db.execute("INSERT INTO tags (gateway_id, title, created) VALUES (8310, 'Team', 1700000000)")
    db.execute(
        "INSERT INTO contacts (gateway_id, tag_id, phone, phone_key, name, created) "
        "VALUES (15954766, 1, '+4915123456781', '+4915123456781', 'Anna', 1700000000)"
    )
    # Before v7 a newsletter named its tags by local ids (1 = 8304, 3 = 8310); from v7 on by
    # the gateway's (a tag never confirmed there has none).
    sale, odd = ("8310,8304", "") if version >= 7 else ("3,1", "2")
    db.execute(
        "INSERT INTO newsletters (gateway_id, title, device_id, slot, body, tags, created) "
        "VALUES (1012, 'Sale', 1576, 0, 'Hi', ?, 1700000000)",
        (sale,),
    )
    db.execute(
        "INSERT INTO newsletters (gateway_id, title, device_id, slot, body, tags, created) "
        "VALUES (NULL, 'Odd', 1576, 0, 'Hi', ?, 1700000001)",
        (odd,),
    )
    db.execute(
        "INSERT INTO devices (id, title, data, updated) VALUES (1576, 'Emulator', "
        '\'{"id": 1576, "title": "Emulator", "sims": []}\', 1700000000)'
    )
    db.commit()
    db.close()


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_older_schema_is_migrated_with_data_kept(tmp_path: Path, version: int) -> None:
    path = tmp_path / f"v{version}.sqlite3"
    make_db(path, version)
    store = Store(path)
    try:
        assert store.schema_version == SCHEMA_VERSION == 12
        assert store.optouts() == []  # v11's suppression list, empty
        assert store._query("SELECT active FROM search_direct") == [(0,)]  # v12's flag, at rest
        sent = store.message_by_sms_id(62807347)
        assert sent.body == "Hello from v1" and sent.status == 7 and sent.attempted_at is None
        assert sent.resent is False and sent.duplicate_of is None  # v8's columns, empty
        # The triage columns (retry_of, handled_at), empty: nothing handled, nothing sent again.
        assert store._query("SELECT retry_of, handled_at FROM messages WHERE lid = ?", (sent.lid,)) == [(None, None)]
        assert store.triage_count() == 0 and store.retry_links(sent.lid) == (None, [])
        (queued,) = store.outbox((QUEUED,))
        assert queued.body == "still queued" and queued.attempts == 2 and queued.recon_misses == 0
        assert store.get_meta("sync.cursor") == "1700000000.0"
        assert [(t.title, t.gateway_id) for t in store.tags()] == [
            ("Customers", 8304),
            ("Never confirmed", None),
            ("Team", 8310),
        ]
        # v7: newsletters name their tags by the gateway's ids (a tag never confirmed drops out:
        # savepaket was never given it); contacts carry their tag's gateway id.
        assert {n.title: n.tag_ids for n in store.newsletters()} == {"Sale": (8310, 8304), "Odd": ()}
        [anna] = store.contacts()
        assert (anna.gateway_id, anna.tag_gateway_id) == (15954766, 8304)
        assert store.device(1576).device.title == "Emulator"
        indexes = {r[0] for r in store._query("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"messages_batch", "messages_pending", "messages_thread", "messages_unseen"} <= indexes
        # v5: the pending index covers every status that is not final (unknown codes too).
        pending_sql = store._query("SELECT sql FROM sqlite_master WHERE name = 'messages_pending'")[0][0]
        assert "NOT IN (5, 7, 8, 9, 10, 11, 12, 100, 101)" in pending_sql
        plan = store._query(
            "EXPLAIN QUERY PLAN SELECT sms_id, created FROM messages WHERE "
            + PENDING_WHERE
            + " ORDER BY created LIMIT 5"
        )
        assert "messages_pending" in str(plan)
        # v6: conversations the old store listed get their shown number at once.
        [(key, display)] = store._query("SELECT phone_key, display FROM threads")
        assert (key, display) == ("+4915123456781", "+49 1512 3456781")
        # v9: the old messages and contacts are searchable at once, and kept in step after.
        from smstui.core.filters import MessageFilters
        from smstui.core.search import SearchQuery

        found = store.search_messages(SearchQuery("hello"))
        assert [m.sms_id for m in found.messages] == [62807347] and found.names == {"+4915123456781": "Anna"}
        assert [m.sms_id for m in store.search_messages(SearchQuery("anna")).messages] == [62807347]
        assert [m.body for m in store.search_messages(SearchQuery("queued")).messages] == ["still queued"]
        delivered = SearchQuery("", MessageFilters(statuses=(7,)))
        assert [m.sms_id for m in store.search_messages(delivered).messages] == [62807347]
        # The new pieces work on the old data.
        store.save_template("thanks", "Thank you!")
        assert store.begin_send(queued.lid)
        assert store.message(queued.lid).attempted_at is not None
        store.rebuild_threads()
        assert {t.phone_key: t.display for t in store.threads()} == {
            "+4915123456781": "+49 1512 3456781",
            "+4915123456782": "+49 1512 3456782",
        }
    finally:
        store.close()
    # Opening again is a no-op.
    with Store(path) as again:
        assert again.schema_version == SCHEMA_VERSION and again.message_count() == 2


def test_newer_schema_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StoreError, match="newer smstui"):
        Store(path)


def test_damaged_file_gives_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match=r"broken.sqlite3 is damaged .*smstui doctor --repair"):
        Store(path)


def test_interrupted_migration_leaves_previous_version(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "v2.sqlite3"
    make_db(path, 2)
    broken = list(MIGRATIONS)
    broken[2] = MIGRATIONS[2] + "\nTHIS IS NOT SQL;"
    monkeypatch.setattr("smstui.core.store.connection.MIGRATIONS", broken)
    with pytest.raises(StoreError):
        Store(path)
    monkeypatch.setattr("smstui.core.store.connection.MIGRATIONS", MIGRATIONS)
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 2
    columns = {r[1] for r in db.execute("PRAGMA table_info(messages)")}
    assert "attempted_at" not in columns
    db.close()
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION


def test_a_step_another_process_took_meanwhile_is_not_taken_again(tmp_path: Path, monkeypatch) -> None:
    """The CLI and the app (or its sync worker) opening a store at once after an upgrade: each reads
    the version, then waits for the write lock; the second found the step already taken and ran it
    again ("table search_direct already exists": a store it could not open)."""
    from smstui.core.store.connection import StoreBase

    path = tmp_path / "v11.sqlite3"
    make_db(path, SCHEMA_VERSION - 1)
    Store(path).close()  # the first process: migrated
    monkeypatch.setattr(StoreBase, "_version_read", lambda self: SCHEMA_VERSION - 1)  # read before that
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store._query("SELECT active FROM search_direct") == [(0,)]


def test_a_newer_smstui_migrating_meanwhile_is_refused_too(tmp_path: Path, monkeypatch) -> None:
    from smstui.core.store.connection import StoreBase

    path = tmp_path / "future.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    monkeypatch.setattr(StoreBase, "_version_read", lambda self: SCHEMA_VERSION - 1)  # read before it did
    with pytest.raises(StoreError, match="newer smstui"):
        Store(path)


def test_migration_scripts_split_into_their_statements() -> None:
    from smstui.core.store.connection import sql_statements

    script = (
        "CREATE TABLE a (x TEXT DEFAULT ';');\nCREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; SELECT 2; END;\n  "
    )
    assert [s.strip() for s in sql_statements(script)] == [
        "CREATE TABLE a (x TEXT DEFAULT ';');",
        "CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; SELECT 2; END;",
    ]
    for number, migration in enumerate(MIGRATIONS):  # each one whole, none left over
        for statement in sql_statements(migration):
            assert sqlite3.complete_statement(statement), (number, statement)


def test_the_search_index_is_built_for_an_existing_history(tmp_path: Path) -> None:
    """A v8 store with a real history: the v9 migration indexes all of it, newest first."""
    import random

    from smstui.core.search import SearchQuery

    path = tmp_path / "v8.sqlite3"
    make_db(path, 8)
    rng = random.Random(5)
    words = ["parcel", "invoice", "meeting", "Grüße", "заказ"]
    db = sqlite3.connect(path)
    db.executemany(
        "INSERT INTO messages (sms_id, phone, phone_key, body, status, created, incoming, seen, updated) "
        "VALUES (?, '+4917000000001', '+4917000000001', ?, 7, ?, 0, 1, 0)",
        [(1000 + i, f"{rng.choice(words)} {i}", 1_700_000_000 - rng.randrange(10**7)) for i in range(3000)],
    )
    db.commit()
    db.close()
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        every = store.messages(limit=None)
        for word, part in (("parcel", "parcel"), ("GRU", "Grüße"), ("зак", "заказ")):
            expect = [m.lid for m in every if part in m.body]
            got = [m.lid for m in store.iter_messages(SearchQuery(word), page=100)]
            assert got == expect and got, word
        store._db.execute("INSERT INTO message_search (message_search, rank) VALUES ('integrity-check', 0)")
