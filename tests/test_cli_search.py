"""``smstui search`` and ``smstui export`` (issue 16 items 1 and 2): a real sync from the
simulator over loopback HTTP, then the local store searched and exported as a script would."""

from __future__ import annotations

import csv
import json
import os
import pty
import select
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import OFFICE_PHONE, Cli, live_simulator

from smstui.simulator.runner import SimulatorServer

ROOT = Path(__file__).resolve().parent.parent
ANNA = "+4915123456781"  # a contact of the demo ("Anna Schmidt")
TRICKY = ['=HYPERLINK("http://x")', "+1+2", "-3-4", "@SUM(A1)", "\tcmd", "\rline", "plain = fine"]


@pytest.fixture
def synced() -> Iterator[tuple[Cli, SimulatorServer]]:
    with live_simulator(data="demo", step_seconds=5) as server:
        cli = Cli.logged_in(server.url)
        for body in TRICKY:
            server.state.add_incoming(OFFICE_PHONE, ANNA, f"{body} spreadsheet")
        server.state.add_incoming(OFFICE_PHONE, ANNA, "evil \x1b[31mred\x1b[0m invoice")
        run = cli("sync", "--json")
        assert run.exit_code == 0, run.output
        yield cli, server


def _seed_names(cli: Cli, server: SimulatorServer) -> None:
    from smstui.core.session import open_session
    from smstui.demo import seed_local_contacts

    session = open_session(api_url=server.url)
    try:
        seed_local_contacts(session.store, server.state)
    finally:
        session.store.close()


def test_search_finds_words_names_and_numbers_as_json(synced: tuple[Cli, SimulatorServer]) -> None:
    cli, server = synced
    _seed_names(cli, server)
    doc = cli("search", "spreadsheet", "--json").json()
    assert set(doc) == {"count", "source", "query", "messages"} and doc["source"] == "local"
    assert doc["count"] == len(TRICKY) == len(doc["messages"])
    newest_first = [m["created"] for m in doc["messages"]]
    assert newest_first == sorted(newest_first, reverse=True)
    # The shape of `messages --json`, plus the contact's name.
    listed = cli("messages", "--offline", "--limit", "0", "--json").json()["messages"]
    by_lid = {m["lid"]: m for m in listed}
    for message in doc["messages"]:
        assert {k: v for k, v in message.items() if k != "name"} == by_lid[message["lid"]]
        assert message["name"] == "Anna Schmidt"
    # A name, a number in national form (the region DE was learnt from the phones' SIMs), filters.
    by_name = cli("search", "schmidt spread", "--json").json()["messages"]
    assert len(by_name) == len(TRICKY)
    national = cli("search", "0151 2345 6781", "--limit", "0", "--json").json()["messages"]
    assert national and all(m["phone"] == ANNA for m in national)
    incoming = cli("search", "spreadsheet", "--direction", "out", "--json").json()
    assert incoming["messages"] == []
    assert cli("search", "spreadsheet", "--status", "incoming", "--json").json()["count"] == len(TRICKY)
    assert cli("search", "spreadsheet", "--since", "1h", "--device", str(OFFICE_PHONE), "--json").json()["count"] == 7
    assert cli("search", "spreadsheet", "--limit", "2", "--json").json()["count"] == len(TRICKY)


def test_search_table_and_usage_errors(synced: tuple[Cli, SimulatorServer]) -> None:
    cli, _ = synced
    run = cli("search", "invoice", env={"COLUMNS": "200"})
    assert run.exit_code == 0, run.output
    assert "\x1b" not in run.stdout and "evil ␛[31mred␛[0m invoice" in run.stdout
    limited = cli("search", "spreadsheet", "--limit", "2")
    assert "Showing the newest 2 of 7" in limited.stderr
    # FTS5 syntax is plain text: no error, whatever is typed.
    for typed in ('"', "spread*", "AND OR", "NEAR(spread", "body:spread", '"spreadsheet'):
        run = cli("search", typed, "--json")
        assert run.exit_code in (0, 2), run.output
        assert "Traceback" not in run.output
    assert cli("search", "spread*", "--json").json()["count"] == len(TRICKY)
    nothing = cli("search", '"*"')
    assert nothing.exit_code == 2 and "no letters or digits" in nothing.stderr
    for args, says in (
        (["--status", "broken"], "unknown status 'broken'"),
        (["--since", "soon"], "cannot read 'soon' as a date"),
        (["--since", "1h", "--until", "2h"], "--since is after --until"),
        (["--sim", "1", "--slot", "sms1"], "either --sim or --slot"),
        (["--phone", "12ab"], "--phone"),
    ):
        run = cli("search", "x", *args)
        assert run.exit_code == 2 and says in run.stderr, (args, run.output)
    empty = cli("search", "zzzzqqq")
    assert empty.exit_code == 0 and "No stored messages match" in empty.stderr


def test_export_csv_keeps_spreadsheets_from_running_cells(synced: tuple[Cli, SimulatorServer], tmp_path: Path) -> None:
    cli, _ = synced
    target = tmp_path / "anna.csv"
    run = cli("export", "--phone", ANNA, "--search", "spreadsheet", "-o", str(target))
    assert run.exit_code == 0, run.output
    assert f"Exported {len(TRICKY)} messages to {target} (csv)." in run.stderr
    assert target.stat().st_mode & 0o777 == 0o600  # the message history: the owner's only
    with target.open(encoding="utf-8", newline="") as f:  # newline="": a CR in a cell stays a CR
        rows = list(csv.DictReader(f))
    assert len(rows) == len(TRICKY)
    cells = {r["body"] for r in rows}
    for body in TRICKY:
        text = f"{body} spreadsheet"
        safe = "'" + text if text[0] in "=+-@\t\r" else text
        assert safe in cells, (body, cells)
    for row in rows:
        assert row["phone"] == "'" + ANNA  # numbers start with + too
        for value in row.values():
            assert not value or value[0] not in "=+-@\t\r", row
    # The same rows as messages --json, cell for cell (formulas apart).
    listed = {m["lid"]: m for m in cli("messages", "--offline", "--limit", "0", "--json").json()["messages"]}
    for row in rows:
        doc = listed[int(row["lid"])]
        assert row["created"] == doc["created"] and row["direction"] == "in" and row["final"] == "true"
        assert row["sent_at"] == "" if doc["sent_at"] is None else doc["sent_at"]


def test_export_jsonl_is_messages_json_line_by_line(synced: tuple[Cli, SimulatorServer], tmp_path: Path) -> None:
    cli, _ = synced
    target = tmp_path / "all.jsonl"  # the format from the suffix
    run = cli("export", "-o", str(target))
    assert run.exit_code == 0 and "(jsonl)" in run.stderr, run.output
    lines = target.read_text(encoding="utf-8").splitlines()
    listed = cli("messages", "--offline", "--limit", "0", "--json").json()["messages"]
    assert [json.loads(line) for line in lines] == listed
    assert all("\x1b" not in line for line in lines)  # escaped as in --json
    # To stdout, filtered; txt for reading, controls made visible.
    text = cli("export", "--search", "invoice", "--format", "txt").stdout
    assert "evil ␛[31mred␛[0m invoice" in text and "\x1b" not in text
    assert "    evil" in text  # bodies indented under their header line
    failed = cli("export", "--status", "failed", "--format", "jsonl").stdout.splitlines()
    assert failed and all(json.loads(line)["failed"] for line in failed)


def test_export_to_a_missing_folder_says_so(synced: tuple[Cli, SimulatorServer], tmp_path: Path) -> None:
    cli, _ = synced
    run = cli("export", "-o", str(tmp_path / "nope" / "x.csv"))
    assert run.exit_code == 2 and "the folder" in run.stderr and "does not exist" in run.stderr
    existing = tmp_path / "keep.csv"
    existing.write_text("old")
    run = cli("export", "--status", "broken", "-o", str(existing))
    assert run.exit_code == 2 and existing.read_text() == "old"
    assert list(tmp_path.glob(".*.part")) == []


# ------------------------------------------------------------------ a large export, in a real process

ROWS = 100_000
_FILL = f"""
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {ROWS})
INSERT INTO messages (sms_id, phone, phone_key, body, status, device_id, slot, created, incoming, seen, updated)
SELECT 5000000 + i, '+49151' || (1000000 + i % 5000), '+49151' || (1000000 + i % 5000),
       'Order ' || i || ' shipped, thanks for waiting ' || substr('abcdefghijklmnopqrstuvwxyz', 1 + i % 26),
       7, 11231, i % 2, 1700000000 + i * 30, 0, 1, 0 FROM n
"""
# The peak RSS of this process's own image: VmHWM (ru_maxrss would count the test process's
# memory, which the child had between fork and exec).
_MEASURE = (
    "import sys\n"
    "from smstui.cli.commands import main\n"
    "sys.argv = ['smstui', *sys.argv[1:]]\n"
    "try:\n"
    "    main()\n"
    "except SystemExit as exc:\n"
    "    code = exc.code\n"
    "peak = next(l for l in open('/proc/self/status') if l.startswith('VmHWM:')).split()[1]\n"
    "print(f'RSS={peak}', file=sys.__stdout__, flush=True)\n"
    "sys.exit(code)\n"
)


def _export_in_a_process(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """Run the export in a fresh interpreter with a terminal as stderr; (peak RSS KB, stdout, tty)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-c", _MEASURE, *args], env=env, stdout=subprocess.PIPE, stderr=slave, text=True
    )
    os.close(slave)
    seen = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the process closed its end
                break
            if not chunk:
                break
            seen += chunk
        elif proc.poll() is not None:
            break
    out, _ = proc.communicate(timeout=300)
    os.close(master)
    assert proc.returncode == 0, (out, seen[-2000:])
    rss = int(next(line for line in out.splitlines() if line.startswith("RSS=")).split("=")[1])
    return rss, out, seen.decode("utf-8", "replace")


def test_a_large_export_streams_in_flat_memory_with_a_progress_bar(tmp_path: Path) -> None:
    from smstui.core.session import open_session

    session = open_session(api_url="http://127.0.0.1:9/getdata/")
    db_path = session.store.path
    session.store.close()
    db = sqlite3.connect(db_path)
    started = time.perf_counter()
    db.executescript(_FILL)  # the triggers index every row, as a sync would
    db.commit()
    db.close()
    fill_time = time.perf_counter() - started
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"}
    small_rss, _, _ = _export_in_a_process(
        ["export", "--status", "delivered", "--until", "2023-11-15", "-o", str(tmp_path / "small.csv")], env
    )
    target = tmp_path / "big.jsonl"
    big_rss, _, tty = _export_in_a_process(["export", "-o", str(target)], env)
    assert "Exporting" in tty and "100%" in tty, tty[-500:]
    assert f"Exported {ROWS} messages" in tty
    with target.open(encoding="utf-8") as f:
        count = sum(1 for _ in f)
    assert count == ROWS
    csv_rss, _, _ = _export_in_a_process(["export", "--search", "order", "-o", str(tmp_path / "big.csv")], env)
    # Flat: a file of 100k rows costs what a few thousand do (one page in memory at a time).
    assert big_rss < 100 * 1024 and csv_rss < 100 * 1024, (small_rss, big_rss, csv_rss, fill_time)
    assert big_rss - small_rss < 15 * 1024 and csv_rss - small_rss < 15 * 1024, (small_rss, big_rss, csv_rss)
