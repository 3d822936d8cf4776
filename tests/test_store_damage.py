"""A store with damaged pages (header intact): one clear message naming the file and what to do,
never "unexpected error"; `smstui doctor --repair` backs it up, salvages what only it holds and
starts afresh (issue 12)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from smstui.core import paths
from smstui.core.store.connection import StoreError
from smstui.core.store.database import Store
from smstui.core.store.doctor import check, repair
from tests.cli_helpers import Cli

FILLER = 3000


def damaged_store(path: Path) -> None:
    """A store holding one queued message, one sent-but-unconfirmed one, a draft and a template
    (written last, so at the end of the file), with garbage over the middle of the file."""
    Store(path).close()
    db = sqlite3.connect(path)
    db.executemany(
        "INSERT INTO messages (sms_id, phone, phone_key, body, created, updated) VALUES (?, ?, ?, ?, ?, ?)",
        [
            (i, "+4915100000000", "+4915100000000", f"history {i} " + "x" * 80, 1000.0 + i, 1000.0 + i)
            for i in range(1, FILLER + 1)
        ],
    )
    db.commit()
    db.close()
    with Store(path) as store:
        store.enqueue(phone="+4915123456781", body="never sent, keep me", device_id=11231, slot=0)
        (unknown,) = [store.enqueue(phone="+4915123456782", body="maybe sent", device_id=11231, slot=0)]
        store._db.execute("UPDATE messages SET outbox = 'unknown' WHERE lid = ?", (unknown,))
        store.save_draft("thread:+4915123456781", {"body": "half-typed"})
        store.save_template("hello", "Hello {name}")
    size = path.stat().st_size
    with path.open("r+b") as f:  # the first 100 bytes (the header) stay intact
        start = max(4096 * 4, size // 5)
        f.seek(start)
        f.write(b"\xde\xad\xbe\xef" * ((size * 3 // 5) // 4))


def test_a_damaged_store_gets_a_clear_error_not_unexpected(tmp_path: Path) -> None:
    path = tmp_path / "default.sqlite3"
    damaged_store(path)
    with pytest.raises(StoreError) as info:
        with Store(path) as store:
            store.message_count()
            store._query("SELECT count(*), sum(length(body)) FROM messages")
    text = str(info.value)
    assert str(path) in text and "smstui doctor --repair" in text


def test_the_cli_names_the_file_and_the_repair(tmp_path: Path) -> None:
    path = paths.profile_db_path("default")
    damaged_store(path)
    cli = Cli("http://127.0.0.1:9/")
    run = cli("messages", "--offline", "--limit", "0")
    assert run.exit_code == 1, run.output
    assert "unexpected error" not in run.output and "Traceback" not in run.output
    assert str(path) in run.stderr and "smstui doctor --repair" in run.stderr

    diagnosis = cli("doctor")
    assert diagnosis.exit_code == 1 and "is damaged" in diagnosis.stderr and "--repair" in diagnosis.stderr

    fixed = cli("doctor", "--repair", "--json")
    assert fixed.exit_code == 0, fixed.output
    doc = fixed.json()
    assert doc["repaired"] and Path(doc["backup"]).exists() and Path(doc["backup"]).parent == path.parent
    assert doc["requeued"] == 1 and doc["drafts"] == 1 and doc["templates"] == 1
    assert doc["unconfirmed"] == [{"phone": "+4915123456782", "body": "maybe sent"}]

    assert cli("doctor").exit_code == 0
    with Store(path) as store:
        [row] = store.outbox()
        assert row.body == "never sent, keep me" and row.outbox == "queued" and row.device_id == 11231
        assert store.draft("thread:+4915123456781") == {"body": "half-typed"}
        assert store.templates() == [("hello", "Hello {name}")]
    assert cli("messages", "--offline", "--limit", "0").exit_code == 0


def test_repair_text_tells_what_to_do_next(tmp_path: Path) -> None:
    damaged_store(paths.profile_db_path("default"))
    run = Cli("http://127.0.0.1:9/")("doctor", "--repair")
    assert run.exit_code == 0, run.output
    assert "1 message(s) not yet sent (queued again)" in run.stdout
    assert "smstui sync" in run.stdout and "may already be on the gateway" in run.stderr


def test_check_of_a_healthy_and_a_missing_store(tmp_path: Path) -> None:
    Store(tmp_path / "fine.sqlite3").close()
    assert check(tmp_path / "fine.sqlite3").ok
    assert check(tmp_path / "missing.sqlite3").ok


def test_repair_of_a_file_that_is_not_a_database_at_all(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"junk" * 5000)
    assert not check(path).ok
    report = repair(path)
    assert report.backup.read_bytes().startswith(b"junk") and report.requeued == 0 and report.unreadable
    with Store(path) as store:
        assert store.message_count() == 0
