"""Open a conversation / apply a phone or name filter in a 100k (or --size) store: ≤ 50 ms each.

Two levels are measured:

* store: the queries the screens make (``Store.thread_messages`` for the newest page of a thread,
  ``thread_size``, ``mark_thread_seen``; ``Store.threads(search=...)`` for the filter) on a freshly
  opened store. The first call on a fresh connection (cold SQLite cache) and the median of 15
  repeats are both reported; the verdict uses the worst query's first call.
* UI: the same actions through the real app under Textual's Pilot (headless, 120x40) — pressing
  Enter on the big thread until its view shows messages, typing a filter until the list shows the
  matches. Timed from the key press to the first frame painted with the result (bench/frames.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Row, bench_args, first_and_median, ms, print_rows  # noqa: E402
from bench.generate import BIG_THREAD_PHONE, big_thread_label, store_file  # noqa: E402
from smstui.core.store.database import Store  # noqa: E402

TARGET = 0.050
PAGE = 200
# Digits as people type them: a prefix, part of a number, a formatted number, a miss.
FILTERS = ["0151", "+49 151 2345", "7700 900", "(415)", "+4915123450001", "98765", "9"]
# A contact's name as it is typed (the copy gets 600 named contacts: bench/ui_open_filter.py).
NAME_FILTERS = ["w", "we", "web", "webe", "weber", "anna weber 1"]


def store_level(size: int, repeats: int = 15) -> list[Row]:
    path = store_file(size)
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory(prefix="smstui-bench-open-") as tmp:
        db = Path(tmp) / "store.sqlite3"
        shutil.copyfile(path, db)
        from bench.ui_open_filter import _with_contacts

        _with_contacts(db)
        store = Store(db, region="DE")
        try:
            keys = [BIG_THREAD_PHONE] + [t.phone_key for t in store.threads(limit=2000)[::400]]
            opens: dict[str, tuple[float, float]] = {}

            def open_thread(key: str) -> None:
                store.thread_messages(key, limit=PAGE)
                store.thread_size(key)
                store.mark_thread_seen(key)

            for key in keys:
                opens[key] = first_and_median(lambda k=key: open_thread(k), repeats)
            big = opens[BIG_THREAD_PHONE]

            def older_page() -> None:
                page = store.thread_messages(BIG_THREAD_PHONE, limit=PAGE)
                oldest = page[0]
                store.thread_messages(BIG_THREAD_PHONE, limit=PAGE, before=(oldest.created.timestamp(), oldest.lid))

            older = first_and_median(older_page, repeats)
            filters = {q: first_and_median(lambda q=q: store.threads(search=q), repeats) for q in FILTERS}
            names = {q: first_and_median(lambda q=q: store.threads(search=q), repeats) for q in NAME_FILTERS}
            listing = first_and_median(lambda: store.threads(), repeats)
        finally:
            store.close()
    worst_open = max(v[0] for v in opens.values())
    worst_filter_q, worst_filter = max(filters.items(), key=lambda kv: kv[1][0])
    worst_name_q, worst_name = max(names.items(), key=lambda kv: kv[1][0])
    return [
        Row(
            f"store: open conversation ({size:,} msgs; {len(keys)} threads incl. the {big_thread_label(size)} one)",
            ms(worst_open),
            target="≤ 50 ms",
            ok=worst_open <= TARGET,
            note=(
                f"page of {PAGE} + size + mark seen; {big_thread_label(size)} thread first {ms(big[0])} / median {ms(big[1])}; "
                f"older page {ms(older[1])}; thread list (500) {ms(listing[1])}"
            ),
            data={"opens": opens, "older": older},
        ),
        Row(
            f"store: phone filter ({len(FILTERS)} queries)",
            ms(worst_filter[0]),
            target="≤ 50 ms",
            ok=worst_filter[0] <= TARGET,
            note=f"worst {worst_filter_q!r}; medians " + ", ".join(f"{q!r} {ms(v[1])}" for q, v in filters.items()),
            data={"filters": filters},
        ),
        Row(
            f"store: name filter ({len(NAME_FILTERS)} queries, 600 named contacts)",
            ms(worst_name[0]),
            target="≤ 50 ms",
            ok=worst_name[0] <= TARGET,
            note=f"worst {worst_name_q!r}; medians " + ", ".join(f"{q!r} {ms(v[1])}" for q, v in names.items()),
            data={"names": names},
        ),
    ]


def run(size: int = 100_000, *, smoke: bool = False) -> list[Row]:
    rows = store_level(size, repeats=2 if smoke else 15)
    rows += ui_level(size, smoke=smoke)
    if smoke:
        for row in rows:
            row.ok = None
    return rows


def ui_level(size: int, *, smoke: bool = False) -> list[Row]:
    try:
        import smstui.tui.app  # noqa: F401
    except ImportError:
        return [Row("UI: open conversation / phone filter", "not measured", note="smstui.tui.app is not there yet")]
    from bench.ui_open_filter import measure

    return measure(size, smoke=smoke)


def main() -> None:
    args = bench_args(__doc__.splitlines()[0], 100_000, 300)
    print_rows(run(args.size, smoke=args.smoke))


if __name__ == "__main__":
    main()
