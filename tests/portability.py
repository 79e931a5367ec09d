"""Marks for tests that need what only some systems give, so the suite runs on Windows too.

FIFOs and /dev/zero exist on POSIX only; creating a symbolic link on Windows needs a privilege
(SeCreateSymbolicLinkPrivilege, held by administrators or given by Developer Mode). On Windows
the same code paths are reached through reparse points, refused by the same checks."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

POSIX = os.name == "posix"


def can_symlink() -> bool:
    with tempfile.TemporaryDirectory() as folder:
        try:
            (Path(folder) / "link").symlink_to(Path(folder) / "target")
        except (OSError, NotImplementedError):
            return False
    return True


needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX-only")
needs_symlinks = pytest.mark.skipif(
    not can_symlink(), reason="creating symbolic links needs a privilege here (Windows)"
)
posix_modes = pytest.mark.skipif(
    not POSIX, reason="POSIX file modes (Windows: the ACL, tests/core/test_private.py)"
)
