"""A disk reported lost, and found again.

Lost (/hilang, confirmed): out of evidence at once, here and at the central database, never
written. Found (/ketemu): back in service only when a full re-read proves every copy the log
holds on it is still the copy that was verified: the disk was out of the office's hands, so its
own SHA256SUMS is checked against the log too (whoever had it could have rewritten both).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from jobs.external.copy import read_manifest
from jobs.external.disk import Disk
from jobs.external.listing import VerifyReport, verify_disk
from storage.copies import CopyLog, file_name
from storage.disks import DiskRecord, DiskRegistry

# Audit actions; the first two are also told to the central database.
LOST, FOUND = "disk_lost", "disk_found"
BREACH_CANCELLED = "breach_cancelled"
DISK_EVENTS = (LOST, FOUND)


def event_detail(disk: DiskRecord, reason: str = "") -> str:
    """The audit row's detail: which disk (its id as well as its label), and why."""
    return json.dumps({"disk_id": disk.id, "label": disk.label, "reason": reason})


def read_event(detail: str, disks: DiskRegistry) -> tuple[str, str] | None:
    """(disk id, label) of an event's detail; rows written before ids were recorded hold the
    label only, looked up among the registered disks."""
    try:
        data = json.loads(detail)
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("disk_id"), str):
        return data["disk_id"], str(data.get("label", ""))
    wanted = detail.strip().casefold()
    matches = [d for d in disks.all() if d.label.casefold() == wanted]
    known = next((d for d in matches if not d.in_service), matches[0] if matches else None)
    return (known.id, known.label) if known else None  # a lost one first: the event was a loss


@dataclass(frozen=True)
class FoundCheck:
    report: VerifyReport
    results: dict[str, bool]  # file name -> intact, for every copy the log holds on the disk
    altered: list[str] = field(default_factory=list)  # SHA256SUMS no longer says what was copied
    # In the log, not in SHA256SUMS any more, and not removed by retention: taken off the disk.
    unchecked: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.report.ok and not self.altered and not self.unchecked


def verify_found(disk: Disk, copylog: CopyLog, identities: Sequence[str]) -> FoundCheck:
    """A full /verifikasi of a disk that was lost, held against the log: every file re-read
    (and opened with the key), and every copy the log holds on it must still be listed in the
    disk's SHA256SUMS with the hash recorded when it was copied. Blocking: run it in a thread."""
    report = verify_disk(disk, None, identities)
    if report.key_wrong:
        return FoundCheck(report, {})
    manifest = read_manifest(disk.folder)
    logged: dict[str, str] = {}
    for copy in copylog.verified(disk.identity.id):  # newest first: the newest per name counts
        logged.setdefault(file_name(copy.dest_path), copy.sha256)
    results = report.results()
    altered = [n for n, digest in logged.items() if n in manifest and manifest[n] != digest]
    removed = copylog.pruned_names("external")  # retention's own removals are no loss
    unchecked = [n for n in logged if n not in manifest and n not in removed]
    for name in altered + unchecked:
        results[name] = False
    return FoundCheck(report, results, sorted(altered), sorted(unchecked))
