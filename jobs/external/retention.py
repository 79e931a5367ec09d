"""Removing old backups, only ever behind a newer verified copy.

Rules: a dump on the server is removed only when it is older than RETENTION_SERVER_DAYS, has a
verified copy on an external disk, and is not the newest verified dump; what a stopped or failed
run left behind (a partial export, never a backup) is removed once it is that old. A copy on
the external disk is removed only when it is older than RETENTION_EXTERNAL_DAYS, is listed in
the disk's manifest, and is not the newest verified copy there. Unverified files are never touched.
Every removal is recorded.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime, timedelta
from pathlib import Path

from core.settings import Settings
from jobs.external.copy import read_manifest, write_manifest
from jobs.external.disk import Disk
from storage.copies import CopyLog
from storage.dumps import DumpLog
from storage.states import GOOD_DUMPS, STOPPED_DUMPS

log = logging.getLogger(__name__)


GONE = -1  # the file was not there any more
# Windows' ERROR_SHARING_VIOLATION and ERROR_LOCK_VIOLATION: the file is open in another program.
IN_USE_ERRORS = frozenset({32, 33})


def _remove(path: Path, held: list[str]) -> int | None:
    """The size removed; GONE if it was already gone; None if it is in use now (noted in `held`).

    On Windows a file open in another program (antivirus, Explorer's preview, a `Get-Content`)
    cannot be deleted (PermissionError with WinError 32): it stays for the next run, and the rest
    of retention goes on. Any other error (a read-only disk, no permission) stops retention and
    is reported as such."""
    try:
        size = path.stat().st_size
        path.unlink()
        return size
    except FileNotFoundError:
        return GONE
    except OSError as exc:
        if getattr(exc, "winerror", None) not in IN_USE_ERRORS:
            raise
        log.warning("Retention could not remove %s now, it is in use: %s", path, exc.strerror)
        held.append(path.name)
        return None


def prune(
    settings: Settings,
    dumplog: DumpLog,
    copylog: CopyLog,
    disk: Disk,
    now: datetime,
    held: list[str] | None = None,
) -> list[str]:
    """Remove what the rules allow; return the names removed. Files that could not be removed
    now are added to `held` (they are tried again next time)."""
    held = [] if held is None else held
    removed: list[str] = []
    verified = copylog.verified()
    if not verified:
        return removed
    if settings.retention_server_days:
        cutoff = now - timedelta(days=settings.retention_server_days)
        copied_ids = {c.dump_run_id for c in verified}
        newest = verified[0].dump_run_id
        runs = dumplog.latest(limit=10_000)
        good_paths = {r.file_path for r in runs if r.outcome in GOOD_DUMPS}
        for record in runs:
            # An unknown outcome is neither good nor stopped: its file is kept.
            stopped = record.outcome in STOPPED_DUMPS
            if record.started_at >= cutoff or record.id == newest:
                continue
            if stopped and record.file_path in good_paths:
                continue  # a later good run reused the name: that file is a backup
            if not stopped and (record.outcome not in GOOD_DUMPS or record.id not in copied_ids):
                continue
            # A stopped or failed run's leftover (a partial export) is no backup: it goes too.
            dump_file = Path(record.file_path)
            size = _remove(dump_file, held)
            if size is None or size == GONE:
                continue
            with contextlib.suppress(OSError):
                dump_file.with_suffix(".log").unlink()
            reason = (
                f"leftover of a {record.outcome} run, older than "
                f"{settings.retention_server_days} days"
                if stopped
                else f"older than {settings.retention_server_days} days, verified externally"
            )
            copylog.record_pruned(
                at=now, location="server", path=str(dump_file), size_bytes=size, reason=reason
            )
            log.info("Retention removed %s from the server (%s)", dump_file, reason)
            removed.append(dump_file.name)
    if settings.retention_external_days:
        cutoff = now - timedelta(days=settings.retention_external_days)
        on_disk = [c for c in verified if c.disk_id == disk.identity.id]
        manifest = read_manifest(disk.folder, disk.device)
        changed = False
        try:
            for copy in on_disk[1:]:  # the newest verified copy always stays
                name = Path(copy.dest_path).name
                if copy.finished_at is None or copy.finished_at >= cutoff or name not in manifest:
                    continue
                size = _remove(disk.folder / name, held)
                if size is None:
                    continue  # still there: it keeps its SHA256SUMS line
                del manifest[name]
                changed = True
                if size == GONE:
                    continue
                reason = f"older than {settings.retention_external_days} days"
                copylog.record_pruned(
                    at=now,
                    location="external",
                    path=str(disk.folder / name),
                    size_bytes=size,
                    reason=reason,
                )
                log.info("Retention removed %s from the external disk (%s)", name, reason)
                removed.append(name)
        finally:
            # Whatever stopped the loop, SHA256SUMS names exactly the files still there.
            if changed:
                write_manifest(disk.folder, manifest)
    return removed
