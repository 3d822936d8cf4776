"""How many messages each SIM sent today and in the last hour, and the limits a user sets for them.

Carriers and Android block a sender past their limits (a frequent complaint about gateway apps),
and the gateway does not say when that happened. So smstui counts what each device and slot sent
(from the local store: outgoing messages handed to the gateway or about to be, by the time they
were created; refused and cancelled ones never reached a phone and do not count) and warns, with
the numbers, before a send, a bulk job or a newsletter would pass a limit the config sets::

    [limits]                      # per SIM; 0 or absent: no limit
    daily = 200
    hourly = 30
    "1576:1" = { daily = 500 }    # device 1576, slot 1: its own (the other key is inherited)

A message to N recipients counts N (what the phone sends); the warning never blocks the send.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, tzinfo
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple, Protocol

if TYPE_CHECKING:  # a Protocol class costs ~1 ms to build, and this module is on the cold path

    class SendCountSource(Protocol):
        def send_counts(self, day_start: float, hour_start: float) -> Mapping[tuple[int, int], "SendCount"]: ...


class SimLimit(NamedTuple):
    daily: int = 0  # messages per SIM per day (the user's day, in their zone); 0: none
    hourly: int = 0  # messages per SIM in any 60 minutes; 0: none


class SendCount(NamedTuple):
    device_id: int
    slot: int
    today: int
    last_hour: int


class SendLimits(NamedTuple):
    # A NamedTuple, not a frozen dataclass: the config (and so this) is read on the cold start.
    default: SimLimit = SimLimit()
    sims: Mapping[tuple[int, int], SimLimit] = MappingProxyType({})

    def for_sim(self, device_id: int, slot: int) -> SimLimit:
        return self.sims.get((device_id, slot), self.default)

    @property
    def any(self) -> bool:
        return any(self.default) or any(any(limit) for limit in self.sims.values())


def windows(now: datetime, tz: tzinfo | None) -> tuple[float, float]:
    """(start of today in ``tz``, an hour ago) as epoch seconds: the two counting windows."""
    local = now.astimezone(tz)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.timestamp(), (now - timedelta(hours=1)).timestamp()


def count_text(count: SendCount | None) -> str:
    """``12 today, 3 in the last hour`` (the figures beside a slot choice)."""
    today, hour = (count.today, count.last_hour) if count else (0, 0)
    return f"{today} today, {hour} in the last hour"


def limit_warnings(
    planned: Mapping[tuple[int, int], int],
    counts: Mapping[tuple[int, int], SendCount],
    limits: SendLimits,
    names: Mapping[int, str] | None = None,
) -> list[str]:
    """One sentence per SIM that ``planned`` more messages would take past a limit, with numbers."""
    warnings: list[str] = []
    for (device_id, slot), more in sorted(planned.items()):
        if more <= 0:
            continue
        limit = limits.for_sim(device_id, slot)
        count = counts.get((device_id, slot))
        today, hour = (count.today, count.last_hour) if count else (0, 0)
        sim = _sim_name(device_id, slot, names)
        for sent, cap, window in ((today, limit.daily, "daily"), (hour, limit.hourly, "hourly")):
            if cap and sent + more > cap:
                warnings.append(
                    f"{sim}: {sent} sent {'today' if window == 'daily' else 'in the last hour'} + {more} = "
                    f"{sent + more}, past its {window} limit of {cap}"
                )
    return warnings


def check_limits(
    store: "SendCountSource",
    limits: SendLimits,
    planned: Mapping[tuple[int, int], int],
    now: datetime,
    tz: tzinfo | None,
    names: Mapping[int, str] | None = None,
) -> list[str]:
    """:func:`limit_warnings` with today's counts read from ``store`` (nothing read without limits)."""
    if not limits.any:
        return []
    return limit_warnings(planned, store.send_counts(*windows(now, tz)), limits, names)


def planned_per_sim(sends: Iterable[tuple[int | None, int | None]]) -> dict[tuple[int, int], int]:
    """Count (device, slot) pairs of the messages about to go (pairs with no device are skipped)."""
    planned: dict[tuple[int, int], int] = {}
    for device_id, slot in sends:
        if device_id is not None:
            key = (device_id, slot or 0)
            planned[key] = planned.get(key, 0) + 1
    return planned


def _sim_name(device_id: int, slot: int, names: Mapping[int, str] | None) -> str:
    from smstui.core.models import Slot

    label = Slot(slot).label if 0 <= slot <= 5 else f"slot {slot}"
    device = (names or {}).get(device_id) or f"device {device_id}"
    return f"{label} of {device} (#{device_id})"
