"""The office's external disks (3-2-1 with offline disks): each registered with its label and
size, seen plugged in or not, out of service while lost (until found and verified again).
Which one is due next follows from the copies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from storage import chain
from storage.models import ExternalDisk
from storage.repository import Repository


@dataclass(frozen=True)
class DiskRecord:
    id: str
    label: str
    size_bytes: int | None
    registered_at: datetime
    plugged_since: datetime | None  # None: not plugged in when last looked
    lost_at: datetime | None
    retired_at: datetime | None = None

    @property
    def in_service(self) -> bool:
        return self.lost_at is None and self.retired_at is None


def _record(row: ExternalDisk) -> DiskRecord:
    return DiskRecord(
        row.id,
        row.label,
        row.size_bytes,
        row.registered_at,
        row.plugged_since,
        row.lost_at,
        row.retired_at,
    )


@dataclass
class DiskRegistry(Repository):
    def register(self, disk_id: str, label: str, size_bytes: int | None, at: datetime) -> None:
        """Known from now on (its label and size kept up to date). The watchdog's look at the
        disk and a copy's check may register a new disk at the same moment from two threads:
        the one whose insert loses reads the winner's row and goes on from there."""
        try:
            self._register(disk_id, label, size_bytes, at)
        except IntegrityError:
            self._register(disk_id, label, size_bytes, at)

    def _register(self, disk_id: str, label: str, size_bytes: int | None, at: datetime) -> None:
        with self._sessions.begin() as session:
            row = session.get(ExternalDisk, disk_id)
            if row is None:
                row = ExternalDisk(id=disk_id, label=label, size_bytes=size_bytes, registered_at=at)
                session.add(row)
                session.flush()  # a row inserted meanwhile by another thread fails here
            elif (row.label, row.size_bytes) == (label, size_bytes):
                return
            else:
                row.label, row.size_bytes = label, size_bytes
            chain.record_row(session, row, at)

    def all(self) -> list[DiskRecord]:
        with self._sessions() as session:
            rows = session.scalars(select(ExternalDisk).order_by(ExternalDisk.label))
            return [_record(row) for row in rows]

    def get(self, disk_id: str) -> DiskRecord | None:
        with self._sessions() as session:
            row = session.get(ExternalDisk, disk_id)
            return None if row is None else _record(row)

    def by_label(self, label: str) -> DiskRecord | None:
        """The disk with this label, one in service first (a lost one may share its label)."""
        wanted = label.strip().casefold()
        matches = [d for d in self.all() if d.label.casefold() == wanted]
        return next((d for d in matches if d.in_service), matches[0] if matches else None)

    def seen(self, plugged: str | None, at: datetime) -> None:
        """The disk `plugged` is in now (or none is): when each was plugged in is kept."""
        with self._sessions.begin() as session:
            for row in session.scalars(select(ExternalDisk)):
                if row.id == plugged:
                    row.plugged_since = row.plugged_since or at
                else:
                    row.plugged_since = None

    def retire(self, disk_id: str, at: datetime) -> bool:
        """Take a disk out of rotation for good; False if it was out of service already."""
        with self._sessions.begin() as session:
            row = session.get(ExternalDisk, disk_id)
            if row is None or row.retired_at is not None or row.lost_at is not None:
                return False
            row.retired_at, row.plugged_since = at, None
            chain.record_row(session, row, at)
            return True

    def lost(self, disk_id: str, at: datetime) -> bool:
        """Record the loss; False when the disk is unknown or already lost (one conditional
        UPDATE: two confirmations at once record it once)."""
        with self._sessions.begin() as session:
            result = session.execute(
                update(ExternalDisk)
                .where(ExternalDisk.id == disk_id, ExternalDisk.lost_at.is_(None))
                .values(lost_at=at, plugged_since=None)
            )
            if not getattr(result, "rowcount", 0):
                return False
            chain.record_by_id(session, ExternalDisk, disk_id, at)
            return True

    def found(self, disk_id: str, at: datetime) -> bool:
        """A disk reported lost is back in service (after /ketemu verified it in full); False
        when it was not lost (one conditional UPDATE, as for lost())."""
        with self._sessions.begin() as session:
            result = session.execute(
                update(ExternalDisk)
                .where(ExternalDisk.id == disk_id, ExternalDisk.lost_at.is_not(None))
                .values(lost_at=None)
            )
            if not getattr(result, "rowcount", 0):
                return False
            chain.record_by_id(session, ExternalDisk, disk_id, at)
            return True
