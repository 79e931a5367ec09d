"""What is on the external disk, read from the disk itself and cross-checked with the log:
the SOP's record keeping ("daftar file back up pada hard disk eksternal")."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from jobs.external.copy import PARTIAL_SUFFIX, CopyError, hash_file, read_manifest, restore
from jobs.external.disk import MANIFEST, Disk
from jobs.external.foreign import UnsafeFile
from jobs.external.keys import header_rejects
from storage.copies import CopyLog, CopyRecord
from storage.dumps import DumpLog


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


PAGE_SIZE = 20  # files shown per page of /daftar: a chat message holds ~4096 characters


@dataclass(frozen=True)
class DiskListing:
    """Every backup file on the disk, newest first, and one page of them to show.

    The log's details (in the log, last re-read) are looked up for the shown page only; whether
    a file was found damaged is known for every file, so the counts are about the whole disk."""

    disk: Disk
    files: list[BackupFile]
    page: int = 1
    page_size: int | None = None  # None: one page with every file

    @property
    def pages(self) -> int:
        if not self.page_size:
            return 1
        return max(1, -(-len(self.files) // self.page_size))

    @property
    def shown(self) -> list[BackupFile]:
        """The files on this page (none past the last page)."""
        return self.files[_page_slice(self.page, self.page_size)]

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


def _page_slice(page: int, page_size: int | None) -> slice:
    if not page_size:
        return slice(None)
    return slice((page - 1) * page_size, page * page_size)


def is_companion(name: str) -> bool:
    """A dump's log copied beside it: verified like the dump, but not a backup of its own."""
    return name.endswith(".log")


def _backup_file(
    path: Path, stat: os.stat_result, manifest: dict[str, str], record: CopyRecord | None
) -> BackupFile:
    return BackupFile(
        name=path.name,
        size=stat.st_size,
        modified=datetime.fromtimestamp(stat.st_mtime, UTC),
        in_manifest=path.name in manifest,
        in_log=record is not None and record.sha256 == manifest.get(path.name),
        partial=path.name.endswith(PARTIAL_SUFFIX) or path.name.endswith(".corrupt"),
        checked_at=record.checked_at if record else None,
        check_ok=record.check_ok if record else None,
    )


def list_disk(disk: Disk, copylog: CopyLog | None = None, page: int | None = None) -> DiskListing:
    """The backup files on the disk, newest first, read from the directory (stat only).

    The log (`copies`) is asked only about the files shown and the ones found damaged anywhere
    on the disk (so the counts are about the whole disk), never the disk's whole history; with
    `page`, PAGE_SIZE files a page (page 1 the newest)."""
    manifest = read_manifest(disk.folder, disk.device)
    found: list[tuple[Path, os.stat_result]] = []
    if disk.folder.is_dir():
        with os.scandir(disk.folder) as entries:
            for entry in entries:
                name = entry.name
                # Regular files only, links not followed: a link is no file of this disk.
                if not entry.is_file(follow_symlinks=False):
                    continue
                if name in (MANIFEST, MANIFEST + PARTIAL_SUFFIX):
                    continue
                if name.startswith(".write-test-") or is_companion(name):
                    continue
                found.append((disk.folder / name, entry.stat(follow_symlinks=False)))
    found.sort(key=lambda item: (item[1].st_mtime, item[0].name), reverse=True)
    listing = DiskListing(disk, [], max(page or 1, 1), PAGE_SIZE if page is not None else None)
    shown = {path.name for path, _ in found[_page_slice(listing.page, listing.page_size)]}
    records: dict[str, CopyRecord] = {}
    damaged: set[str] = set()
    if copylog is not None:
        disk_id = disk.identity.id
        suspects = copylog.damaged_names(disk_id) & {path.name for path, _ in found}
        records = copylog.newest_by_name(disk_id, disk.folder, sorted(shown | suspects))
        damaged = {name for name in suspects if name in records and records[name].damaged}
    files: list[BackupFile] = []
    for path, stat in found:
        if path.name in shown:
            record = records.get(path.name)
        elif path.name in damaged:  # not shown, counted: only the verdict matters
            record = records[path.name]
        else:
            record = None
        files.append(_backup_file(path, stat, manifest, record))
    return replace(listing, files=files)


@dataclass(frozen=True)
class VerifyReport:
    good: list[str]  # backups (dumps) read back intact; their logs are checked but not counted
    mismatched: list[str]
    missing: list[str]  # in the manifest, not on the disk
    unlisted: list[str]  # on the disk, not in the manifest (never verified)
    opened: list[str] = field(default_factory=list)  # encrypted, decrypted with the office key
    unopened: list[str] = field(default_factory=list)  # encrypted, would not decrypt
    sealed: list[str] = field(default_factory=list)  # encrypted, no key to try: unproven
    # The key opened none of the encrypted copies whose bytes are intact: the key is wrong, not
    # the copies. Nothing of this run may be recorded against any copy.
    key_wrong: int = 0  # how many intact encrypted copies it failed to open

    @property
    def ok(self) -> bool:
        return not (self.mismatched or self.missing or self.unopened or self.key_wrong)

    def results(self) -> dict[str, bool]:
        """File name -> whether it read back as verified, for the log (nothing when the key
        was wrong: the run proved nothing about any copy)."""
        if self.key_wrong:
            return {}
        found = dict.fromkeys(self.good, True)
        found.update(dict.fromkeys(self.mismatched + self.missing + self.unopened, False))
        return found


def verify_disk(
    disk: Disk,
    progress: Callable[[str], None] | None = None,
    identities: Sequence[str] = (),
    limits: Mapping[str, int] | None = None,
) -> VerifyReport:
    """Re-read every file in the manifest from the disk and compare its SHA-256; with the
    office's key, also open every encrypted copy end to end (age authenticates every chunk, so
    it opening proves it is whole and that the key opens it).

    Only regular files of the disk itself count as there: a link (to the server's own dump,
    say), a FIFO or a device in a copy's place is reported missing, never read. An encrypted
    copy is opened with its output limited to `limits[name]` (its dump's recorded size).

    A copy whose bytes match SHA256SUMS but which the key does not open was encrypted to other
    keys (or the key is wrong): when the key opens none of them, that is the key's fault and
    the report says so (`key_wrong`) instead of calling every copy damaged."""
    manifest = read_manifest(disk.folder, disk.device)
    wrong = _key_opens_none(disk, manifest, identities)
    if wrong:  # known from the headers and one whole copy: nothing else is read
        return VerifyReport([], [], [], [], key_wrong=wrong)
    good: list[str] = []
    mismatched: list[str] = []
    missing: list[str] = []
    opened: list[str] = []
    unopened: list[str] = []
    sealed: list[str] = []
    encrypted: list[str] = []  # intact bytes, to be opened with the key
    for name, digest in sorted(manifest.items()):
        path = disk.folder / name
        if progress:
            progress(name)
        try:
            actual = hash_file(path, uncached=True, foreign=True, device=disk.device)
        except (FileNotFoundError, UnsafeFile):  # gone, or not a regular file of this disk
            missing.append(name)
            continue
        except OSError:  # there, but unreadable (bad sectors): damaged
            mismatched.append(name)
            continue
        if actual == digest:
            if is_companion(name):
                continue
            if not name.endswith(".age"):
                good.append(name)
            elif not identities:
                good.append(name)
                sealed.append(name)
            else:
                encrypted.append(name)
        else:
            mismatched.append(name)
    for name in encrypted:
        try:
            limit = (limits or {}).get(name)
            restore(disk.folder / name, None, identities, max_output=limit, device=disk.device)
            good.append(name)
            opened.append(name)
        except CopyError:
            unopened.append(name)
    if encrypted and not opened:  # a key problem is never a copy problem
        return VerifyReport([], [], [], [], key_wrong=len(unopened))
    unlisted = [f.name for f in list_disk(disk).files if not f.in_manifest]
    return VerifyReport(good, mismatched, missing, unlisted, opened, unopened, sealed)


def recorded_sizes(disk: Disk, copylog: CopyLog, dumplog: DumpLog) -> dict[str, int]:
    """Encrypted copy name -> the recorded size of its dump, for the copies in the disk's
    manifest the log knows: what opening each may turn into at most."""
    names = [name for name in read_manifest(disk.folder, disk.device) if name.endswith(".age")]
    sizes: dict[str, int] = {}
    for name, record in copylog.newest_by_name(disk.identity.id, disk.folder, names).items():
        dump = dumplog.get(record.dump_run_id) if record.dump_run_id is not None else None
        if dump is not None and dump.size_bytes:
            sizes[name] = dump.size_bytes
    return sizes


def _key_opens_none(disk: Disk, manifest: dict[str, str], identities: Sequence[str]) -> int:
    """How many encrypted copies there are, when the key opens none of their headers and the
    newest of them is intact (so the key, not that copy, is at fault); 0 when the full run must
    tell."""
    if not identities:
        return 0
    sealed = [disk.folder / n for n in manifest if n.endswith(".age")]
    # Only regular files of the disk: a link or a FIFO in a copy's place is never opened.
    present = [path for path in sealed if path.is_file() and not path.is_symlink()]
    try:
        if not present or not all(header_rejects(path, list(identities)) for path in present):
            return 0
        newest = max(present, key=lambda path: (path.stat().st_mtime, path.name))
        digest = hash_file(newest, uncached=True, foreign=True, device=disk.device)
    except OSError:  # UnsafeFile included: the full run judges that copy
        return 0
    return len(sealed) if digest == manifest[newest.name] else 0
