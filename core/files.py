"""Files the bot creates that hold the population register (a dump, a copy, a restored dump):
readable by the bot's user only, whatever the umask (systemd's `UMask=0077` is not there when
the bot runs from a terminal, Task Scheduler or Docker). On Windows only the read-only bit of a
mode is honoured: the folder's ACL decides there (see README, "Windows Server")."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import BinaryIO

PRIVATE_MODE = 0o600


def create_private(path: Path) -> BinaryIO:
    """A new empty file at `path`, mode 0600, opened for writing (unbuffered). Whatever held the
    name before (a leftover, or a link someone put there) is removed first, never written
    through."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    flags = (
        os.O_WRONLY
        | os.O_CREAT
        | os.O_EXCL
        | getattr(os, "O_NOFOLLOW", 0)
        | getattr(os, "O_BINARY", 0)
    )
    fd = os.open(path, flags, PRIVATE_MODE)
    if hasattr(os, "fchmod"):  # the mode given to open is reduced by the umask; not this one
        os.fchmod(fd, PRIVATE_MODE)
    return os.fdopen(fd, "wb", buffering=0)
