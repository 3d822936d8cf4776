"""The store's devices: the phones and their last known status."""

import json
from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from smstui.core.models import (
    Device,
    DeviceStatus,
    SimCard,
)
from smstui.core.store.connection import StoreBase
from smstui.core.store.schema import from_ts, to_ts


class StoredDevice(NamedTuple):
    device: Device
    online: bool | None
    seconds_since_seen: int | None
    status_checked: datetime | None


def _device_to_json(device: Device) -> str:
    def dt(value: datetime | None) -> str | None:
        return None if value is None else value.isoformat()

    return json.dumps(
        {
            "id": device.id,
            "title": device.title,
            "sims": [
                {
                    "slot": s.slot,
                    "number": s.number,
                    "carrier": s.carrier,
                    "country": s.country,
                    "roaming": s.roaming,
                    "iccid": s.iccid,
                }
                for s in device.sims
            ],
            "imei": device.imei,
            "serial": device.serial,
            "number": device.number,
            "created": dt(device.created),
            "last_seen": dt(device.last_seen),
            "app_version": device.app_version,
            "app_version_current": device.app_version_current,
            "delay_between_sms": device.delay_between_sms,
            "delay_between_requests": device.delay_between_requests,
            "subscription": device.subscription,
        },
        ensure_ascii=False,
    )


def _device_from_json(text: str) -> Device:
    data = json.loads(text)

    def dt(value: str | None) -> datetime | None:
        return None if value is None else datetime.fromisoformat(value)

    return Device(
        id=data["id"],
        title=data["title"],
        sims=tuple(SimCard(**s) for s in data.get("sims", ())),
        imei=data.get("imei"),
        serial=data.get("serial"),
        number=data.get("number"),
        created=dt(data.get("created")),
        last_seen=dt(data.get("last_seen")),
        app_version=data.get("app_version"),
        app_version_current=data.get("app_version_current"),
        delay_between_sms=data.get("delay_between_sms"),
        delay_between_requests=data.get("delay_between_requests"),
        subscription=data.get("subscription"),
    )


class DeviceRows(StoreBase):
    # ------------------------------------------------------------------ devices

    def save_devices(self, devices: Iterable[Device]) -> bool:
        """Replace the device list; returns True when anything changed."""
        now = self.now()
        changed = False
        with self.transaction() as db:
            seen = []
            for device in devices:
                seen.append(device.id)
                data = _device_to_json(device)
                row = db.execute("SELECT data FROM devices WHERE id = ?", (device.id,)).fetchone()
                if row is None or row[0] != data:
                    changed = True
                    db.execute(
                        "INSERT INTO devices (id, title, data, last_seen, updated) VALUES (?, ?, ?, ?, ?) "
                        "ON CONFLICT(id) DO UPDATE SET title = excluded.title, data = excluded.data, "
                        "last_seen = excluded.last_seen, updated = excluded.updated",
                        (device.id, device.title, data, to_ts(device.last_seen), now),
                    )
            placeholders = ",".join("?" * len(seen))
            gone = db.execute(
                f"DELETE FROM devices WHERE id NOT IN ({placeholders})" if seen else "DELETE FROM devices",
                seen,
            ).rowcount
            changed = changed or gone > 0
        return changed

    def save_device_status(self, status: DeviceStatus) -> bool:
        with self.transaction() as db:
            row = db.execute("SELECT online, last_seen FROM devices WHERE id = ?", (status.device_id,)).fetchone()
            if row is None:
                return False
            last_seen = to_ts(status.last_seen) if status.last_seen else row[1]
            db.execute(
                "UPDATE devices SET online = ?, last_seen = ?, seconds_since_seen = ?, status_checked = ? WHERE id = ?",
                (int(status.online), last_seen, status.seconds_since_seen, self.now(), status.device_id),
            )
            return bool(row[0] != int(status.online) or row[1] != last_seen)

    def last_sent_by_device(self) -> dict[int, float]:
        """Read-only: each device's latest outgoing message (sent, else created), as a timestamp."""
        rows = self._query(
            "SELECT device_id, max(coalesce(sent_at, created)) FROM messages "
            "WHERE incoming = 0 AND device_id IS NOT NULL GROUP BY device_id"
        )
        return {int(device_id): float(ts) for device_id, ts in rows if ts is not None}

    def devices(self) -> list[StoredDevice]:
        rows = self._query(
            "SELECT data, online, seconds_since_seen, status_checked, last_seen FROM devices ORDER BY title COLLATE NOCASE, id"
        )
        result = []
        for data, online, since, checked, last_seen in rows:
            device = _device_from_json(data)
            if last_seen is not None and (device.last_seen is None or to_ts(device.last_seen) != last_seen):
                device = device._replace(last_seen=from_ts(last_seen))
            result.append(
                StoredDevice(
                    device=device,
                    online=None if online is None else bool(online),
                    seconds_since_seen=since,
                    status_checked=from_ts(checked),
                )
            )
        return result

    def device(self, device_id: int) -> StoredDevice | None:
        for stored in self.devices():
            if stored.device.id == device_id:
                return stored
        return None
