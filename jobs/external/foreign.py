"""Files on the external disk are foreign input: anyone can write a USB disk. Whatever the bot
reads from it is opened here, and only if it is a regular file of the disk itself (never a
FIFO, a device, a symbolic link or a file of another disk), of bounded size, and named as a
plain file of the folder it is looked up in.

A FIFO opened for reading waits for a writer (for ever, with none); a link to /dev/zero or to
the server's own dump would pass for a copy; a huge identity or manifest would be read whole.
Opening without following links and without waiting, then asking the open file what it is,
leaves no gap between the check and the use.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

# Bounds on what the bot reads whole (the copies themselves are streamed).
IDENTITY_LIMIT = 4 * 1024  # .sopbot-disk.json: a label, an id and a date
MANIFEST_LIMIT = 8 * 1024 * 1024  # SHA256SUMS: ~110 bytes a line, decades of daily copies
EXPORT_LOG_LIMIT = 16 * 1024 * 1024  # a Data Pump export log of tens of thousands of tables

_REPARSE_POINT = 0x400  # FILE_ATTRIBUTE_REPARSE_POINT: a symbolic link or junction on Windows


class UnsafeFile(OSError):
    """A file on the disk the bot will not read: `why` says what it is instead."""

    def __init__(self, path: Path, why: str) -> None:
        super().__init__(errno.EPERM, why, str(path))
        self.why = why


def plain_name(name: str) -> bool:
    """A file name of one folder: no folder part, not `.` or `..`, no control characters.
    Names on the disk (in SHA256SUMS, in the log) must be this to be looked up at all."""
    return (
        0 < len(name) <= 255
        and name not in {".", ".."}
        and "/" not in name
        and "\\" not in name
        and ":" not in name  # a drive (C:x) or an NTFS stream (x:stream) on Windows
        and name.isprintable()
    )


def open_regular(
    path: Path, *, device: int | None = None, max_bytes: int | None = None
) -> BinaryIO:
    """`path` opened for reading, unbuffered, if it is a regular file (on `device`, when given,
    and at most `max_bytes` long); raises UnsafeFile (an OSError) otherwise."""
    fd = _open_posix(path) if hasattr(os, "O_NOFOLLOW") else _open_windows(path)
    try:
        found = os.fstat(fd)
        if not stat.S_ISREG(found.st_mode):
            raise UnsafeFile(path, "not a regular file (a FIFO, a device or a folder)")
        if device is not None and found.st_dev != device:
            raise UnsafeFile(path, "on another device than the disk")
        if max_bytes is not None and found.st_size > max_bytes:
            raise UnsafeFile(path, f"larger than {max_bytes} bytes")
        if hasattr(os, "O_NONBLOCK"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb", buffering=0)
    except BaseException:
        os.close(fd)
        raise


def _open_posix(path: Path) -> int:
    # O_NONBLOCK: a FIFO opens at once instead of waiting for a writer (and is refused below);
    # it changes nothing for a regular file. O_NOFOLLOW: a symbolic link is not opened.
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)
    try:
        return os.open(path, flags)
    except OSError as exc:
        if exc.errno in {errno.ELOOP, errno.EMLINK} and path.is_symlink():
            raise UnsafeFile(path, "a symbolic link") from exc
        raise


def _open_windows(path: Path) -> int:
    """Windows has no O_NOFOLLOW: the link is refused by its attributes, and the file opened
    must be the one looked at (same volume and file index)."""
    before = os.lstat(path)
    attributes = getattr(before, "st_file_attributes", 0)
    if stat.S_ISLNK(before.st_mode) or attributes & _REPARSE_POINT:
        raise UnsafeFile(path, "a symbolic link")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    opened = os.fstat(fd)
    if (opened.st_dev, opened.st_ino) != (before.st_dev, before.st_ino):
        os.close(fd)
        raise UnsafeFile(path, "replaced while it was opened")
    return fd


def read_regular(path: Path, limit: int, *, device: int | None = None) -> bytes:
    """The whole of a small regular file, at most `limit` bytes (a file growing while read is
    refused too)."""
    with open_regular(path, device=device, max_bytes=limit) as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise UnsafeFile(path, f"larger than {limit} bytes")
    return data


def device_of(path: Path) -> int | None:
    """The device (POSIX) or volume serial (Windows) of `path` itself, links not followed."""
    try:
        return os.lstat(path).st_dev
    except OSError:
        return None
