"""Is the external disk really there, the right one, writable, with room? Checked before every
write, so the bot never writes to the wrong disk.

The disk carries an identity file written once by `sopbot disk init`. A missing disk is its own
outcome, never confused with a broken copy.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from core.problems import Code, Problem, problem
from jobs.external.filesystem import FAT_MAX_FILE_BYTES, file_system, is_fat

IDENTITY_FILE = ".sopbot-disk.json"
BACKUP_FOLDER = "sopbot-backups"
MANIFEST = "SHA256SUMS"


@dataclass(frozen=True)
class DiskIdentity:
    id: str
    label: str
    created_at: str


@dataclass(frozen=True)
class Disk:
    root: Path
    identity: DiskIdentity
    free_bytes: int
    total_bytes: int

    @property
    def folder(self) -> Path:
        return self.root / BACKUP_FOLDER


class DiskError(Exception):
    """The disk may not be used; `problem` says why (one of the DISK_* codes)."""

    def __init__(self, found: Problem) -> None:
        super().__init__(found.english())
        self.problem = found


def read_identity(root: Path) -> DiskIdentity | None:
    try:
        data = json.loads((root / IDENTITY_FILE).read_text(encoding="utf-8"))
        return DiskIdentity(str(data["id"]), str(data["label"]), str(data.get("created_at", "")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def init_disk(root: Path, label: str) -> DiskIdentity:
    """Write the identity file once; an already initialised disk keeps its identity."""
    existing = read_identity(root)
    if existing is not None:
        return existing
    identity = DiskIdentity(uuid.uuid4().hex[:12], label, datetime.now(UTC).isoformat())
    (root / BACKUP_FOLDER).mkdir(parents=True, exist_ok=True)
    (root / IDENTITY_FILE).write_text(json.dumps(identity.__dict__, indent=2), encoding="utf-8")
    return identity


def system_drive() -> Path:
    """Where the operating system lives: C:\\ (SystemDrive) on Windows, / elsewhere."""
    if os.name == "nt":
        return Path(os.environ.get("SYSTEMDRIVE", "C:") + "\\")
    return Path("/")


def _device(path: Path) -> int | None:
    """The device (POSIX) or volume serial number (Windows: os.stat fills st_dev with it) of
    `path`, or of its nearest existing parent."""
    for candidate in (path, *path.resolve().parents):
        try:
            return candidate.stat().st_dev
        except OSError:
            continue
    return None


def _separate(root: Path, dump_dir: Path) -> bool:
    """True only when `root` is on another device than the dump folder and than the system.

    A mount point proves nothing by itself (on Windows every drive root is one, and a folder
    bind-mounted from the same disk is one too): only the device decides."""
    disk = _device(root)
    return disk is not None and disk not in {_device(dump_dir), _device(system_drive())}


def _write_problem(folder: Path) -> Code | None:
    """None if a file can be written in `folder`, else why not."""
    probe = folder / f".write-test-{uuid.uuid4().hex[:8]}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with probe.open("wb") as stream:
            stream.write(b"ok")
            stream.flush()
            os.fsync(stream.fileno())
        return None
    except OSError as exc:
        return Code.DISK_FULL if exc.errno == errno.ENOSPC else Code.DISK_READ_ONLY
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()


Separate = Callable[[Path, Path], bool]


def check_disk(
    root: Path,
    dump_dir: Path,
    allowed_ids: list[str],
    need_bytes: int = 0,
    *,
    writing: bool = True,
    separate: Separate | None = None,
    largest_file: int = 0,
) -> Disk:
    """Return the disk if it may be written; raise DiskError saying why not. Writes nothing
    but a removed probe file (and only once everything else checked out)."""
    if not root.is_dir():
        raise DiskError(problem(Code.DISK_MISSING, root=str(root)))
    identity = read_identity(root)
    if not (separate or _separate)(root, dump_dir):
        if identity is None:  # an empty mount point left behind by an unplugged disk
            raise DiskError(problem(Code.DISK_MISSING, root=str(root)))
        raise DiskError(problem(Code.DISK_NOT_SEPARATE, root=str(root), dump_dir=str(dump_dir)))
    if identity is None:
        raise DiskError(problem(Code.DISK_NO_IDENTITY, root=str(root)))
    if allowed_ids and identity.id not in allowed_ids:
        raise DiskError(problem(Code.DISK_WRONG, label=identity.label, disk_id=identity.id))
    usage = shutil.disk_usage(root)
    disk = Disk(root, identity, usage.free, usage.total)
    if not writing:
        return disk
    if largest_file > FAT_MAX_FILE_BYTES:
        kind = file_system(root)
        if is_fat(kind):  # it would fail at 4 GiB as if full: say why before starting
            raise DiskError(
                problem(
                    Code.DISK_FAT_FILE_TOO_BIG,
                    root=str(root),
                    file_system=kind or "FAT",
                    size=largest_file,
                    limit=FAT_MAX_FILE_BYTES,
                )
            )
    if need_bytes and usage.free < need_bytes:
        raise DiskError(problem(Code.DISK_FULL, root=str(root), free=usage.free, need=need_bytes))
    cannot_write = _write_problem(disk.folder)
    if cannot_write is Code.DISK_FULL:
        raise DiskError(problem(Code.DISK_FULL, root=str(root), free=usage.free, need=need_bytes))
    if cannot_write is not None:
        raise DiskError(problem(Code.DISK_READ_ONLY, folder=str(disk.folder)))
    return disk
