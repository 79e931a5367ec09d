"""What is on the external disk, read from the disk itself and cross-checked with the log:
the SOP's record keeping ("daftar file back up pada hard disk eksternal")."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from jobs.external.copy import PARTIAL_SUFFIX, CopyError, hash_file, read_manifest, restore
from jobs.external.disk import MANIFEST, Disk
from storage.copies import CopyLog, CopyRecord


@dataclass(frozen=True)
class BackupFile:
    name: str
    size: int
    modified: datetime
    in_manifest: bool  # verified when it was copied
    in_log: bool  # the bot's log has a verified copy with this name and hash
    partial: bool  # a copy that never finished: never counts
    checked_at: datetime | None = None  # the last /verifikasi that re-read it
    check_ok: bool | None = None  # what that re-read found

    @property
    def damaged(self) -> bool:
        return self.check_ok is False

    @property
    def verified(self) -> bool:
        return self.in_manifest and not self.partial and not self.damaged


@dataclass(frozen=True)
class DiskListing:
    disk: Disk
    files: list[BackupFile]

    @property
    def good(self) -> list[BackupFile]:
        return [f for f in self.files if f.verified]

    @property
    def days_left(self) -> int | None:
        """Roughly how many more daily backups fit, from the recent verified sizes."""
        recent = sorted(self.good, key=lambda f: f.modified)[-7:]
        if not recent:
            return None
        average = sum(f.size for f in recent) / len(recent)
        return int(self.disk.free_bytes // average) if average else None


def is_companion(name: str) -> bool:
    """A dump's log copied beside it: verified like the dump, but not a backup of its own."""
    return name.endswith(".log")


def logged_copies(copies: CopyLog, disk: Disk) -> dict[str, CopyRecord]:
    """File name -> the newest verified copy the log has with that name on this disk."""
    found: dict[str, CopyRecord] = {}
    for copy in copies.verified(disk.identity.id):  # newest first
        found.setdefault(Path(copy.dest_path).name, copy)
    return found


def list_disk(disk: Disk, logged: dict[str, CopyRecord] | None = None) -> DiskListing:
    manifest = read_manifest(disk.folder)
    logged = logged or {}
    files: list[BackupFile] = []
    if disk.folder.is_dir():
        for path in sorted(disk.folder.iterdir()):
            if not path.is_file() or path.name in (MANIFEST, MANIFEST + PARTIAL_SUFFIX):
                continue
            if path.name.startswith(".write-test-") or is_companion(path.name):
                continue
            stat = path.stat()
            record = logged.get(path.name)
            files.append(
                BackupFile(
                    name=path.name,
                    size=stat.st_size,
                    modified=datetime.fromtimestamp(stat.st_mtime, UTC),
                    in_manifest=path.name in manifest,
                    in_log=record is not None and record.sha256 == manifest.get(path.name),
                    partial=path.name.endswith(PARTIAL_SUFFIX) or path.name.endswith(".corrupt"),
                    checked_at=record.checked_at if record else None,
                    check_ok=record.check_ok if record else None,
                )
            )
    return DiskListing(disk, files)


@dataclass(frozen=True)
class VerifyReport:
    good: list[str]  # backups (dumps) read back intact; their logs are checked but not counted
    mismatched: list[str]
    missing: list[str]  # in the manifest, not on the disk
    unlisted: list[str]  # on the disk, not in the manifest (never verified)
    opened: list[str] = field(default_factory=list)  # encrypted, decrypted with the office key
    unopened: list[str] = field(default_factory=list)  # encrypted, would not decrypt
    sealed: list[str] = field(default_factory=list)  # encrypted, no key to try: unproven

    @property
    def ok(self) -> bool:
        return not (self.mismatched or self.missing or self.unopened)

    def results(self) -> dict[str, bool]:
        """File name -> whether it read back as verified, for the log."""
        found = dict.fromkeys(self.good, True)
        found.update(dict.fromkeys(self.mismatched + self.missing + self.unopened, False))
        return found


def verify_disk(
    disk: Disk,
    progress: Callable[[str], None] | None = None,
    identities: Sequence[str] = (),
) -> VerifyReport:
    """Re-read every file in the manifest from the disk and compare its SHA-256; with the
    office's key, also open every encrypted copy end to end (age authenticates every chunk, so
    it opening proves it is whole and that the key opens it)."""
    manifest = read_manifest(disk.folder)
    good: list[str] = []
    mismatched: list[str] = []
    missing: list[str] = []
    opened: list[str] = []
    unopened: list[str] = []
    sealed: list[str] = []
    for name, digest in sorted(manifest.items()):
        path = disk.folder / name
        if progress:
            progress(name)
        if not path.is_file():
            missing.append(name)
        elif hash_file(path, uncached=True) == digest:
            if is_companion(name):
                continue
            if not name.endswith(".age"):
                good.append(name)
            elif not identities:
                good.append(name)
                sealed.append(name)
            else:
                try:
                    restore(path, None, identities)
                    good.append(name)
                    opened.append(name)
                except CopyError:
                    unopened.append(name)
        else:
            mismatched.append(name)
    unlisted = [f.name for f in list_disk(disk).files if not f.in_manifest]
    return VerifyReport(good, mismatched, missing, unlisted, opened, unopened, sealed)
