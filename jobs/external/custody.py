"""Disk custody: the office's disks take turns, each stored offline between copies. The disk due
next is the one in service whose last verified copy is oldest (never used: first of all)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.copies import CopyLog
from storage.disks import DiskRecord, DiskRegistry


@dataclass(frozen=True)
class DiskTurn:
    disk: DiskRecord
    last_copy: datetime | None


def rotation(disks: DiskRegistry, copylog: CopyLog) -> list[DiskTurn]:
    """Every disk in service with its last verified copy, the one due next first."""
    turns = [
        DiskTurn(disk, _last_copy_at(copylog, disk.id)) for disk in disks.all() if disk.in_service
    ]
    return sorted(turns, key=lambda t: (t.last_copy is not None, t.last_copy or datetime.min))


def _last_copy_at(copylog: CopyLog, disk_id: str) -> datetime | None:
    newest = copylog.newest(disk_id=disk_id, intact=None)
    return newest.finished_at if newest else None
