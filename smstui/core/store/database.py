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

import importlib
from typing import TYPE_CHECKING, Any

from smstui.core.store.address_book import TagStore
from smstui.core.store.devices import DeviceRows
from smstui.core.store.drafts import DraftRows
from smstui.core.store.lookup import LookupStore
from smstui.core.store.messages import MessageRows
from smstui.core.store.optouts import OptoutRows
from smstui.core.store.outbox_rows import OutboxRows
from smstui.core.store.region import RegionStore

# Tables the first frame never reads (search, on-call, scheduled, send counters, webhooks): their mixins
# are imported on first use, which keeps ~10 ms of class building out of the cold start.
_LATER = (
    ("smstui.core.store.search", "SearchStore"),
    ("smstui.core.store.health", "HealthRows"),
    ("smstui.core.store.triage", "TriageRows"),
    ("smstui.core.store.scheduled", "ScheduledRows"),
    ("smstui.core.store.send_counts", "SendCountRows"),
    ("smstui.core.store.webhooks", "WebhookRows"),
    ("smstui.core.store.watch", "WatchRows"),
)

if TYPE_CHECKING:  # what type checkers see: one class with every mixin
    from smstui.core.store.health import HealthRows
    from smstui.core.store.scheduled import ScheduledRows
    from smstui.core.store.search import SearchStore
    from smstui.core.store.send_counts import SendCountRows
    from smstui.core.store.triage import TriageRows
    from smstui.core.store.watch import WatchRows
    from smstui.core.store.webhooks import WebhookRows

    class _Later(SearchStore, HealthRows, TriageRows, ScheduledRows, SendCountRows, WebhookRows, WatchRows): ...
else:

    class _Later:
        def __getattr__(self, name: str) -> Any:
            # Only for a name the class itself lacks: a method of a mixin loaded on first use,
            # bound to this store (the mixins use no super() and keep no class state of their own).
            if not name.startswith("__"):
                for module, mixin in _LATER:
                    found = getattr(importlib.import_module(module), mixin).__dict__.get(name)
                    if found is not None:
                        return found.__get__(self, type(self)) if hasattr(found, "__get__") else found
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


class Store(
    LookupStore,
    MessageRows,
    OutboxRows,
    DeviceRows,
    DraftRows,
    TagStore,
    RegionStore,
    OptoutRows,
    _Later,
):
    """All reads and writes of one profile's database.

    Thread-safe: one connection guarded by a lock, so the UI's thread workers and the sync task
    may share it. ``phone_key`` maps a raw number to its conversation key (normalised E.164 when
    the number parses, see :func:`smstui.core.phone.normalize_loose`).
    """
