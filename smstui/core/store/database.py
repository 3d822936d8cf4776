"""The local store: one SQLite database per profile (WAL), the app's memory between runs.

Everything the screens show comes from here, so the app opens instantly on what it already
knows and works offline. The gateway is the truth for what it holds; the store adds what the
gateway cannot tell us: messages not yet accepted (the outbox), tags/contacts/newsletters we
created (the API cannot list them), drafts, templates and sync cursors.

One table holds every message, gateway-known or not yet sent, keyed by a local id (``lid``);
``sms_id`` is the gateway's id once known. A ``threads`` table keeps one summary row per
normalised phone number, recomputed only for the numbers a write touched, so the conversation
list never has to aggregate the whole history.
"""

from __future__ import annotations

from smstui.core.store.address_book import TagStore
from smstui.core.store.devices import DeviceRows
from smstui.core.store.drafts import DraftRows
from smstui.core.store.health import HealthRows
from smstui.core.store.lookup import LookupStore
from smstui.core.store.messages import MessageRows
from smstui.core.store.optouts import OptoutRows
from smstui.core.store.outbox_rows import OutboxRows
from smstui.core.store.region import RegionStore
from smstui.core.store.scheduled import ScheduledRows
from smstui.core.store.search import SearchStore
from smstui.core.store.send_counts import SendCountRows
from smstui.core.store.triage import TriageRows


class Store(
    LookupStore,
    SearchStore,
    HealthRows,
    TriageRows,
    MessageRows,
    OutboxRows,
    DeviceRows,
    DraftRows,
    TagStore,
    RegionStore,
    SendCountRows,
    ScheduledRows,
    OptoutRows,
):
    """All reads and writes of one profile's database.

    Thread-safe: one connection guarded by a lock, so the UI's thread workers and the sync task
    may share it. ``phone_key`` maps a raw number to its conversation key (normalised E.164 when
    the number parses, see :func:`smstui.core.phone.normalize_loose`).
    """
