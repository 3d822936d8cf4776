"""The gateway's state machine, with no HTTP in sight.

Everything is in memory and guarded by one re-entrant lock, because the server thread and a
test's own thread both touch it. Time only exists through ``clock``: each public call first brings
the state up to "now" (:meth:`SimState.tick`), so messages progress, replies arrive and scheduled
sends start without any background thread.

Documented behaviour of the fake phones (tests and the demo rely on it):

* an outgoing message to an **online** device goes New(1) -> Taken(2) -> Sent(6) -> Delivered(7),
  one step every ``step_seconds``, starting at ``max(created, timetosend, device came online)``;
* messages to an **offline** device stay New(1);
* a number whose digits end in ``0000`` fails: New -> Taken -> 9 (generic failure);
* a number whose digits end in ``666`` is not delivered: New -> Taken -> Sent -> 8;
* a number whose digits end in ``1`` or ``3`` replies once per delivered message: an incoming
  message (status 5, same device, slot and number) created ``reply_delay`` seconds after delivery;
* with ``reply_images`` on (the demo), a reply to a WhatsApp message (slot 2 or 3) is now and
  then an image (every third one): its body is the uploaded image's URL in listings, and its
  webhook has ``type`` "img";
* with ``ambient_seconds`` set, a seed contact writes in every that many seconds of clock time.

Listeners (smstui.simulator.listeners: the webhooks) hear each status change and incoming message.
The records it holds (accounts, phones, messages, tags, contacts, newsletters) are plain
dataclasses in smstui.simulator.records.
"""

from __future__ import annotations

import heapq
import re
import secrets
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from smstui.simulator.clock import Clock, utc_now
from smstui.simulator.listeners import REPLY_IMAGE, Listener, Listeners
from smstui.simulator.records import Account, Contact, MessageQuery, Msg, NewSms, Paket, SimDevice, Tag

# The vendor's own titles, inconsistent capitals included.
STATUS_TITLES: dict[int, str] = {
    1: "New",
    2: "sending",
    3: "Queued for sending",
    5: "Income",
    6: "Sent by Phone",
    7: "delivered",
    8: "Sms Not Delivered",
    9: "Not sent - Generic failure",
    10: "Not sent - No service",
    11: "Not sent - Null PDU",
    12: "Not sent - Radio off",
    100: "not sent - NOT ALLOWED",
    101: "not sent - Not Allowed At all",
}
FINAL = frozenset({5, 7, 8, 9, 10, 11, 12, 100, 101})
INCOMING = 5

# Status sequences by final outcome; index = number of elapsed steps.
_PATHS: dict[int, tuple[int, ...]] = {
    7: (1, 2, 6, 7),
    8: (1, 2, 6, 8),
    9: (1, 2, 9),
}

REPLY_BODIES = (
    "Thanks, got it!",
    "OK 👍",
    "Can you call me later?",
    "Who is this?",
    "Yes, see you then.",
    "Danke, bis morgen!",
    "STOP",
)


MAX_UPLOAD_BYTES = 5 * 1024 * 1024
UPLOAD_MARK = "\x00upload:"
_PHONE_KEY_LEN = 7  # loose phone matching compares at least this many trailing digits


class SimError(Exception):
    """A request the gateway refuses; becomes ``{"error":1,"message":...}`` with HTTP 200."""


def phone_digits(phone: str) -> str:
    """Digits of a number without the leading zeros of trunk/international prefixes.

    ``+49 (0)151 ...`` writes the trunk zero in brackets; it is not part of the number.
    """
    return re.sub(r"\D", "", phone.replace("(0)", "")).lstrip("0")


def phones_match(a: str, b: str) -> bool:
    """Loose match: one digit string ends with the other (``+49 1575...`` ~ ``01575...``)."""
    if not a or not b:
        return False
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) < _PHONE_KEY_LEN:
        return short == long_
    return long_.endswith(short)


def outcome_for(phone: str) -> int:
    """Final status an outgoing message to ``phone`` reaches (the documented failure rule)."""
    digits = re.sub(r"\D", "", phone)
    if digits.endswith("0000"):
        return 9
    if digits.endswith("666"):
        return 8
    return 7


def replies_for(phone: str) -> bool:
    digits = re.sub(r"\D", "", phone)
    return digits[-1:] in ("1", "3")


def zone(name: str) -> ZoneInfo:
    try:
        return _zone_cache[name]
    except KeyError:
        pass
    try:
        z = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SimError(f"Unknown timezone: {name}") from exc
    _zone_cache[name] = z
    return z


_zone_cache: dict[str, ZoneInfo] = {}


class SimState(Listeners):
    """The whole fake gateway. All public methods are thread-safe."""

    def __init__(
        self,
        clock: Clock | None = None,
        *,
        step_seconds: float = 4.0,
        reply_delay: float | None = None,
        ambient_seconds: float | None = None,
        rng_seed: int = 0,
    ) -> None:
        self.clock: Clock = clock or utc_now
        self.step_seconds = step_seconds
        self.reply_delay = step_seconds if reply_delay is None else reply_delay
        self.ambient_seconds = ambient_seconds
        self.lock = threading.RLock()
        self.accounts: dict[str, Account] = {}
        self._tokens: dict[str, str] = {}
        self.devices: dict[int, SimDevice] = {}
        self.messages: dict[int, Msg] = {}
        self.tags: dict[int, Tag] = {}
        self.contacts: dict[int, Contact] = {}
        self.pakets: dict[int, Paket] = {}
        self.uploads: dict[str, tuple[bytes, str]] = {}
        # Sorted by (created, id): parallel lists so bisect works on plain ints.
        self._times: list[int] = []
        self._ids: list[int] = []
        self._by_phone: dict[str, list[int]] = {}
        self._active: dict[int, Msg] = {}
        self._replies: list[tuple[float, int, int, str, int | None]] = []
        self._reply_seq = 0
        self._next_msg_id = 62807347
        self._next_tag_id = 8303
        self._next_contact_id = 15954765
        self._next_paket_id = 1011
        self._ambient_last: float | None = None
        self._ambient_index = rng_seed
        self.ambient_phones: list[tuple[int, str]] = []  # (device_id, phone)
        # getallsms honours its ``timezone`` parameter (False: bounds on the account's clock).
        self.timezone_param = True
        # Where the server listens; set by the runner so seeded upload URLs point at it.
        self.public_base = "http://127.0.0.1"
        self._listeners: list[Listener] = []
        self.reply_images = False  # off by default: the seeded history stays as the tests know it

    # ---- time -----------------------------------------------------------------------------
    def now(self) -> float:
        return self.clock().timestamp()

    def tick(self) -> None:
        """Bring every time-driven thing up to the clock's "now"."""
        with self.lock:
            now = self.now()
            self._progress(now)
            self._deliver_replies(now)
            self._ambient(now)

    def _progress(self, now: float) -> None:
        step = self.step_seconds
        done: list[int] = []
        for mid, m in self._active.items():
            dev = self.devices.get(m.device_id)
            if dev is None or not dev.online:
                continue
            start = max(m.created, m.timetosend or 0, dev.online_since)
            if now < start:
                continue
            path = _PATHS.get(m.outcome, _PATHS[7])
            k = len(path) - 1 if step <= 0 else int((now - start) // step)
            status = path[min(k, len(path) - 1)]
            if status == m.status:
                continue
            old, m.status = m.status, status
            if status in (6, 7, 8) and m.senttime is None:
                m.senttime = int(start + 2 * max(step, 0))
            self._tell_steps(m, path, old, status)
            if status in FINAL:
                done.append(mid)
                if status == 7 and replies_for(m.phone):
                    delivered = start + 3 * max(step, 0)
                    self._reply_seq += 1
                    heapq.heappush(
                        self._replies,
                        (delivered + self.reply_delay, self._reply_seq, m.device_id, m.phone, m.sim),
                    )
        for mid in done:
            del self._active[mid]

    def _deliver_replies(self, now: float) -> None:
        while self._replies and self._replies[0][0] <= now:
            at, seq, device_id, phone, sim = heapq.heappop(self._replies)
            body = REPLY_BODIES[seq % len(REPLY_BODIES)]
            if self.reply_images and sim in (2, 3) and seq % 3 == 0:
                body = self._reply_image(f"reply-{seq}")
            self._insert(self._incoming(device_id, phone, body, int(at), sim))

    def _ambient(self, now: float) -> None:
        every = self.ambient_seconds
        if not every or not self.ambient_phones:
            return
        if self._ambient_last is None:
            self._ambient_last = now
            return
        # Cap the catch-up so a clock jumped by a year does not flood the store.
        behind = int((now - self._ambient_last) // every)
        if behind <= 0:
            return
        first = max(0, behind - 20)
        for i in range(first, behind):
            at = self._ambient_last + (i + 1) * every
            device_id, phone = self.ambient_phones[self._ambient_index % len(self.ambient_phones)]
            body = REPLY_BODIES[(self._ambient_index * 3) % len(REPLY_BODIES)]
            self._ambient_index += 1
            self._insert(self._incoming(device_id, phone, body, int(at), 0))
        self._ambient_last += behind * every

    def _reply_image(self, tag: str) -> str:
        name = f"{tag}.png"
        self.uploads[name] = (REPLY_IMAGE, "image/png")
        return self.upload_marker(name)

    def _incoming(self, device_id: int, phone: str, body: str, at: int, sim: int | None) -> Msg:
        return Msg(
            id=self._new_msg_id(),
            phone=phone,
            body=body,
            device_id=device_id,
            created=at,
            status=INCOMING,
            sim=sim,
            outcome=INCOMING,
        )

    # ---- accounts and tokens ---------------------------------------------------------------
    def add_account(self, email: str, password: str, timezone: str = "Europe/Berlin") -> Account:
        zone(timezone)
        with self.lock:
            acc = Account(email=email, password=password, timezone=timezone)
            self.accounts[email.lower()] = acc
            return acc

    def login(self, email: str, password: str) -> str:
        with self.lock:
            acc = self.account_for_credentials(email, password)
            token = secrets.token_hex(16)
            self._tokens[token] = acc.email.lower()
            return token

    def account_for_credentials(self, email: str, password: str) -> Account:
        with self.lock:
            acc = self.accounts.get(email.strip().lower())
            if acc is None or not secrets.compare_digest(acc.password, password):
                raise SimError("Wrong email or password")
            return acc

    def account_for_token(self, token: str) -> Account:
        with self.lock:
            email = self._tokens.get(token.strip())
            if email is None:
                raise SimError("Wrong token")
            return self.accounts[email]

    def expire_tokens(self) -> None:
        """Every token issued so far stops working (a new gettoken works)."""
        with self.lock:
            self._tokens.clear()

    # ---- devices ---------------------------------------------------------------------------
    def add_device(self, device: SimDevice) -> SimDevice:
        with self.lock:
            if not device.created:
                device.created = int(self.now())
            self.devices[device.id] = device
            return device

    def set_device_online(self, device_id: int, online: bool) -> None:
        with self.lock:
            self.tick()
            dev = self.devices[device_id]
            now = int(self.now())
            if online and not dev.online:
                dev.online_since = now
            if not online and dev.online:
                dev.last_seen = now
            dev.online = online

    def owned_devices(self, account: Account) -> list[SimDevice]:
        with self.lock:
            key = account.email.lower()
            return [d for d in self.devices.values() if d.owner == key]

    def device_for(self, account: Account, device_id: int) -> SimDevice:
        with self.lock:
            dev = self.devices.get(device_id)
            if dev is None or dev.owner != account.email.lower():
                raise SimError(f"Device not found: {device_id}")
            return dev

    def last_seen(self, dev: SimDevice) -> int:
        """Online phones poll every ``delaybetweenrequest`` seconds, so they were seen just now."""
        if dev.online:
            return int(self.now()) - int(dev.delaybetweenrequest or 1)
        return dev.last_seen

    # ---- messages --------------------------------------------------------------------------
    def _new_msg_id(self) -> int:
        self._next_msg_id += 1
        return self._next_msg_id

    def _insert(self, m: Msg) -> None:
        self.messages[m.id] = m
        # After any same-second messages: ids only grow, so (created, id) order holds.
        i = bisect_right(self._times, m.created)
        self._times.insert(i, m.created)
        self._ids.insert(i, m.id)
        key = phone_digits(m.phone)[-_PHONE_KEY_LEN:]
        self._by_phone.setdefault(key, []).append(m.id)
        if m.status not in FINAL and m.outcome != INCOMING and m.status in (1, 2, 3, 6):
            self._active[m.id] = m
        if m.status == INCOMING and self._listeners:
            self._tell("incoming", m, INCOMING)

    def queue(self, account: Account, items: Iterable[NewSms]) -> list[int]:
        """Validate all items, then store them all (all or nothing). Returns the new ids."""
        with self.lock:
            self.tick()
            items = list(items)
            for item in items:
                self.device_for(account, item.device_id)
            now = int(self.now())
            ids: list[int] = []
            for item in items:
                m = Msg(
                    id=self._new_msg_id(),
                    phone=item.phone,
                    body=item.body,
                    device_id=item.device_id,
                    created=now,
                    status=1,
                    sim=item.sim,
                    customerid=item.customerid,
                    urgent=item.urgent,
                    timetosend=item.timetosend,
                    template_id=item.template_id,
                    outcome=outcome_for(item.phone),
                )
                self._insert(m)
                ids.append(m.id)
            self.tick()  # step_seconds=0 means "instant"
            return ids

    def reserve_ids(self, n: int) -> int:
        """Reserve ``n`` consecutive message ids; returns the first."""
        with self.lock:
            first = self._next_msg_id + 1
            self._next_msg_id += n
            return first

    def add_message(self, m: Msg) -> Msg:
        """Store a fully formed message (seeding, tests). Pending statuses still progress."""
        with self.lock:
            if m.id <= 0:
                m.id = self._new_msg_id()
            else:
                self._next_msg_id = max(self._next_msg_id, m.id)
            self._insert(m)
            return m

    def add_incoming(
        self,
        device_id: int,
        phone: str,
        body: str,
        at: datetime | None = None,
        sim: int | None = 0,
        *,
        image: bool = False,
    ) -> Msg:
        """A message "received by the phone" (status 5); ``image``: a WhatsApp image instead of
        ``body`` (slot 2 or 3), whose URL the listing shows as its body."""
        with self.lock:
            ts = int(at.timestamp()) if at else int(self.now())
            if image:
                body = self._reply_image(f"in-{len(self.uploads)}")
            m = self._incoming(device_id, phone, body, ts, sim)
            self._insert(m)
            return m

    def bulk_load(self, msgs: list[Msg]) -> None:
        """Insert many messages at once (benchmarks). Faster than ``add_message`` in a loop."""
        with self.lock:
            for m in msgs:
                self.messages[m.id] = m
                self._next_msg_id = max(self._next_msg_id, m.id)
                key = phone_digits(m.phone)[-_PHONE_KEY_LEN:]
                self._by_phone.setdefault(key, []).append(m.id)
                if m.status in (1, 2, 3, 6) and m.outcome != INCOMING:
                    self._active[m.id] = m
            pairs = sorted(zip(self._times + [m.created for m in msgs], self._ids + [m.id for m in msgs], strict=True))
            self._times = [t for t, _ in pairs]
            self._ids = [i for _, i in pairs]

    def get_message(self, account: Account, sms_id: int) -> Msg:
        with self.lock:
            self.tick()
            m = self.messages.get(sms_id)
            if m is None or not self._owns(account, m.device_id):
                raise SimError(f"Sms not found: {sms_id}")
            return m

    def _owns(self, account: Account, device_id: int) -> bool:
        dev = self.devices.get(device_id)
        return dev is not None and dev.owner == account.email.lower()

    def query(self, account: Account, q: MessageQuery) -> list[Msg]:
        with self.lock:
            self.tick()
            owned = {d.id for d in self.owned_devices(account)}
            return list(self._select(owned, q))

    def _select(self, owned: set[int], q: MessageQuery) -> Iterator[Msg]:
        msgs = self.messages
        if q.phone is not None:
            wanted = phone_digits(q.phone)
            if len(wanted) >= _PHONE_KEY_LEN:
                cand = self._by_phone.get(wanted[-_PHONE_KEY_LEN:], [])
                ids = [i for i in cand if phones_match(wanted, phone_digits(msgs[i].phone))]
            else:
                ids = [i for i in self._ids if phones_match(wanted, phone_digits(msgs[i].phone))]
            ordered = sorted((msgs[i] for i in ids), key=lambda m: (m.created, m.id))
            if q.begin is not None:
                ordered = [m for m in ordered if m.created >= q.begin]
            if q.end is not None:
                ordered = [m for m in ordered if m.created <= q.end]
            id_iter: Iterable[Msg] = reversed(ordered) if q.desc else ordered
        else:
            lo = 0 if q.begin is None else bisect_left(self._times, q.begin)
            hi = len(self._times) if q.end is None else bisect_right(self._times, q.end)
            rng = range(hi - 1, lo - 1, -1) if q.desc else range(lo, hi)
            ids_ = self._ids
            id_iter = (msgs[ids_[i]] for i in rng)
        for m in id_iter:
            if m.device_id not in owned:
                continue
            if q.device_id is not None and m.device_id != q.device_id:
                continue
            if q.status is not None and m.status != q.status:
                continue
            if q.sim is not None and m.sim != q.sim:
                continue
            if q.customerid is not None and m.customerid != q.customerid:
                continue
            yield m

    # ---- tags, contacts, newsletters -------------------------------------------------------
    def save_tag(self, account: Account, title: str) -> int:
        with self.lock:
            self._next_tag_id += 1
            tag = Tag(self._next_tag_id, account.email.lower(), title)
            self.tags[tag.id] = tag
            return tag.id

    def save_contact(self, account: Account, phone: str, tag_id: int, name: str) -> int:
        with self.lock:
            tag = self.tags.get(tag_id)
            if tag is None or tag.owner != account.email.lower():
                raise SimError(f"Tag not found: {tag_id}")
            self._next_contact_id += 1
            c = Contact(self._next_contact_id, tag.owner, phone, tag_id, name)
            self.contacts[c.id] = c
            return c.id

    def save_paket(
        self,
        account: Account,
        *,
        title: str,
        body: str,
        device_id: int,
        tag_ids: tuple[int, ...],
        sim: int,
        send_at: int | None,
    ) -> int:
        """A newsletter: one message per distinct contact phone of the tags, held until send_at."""
        with self.lock:
            self.tick()
            self.device_for(account, device_id)
            owner = account.email.lower()
            for tid in tag_ids:
                tag = self.tags.get(tid)
                if tag is None or tag.owner != owner:
                    raise SimError(f"Tag not found: {tid}")
            self._next_paket_id += 1
            now = int(self.now())
            paket = Paket(
                self._next_paket_id,
                owner,
                title,
                body,
                device_id,
                tag_ids,
                sim,
                send_at if send_at is not None else now,
            )
            seen: list[str] = []
            ids: list[int] = []
            for c in self.contacts.values():
                if c.tag_id not in tag_ids or c.owner != owner:
                    continue
                key = phone_digits(c.phone)
                if any(phones_match(key, other) for other in seen):
                    continue  # one message per person, however the number was written
                seen.append(key)
                m = Msg(
                    id=self._new_msg_id(),
                    phone=c.phone,
                    body=body,
                    device_id=device_id,
                    created=now,
                    status=1,
                    sim=sim,
                    paket_id=paket.id,
                    timetosend=send_at if send_at is not None and send_at > now else None,
                    outcome=outcome_for(c.phone),
                )
                self._insert(m)
                ids.append(m.id)
            paket.message_ids = tuple(ids)
            self.pakets[paket.id] = paket
            self.tick()
            return paket.id

    # ---- uploads ---------------------------------------------------------------------------
    @staticmethod
    def upload_marker(name: str) -> str:
        """A body that renders as the upload's URL on whatever port the server got."""
        return UPLOAD_MARK + name

    def upload_url(self, name: str) -> str:
        return f"{self.public_base.rstrip('/')}/uploads/{name}"

    def add_upload(self, name: str, data: bytes, content_type: str) -> None:
        with self.lock:
            self.uploads[name] = (data, content_type)

    def get_upload(self, name: str) -> tuple[bytes, str] | None:
        with self.lock:
            return self.uploads.get(name)

    # ---- introspection for tests -----------------------------------------------------------
    def status_of(self, sms_id: int) -> int:
        with self.lock:
            self.tick()
            return self.messages[sms_id].status

    def incoming_from(self, phone: str) -> list[Msg]:
        with self.lock:
            self.tick()
            wanted = phone_digits(phone)
            return [
                m
                for m in self.messages.values()
                if m.status == INCOMING and phones_match(wanted, phone_digits(m.phone))
            ]

    def __len__(self) -> int:
        return len(self.messages)
