"""The default region for numbers written without ``+country``: configured, learnt, or chosen.

Where it comes from, the first that applies:

1. ``region`` in the profile (the user's config file; smstui never writes it);
2. the user's choice in the app, when the phones' SIMs disagree (kept in the store's meta);
3. the phones' SIMs: every SIM's ``CountryIso`` (upper-cased, unknown codes ignored); when all
   agree, that region is taken and the user is told so ("Region DE, from your phones' SIMs").

No region means national numbers (``015752982212``) are refused, not guessed. A region that
changes re-keys the store (:meth:`smstui.core.store.region.RegionStore.rekey_phones`), so the
national and the international form of a number become one conversation.

All of it lives in the profile's store (meta), next to the keys it was used for: another
profile, or another computer, learns its own. No Textual, no click here.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from smstui.core.config import ConfigError, known_region, normalize_region
from smstui.core.store.region import META_KEYS_REGION

if TYPE_CHECKING:
    from smstui.core.models import Device
    from smstui.core.store.database import Store

SOURCE_CONFIG = "config"  # the profile's ``region``
SOURCE_SIMS = "sims"  # every SIM of the account's phones agreed
SOURCE_CHOSEN = "chosen"  # the user picked one of the SIMs' regions

META_LEARNT = "region.learnt"
META_SOURCE = "region.source"
META_SEEN = "region.seen"  # the SIMs' regions at the last device refresh, most SIMs first
META_PUT_OFF = "region.put_off"  # the SIMs' regions the user last declined to choose among


def sim_regions(devices: Iterable["Device"]) -> tuple[str, ...]:
    """The regions of all SIMs of ``devices``, most SIMs first (then by code); empty and
    unknown codes are left out."""
    counts: dict[str, int] = {}
    for code, _, _ in _sims(devices):
        counts[code] = counts.get(code, 0) + 1
    return tuple(sorted(counts, key=lambda c: (-counts[c], c)))


def sims_by_region(devices: Iterable["Device"]) -> dict[str, list[str]]:
    """Which SIMs say which region: ``{"DE": ["Pixel 7 (office) SIM 1", ...]}`` (device titles
    are network text: the UI renders them literally)."""
    found: dict[str, list[str]] = {}
    for code, device, slot in _sims(devices):
        found.setdefault(code, []).append(f"{device.title or f'device {device.id}'} SIM {slot + 1}")
    return found


def _sims(devices: Iterable["Device"]) -> Iterable[tuple[str, "Device", int]]:
    for device in devices:
        for sim in device.sims:
            code = (sim.country or "").strip().upper()
            if code and known_region(code):
                yield code, device, sim.slot


def and_list(codes: Iterable[str]) -> str:
    """``DE``, ``DE and AT``, ``DE, AT and US``."""
    items = list(codes)
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


class RegionInfo(NamedTuple):
    """The region in effect, where it came from, and what the phones' SIMs say."""

    region: str | None
    source: str | None  # SOURCE_CONFIG, SOURCE_SIMS, SOURCE_CHOSEN or None
    seen: tuple[str, ...] = ()

    @property
    def undecided(self) -> bool:
        """The SIMs disagree and neither the config nor the user has settled it."""
        return self.source not in (SOURCE_CONFIG, SOURCE_CHOSEN) and len(self.seen) > 1

    def sentence(self) -> str:
        """What the CLI and the app say about it: "Region DE, from your phones' SIMs"."""
        if self.region is None:
            return "No region" + self.describe()[4:]
        return "Region " + self.describe()

    def describe(self) -> str:
        """The same without "Region" (the login/profile screen labels it): "DE, set in the profile"."""
        region = self.region
        if self.source == SOURCE_CONFIG:
            return f"{region}, set in the profile"
        if self.source == SOURCE_CHOSEN:
            return f"{region}, chosen by you"
        if region is not None and self.undecided:
            return f"{region}, from your phones' SIMs; they are from {and_list(self.seen)} now: choose one"
        if region is not None:
            return f"{region}, from your phones' SIMs"
        if self.undecided:
            return f"none yet: your phones' SIMs are from {and_list(self.seen)}; choose one"
        return "none: numbers need their +country code (or set region in the profile)"


class RegionNews(NamedTuple):
    """What a device refresh (or a choice) changed about the region."""

    info: RegionInfo
    renamed: dict[str, str]  # conversations that moved: old key -> new key
    learnt: bool = False  # the SIMs gave a (new) region
    first_seen: bool = False  # the SIMs' regions are new (the CLI says so once)
    ask: bool = False  # the SIMs disagree and the user has not put the question off


class Regions:
    """The region of one profile's store; ``configured`` is the profile's ``region``."""

    def __init__(self, store: "Store", configured: str | None) -> None:
        self.store = store
        self.configured = configured

    def info(self) -> RegionInfo:
        seen = _split(self.store.get_meta(META_SEEN))
        if self.configured:
            return RegionInfo(self.configured, SOURCE_CONFIG, seen)
        learnt, source = self.store.get_meta(META_LEARNT), self.store.get_meta(META_SOURCE)
        if learnt and source in (SOURCE_SIMS, SOURCE_CHOSEN) and known_region(learnt):
            return RegionInfo(learnt, source, seen)
        return RegionInfo(None, None, seen)

    def open(self) -> dict[str, str]:
        """Put the region in effect on the store; re-key it when the keys were made with
        another (the config's region changed since the last run). Cheap when nothing changed."""
        region = self.info().region
        keys = self.store.get_meta(META_KEYS_REGION)
        if keys is None:
            # A store from before regions were learnt: its keys were made with the store's region.
            keys = self.store.region or ""
            self.store.set_meta(META_KEYS_REGION, keys)
        if (keys or None) == region:
            self.store.region = region
            return {}
        return self.store.rekey_phones(region)

    def learn(self, devices: Iterable["Device"]) -> RegionNews | None:
        """After a device refresh: take the SIMs' region when they agree (re-keying the store),
        note when they disagree. None when there is nothing to tell."""
        seen = sim_regions(devices)
        before = self.info()
        first_seen = bool(seen) and seen != before.seen
        if first_seen:
            self.store.set_meta(META_SEEN, ",".join(seen))
        if self.configured or not seen:
            return None
        renamed: dict[str, str] = {}
        learnt = len(seen) == 1 and before.source != SOURCE_CHOSEN and before.region != seen[0]
        if learnt:
            renamed = self._apply(seen[0], SOURCE_SIMS)
        info = self.info()
        ask = info.undecided and self.store.get_meta(META_PUT_OFF) != ",".join(seen)
        if not (learnt or ask or (first_seen and info.undecided)):
            return None
        return RegionNews(info, renamed, learnt=learnt, first_seen=first_seen, ask=ask)

    def choose(self, region: str) -> RegionNews:
        """The user's pick (``de`` or ``DE``); raises :class:`ConfigError` for an unknown code."""
        code = normalize_region(region)
        if self.configured:
            raise ConfigError(f"the profile sets region = {self.configured!r}; change it in the config file")
        renamed = self._apply(code, SOURCE_CHOSEN)
        self.store.delete_meta(META_PUT_OFF)
        return RegionNews(self.info(), renamed)

    def put_off(self) -> None:
        """The user closed the question without choosing: not asked again for these regions."""
        self.store.set_meta(META_PUT_OFF, ",".join(self.info().seen))

    def _apply(self, region: str, source: str) -> dict[str, str]:
        meta = {META_LEARNT: region, META_SOURCE: source}
        if region == self.store.region and self.store.get_meta(META_KEYS_REGION) == region:
            for key, value in meta.items():
                self.store.set_meta(key, value)
            return {}
        return self.store.rekey_phones(region, meta=meta)


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(c for c in (text or "").split(",") if c)


__all__ = [
    "SOURCE_CHOSEN",
    "SOURCE_CONFIG",
    "SOURCE_SIMS",
    "RegionInfo",
    "RegionNews",
    "Regions",
    "and_list",
    "sim_regions",
    "sims_by_region",
]
