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
import re
import shutil
import stat
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from core.problems import Code, Problem, problem
from jobs.external.filesystem import FAT_MAX_FILE_BYTES, file_system, is_fat
from jobs.external.foreign import IDENTITY_LIMIT, UnsafeFile, read_regular

IDENTITY_FILE = ".sopbot-disk.json"
BACKUP_FOLDER = "sopbot-backups"
MANIFEST = "SHA256SUMS"

# A label is said in chat, typed after /hilang, sent to the central database: a short
# printable identifier. An id is what `init_disk` writes (12 hex digits), or the like.
LABEL_MAX = 32
_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_DISK_ID = re.compile(r"[A-Za-z0-9-]{1,64}")


def label_problem(label: str) -> str | None:
    """Why `label` cannot name a disk (English, for the log), or None when it can."""
    if not label or len(label) > LABEL_MAX:
        return f"a label has 1 to {LABEL_MAX} characters"
    if not _LABEL.fullmatch(label):
        return "a label is letters, digits, '.', '_' and '-', starting with a letter or digit"
    return None


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
    device: int | None = None  # every file read as the disk's must be on this device

    @property
    def folder(self) -> Path:
        return self.root / BACKUP_FOLDER


class DiskError(Exception):
    """The disk may not be used; `problem` says why (one of the DISK_* codes)."""

    def __init__(self, found: Problem) -> None:
        super().__init__(found.english())
        self.problem = found


class BadIdentity(Exception):
    """The identity file is there but unusable (not a regular file, too large, malformed, or
    a label or id that is not a short printable identifier)."""


def read_identity(root: Path) -> DiskIdentity | None:
    """The disk's identity; None when it has none. Raises BadIdentity for a file that is there
    but not a small regular file holding a valid identity: such a disk is not used, and its
    identity is not written over."""
    path = root / IDENTITY_FILE
    if not os.path.lexists(path):
        return None
    try:
        data = json.loads(read_regular(path, IDENTITY_LIMIT, device=_device_of_root(root)))
        identity = DiskIdentity(
            str(data["id"]), str(data["label"]), str(data.get("created_at", ""))
        )
    except UnsafeFile as exc:
        raise BadIdentity(exc.why) from exc
    except OSError as exc:
        raise BadIdentity(exc.strerror or type(exc).__name__) from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise BadIdentity(f"not an identity ({type(exc).__name__})") from exc
    why = label_problem(identity.label)
    if why is not None:
        raise BadIdentity(why)
    if not _DISK_ID.fullmatch(identity.id) or len(identity.created_at) > 64:
        raise BadIdentity("an id is 1 to 64 letters, digits or '-'")
    return identity


def _device_of_root(root: Path) -> int | None:
    try:
        return root.stat().st_dev
    except OSError:
        return None


def init_disk(root: Path, label: str) -> DiskIdentity:
    """Write the identity file once; an already initialised disk keeps its identity. Raises
    ValueError for a label that is not a short printable identifier, BadIdentity for an
    identity file that is there but unusable."""
    why = label_problem(label)
    if why is not None:
        raise ValueError(why)
    existing = read_identity(root)
    if existing is not None:
        return existing
    identity = DiskIdentity(uuid.uuid4().hex[:12], label, datetime.now(UTC).isoformat())
    (root / BACKUP_FOLDER).mkdir(parents=True, exist_ok=True)
    text = json.dumps(identity.__dict__, indent=2).encode("utf-8")
    # Created, never opened if something (a link, a FIFO) took its name meanwhile.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(root / IDENTITY_FILE, flags, 0o644)
    with os.fdopen(fd, "wb") as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())
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
    bad: str | None = None
    try:
        identity = read_identity(root)
    except BadIdentity as exc:
        identity, bad = None, str(exc)
    if not (separate or _separate)(root, dump_dir):
        if identity is None and bad is None:  # an empty mount point left by an unplugged disk
            raise DiskError(problem(Code.DISK_MISSING, root=str(root)))
        raise DiskError(problem(Code.DISK_NOT_SEPARATE, root=str(root), dump_dir=str(dump_dir)))
    if bad is not None:
        raise DiskError(problem(Code.DISK_BAD_IDENTITY, root=str(root), why=bad))
    if identity is None:
        raise DiskError(problem(Code.DISK_NO_IDENTITY, root=str(root)))
    if allowed_ids and identity.id not in allowed_ids:
        raise DiskError(problem(Code.DISK_WRONG, label=identity.label, disk_id=identity.id))
    device = root.stat().st_dev
    folder = root / BACKUP_FOLDER
    unsafe = folder_problem(folder, device)
    if unsafe is not None:
        raise DiskError(problem(Code.DISK_UNSAFE_FOLDER, folder=str(folder), why=unsafe))
    usage = shutil.disk_usage(root)
    disk = Disk(root, identity, usage.free, usage.total, device)
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


def folder_problem(folder: Path, device: int) -> str | None:
    """Why the backup folder is not a folder of the disk itself (a link to the server's dump
    folder would make every "copy" a file on the server), or None: absent, or a real folder
    on `device`."""
    try:
        found = os.lstat(folder)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    attributes = getattr(found, "st_file_attributes", 0)
    if stat.S_ISLNK(found.st_mode) or attributes & 0x400:  # 0x400: a Windows reparse point
        return "a symbolic link"
    if not stat.S_ISDIR(found.st_mode):
        return "not a folder"
    if found.st_dev != device:
        return "on another device than the disk"
    return None


def prepare_disk(
    root: Path, label: str, dump_dir: Path, *, separate: Separate | None = None
) -> tuple[DiskIdentity, bool]:
    """`sopbot disk init`: refuse what the copy's check refuses (not there, on the server's
    own disk, an unusable identity file or backup folder, not writable), then write the
    identity once. Returns it and whether it was there already; raises DiskError or ValueError
    (a bad label)."""
    why = label_problem(label)
    if why is not None:
        raise ValueError(why)
    if not root.is_dir():
        raise DiskError(problem(Code.DISK_MISSING, root=str(root)))
    if not (separate or _separate)(root, dump_dir):
        raise DiskError(problem(Code.DISK_NOT_SEPARATE, root=str(root), dump_dir=str(dump_dir)))
    try:
        existing = read_identity(root)
    except BadIdentity as exc:
        raise DiskError(problem(Code.DISK_BAD_IDENTITY, root=str(root), why=str(exc))) from exc
    folder = root / BACKUP_FOLDER
    unsafe = folder_problem(folder, root.stat().st_dev)
    if unsafe is not None:
        raise DiskError(problem(Code.DISK_UNSAFE_FOLDER, folder=str(folder), why=unsafe))
    if existing is not None:
        return existing, True
    if _write_problem(root) is not None:
        raise DiskError(problem(Code.DISK_READ_ONLY, folder=str(root)))
    return init_disk(root, label), False
