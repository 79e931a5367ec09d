"""Real small file systems for the external-disk tests: a tmpfs mounted by the test when it runs
as root (CI does), or a plain folder treated as a separate disk otherwise."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@functools.cache
def can_mount() -> bool:
    if os.environ.get("SOPBOT_TESTS_NO_MOUNT"):  # exercise the fallback on purpose
        return False
    if os.name != "posix" or os.geteuid() != 0 or not shutil.which("mount"):
        return False
    probe = Path(f"/tmp/sopbot-mount-probe-{uuid.uuid4().hex[:6]}")
    probe.mkdir()
    try:
        ok = (
            subprocess.run(
                ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(probe)], capture_output=True
            ).returncode
            == 0
        )
        if ok:
            subprocess.run(["umount", str(probe)], check=True)
        return ok
    finally:
        probe.rmdir()


needs_mount = pytest.mark.skipif(
    not can_mount(), reason="needs root and tmpfs to build a real full/read-only/unplugged disk"
)


class TmpfsDisk:
    def __init__(self, path: Path, size: str) -> None:
        self.path, self.size = path, size
        self.mounted = False

    def mount(self) -> None:
        self.path.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={self.size}", "tmpfs", str(self.path)], check=True
        )
        self.mounted = True

    def unplug(self) -> None:
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.path)], check=True)
            self.mounted = False

    def read_only(self) -> None:
        subprocess.run(["mount", "-o", "remount,ro", str(self.path)], check=True)


@contextmanager
def external_disk(
    path: Path, size: str = "32m", monkeypatch: pytest.MonkeyPatch | None = None
) -> Iterator[TmpfsDisk]:
    """A disk at `path`: tmpfs when possible; else a folder the disk check treats as separate."""
    disk = TmpfsDisk(path, size)
    if can_mount():
        disk.mount()
        try:
            yield disk
        finally:
            disk.unplug()
        return
    assert monkeypatch is not None, "without root the fallback needs monkeypatch"
    path.mkdir(parents=True, exist_ok=True)
    monkeypatch.setattr(
        "jobs.external.disk._separate", lambda root, dump_dir: root.resolve() == path.resolve()
    )
    yield disk
