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
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

IDENTITY_FILE = ".sopbot-disk.json"
BACKUP_FOLDER = "sopbot-backups"
MANIFEST = "SHA256SUMS"


class DiskProblem(StrEnum):
    MISSING = "missing"  # path absent: not plugged in or not mounted
    NOT_SEPARATE = "not_separate"  # same device as the dump folder and not a mount point
    NO_IDENTITY = "no_identity"  # never initialised with `sopbot disk init`
    WRONG_DISK = "wrong_disk"  # initialised, but not a disk listed in EXTERNAL_DISK_IDS
    READ_ONLY = "read_only"
    FULL = "full"


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
    def __init__(self, problem: DiskProblem, detail: str) -> None:
        super().__init__(f"{problem.value}: {detail}")
        self.problem = problem
        self.detail = detail


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


def _separate(root: Path, dump_dir: Path) -> bool:
    if os.path.ismount(root):
        return True
    try:
        return root.stat().st_dev != dump_dir.stat().st_dev
    except OSError:
        return False


def _write_problem(folder: Path) -> DiskProblem | None:
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
        return DiskProblem.FULL if exc.errno == errno.ENOSPC else DiskProblem.READ_ONLY
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()


def check_disk(
    root: Path, dump_dir: Path, allowed_ids: list[str], need_bytes: int = 0, *, writing: bool = True
) -> Disk:
    """Return the disk if it may be written; raise DiskError saying why not. Writes nothing
    but a removed probe file (and only once everything else checked out)."""
    if not root.is_dir():
        raise DiskError(DiskProblem.MISSING, f"{root} does not exist")
    identity = read_identity(root)
    if not _separate(root, dump_dir):
        if identity is None:  # an empty mount point left behind by an unplugged disk
            raise DiskError(DiskProblem.MISSING, f"nothing is mounted at {root}")
        raise DiskError(
            DiskProblem.NOT_SEPARATE,
            f"{root} is on the same disk as {dump_dir} and is not a mount point",
        )
    if identity is None:
        raise DiskError(
            DiskProblem.NO_IDENTITY,
            f"{root} has no {IDENTITY_FILE}: run `sopbot disk init` on it once",
        )
    if allowed_ids and identity.id not in allowed_ids:
        raise DiskError(
            DiskProblem.WRONG_DISK,
            f"disk {identity.label} ({identity.id}) is not in EXTERNAL_DISK_IDS",
        )
    usage = shutil.disk_usage(root)
    disk = Disk(root, identity, usage.free, usage.total)
    if not writing:
        return disk
    if need_bytes and usage.free < need_bytes:
        raise DiskError(DiskProblem.FULL, f"{usage.free} bytes free on {root}, {need_bytes} needed")
    problem = _write_problem(disk.folder)
    if problem is DiskProblem.FULL:
        raise DiskError(problem, f"{root} is full")
    if problem is not None:
        raise DiskError(problem, f"{disk.folder} cannot be written (read-only or no permission)")
    return disk
