"""Full-text search in the store (issue 16 item 1): what a query finds, in which order, safely,
and that every way a message is written keeps the index in step."""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings, strategies as st

from smstui.core.filters import FilterError, MessageFilters
from smstui.core.fts_tokens import META, FtsTokens, fts_tokens, prefix_end
from smstui.core.gateway_messages import Message
from smstui.core.search import (
    SearchQuery,
    highlight_spans,
    parse_search_input,
    query_words,
)
from smstui.core.store.database import Store
from smstui.core.store.search_schema import key_of

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
ANNA = "+4915123456781"
BEN = "+4917012345673"


def msg(sms_id: int, body: str, *, phone: str = ANNA, minutes: float = 0, **kw: object) -> Message:
    fields: dict[str, object] = dict(status=7, device_id=1297, slot=0, created=NOW - timedelta(minutes=minutes))
    fields.update(kw)
    return Message(id=sms_id, phone=phone, body=body, **fields)  # type: ignore[arg-type]


@pytest.fixture
def store() -> Store:
    s = Store(":memory:", region="DE")
    s.upsert_messages(
        [
            msg(1, "Your invoice #10042 is ready", minutes=1),
            msg(2, "Delivery tomorrow between 9 and 12", minutes=2, phone=BEN, status=9),
            msg(3, "Rechnung für Herrn Müller", minutes=3, slot=1),
            msg(4, 'e-mail me AND "call" *now* NEAR(x y) body:foo', minutes=4, device_id=11231),
            msg(5, "Спасибо за заказ", minutes=5, status=5),
            msg(6, "délivré à Paris ✅", minutes=6, phone="0171 7654321"),
            msg(7, "a tiny word: a", minutes=7),
        ]
    )
    tag = s.add_tag("VIP", 8303)
    s.add_contact(tag, BEN, "Ben Okafor", 1)
    return s


def bodies(store: Store, text: str = "", **filters: object) -> list[str]:
    page = store.search_messages(SearchQuery(text, MessageFilters(**filters)))  # type: ignore[arg-type]
    return [m.body for m in page.messages]


def check_index(store: Store) -> None:
    """FTS5's own check: the index agrees with itself (and the content it was given)."""
    store._db.execute("INSERT INTO message_search (message_search, rank) VALUES ('integrity-check', 0)")
    store._db.execute("INSERT INTO contact_search (contact_search, rank) VALUES ('integrity-check', 0)")


# ------------------------------------------------------------------ what a query finds


def test_words_match_word_starts_folded_and_all_of_them(store: Store) -> None:
    assert bodies(store, "invoice") == ["Your invoice #10042 is ready"]
    assert bodies(store, "deliv") == ["Delivery tomorrow between 9 and 12", "délivré à Paris ✅"]
    assert bodies(store, "MULLER") == bodies(store, "müller") == ["Rechnung für Herrn Müller"]
    assert bodies(store, "delivre paris") == ["délivré à Paris ✅"]  # diacritics folded both ways
    assert bodies(store, "спас") == ["Спасибо за заказ"]
    assert bodies(store, "10042") == ["Your invoice #10042 is ready"]
    assert bodies(store, "invoice tomorrow") == []  # every word must match
    assert bodies(store, "nothing-like-this") == []
    # One character is a whole word, not every word starting with it.
    assert bodies(store, "a") == ["délivré à Paris ✅", "a tiny word: a"]  # à is an a
    assert bodies(store, "voice") == []  # the start of a word, not any part


def test_names_and_numbers_find_their_conversation(store: Store) -> None:
    assert bodies(store, "okafor") == ["Delivery tomorrow between 9 and 12"]
    assert bodies(store, "ben deliv") == ["Delivery tomorrow between 9 and 12"]
    assert bodies(store, "ben invoice") == []
    # National form in the store's region, international, spaced, with the 00 prefix.
    for typed in ("0171 765", "+49 171 7654", "00491717654", "4917176"):
        assert bodies(store, typed) == ["délivré à Paris ✅"], typed
    page = store.search_messages(SearchQuery("deliv"))
    assert page.names == {BEN: "Ben Okafor"}


@pytest.mark.parametrize(
    "typed",
    [
        '"',
        '"call',
        "*now*",
        "AND",
        "OR NOT",
        "NEAR(x",
        "body:foo",
        "about:x",
        "^e",
        "-mail",
        "(",
        ")",
        "{body about}: x",
        "e-mail",
        "'",
        "\\",
        "a*b",
        META + "d1297",
        "\x00",
        "\ud800",
        "🎉",
        "   ",
    ],
)
def test_fts_syntax_is_just_text(store: Store, typed: str) -> None:
    page = store.search_messages(SearchQuery(typed))  # never raises
    for message in page.messages:
        assert message.body  # whatever matched is a real message
    assert store.count_messages(SearchQuery(typed)) == len(page.messages)


def test_operators_find_the_words_they_are(store: Store) -> None:
    assert bodies(store, '"call') == bodies(store, "*now*") == [bodies(store, "e-mail")[0]]
    assert bodies(store, "NEAR") == [bodies(store, "e-mail")[0]]
    assert bodies(store, "AND") == ["Delivery tomorrow between 9 and 12", bodies(store, "e-mail")[0]]
    assert bodies(store, "body:foo") == [bodies(store, "e-mail")[0]]
    # A private-use character cannot reach the attribute tokens (a device filter in disguise).
    assert bodies(store, META + "d1297") == bodies(store, "d1297") == []
    assert bodies(store, '"') == bodies(store, "🎉") == []  # nothing to look for: nothing found


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=30))
def test_any_typed_text_is_safe(typed: str) -> None:
    with Store(":memory:", region="DE") as s:
        s.upsert_messages([msg(1, "hello world"), msg(2, typed or "x", minutes=1)])
        page = s.search_messages(SearchQuery(typed))
        assert s.count_messages(SearchQuery(typed)) == len(page.messages)
        if query_words(typed):
            assert any(m.sms_id == 2 for m in page.messages) or not typed.strip()


# ------------------------------------------------------------------ filters


def test_filters_alone_and_with_words(store: Store) -> None:
    assert bodies(store, statuses=(9,)) == ["Delivery tomorrow between 9 and 12"]
    assert bodies(store, direction="in") == ["Спасибо за заказ"]
    assert len(bodies(store, direction="out")) == 6
    assert bodies(store, device_id=11231) == [bodies(store, "e-mail")[0]]
    assert bodies(store, "rechnung", slot=1) == ["Rechnung für Herrn Müller"]
    assert bodies(store, "rechnung", slot=0) == []
    assert bodies(store, "deliv", statuses=(8, 9, 10)) == ["Delivery tomorrow between 9 and 12"]
    assert bodies(store, phone_key=BEN) == ["Delivery tomorrow between 9 and 12"]
    assert bodies(store, "tomorrow", phone_key=ANNA) == []
    # Dates, to the second (the index's key is by the hour; the store checks the exact time).
    window = dict(since=NOW - timedelta(minutes=3, seconds=30), until=NOW - timedelta(minutes=1, seconds=30))
    assert bodies(store, **window) == ["Delivery tomorrow between 9 and 12", "Rechnung für Herrn Müller"]
    assert bodies(store, "r", **window) == []
    assert bodies(store, "rechnung", **window) == ["Rechnung für Herrn Müller"]
    assert bodies(store, "rechnung", until=NOW - timedelta(minutes=4)) == []


def test_prefixes_learnt_while_typing_follow_new_words(store: Store) -> None:
    """Expansions are kept until the index changes, and longer prefixes come from shorter ones."""
    for typed in ("de", "del", "deli", "deliv"):
        assert bodies(store, typed) == ["Delivery tomorrow between 9 and 12", "délivré à Paris ✅"], typed
    store.upsert_messages([msg(40, "Deliverance at last", minutes=0.5)])
    assert bodies(store, "delive") == ["Deliverance at last", "Delivery tomorrow between 9 and 12"]
    store.delete_message(store.message_by_sms_id(40).lid)  # type: ignore[union-attr]
    assert bodies(store, "delive") == ["Delivery tomorrow between 9 and 12"]


def test_status_changes_move_a_message_between_filters(store: Store) -> None:
    assert bodies(store, "invoice", statuses=(9,)) == []
    store.update_status(1, 9, "Not sent")
    assert bodies(store, "invoice", statuses=(9,)) == ["Your invoice #10042 is ready"]
    assert bodies(store, "invoice", statuses=(7,)) == []
    check_index(store)


# ------------------------------------------------------------------ order and pages


def _shuffled_store(count: int, seed: int) -> Store:
    """Messages inserted in random order, so lid order is not time order (a first sync walks
    back in time), many in the same hours, some in the same second."""
    rng = random.Random(seed)
    s = Store(":memory:", region="DE")
    times = [
        NOW - timedelta(seconds=rng.choice([rng.randrange(0, 20_000), 3600 * 3 + rng.randrange(10)]))
        for _ in range(count)
    ]
    items = [
        msg(100 + i, f"parcel {'odd' if i % 2 else 'even'} {i}", created=t, status=9 if i % 5 == 0 else 7)
        for i, t in enumerate(times)
    ]
    rng.shuffle(items)
    for start in range(0, count, 37):  # many small syncs
        s.upsert_messages(items[start : start + 37])
    return s


@pytest.mark.parametrize("seed", [1, 2])
def test_pages_are_newest_first_exactly_and_complete(seed: int) -> None:
    s = _shuffled_store(900, seed)
    rows = s.messages(limit=None)  # the reference: ORDER BY created DESC, lid DESC
    for query, expect in [
        (SearchQuery("parcel"), rows),
        (SearchQuery("odd"), [m for m in rows if "odd" in m.body]),
        (SearchQuery("", MessageFilters(statuses=(9,))), [m for m in rows if m.status == 9]),
        (SearchQuery("even", MessageFilters(statuses=(9,))), [m for m in rows if m.status == 9 and "even" in m.body]),
        (SearchQuery(""), rows),
    ]:
        got, before = [], None
        while True:
            page = s.search_messages(query, limit=23, before=before)
            got += page.messages
            if not page.more:
                break
            before = page.after
        assert [m.lid for m in got] == [m.lid for m in expect], query
        assert [m.lid for m in s.iter_messages(query, page=50)] == [m.lid for m in expect]
        assert s.count_messages(query) == len(expect)
        assert s.count_messages(query, cap=10) == min(10, len(expect))


def test_the_key_orders_by_hour_then_lid() -> None:
    assert key_of(7200.5, 9) > key_of(7199.0, 10_000)
    assert key_of(7200.5, 9) < key_of(10800.0, 8) and key_of(7300.0, 8) < key_of(7200.5, 9)
    assert key_of(-5, 3) == 3 and key_of(10**12, 1) == key_of(2**32 - 1, 1)


# ------------------------------------------------------------------ kept in step


def test_every_write_keeps_the_index_in_step(store: Store) -> None:
    # The outbox: found before it is sent, and after.
    lid = store.enqueue(phone=ANNA, body="Server is down", device_id=1297, slot=0)
    assert bodies(store, "server down") == ["Server is down"]
    store.attach_sms_ids([(lid, 99)])
    assert [m.sms_id for m in store.search_messages(SearchQuery("server")).messages] == [99]
    # Gateway edits of the body.
    store.upsert_messages([msg(1, "Your corrected invoice", minutes=1)])
    assert bodies(store, "corrected") == ["Your corrected invoice"] and bodies(store, "10042") == []
    # Deleted rows leave.
    store.delete_message(lid)
    assert bodies(store, "server") == []
    # A region learnt later re-keys numbers: 0170… becomes +49170… in its messages and the index.
    other = Store(":memory:")
    other.upsert_messages([msg(1, "national", phone="0170 1234567")])
    assert [m.body for m in other.search_messages(SearchQuery("+49170")).messages] == []
    other.rekey_phones("DE")
    assert [m.body for m in other.search_messages(SearchQuery("+49170")).messages] == ["national"]
    check_index(other)
    # Contacts: added, renamed, removed.
    tag = store.add_tag("Team", 8310)
    store.add_contact(tag, ANNA, "Anna Schmidt", 2)
    assert "Rechnung für Herrn Müller" in bodies(store, "schmidt")
    store._db.execute("UPDATE contacts SET name = 'Anna Weber' WHERE phone_key = ?", (ANNA,))
    assert bodies(store, "schmidt") == [] and "Rechnung für Herrn Müller" in bodies(store, "weber")
    store._db.execute("DELETE FROM contacts WHERE phone_key = ?", (ANNA,))
    assert bodies(store, "weber") == []
    # Another account: everything the gateway told goes, and with it its index rows.
    store.forget_account("another account")
    assert bodies(store, "deliv") == [] and store.count_messages(SearchQuery("")) == 0
    check_index(store)


def test_sync_and_the_index_share_one_transaction(store: Store) -> None:
    """A write the index refuses is rolled back with the message it came with."""
    store._db.execute(
        "CREATE TEMP TRIGGER refuse BEFORE INSERT ON messages WHEN NEW.body = 'boom' BEGIN SELECT RAISE(ABORT, 'no'); END"
    )
    with pytest.raises(sqlite3.DatabaseError):
        store.upsert_messages([msg(50, "fine one"), msg(51, "boom")])
    assert bodies(store, "fine") == [] and store.message_by_sms_id(50) is None
    check_index(store)


def test_a_bulk_insert_indexes_its_rows_itself_and_leaves_the_trigger_on(store: Store) -> None:
    """A first sync's listing indexes its new rows in one statement, not through the queue; the
    trigger is back for the next single write, and a failed listing leaves it on too."""
    queued: list[int] = []
    store.upsert_messages(
        [msg(100 + i, f"listing word{i} shared", minutes=10 + i) for i in range(20)],
        after=lambda db: queued.append(db.execute("SELECT COUNT(*) FROM search_queue").fetchone()[0]),
    )
    assert queued == [0]  # nothing went through the queue
    assert store._query("SELECT active FROM search_direct") == [(0,)]
    assert len(bodies(store, "shared")) == 20 and bodies(store, "word7") == ["listing word7 shared"]
    assert len(bodies(store, "shared", device_id=1297, slot=0, direction="out", statuses=(7,))) == 20  # ``about``
    assert bodies(store, "shared", direction="in") == bodies(store, "shared", device_id=11231) == []
    store.upsert_messages([msg(200, "a single one")])  # through the trigger again
    assert bodies(store, "single") == ["a single one"]
    store._db.execute(
        "CREATE TEMP TRIGGER refuse BEFORE INSERT ON messages WHEN NEW.body = 'boom' BEGIN SELECT RAISE(ABORT, 'no'); END"
    )
    with pytest.raises(sqlite3.DatabaseError):
        store.upsert_messages([msg(300 + i, "boom" if i == 15 else f"lost {i}") for i in range(20)])
    assert store._query("SELECT active FROM search_direct") == [(0,)] and bodies(store, "lost") == []
    store._db.execute("DROP TRIGGER refuse")
    store.upsert_messages([msg(400, "after the failure")])
    assert bodies(store, "failure") == ["after the failure"]
    store._db.execute("INSERT INTO search_direct (active) VALUES (0)")  # a store mended by hand: two rows
    store.upsert_messages([msg(450 + i, f"doubled {i}") for i in range(20)])
    store.upsert_messages([msg(470, "doubled alone")])
    assert len(bodies(store, "doubled")) == 21 and store._query("SELECT active FROM search_direct") == [(0,), (0,)]
    store._db.execute("DELETE FROM search_direct")  # and none: the trigger's way, once
    store.upsert_messages([msg(500 + i, f"mended {i}") for i in range(20)])
    store.upsert_messages([msg(600, "mended alone")])
    assert len(bodies(store, "mended")) == 21 and bodies(store, "mended 7") == ["mended 7"]
    found = {q: bodies(store, q) for q in ("shared", "word1", "single", "failure", "deliv", "mended")}
    store.rebuild_search_index()
    assert {q: bodies(store, q) for q in found} == found  # the same index a rebuild writes
    check_index(store)


def test_a_listing_newest_first_is_indexed_as_one_segment() -> None:
    """FTS5 writes its pending terms out as a segment whenever a rowid is not above the last one,
    and a key starts with the message's hour: a listing comes newest first, so the index was
    written in hundreds of pieces and merged again (half a first sync's index time)."""

    def segments(s: Store) -> int:
        return int(s._query("SELECT COUNT(DISTINCT segid) FROM message_search_idx")[0][0])

    bulk = Store(":memory:", region="DE")  # a first sync's listing: the bulk insert
    bulk.upsert_messages([msg(i + 1, f"word{i} common", minutes=60 * i) for i in range(300)])
    queued = Store(":memory:", region="DE")  # one transaction of single inserts: the trigger's queue
    with queued.transaction() as db:
        for i in range(300):
            db.execute(
                "INSERT INTO messages (sms_id, phone, phone_key, body, status, created, incoming, seen, updated) "
                "VALUES (?, ?, ?, ?, 7, ?, 0, 1, 0)",
                (i + 1, ANNA, ANNA, f"word{i} common", (NOW - timedelta(hours=i)).timestamp()),
            )
    for s in (bulk, queued):
        assert segments(s) == 1
        s.rebuild_search_index()  # and when the whole index is written again
        assert segments(s) == 1
        assert len(bodies(s, "common")) == 100 and bodies(s, "word299") == ["word299 common"]  # a page of 100
        check_index(s)


def test_writes_from_outside_a_store_transaction_are_found_too(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The index's writes wait in a queue written by the triggers; a store transaction applies
    them before its COMMIT, and a search applies what another program (or an autocommit
    statement) left there before it reads."""
    path = tmp_path / "store.sqlite3"
    with Store(path, region="DE") as s:
        s.upsert_messages([msg(1, "first words")])
        assert s._query("SELECT COUNT(*) FROM search_queue")[0][0] == 0  # applied with its transaction
        assert bodies(s, "wri") == []  # an expansion the store keeps, until the index changes
        other = sqlite3.connect(path)
        other.execute(
            "INSERT INTO messages (sms_id, phone, phone_key, body, status, created, incoming, seen, updated) "
            "VALUES (2, ?, ?, 'written elsewhere', 7, 1, 0, 1, 0)",
            (BEN, BEN),
        )
        other.execute("UPDATE messages SET body = 'first words, edited' WHERE sms_id = 1")
        other.commit()
        other.close()
        assert bodies(s, "wri") == bodies(s, "elsewhere") == ["written elsewhere"]
        assert bodies(s, "edited") == ["first words, edited"]
        assert s._query("SELECT COUNT(*) FROM search_queue")[0][0] == 0
        check_index(s)


def test_rebuild_gives_the_same_answers(store: Store) -> None:
    before = {q: bodies(store, q) for q in ("deliv", "ben", "a", "0171")}
    store._db.execute("INSERT INTO message_search (message_search) VALUES ('delete-all')")
    assert bodies(store, "deliv") == []
    store.rebuild_search_index()
    assert {q: bodies(store, q) for q in before} == before
    check_index(store)


# ------------------------------------------------------------------ tokens and highlights


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40))
def test_tokens_are_the_index_s_own(text: str) -> None:
    """The split and fold of any text agree with unicode61's, token for token."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(x)")
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, instance)")
    db.execute("INSERT INTO t (rowid, x) VALUES (1, ?)", (text,))
    theirs = [term for term, _ in sorted(db.execute("SELECT term, offset FROM v"), key=lambda r: r[1])]
    assert fts_tokens().fold(text) == theirs


def test_ascii_table_matches_sqlite() -> None:
    """The ASCII shortcut (letters and digits, lower-cased) is what SQLite says of each character."""
    fresh = FtsTokens()
    fresh._chars = {}
    fresh._probe([chr(c) for c in range(1, 128)])
    assert {chr(c): fresh._chars[chr(c)] for c in range(1, 128)} == {
        chr(c): (chr(c).lower() if chr(c).isalnum() else None) for c in range(1, 128)
    }
    text = "Order #10042: O'Brien's e-mail, 3pm_today"
    assert [t.folded for t in fresh.tokens(text)] == ["order", "10042", "o", "brien", "s", "e", "mail", "3pm", "today"]


def test_highlights_mark_the_matched_part_only() -> None:
    words = query_words("deliv MULL")
    text = "Délivré to Herr Müller, delivery at noon; undelivered"
    spans = highlight_spans(text, words)
    assert [text[a:b] for a, b in spans] == ["Déliv", "Müll", "deliv"]
    decomposed = "De\u0301livre\u0301"  # e + combining acute: the mark stays with its letter
    [(a, b)] = highlight_spans(decomposed, query_words("de"))
    assert decomposed[a:b] == "De\u0301"
    [token] = fts_tokens().tokens(decomposed)
    assert prefix_end(token, "delivre") == len(decomposed)
    assert highlight_spans("a b ab", query_words("a")) == [(0, 1)]


# ------------------------------------------------------------------ filters typed with the words


def test_filters_typed_in_the_search_field() -> None:
    zone = UTC
    got = parse_search_input("invoice device:1297 status:failed dir:in since:7d slot:sms2", now=NOW, zone=zone)
    assert got.text == "invoice" and got.problems == ()
    f = got.filters
    assert (f.device_id, f.slot, f.direction) == (1297, 1, "in") and 9 in f.statuses and 7 not in f.statuses
    assert f.since == NOW - timedelta(days=7)
    bad = parse_search_input("x status:broken device:abc dir:up since:tomorrow status:", now=NOW, zone=zone)
    assert bad.text == "x" and bad.filters == MessageFilters()
    assert len(bad.problems) == 4 and "unknown status 'broken'" in bad.problems[0]
    with pytest.raises(FilterError):
        from smstui.core.filters import parse_past

        parse_past("999999999d", NOW, zone)
