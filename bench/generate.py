"""Realistic message history for the benchmarks, deterministic by seed.

``history(n)`` builds ``n`` messages over many conversations: one big thread (10 000 messages at
100k), the rest Zipf-sized; mixed statuses (delivered, sent, failed, not delivered, a few still
waiting on an offline phone), both SIM slots and WhatsApp, incoming replies, multi-part bodies,
emoji, Cyrillic, CJK and Arabic text, and numbers written in more than one format.

The same history fills a :class:`~smstui.core.store.database.Store` (``fill_store``: one ``executemany`` in one
transaction, then ``rebuild_threads``) and the simulator (``fill_simulator``: ``bulk_load``), so the
gateway and the local store agree message for message.

    python bench/generate.py --size 100000 --store /tmp/smstui-100k.sqlite3
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import RESULTS  # noqa: E402
from smstui.core.store.database import Store  # noqa: E402
from smstui.simulator.records import Msg  # noqa: E402
from smstui.simulator.seed import OFFICE_PHONE, OLD_PHONE, TRAVEL_PHONE  # noqa: E402
from smstui.simulator.state import STATUS_TITLES, SimState  # noqa: E402

DAY = 86_400
# Fixed "now" so data (and the store file) are identical on every run: 2025-06-02 12:00 UTC.
NOW = 1_748_865_600
YEARS = 2

# Bumped when history() changes shape, so cached stores are rebuilt (2: 1M has 5,000 threads, one of 50k).
GEN_VERSION = 2

BIG_THREAD_PHONE = "+4915123450001"  # ends in 1: the simulator's phone replies to it too

WORDS_EN = (
    "order shipped tomorrow invoice meeting moved please call back thanks delivery window "
    "appointment confirmed reminder code parcel driver door office friday monday room late "
    "sorry great perfect noon evening weekend payment received ticket update"
).split()
WORDS_DE = "Termin morgen Grüße Rechnung Lieferung bitte danke später Büro Straße schön Tschüss".split()
WORDS_RU = "Спасибо заказ доставка завтра позвоните пожалуйста встреча код".split()
WORDS_JA = ["ありがとう", "明日", "配達", "会議", "了解です", "お願いします"]
WORDS_AR = ["شكرا", "غدا", "موعد", "الطلب", "مرحبا"]
EMOJI = ["👍", "🎉", "😂", "🙏", "📦", "✅", "❤️", "🚚", "👋", "☕", "🇩🇪", "👨‍👩‍👧"]
SHORT = ["ok", "Ok!", "👍", "Thanks!", "Danke", "Yes", "No", "?", "On my way", "Спасибо!", "了解"]
TEMPLATES = [
    "Your order #{n} has shipped and should arrive {w}.",
    "Reminder: your appointment is on {d} at {h}:30. Reply STOP to opt out.",
    "Your verification code is {n}. Do not share it with anyone.",
    "Der Termin am {d} passt. Bis dann {e}",
    "Ваш заказ {n} доставлен. Спасибо!",
    "ご注文 {n} は発送されました。{e}",
    "Hi! {s}",
    "{s} {e}",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "12.06.", "3rd"]


@dataclass(slots=True)
class GenMessage:
    """One generated message, in the units both the store and the simulator take."""

    sms_id: int
    phone: str  # as the gateway spells it (formats vary per message)
    body: str
    status: int
    device_id: int
    slot: int | None
    created: int  # unix seconds
    sent: int | None
    customer_id: int | None
    urgent: bool

    @property
    def incoming(self) -> bool:
        return self.status == 5


@dataclass(slots=True)
class History:
    messages: list[GenMessage]
    big_thread_phone: str
    thread_phones: list[str]

    def __len__(self) -> int:
        return len(self.messages)


def _phone_pool(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """(E.164, an alternative spelling) per conversation, across several countries."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    while len(out) < count:
        kind = rng.random()
        if kind < 0.55:
            prefix = rng.choice(["151", "160", "170", "176", "157"])
            sub = f"{rng.randrange(10_000_000):07d}"
            e164 = f"+49{prefix}{sub}"
            alt = f"0{prefix} {sub[:3]} {sub[3:]}"
        elif kind < 0.65:
            sub = f"{rng.randrange(1000):03d}"
            e164 = f"+447700900{sub}"
            alt = f"+44 7700 900{sub}"
        elif kind < 0.75:
            area = rng.choice(["212", "415", "646", "312"])
            sub = f"{rng.randrange(2_000_000, 9_999_999):07d}"
            e164 = f"+1{area}{sub}"
            alt = f"+1 ({area}) {sub[:3]}-{sub[3:]}"
        elif kind < 0.83:
            sub = f"{rng.randrange(10_000_000):07d}"
            e164 = f"+7916{sub}"
            alt = f"+7 916 {sub[:3]} {sub[3:5]} {sub[5:]}"
        elif kind < 0.9:
            sub = f"{rng.randrange(100_000_000):08d}"
            e164 = f"+8190{sub}"
            alt = f"+81 90-{sub[:4]}-{sub[4:]}"
        elif kind < 0.97:
            sub = f"{rng.randrange(100_000_000):08d}"
            e164 = f"+336{sub}"
            alt = f"+33 6 {sub[:2]} {sub[2:4]} {sub[4:6]} {sub[6:]}"
        else:
            e164 = str(rng.choice([22000, 8222, 33333, 7726]) + len(out))  # short codes
            alt = e164
        if e164 not in seen and e164 != BIG_THREAD_PHONE:
            seen.add(e164)
            out.append((e164, alt))
    return out


def _body(rng: random.Random, serial: int) -> str:
    r = rng.random()
    if r < 0.18:
        return rng.choice(SHORT)
    if r < 0.26:
        # Multi-part: 2-6 SMS worth of text, sometimes UCS-2.
        words = WORDS_EN + (WORDS_DE if rng.random() < 0.5 else WORDS_RU)
        text = " ".join(rng.choice(words) for _ in range(rng.randint(50, 150)))
        return text.capitalize() + "."
    if r < 0.33:
        pool = rng.choice([WORDS_RU, WORDS_JA, WORDS_AR])
        return " ".join(rng.choice(pool) for _ in range(rng.randint(2, 12))) + " " + rng.choice(EMOJI)
    if r < 0.6:
        return rng.choice(TEMPLATES).format(
            n=10_000 + serial,
            w=rng.choice(WEEKDAYS),
            d=rng.choice(WEEKDAYS),
            h=rng.randint(8, 18),
            e=rng.choice(EMOJI),
            s=" ".join(rng.choice(WORDS_EN) for _ in range(rng.randint(3, 12))),
        )
    words = WORDS_EN if rng.random() < 0.7 else WORDS_DE
    text = " ".join(rng.choice(words) for _ in range(rng.randint(3, 25)))
    if rng.random() < 0.3:
        text += " " + rng.choice(EMOJI)
    if rng.random() < 0.05:
        text += "\nSecond line\n\tand a tab"
    return text.capitalize()


def _outgoing_status(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.86:
        return 7
    if r < 0.92:
        return 6
    if r < 0.94:
        return 8
    return rng.choice((9, 9, 10, 12, 100))


def big_thread_size(n: int) -> int:
    """Messages in the big conversation of an ``n``-message history (10k at 100k, 50k at 1M)."""
    return min(max(10_000, n // 20), max(1, n // 10))


def big_thread_label(n: int) -> str:
    """ "10k" / "50k": how the benches' rows name the big conversation of that history."""
    big = big_thread_size(n)
    return f"{big // 1000}k" if big >= 1000 else str(big)


def history(n: int, *, threads: int | None = None, big_thread: int | None = None, seed: int = 1) -> History:
    """``n`` messages, oldest first, ``sms_id`` growing with time (as the gateway's ids do)."""
    rng = random.Random(seed)
    # 100k: ~2,000 conversations, one of 10,000; 1M: ~5,000, one of 50,000 (issue 17's power user).
    threads = threads if threads is not None else max(4, min(max(2000, n // 200), n // 50))
    big = big_thread if big_thread is not None else big_thread_size(n)
    big = min(big, n)
    others = max(0, threads - 1)
    pool = _phone_pool(rng, others)
    # Zipf-ish sizes for the other threads: a few busy customers, a long tail of one-offs.
    rest = n - big
    sizes: list[int] = []
    if others and rest >= others:
        # A fifth are one-offs (1-3 messages); the rest Zipf, none bigger than the big thread.
        one_offs = [rng.randint(1, 3) for _ in range(others // 5)]
        zipf_n = others - len(one_offs)
        zipf_total = rest - sum(one_offs)
        weights = [1 / (rank + 2) ** 1.05 for rank in range(zipf_n)]
        total_w = sum(weights)
        cap = max(1, big * 6 // 10)
        sizes = [min(cap, max(1, int(zipf_total * w / total_w))) for w in weights] + one_offs
        drift = rest - sum(sizes)
        i = 0
        while drift != 0:
            j = i % others
            step = 1 if drift > 0 else -1
            if 1 <= sizes[j] + step <= max(cap, 1 + rest // others):
                sizes[j] += step
                drift -= step
            i += 1
    elif others:
        others = rest
        pool = pool[:others]
        sizes = [1] * others
    else:
        big = n
    plan: list[tuple[str, str, int]] = [(BIG_THREAD_PHONE, "0151 23450001", big)]
    plan += [(e164, alt, size) for (e164, alt), size in zip(pool, sizes, strict=False)]

    span = YEARS * 365 * DAY
    rows: list[tuple[int, str, str, int, int, int | None, bool, int | None]] = []
    for index, (e164, alt, size) in enumerate(plan):
        short_code = not e164.startswith("+")
        replies = not short_code and rng.random() < 0.8
        device = (OFFICE_PHONE, OFFICE_PHONE, TRAVEL_PHONE)[index % 3]
        start = NOW - int(rng.random() * span) - DAY if index else NOW - span
        length = NOW - start - 600
        for _ in range(size):
            created = start + int(rng.random() * length)
            incoming = replies and rng.random() < 0.38
            status = 5 if incoming else _outgoing_status(rng)
            if device == OFFICE_PHONE:
                slot = rng.choice((0, 0, 0, 1, 1, 3)) if not incoming else rng.choice((0, 1))
            else:
                slot = rng.choice((0, 0, None))
            phone = alt if rng.random() < 0.1 else e164
            customer = rng.randint(1, 99_999) if not incoming and rng.random() < 0.15 else None
            urgent = not incoming and rng.random() < 0.03
            rows.append((created, phone, _body(rng, len(rows)), status, device, slot, urgent, customer))
    rows.sort(key=lambda r: r[0])
    # The last few outgoing messages went through the phone that has been offline for hours:
    # still New, so every sync has something pending that can change (as in real accounts).
    messages: list[GenMessage] = []
    pending_from = len(rows) - min(20, max(1, len(rows) // 100))
    for i, (created, phone, body, status, device, slot, urgent, customer) in enumerate(rows):
        if i >= pending_from and status != 5:
            status, device, slot = 1, OLD_PHONE, 0
        sent = created + 3 + (i % 20) if status in (6, 7, 8) else None
        messages.append(GenMessage(1_000_000 + i, phone, body, status, device, slot, created, sent, customer, urgent))
    return History(messages, BIG_THREAD_PHONE, [p[0] for p in plan])


_INSERT = (
    "INSERT INTO messages (sms_id, phone, phone_key, body, status, status_title, device_id, slot, created, "
    "sent_at, customer_id, urgent, incoming, seen, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)


def fill_store(store: Store, hist: History) -> None:
    """Write the history as if a full sync had stored it (all seen), then the thread summaries."""
    key = store.phone_key
    rows = [
        (
            m.sms_id,
            m.phone,
            key(m.phone),
            m.body,
            m.status,
            STATUS_TITLES.get(m.status),
            m.device_id,
            m.slot,
            float(m.created),
            None if m.sent is None else float(m.sent),
            m.customer_id,
            int(m.urgent),
            int(m.incoming),
            1,
            float(NOW),
        )
        for m in hist.messages
    ]
    with store.transaction() as db:
        db.executemany(_INSERT, rows)
    store.rebuild_threads()
    with store.transaction() as db:  # a handful of unread replies, as after a few days away
        db.execute(
            "UPDATE messages SET seen = 0 WHERE lid IN (SELECT lid FROM messages WHERE incoming = 1 "
            "ORDER BY created DESC LIMIT 12)"
        )
        db.execute(
            "UPDATE threads SET unread = (SELECT COUNT(*) FROM messages m WHERE m.phone_key = threads.phone_key "
            "AND m.incoming = 1 AND m.seen = 0)"
        )
    store.set_meta("bench.generated", _stamp(len(hist)))


def fill_simulator(state: SimState, hist: History) -> None:
    """The same history on the simulator's side (its demo account and phones must exist)."""
    msgs = [
        Msg(
            m.sms_id,
            m.phone,
            m.body,
            m.device_id,
            m.created,
            m.status,
            m.slot,
            m.customer_id,
            True if m.urgent else None,
            None,
            m.sent,
            None,
            None,
            5 if m.incoming else (7 if m.status == 1 else m.status),
        )
        for m in hist.messages
    ]
    state.bulk_load(msgs)
    # "Sent" with no delivery report stays "Sent" forever on real networks; the simulator would
    # deliver it on its next tick (and make numbers reply), so take those out of its in-flight set.
    with state.lock:
        for m in msgs:
            if m.status == 6:
                state._active.pop(m.id, None)


def _stamp(n: int) -> str:
    """What a cached store was made from: its size and the schema's migrations (a migration edited
    under the same version number, as during development, makes the cache stale too)."""
    import hashlib

    from smstui.core.store.schema import MIGRATIONS

    return f"{n}:g{GEN_VERSION}:{hashlib.sha256(repr(MIGRATIONS).encode()).hexdigest()[:16]}"


def store_file(n: int, *, seed: int = 1, directory: Path | None = None) -> Path:
    """A generated store of ``n`` messages, cached by size and seed (reuse saves seconds per bench).

    Callers that write to it must copy it first (:func:`fresh_copy`).
    """
    directory = directory or RESULTS / "cache"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"store-{n}-s{seed}.sqlite3"
    if path.exists():
        try:
            with Store(path) as store:
                if store.get_meta("bench.generated") == _stamp(n):
                    return path
        except Exception:  # a stale or foreign file: regenerate
            pass
    tmp = path.with_suffix(".tmp")
    for p in (tmp, Path(str(tmp) + "-wal"), Path(str(tmp) + "-shm"), path):
        p.unlink(missing_ok=True)
    with Store(tmp, region="DE") as store:
        fill_store(store, history(n, seed=seed))
        # One self-contained file, so copies need no -wal companion.
        store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store._db.execute("PRAGMA journal_mode=DELETE")
    tmp.rename(path)
    return path


def fresh_copy(src: Path, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(dest) + suffix).unlink(missing_ok=True)
    shutil.copyfile(src, dest)
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description="Generate a benchmark store (and check the simulator load).")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--store", type=Path, help="write the store here (default: the bench cache)")
    args = parser.parse_args()
    t0 = time.perf_counter()
    history(args.size, seed=args.seed)  # timed: builds (and caches) the message history
    t1 = time.perf_counter()
    if args.store:
        fresh_copy(store_file(args.size, seed=args.seed), args.store)
        path = args.store
    else:
        path = store_file(args.size, seed=args.seed)
    t2 = time.perf_counter()
    with Store(path) as store:
        print(f"{path}: {store.message_count()} messages in {store.thread_count()} threads")
    print(f"history {t1 - t0:.2f} s, store {t2 - t1:.2f} s")


if __name__ == "__main__":
    main()
