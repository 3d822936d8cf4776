"""Tags, contacts and newsletters: the gateway's savetag / savecontact / savepaket, remembered locally.

The gateway has no call that lists (or deletes) tags, contacts or newsletters, so the local store
is the record of what smstui created, each row marked with the gateway's id once the gateway has
accepted it. That record is also what makes imports safe to re-run: a (tag, number) pair the
store already holds with a gateway id is never sent again.

Rules every function here follows:

* the gateway is asked first and the store written after a clean answer, so the store never
  claims something the gateway refused;
* a refusal (``GatewayError``) concerns one item: it is reported and the next item goes on;
* a transport or login failure stops a multi-item operation at once, with a report of what was
  saved, what failed (and whether it may have reached the gateway anyway) and what was not tried.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from smstui.core.api.client import GatewayClient
from smstui.core.api.errors import ApiError, AuthError, GatewayError, TransportError
from smstui.core.gateway_messages import MessageFilter
from smstui.core.models import FAILED_STATUSES, QUEUED_STATUSES, Slot, Status
from smstui.core.phone import InvalidNumber, normalize
from smstui.core.store.database import Store
from smstui.core.store.records import Contact, Newsletter, Tag

MAX_TITLE = 100
MAX_NAME = 200


class ContactError(ValueError):
    """Input that cannot be saved (empty title, bad number, unknown tag); says what to fix."""


class CancelFlag(Protocol):
    def is_set(self) -> bool: ...


ProgressCallback = Callable[[int, int], None]


# --------------------------------------------------------------------------- tags


def _clean_title(title: str, what: str = "tag") -> str:
    clean = " ".join((title or "").split())
    if not clean:
        raise ContactError(f"The {what} needs a title.")
    if len(clean) > MAX_TITLE:
        raise ContactError(f"The {what} title is too long ({len(clean)} characters; at most {MAX_TITLE}).")
    return clean


def find_tag(store: Store, title: str) -> Tag | None:
    """The local tag with this title (case and spacing ignored), preferring one the gateway knows."""
    wanted = " ".join(title.split()).casefold()
    if not wanted:
        return None  # untitled tags are found by their gateway id, never by ""
    matches = [t for t in store.tags() if t.title.casefold() == wanted]
    matches.sort(key=lambda t: (t.gateway_id is None, t.id))
    return matches[0] if matches else None


def tag_label(tag: Tag) -> str:
    """How a tag is named to the user: its title, else its gateway id (never the local id)."""
    if tag.title:
        return tag.title
    return f"tag {tag.gateway_id} (no title)"


def untitled_hint(tag: Tag) -> str:
    """The CLI's description of a tag known only by its gateway id."""
    return f"tag {tag.gateway_id} (no title; name it with `smstui tag name {tag.gateway_id} TITLE`)"


def check_tag_id(gateway_id: int) -> int:
    if isinstance(gateway_id, bool) or not isinstance(gateway_id, int) or gateway_id <= 0:
        raise ContactError(
            f"{gateway_id!r} is not a tag id: tag ids are positive whole numbers (see `smstui tag list`)."
        )
    return gateway_id


def tag_for_gateway_id(store: Store, gateway_id: int) -> Tag:
    """The tag with the gateway's id ``gateway_id``; one smstui has never seen (made on the
    vendor's dashboard: the API cannot list tags) is recorded, without a title."""
    check_tag_id(gateway_id)
    return store.tag_by_gateway_id(gateway_id) or store.record_gateway_tag(gateway_id)


@asynccontextmanager
async def recorded_tags(store: Store, gateway_ids: Sequence[int]) -> AsyncIterator[list[Tag]]:
    """The tags with these gateway ids (as the user typed them), recording the ids never seen.

    If the block fails with bad input or a refusal (the gateway may not know the id at all),
    the tags recorded here are forgotten again: a mistyped id leaves no phantom tag behind.
    """
    ids = [check_tag_id(gid) for gid in dict.fromkeys(gateway_ids)]
    new = [gid for gid in ids if store.tag_by_gateway_id(gid) is None] if ids else []
    tags = [tag_for_gateway_id(store, gid) for gid in ids]
    try:
        yield tags
    except (ContactError, GatewayError):
        forget_unused_tags(store, new)
        raise


def forget_unused_tags(store: Store, gateway_ids: Sequence[int]) -> None:
    """Drop the tags of these ids that are still untitled and without contacts."""
    for gid in gateway_ids:
        store.forget_untitled_tag(gid)


def parse_tag_ref(text: str) -> int | None:
    """The gateway id in a tag reference ``#8303`` (how a CSV cell or a dialog names a tag by id)."""
    value = text.strip()
    if value.startswith("#") and value[1:].isdigit() and int(value[1:]) > 0:
        return int(value[1:])
    return None


def tag_ref(tag: Tag) -> str:
    """What names ``tag`` in a CSV tag cell: its title, or ``#ID`` for a tag without one."""
    return tag.title or f"#{tag.gateway_id}"


def name_tag(store: Store, tag: Tag, title: str) -> Tag:
    """Give ``tag`` a title. Local only: the gateway has no call that renames a tag."""
    clean = _clean_title(title)
    other = find_tag(store, clean)
    if other is not None and other.id != tag.id:
        raise ContactError(f"Another tag ({_id_text(other)}) is already called {other.title!r}; pick another title.")
    store.set_tag_title(tag.id, clean)
    named = store.tag(tag.id)
    assert named is not None
    return named


def _id_text(tag: Tag) -> str:
    return f"id {tag.gateway_id}" if tag.gateway_id is not None else "pending, not on the gateway yet"


async def create_tag(store: Store, client: GatewayClient, title: str, *, reuse: bool = True) -> Tag:
    """Create a tag on the gateway and remember it.

    With ``reuse`` (the default) a tag of the same title that the store already knows is
    returned instead of creating a second one on the gateway (a pending one is saved there now).
    """
    clean = _clean_title(title)
    if reuse:
        existing = find_tag(store, clean)
        if existing is not None:
            return await ensure_tag_on_gateway(store, client, existing)
    gateway_id = await client.save_tag(clean)
    known = store.tag_by_gateway_id(gateway_id)
    if known is not None:
        # Recorded from its id before (e.g. used with --tag); the gateway now tells us its title.
        if not known.title:
            store.set_tag_title(known.id, clean)
        tag = store.tag(known.id)
    else:
        tag = store.tag(store.add_tag(clean, gateway_id))
    assert tag is not None
    return tag


async def ensure_tag_on_gateway(store: Store, client: GatewayClient, tag: Tag) -> Tag:
    """``tag`` with a gateway id, creating it on the gateway if the store has none yet."""
    if tag.gateway_id is not None:
        return tag
    gateway_id = await client.save_tag(tag.title)
    store.set_tag_gateway_id(tag.id, gateway_id)
    refreshed = store.tag(tag.id)
    assert refreshed is not None
    return refreshed


async def tag_for_ref(store: Store, client: GatewayClient, ref: str) -> tuple[Tag, bool]:
    """(tag, True when new) for a CSV tag cell: ``#8303`` is a gateway id, anything else a title."""
    gateway_id = parse_tag_ref(ref)
    if gateway_id is not None:
        existed = store.tag_by_gateway_id(gateway_id) is not None
        return tag_for_gateway_id(store, gateway_id), not existed
    existed = find_tag(store, ref) is not None
    return await create_tag(store, client, ref), not existed


# --------------------------------------------------------------------------- contacts


@dataclass(frozen=True, slots=True)
class ContactRow:
    """One contact to import: what a CSV row or the CLI gives."""

    phone: str
    name: str = ""
    tag: str = ""
    line: int | None = None


class ContactLike(Protocol):
    @property
    def phone(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def tag(self) -> str: ...


def _clean_name(name: str) -> str:
    clean = " ".join((name or "").split())
    if len(clean) > MAX_NAME:
        raise ContactError(f"The name is too long ({len(clean)} characters; at most {MAX_NAME}).")
    return clean


async def _add_contact(store: Store, client: GatewayClient, tag: Tag, phone: str, name: str) -> tuple[Contact, bool]:
    """(contact, True when the gateway was asked) — the store's record makes it idempotent."""
    try:
        e164 = normalize(phone, store.region)
    except InvalidNumber as exc:
        raise ContactError(str(exc)) from None
    clean = _clean_name(name)
    existing = store.contact(tag.id, e164)
    if existing is not None and existing.gateway_id is not None:
        if clean and clean != existing.name:
            # The gateway has no update call; the name is what conversations show, so keep it here.
            store.add_contact(tag.id, e164, clean, None)
            existing = store.contact(tag.id, e164) or existing
        return existing, False
    if tag.gateway_id is None:
        tag = await ensure_tag_on_gateway(store, client, tag)
    assert tag.gateway_id is not None
    gateway_id = await client.save_contact(tag.gateway_id, e164, clean)
    store.add_contact(tag.id, e164, clean, gateway_id)
    contact = store.contact(tag.id, e164)
    assert contact is not None
    return contact, True


async def add_contact(store: Store, client: GatewayClient, tag: Tag, phone: str, name: str = "") -> Contact:
    """Add ``phone`` (any form the profile's region can read) with ``name`` to ``tag``.

    Find the tag with :func:`tag_for_gateway_id` (an id the user typed) or :meth:`Store.tag`.
    A pending tag is saved on the gateway first. Idempotent: a number the tag already holds
    with a gateway id is not sent again (a new name is kept locally). Raises
    :class:`ContactError` for bad input and the API's errors for the rest.
    """
    current = store.tag(tag.id)  # the caller's record may predate the tag's gateway id
    if current is None:
        raise ContactError(f"The tag {tag_label(tag)!r} is not in the local store any more.")
    contact, _ = await _add_contact(store, client, current, phone, name)
    return contact


@dataclass(slots=True)
class ImportReport:
    """What an import did, row by row: enough to tell the user exactly where it stopped."""

    total: int = 0
    saved: list[ContactLike] = field(default_factory=list)
    skipped_existing: list[ContactLike] = field(default_factory=list)
    failed: list[tuple[ContactLike, str]] = field(default_factory=list)
    not_attempted: list[ContactLike] = field(default_factory=list)
    tags_created: list[str] = field(default_factory=list)
    #: Every row now in its tag (saved or already there), with its stored contact (gateway ids).
    contacts: list[tuple[ContactLike, Contact]] = field(default_factory=list)
    stopped: str | None = None  # why the import stopped early, if it did
    cancelled: bool = False

    @property
    def complete(self) -> bool:
        return self.stopped is None and not self.cancelled and not self.not_attempted

    @property
    def done(self) -> int:
        return len(self.saved) + len(self.skipped_existing) + len(self.failed)

    @property
    def summary(self) -> str:
        parts = [f"{len(self.saved)} saved", f"{len(self.skipped_existing)} already there"]
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        if self.not_attempted:
            parts.append(f"{len(self.not_attempted)} not tried")
        text = ", ".join(parts) + f" (of {self.total})."
        if self.tags_created:
            text += f" New tags: {', '.join(self.tags_created)}."
        if self.cancelled:
            text += " Cancelled; run the import again to add the rest."
        elif self.stopped:
            text += f" Stopped: {self.stopped} Run the import again to add the rest; saved rows are skipped."
        return text

    def details(self) -> list[str]:
        """One line per row that was not saved, for a report file or the CLI."""
        lines = []
        for row, reason in self.failed:
            lines.append(f"{_where(row)}{row.phone}: failed: {reason}")
        for row in self.not_attempted:
            lines.append(f"{_where(row)}{row.phone}: not tried")
        return lines


def _where(row: ContactLike) -> str:
    line = getattr(row, "line", None)
    return f"line {line}: " if line else ""


async def import_contacts(
    store: Store,
    client: GatewayClient,
    rows: Sequence[ContactLike],
    *,
    default_tag: str | None = None,
    progress: ProgressCallback | None = None,
    cancel: CancelFlag | None = None,
) -> ImportReport:
    """Save ``rows`` (phone, name, tag) on the gateway and in the store, one by one.

    A row's tag is a title (found in the store or created) or ``#8303``, the gateway's id of a
    tag (one smstui has never seen is recorded); a row without a tag uses ``default_tag``.
    Re-running the same import skips what was saved before. ``progress(done, total)`` is called
    after every row; ``cancel.is_set()`` stops before the next row. Never raises for a row's
    failure: the report says what happened to each.
    """
    report = ImportReport(total=len(rows))
    tags: dict[str, Tag | None] = {}
    tag_errors: dict[str, str] = {}

    def stop(reason: str, index: int) -> ImportReport:
        report.stopped = reason
        report.not_attempted.extend(rows[index:])
        return report

    for index, row in enumerate(rows):
        if cancel is not None and cancel.is_set():
            report.cancelled = True
            report.not_attempted.extend(rows[index:])
            return report
        title = " ".join((row.tag or default_tag or "").split())
        if not title:
            report.failed.append((row, "no tag given"))
            _tick(progress, report)
            continue
        key = title.casefold()
        if key not in tags and key not in tag_errors:
            try:
                tags[key], new = await tag_for_ref(store, client, title)
                if new:
                    report.tags_created.append(tag_label(tags[key]))  # type: ignore[arg-type]
            except ContactError as exc:
                tag_errors[key] = str(exc)
            except GatewayError as exc:
                tag_errors[key] = f"the gateway refused the tag {title!r}: {exc.gateway_message or exc}"
            except (AuthError, TransportError) as exc:
                return stop(f"creating the tag {title!r} failed: {exc}", index)
        if key in tag_errors:
            report.failed.append((row, tag_errors[key]))
            _tick(progress, report)
            continue
        tag = tags[key]
        assert tag is not None
        try:
            contact, asked = await _add_contact(store, client, tag, row.phone, row.name)
        except ContactError as exc:
            report.failed.append((row, str(exc)))
        except GatewayError as exc:
            report.failed.append((row, f"the gateway refused it: {exc.gateway_message or exc}"))
        except AuthError as exc:
            return stop(str(exc), index)
        except TransportError as exc:
            if exc.maybe_accepted:
                report.failed.append(
                    (row, "the answer was lost; the gateway may have saved it (a re-run may save it twice there)")
                )
                return stop(str(exc), index + 1)
            return stop(str(exc), index)
        except ApiError as exc:
            return stop(str(exc), index)
        else:
            (report.saved if asked else report.skipped_existing).append(row)
            report.contacts.append((row, contact))
        _tick(progress, report)
        await asyncio.sleep(0)  # let a UI repaint between rows even when the gateway is fast
    return report


def _tick(progress: ProgressCallback | None, report: ImportReport) -> None:
    if progress is not None:
        progress(report.done, report.total)


# --------------------------------------------------------------------------- newsletters


@dataclass(frozen=True, slots=True)
class NewsletterStats:
    """Counts of a newsletter's messages, from the message list's paket fields."""

    total: int = 0
    queued: int = 0
    sent: int = 0
    delivered: int = 0
    failed: int = 0

    @classmethod
    def from_counts(cls, counts: dict[int, int]) -> NewsletterStats:
        return cls(
            total=sum(counts.values()),
            queued=sum(n for s, n in counts.items() if s in QUEUED_STATUSES or s is None),
            sent=counts.get(Status.SENT, 0),
            delivered=counts.get(Status.DELIVERED, 0),
            failed=sum(n for s, n in counts.items() if s in FAILED_STATUSES),
        )


def recipients_count(store: Store, tag_ids: Sequence[int]) -> int:
    """How many distinct numbers the local contacts of these tags (local ids) hold."""
    return len(store.recipients_of_tags(list(tag_ids)))


def newsletter_tags(store: Store, newsletter: Newsletter) -> list[tuple[int, Tag | None]]:
    """(gateway id, the stored tag or None) for each tag of ``newsletter``."""
    return [(gid, store.tag_by_gateway_id(gid)) for gid in newsletter.tag_ids]


def newsletter_recipients(store: Store, newsletter: Newsletter) -> int:
    """How many distinct numbers the local contacts of the newsletter's tags hold."""
    return recipients_count(store, [t.id for _, t in newsletter_tags(store, newsletter) if t is not None])


def newsletter_stats(store: Store, newsletter: Newsletter) -> NewsletterStats:
    if newsletter.gateway_id is None:
        return NewsletterStats()
    return NewsletterStats.from_counts(store.newsletter_progress(newsletter.gateway_id))


def newsletter_state(newsletter: Newsletter, stats: NewsletterStats, now: datetime | None = None) -> str:
    """A short state for the newsletter list."""
    now = now or datetime.now(UTC)
    if newsletter.gateway_id is None:
        return "unconfirmed — check the phone's app before creating it again"
    if stats.total == 0:
        if newsletter.send_at is not None and newsletter.send_at > now:
            return "scheduled — start it in the phone's app"
        return "created — start it in the phone's app"
    if stats.queued or stats.sent:
        return "sending"
    return "done" if not stats.failed else "done with failures"


START_REMINDER = (
    "The gateway only stores the newsletter: open the SMSGateway24 app on the phone and start it "
    "there (Newsletters), or nothing is sent."
)


async def create_newsletter(
    store: Store,
    client: GatewayClient,
    *,
    title: str,
    device_id: int,
    body: str,
    tags: Sequence[Tag],
    slot: int = 0,
    send_at: datetime | None = None,
    now: datetime | None = None,
) -> Newsletter:
    """Create a newsletter (savepaket) for the contacts of ``tags`` and remember it.

    ``send_at=None`` means now. Pending tags (no gateway id yet) are saved on the gateway first:
    savepaket takes the gateway's ids only, and those are what the store records.
    When the answer is lost the newsletter is still recorded, without a gateway id
    ("unconfirmed"), and the error is raised: creating it again might send it twice.
    """
    clean_title = _clean_title(title, "newsletter")
    if not body.strip():
        raise ContactError("The newsletter's text is empty.")
    if not tags:
        raise ContactError("Choose at least one tag: the newsletter goes to the contacts of its tags.")
    try:
        slot_value = int(Slot(int(slot)))
    except ValueError:
        raise ContactError(f"Slot {slot} does not exist; use 0-5.") from None
    if send_at is not None:
        if send_at.tzinfo is None:
            raise ContactError("The send time needs a time zone.")
        if send_at <= (now or datetime.now(UTC)):
            raise ContactError("The send time is in the past; pick a later time or 'now'.")
    confirmed: list[Tag] = []
    for tag in {t.id: t for t in tags}.values():
        current = store.tag(tag.id)
        if current is None:
            raise ContactError(f"The tag {tag_label(tag)!r} is not in the local store any more.")
        confirmed.append(await ensure_tag_on_gateway(store, client, current))
    gateway_tags = [t.gateway_id for t in confirmed if t.gateway_id is not None]
    if send_at is not None:
        await client.ensure_timezone()  # time_to_send is read in the account's zone

    def remember(gateway_id: int | None) -> int:
        return store.add_newsletter(
            gateway_id=gateway_id,
            title=clean_title,
            device_id=int(device_id),
            slot=slot_value,
            body=body,
            tag_ids=gateway_tags,
            send_at=send_at,
        )

    try:
        paket_id = await client.save_newsletter(
            clean_title, int(device_id), body, gateway_tags, slot=slot_value, send_at=send_at
        )
    except TransportError as exc:
        if exc.maybe_accepted:
            remember(None)  # unconfirmed: the gateway may have it
        raise
    local_id = remember(paket_id)
    return next(n for n in store.newsletters() if n.id == local_id)


async def refresh_newsletters(
    store: Store, client: GatewayClient, newsletters: Sequence[Newsletter] | None = None
) -> int:
    """Fetch the messages of these newsletters (default: all with a gateway id) into the store.

    The message list has no newsletter filter, so this reads each device's messages since the
    oldest newsletter was created and keeps those whose ``paketid`` is one of ours. Returns the
    number of messages that were new or changed.
    """
    chosen = [n for n in (newsletters if newsletters is not None else store.newsletters()) if n.gateway_id]
    if not chosen:
        return 0
    wanted = {n.gateway_id for n in chosen}
    changed = 0
    by_device: dict[int, datetime] = {}
    for n in chosen:
        begin = n.created - timedelta(days=1)  # the gateway's zone may differ from ours
        by_device[n.device_id] = min(begin, by_device.get(n.device_id, begin))
    for device_id, begin in by_device.items():
        listing = await client.list_messages(MessageFilter(device_id=device_id, begin=begin))
        mine = [m for m in listing.messages if m.paket_id in wanted]
        if mine:
            result = store.upsert_messages(mine, mark_unseen=False)
            changed += len(result.inserted) + len(result.changed)
    return changed


__all__ = [
    "ContactError",
    "ContactRow",
    "ImportReport",
    "NewsletterStats",
    "START_REMINDER",
    "add_contact",
    "create_newsletter",
    "create_tag",
    "ensure_tag_on_gateway",
    "find_tag",
    "import_contacts",
    "name_tag",
    "newsletter_recipients",
    "newsletter_state",
    "newsletter_stats",
    "newsletter_tags",
    "parse_tag_ref",
    "recipients_count",
    "refresh_newsletters",
    "tag_for_gateway_id",
    "tag_for_ref",
    "tag_label",
    "tag_ref",
    "untitled_hint",
]
