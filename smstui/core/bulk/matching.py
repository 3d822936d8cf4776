"""Pairing a batch's rows with the gateway's messages read back for it (a marker or a time window)."""

from __future__ import annotations

from collections.abc import Sequence

from smstui.core.gateway_messages import Message
from smstui.core.store.database import Store
from smstui.core.store.records import StoredMessage


def match_rows(
    store: Store, rows: Sequence[StoredMessage], candidates: Sequence[Message]
) -> tuple[list[tuple[StoredMessage, Message]], list[StoredMessage], list[Message]]:
    """Pair rows with gateway messages: by (number, text, customer id), then by number alone
    (the gateway may have changed the text's whitespace). Rows and messages pair in order."""
    pairs: list[tuple[StoredMessage, Message]] = []
    used: set[int] = set()
    left = sorted(rows, key=lambda r: r.lid)
    for with_text in (True, False):
        if not left:
            break
        pool: dict[tuple[str, str | None, int | None], list[Message]] = {}
        for msg in candidates:
            if msg.id not in used:
                key = (store.phone_key(msg.phone), msg.body if with_text else None, msg.customer_id)
                pool.setdefault(key, []).append(msg)
        still: list[StoredMessage] = []
        for row in left:
            bucket = pool.get((row.phone_key, row.body if with_text else None, row.customer_id))
            if bucket:
                msg = bucket.pop(0)
                used.add(msg.id)
                pairs.append((row, msg))
            else:
                still.append(row)
        left = still
    extra = [m for m in candidates if m.id not in used]
    return pairs, left, extra
