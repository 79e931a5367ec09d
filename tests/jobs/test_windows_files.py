"""What Windows does to files, simulated where Linux can: a file held open by another program
cannot be deleted (PermissionError with WinError 32, ERROR_SHARING_VIOLATION), and `Path.rename`
refuses to replace an existing target (Python's documentation: FileExistsError on Windows)."""

from __future__ import annotations

import errno
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import test_external_copy
from disks import external_disk
from test_external_copy import World

from core.problems import Code
from jobs.external import copy as copy_module
from jobs.external.copy import read_manifest
from jobs.external.disk import init_disk
from jobs.job import Outcome

IN_USE = "The process cannot access the file because it is being used by another process"


async def test_retention_goes_on_past_a_file_held_open_and_sha256sums_stays_true(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    disk_path = tmp_path / "external"
    with external_disk(disk_path, "64m", monkeypatch):
        init_disk(disk_path, "HDD-1")
        world = World(tmp_path, disk_path, retention_external_days=1)
        folder = disk_path / "sopbot-backups"
        held = folder / "D0.dmp"  # open in Explorer's preview, say
        real_unlink = Path.unlink

        def windows_unlink(self: Path, missing_ok: bool = False) -> None:
            if self == held:
                in_use = PermissionError(errno.EACCES, IN_USE, str(self))
                in_use.winerror = 32  # type: ignore[attr-defined]  # ERROR_SHARING_VIOLATION
                raise in_use
            real_unlink(self, missing_ok)

        monkeypatch.setattr(Path, "unlink", windows_unlink)
        for day in range(3):
            world.add_dump(f"D{day}.dmp", 1, seed=day)
            result = await world.service.run("chat")
            assert result.verified  # the copy stands; retention did not abort it
            world.clock.advance(timedelta(days=2))
        # The last run tried D0 (held) and D1 (removed).
        assert result.outcome is Outcome.WARNING
        assert [w.code for w in result.warnings] == [Code.RETENTION_FILES_IN_USE]
        assert result.warnings[0].params["files"] == "D0.dmp"
        assert result.pruned == ["D1.dmp"]
        manifest = read_manifest(folder)
        # D1 was removed and left SHA256SUMS; D0 is still there and keeps its line.
        assert not (folder / "D1.dmp").exists() and "D1.dmp" not in manifest
        assert held.exists() and "D0.dmp" in manifest
        assert set(manifest) == {p.name for p in folder.glob("*.dmp")}
        monkeypatch.setattr(Path, "unlink", real_unlink)  # the program closed it
        world.clock.advance(timedelta(days=2))
        world.add_dump("D4.dmp", 1, seed=4)
        again = await world.service.run("chat")
        assert again.verified and again.outcome is Outcome.SUCCESS
        assert not held.exists() and "D0.dmp" not in read_manifest(folder)


async def test_a_mismatched_copy_never_stays_under_its_name_beside_an_older_corrupt_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    disk_path = tmp_path / "external"
    real_hash = copy_module.hash_file

    def flipping_disk(path: Path, progress: Any = None, **options: Any) -> str:
        with path.open("r+b") as stream:  # the disk returns one wrong byte
            stream.seek(1000)
            byte = stream.read(1)
            stream.seek(1000)
            stream.write(bytes([byte[0] ^ 0xFF]))
        return real_hash(path, progress, **options)

    real_rename = Path.rename

    def windows_rename(self: Path, target: Any) -> Path:
        if Path(target).exists():
            raise FileExistsError(
                errno.EEXIST, "Cannot create a file when that file already exists"
            )
        return real_rename(self, target)

    with external_disk(disk_path, "32m", monkeypatch):
        init_disk(disk_path, "HDD-1")
        world = World(tmp_path, disk_path)
        world.add_dump("SIAK_20261125_0100.dmp", 2)
        folder = disk_path / "sopbot-backups"
        folder.mkdir(exist_ok=True)
        (folder / "SIAK_20261125_0100.dmp.corrupt").write_bytes(b"an earlier bad attempt")
        monkeypatch.setattr(copy_module, "hash_file", flipping_disk)
        monkeypatch.setattr(Path, "rename", windows_rename)
        result = await world.service.run("chat")
        assert [e.code for e in result.errors] == [Code.COPY_MISMATCH]
        assert not (folder / "SIAK_20261125_0100.dmp").exists()
        assert (folder / "SIAK_20261125_0100.dmp.corrupt").stat().st_size > 1024  # the new one
        assert world.copylog.verified() == []


MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
/dev/sdb1 /media/backup\\040disk vfat rw,fmask=0022 0 0
/dev/sdc1 /media/backup\\040disk/inner exfat rw 0 0
"""


def test_the_file_system_is_read_from_the_mount_table() -> None:
    from jobs.external.filesystem import is_fat, posix_file_system

    assert posix_file_system(Path("/media/backup disk"), MOUNTS) == "vfat"
    assert posix_file_system(Path("/media/backup disk/sopbot-backups"), MOUNTS) == "vfat"
    assert posix_file_system(Path("/media/backup disk/inner/x"), MOUNTS) == "exfat"
    assert posix_file_system(Path("/media/backup"), MOUNTS) == "ext4"
    assert is_fat("vfat") and is_fat("FAT32") and not is_fat("exFAT") and not is_fat(None)


@pytest.mark.parametrize(
    ("file_system", "size", "refused"),
    [
        ("FAT32", 4 * 1024**3, True),  # 4 GiB: one byte over FAT's limit
        ("vfat", 4 * 1024**3 - 1, False),
        ("NTFS", 6 * 1024**3, False),
        ("exfat", 6 * 1024**3, False),
    ],
)
async def test_a_fat32_disk_is_refused_for_a_dump_it_cannot_hold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, file_system: str, size: int, refused: bool
) -> None:
    from jobs.external import disk as disk_module
    from jobs.external import service as service_module
    from texts.problems import say

    disk_path = tmp_path / "external"
    with external_disk(disk_path, "64m", monkeypatch):
        init_disk(disk_path, "USB-1")
        monkeypatch.setattr(disk_module, "file_system", lambda root: file_system)
        world = World(tmp_path, disk_path)

        def sparse_dump(path: Path, megabytes: int, seed: int = 1) -> str:
            with path.open("wb") as stream:
                stream.truncate(size)  # the size of a big dump, not its blocks
            return ""

        monkeypatch.setattr(test_external_copy, "dump_like", sparse_dump)
        world.add_dump("SIAK_20261125_0100.dmp", 1)
        # Free space is not the question here: the disk is asked only about the file's size.
        monkeypatch.setattr(
            disk_module.shutil,
            "disk_usage",
            lambda root: __import__("shutil")._ntuple_diskusage(8 * 1024**4, 0, 8 * 1024**4),
        )
        started = 0

        def no_copy(*args: Any, **kwargs: Any) -> Any:
            nonlocal started
            started += 1
            raise copy_module.CopyStopped

        monkeypatch.setattr(service_module, "copy_verified", no_copy)
        result = await world.service.run("chat")
        if refused:
            assert result.disk_problem is not None
            assert result.disk_problem.code is Code.DISK_FAT_FILE_TOO_BIG
            assert "NTFS atau exFAT" in say(result.disk_problem)
            assert started == 0  # refused before a byte was written
        else:
            assert result.disk_problem is None or (
                result.disk_problem.code is not Code.DISK_FAT_FILE_TOO_BIG
            )


async def test_a_retention_error_other_than_in_use_still_keeps_sha256sums_true(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A permission or read-only error stops retention (reported as such); whatever was removed
    before it has left SHA256SUMS, and what is still there keeps its line."""
    disk_path = tmp_path / "external"
    with external_disk(disk_path, "64m", monkeypatch):
        init_disk(disk_path, "HDD-1")
        world = World(tmp_path, disk_path, retention_external_days=1)
        folder = disk_path / "sopbot-backups"
        for day in range(3):
            world.add_dump(f"D{day}.dmp", 1, seed=day)
            assert (await world.service.run("chat")).verified
            world.clock.advance(timedelta(days=2))
        real_unlink = Path.unlink
        denied = folder / "D2.dmp"  # tried after D1 (newest first, the newest kept)

        def no_permission(self: Path, missing_ok: bool = False) -> None:
            if self == denied:
                raise PermissionError(errno.EACCES, "Access is denied", str(self))
            real_unlink(self, missing_ok)

        monkeypatch.setattr(Path, "unlink", no_permission)
        for day in (3, 4):
            world.add_dump(f"D{day}.dmp", 1, seed=day)
            result = await world.service.run("chat")
            world.clock.advance(timedelta(days=2))
        assert result.verified and result.outcome is Outcome.WARNING
        assert [w.code for w in result.warnings] == [Code.RETENTION_FAILED]
        manifest = read_manifest(folder)
        assert set(manifest) == {p.name for p in folder.glob("*.dmp")}
        assert "D2.dmp" in manifest
