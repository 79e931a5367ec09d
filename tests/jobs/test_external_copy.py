"""The verified copy to the external disk on real files and, as root, real small file systems."""

from __future__ import annotations

import hashlib
import os
import subprocess
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import WITA, make_settings
from disks import external_disk, needs_mount

from core.clock import ManualClock
from core.problems import Code
from jobs.external import copy as copy_module
from jobs.external.copy import PARTIAL_SUFFIX, read_manifest, restore
from jobs.external.disk import IDENTITY_FILE, init_disk
from jobs.external.listing import list_disk, verify_disk
from jobs.external.service import CopyService
from jobs.job import Outcome
from storage.copies import CopyLog
from storage.database import make_engine, upgrade
from storage.dumps import DumpLog
from storage.soplog import SopLog


def dump_like(path: Path, megabytes: int, seed: int = 1) -> str:
    """A file mixing incompressible and compressible blocks, like an Oracle dump."""
    rng = __import__("random").Random(seed)
    digest = hashlib.sha256()
    with path.open("wb") as stream:
        for block in range(megabytes * 4):
            chunk = rng.randbytes(256 * 1024) if block % 2 else bytes(256 * 1024)
            stream.write(chunk)
            digest.update(chunk)
    return digest.hexdigest()


class World:
    def __init__(self, tmp_path: Path, disk_path: Path, **overrides: Any) -> None:
        self.settings = make_settings(
            "http://127.0.0.1:9/bot", tmp_path / "data", external_disk_path=disk_path, **overrides
        )
        engine = make_engine(self.settings.database_url)
        upgrade(engine)
        self.clock = ManualClock(datetime(2026, 11, 25, 2, 0, tzinfo=WITA))
        self.dumplog, self.copylog, self.soplog = DumpLog(engine), CopyLog(engine), SopLog(engine)
        self.service = CopyService(
            self.settings, self.dumplog, self.copylog, self.soplog, self.clock
        )
        self.settings.dumps.mkdir(parents=True, exist_ok=True)

    def add_dump(self, name: str, megabytes: int, seed: int = 1, outcome: str = "success") -> Path:
        path = self.settings.dumps / name
        digest = dump_like(path, megabytes, seed)
        now = self.clock.now()
        run_id = self.dumplog.start(
            run_date=now.date(),
            trigger="schedule",
            requested_by=None,
            backend="sqlite",
            job_name="J",
            started_at=now,
            file_path=str(path),
            log_path=str(path.with_suffix(".log")),
        )
        self.dumplog.finish(
            run_id,
            finished_at=now,
            outcome=outcome,
            size_bytes=path.stat().st_size,
            sha256=digest,
            tables=[],
            errors=[],
            warnings=[],
        )
        return path


@pytest.fixture
def disk_path(tmp_path: Path) -> Path:
    return tmp_path / "external"


async def test_copy_verifies_and_lists_a_multi_megabyte_dump(
    tmp_path: Path, disk_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with external_disk(disk_path, "64m", monkeypatch):
        init_disk(disk_path, "HDD-1")
        world = World(tmp_path, disk_path)
        source = world.add_dump("SIAK_20261125_0100.dmp", 12)
        result = await world.service.run("chat", 333)
        assert result.verified, result.errors
        copied = disk_path / "sopbot-backups" / source.name
        assert copied.read_bytes() == source.read_bytes()
        assert read_manifest(copied.parent) == {source.name: result.sha256}
        # The manifest checks with the standard tool.
        check = subprocess.run(
            ["sha256sum", "-c", "SHA256SUMS"], cwd=copied.parent, capture_output=True, text=True
        )
        assert check.returncode == 0 and f"{source.name}: OK" in check.stdout
        listing = list_disk(world.service.check(writing=False), world.copylog)
        assert [(f.name, f.verified, f.in_log) for f in listing.files] == [
            (source.name, True, True)
        ]
        day = world.soplog.day_status(world.clock.now().astimezone(WITA).date())
        assert day.events_for(11)[0].actor_id == 333
        # Nothing new to copy the second time.
        assert (await world.service.run("chat")).outcome is Outcome.NOTHING


async def test_zstd_copy_verifies_and_restores_the_same_dump(
    tmp_path: Path, disk_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with external_disk(disk_path, "64m", monkeypatch):
        init_disk(disk_path, "HDD-1")
        world = World(tmp_path, disk_path, external_compression="zstd")
        source = world.add_dump("SIAK_20261125_0100.dmp", 8)
        result = await world.service.run("auto")
        assert result.verified and result.compressed
        assert result.dest is not None and result.dest.name == source.name + ".zst"
        assert result.size is not None and result.size < source.stat().st_size * 0.7
        restored = tmp_path / "restored.dmp"
        assert restore(result.dest, restored) == hashlib.sha256(source.read_bytes()).hexdigest()


async def test_corrupted_copy_is_detected_and_not_counted(
    tmp_path: Path, disk_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_hash = copy_module.hash_file

    def flipping_disk(path: Path, progress: Any = None, **options: Any) -> str:
        with path.open("r+b") as stream:  # the disk returns one wrong byte
            stream.seek(1000)
            byte = stream.read(1)
            stream.seek(1000)
            stream.write(bytes([byte[0] ^ 0xFF]))
        return real_hash(path, progress, **options)

    with external_disk(disk_path, "32m", monkeypatch):
        init_disk(disk_path, "HDD-1")
        world = World(tmp_path, disk_path)
        world.add_dump("SIAK_20261125_0100.dmp", 4)
        monkeypatch.setattr(copy_module, "hash_file", flipping_disk)
        result = await world.service.run("chat")
        assert result.outcome is Outcome.FAILED
        assert [e.code for e in result.errors] == [Code.COPY_MISMATCH]
        folder = disk_path / "sopbot-backups"
        assert read_manifest(folder) == {}
        assert not (folder / "SIAK_20261125_0100.dmp").exists()
        assert world.copylog.verified() == []


async def test_interrupted_copy_left_behind_is_never_listed_as_good(
    tmp_path: Path, disk_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with external_disk(disk_path, "32m", monkeypatch):
        init_disk(disk_path, "HDD-1")
        world = World(tmp_path, disk_path)
        world.add_dump("SIAK_20261125_0100.dmp", 2)
        leftover = disk_path / "sopbot-backups" / ("SIAK_20261124_0100.dmp" + PARTIAL_SUFFIX)
        leftover.write_bytes(b"half a dump")
        disk = world.service.check(writing=False)
        listing = list_disk(disk)
        assert [(f.name, f.verified, f.partial) for f in listing.files] == [
            (leftover.name, False, True)
        ]
        report = verify_disk(disk)
        assert report.unlisted == [leftover.name] and report.good == []
        assert world.service.pending(disk) is not None  # the dump still needs its copy


async def test_verification_finds_a_file_damaged_later(
    tmp_path: Path, disk_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with external_disk(disk_path, "32m", monkeypatch):
        init_disk(disk_path, "HDD-1")
        world = World(tmp_path, disk_path)
        world.add_dump("A.dmp", 1, seed=1)
        assert (await world.service.run("chat")).verified
        world.clock.advance(timedelta(days=1))
        world.add_dump("B.dmp", 1, seed=2)
        assert (await world.service.run("chat")).verified
        folder = disk_path / "sopbot-backups"
        with (folder / "A.dmp").open("r+b") as stream:
            stream.write(b"XXXX")
        (folder / "B.dmp").unlink()
        report = verify_disk(world.service.check(writing=False))
        assert report.mismatched == ["A.dmp"] and report.missing == ["B.dmp"]
        assert not report.ok


@pytest.mark.parametrize(
    ("prepare", "problem"),
    [
        ("absent", Code.DISK_MISSING),
        ("no_identity", Code.DISK_NO_IDENTITY),
        ("wrong_identity", Code.DISK_WRONG),
    ],
)
async def test_disk_problems_write_nothing(
    tmp_path: Path,
    disk_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    prepare: str,
    problem: Code,
) -> None:
    with external_disk(disk_path, "32m", monkeypatch):
        if prepare == "wrong_identity":
            init_disk(disk_path, "HDD-lain")
        world = World(
            tmp_path,
            disk_path if prepare != "absent" else tmp_path / "nope",
            external_disk_ids="aaaabbbbcccc",
        )
        world.add_dump("SIAK.dmp", 1)
        before = sorted(p.name for p in disk_path.rglob("*"))
        result = await world.service.run("chat")
        assert result.outcome is Outcome.FAILED
        assert result.disk_problem is not None and result.disk_problem.code is problem
        assert sorted(p.name for p in disk_path.rglob("*")) == before
        assert world.copylog.latest(1)[0].outcome == "disk_problem"


async def test_a_folder_on_the_server_disk_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "not-a-disk"
    folder.mkdir()
    init_disk(folder, "palsu")
    world = World(tmp_path, folder)
    world.add_dump("SIAK.dmp", 1)
    result = await world.service.run("chat")
    assert result.disk_problem is not None
    assert result.disk_problem.code is Code.DISK_NOT_SEPARATE
    assert list((folder / "sopbot-backups").iterdir()) == []


async def test_empty_mount_point_of_an_unplugged_disk_is_missing(tmp_path: Path) -> None:
    mount_point = tmp_path / "media-backup"
    mount_point.mkdir()
    world = World(tmp_path, mount_point)
    world.add_dump("SIAK.dmp", 1)
    result = await world.service.run("chat")
    assert result.disk_problem is not None
    assert result.disk_problem.code is Code.DISK_MISSING
    assert list(mount_point.iterdir()) == []


@needs_mount
async def test_unplugged_tmpfs_is_missing_and_nothing_is_written(
    tmp_path: Path, disk_path: Path
) -> None:
    with external_disk(disk_path, "8m") as disk:
        init_disk(disk_path, "HDD-1")
        world = World(tmp_path, disk_path)
        world.add_dump("SIAK.dmp", 1)
        disk.unplug()
        result = await world.service.run("chat")
        assert result.disk_problem is not None
        assert result.disk_problem.code is Code.DISK_MISSING
        assert list(disk_path.iterdir()) == []


@needs_mount
async def test_full_disk_is_refused_before_writing(tmp_path: Path, disk_path: Path) -> None:
    with external_disk(disk_path, "4m"):
        init_disk(disk_path, "HDD-kecil")
        world = World(tmp_path, disk_path)
        world.add_dump("SIAK.dmp", 6)
        result = await world.service.run("chat")
        assert result.disk_problem is not None
        assert result.disk_problem.code is Code.DISK_FULL
        assert list((disk_path / "sopbot-backups").iterdir()) == []


@needs_mount
async def test_disk_filling_up_during_the_copy_leaves_no_partial_file(
    tmp_path: Path, disk_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with external_disk(disk_path, "4m"):
        init_disk(disk_path, "HDD-kecil")
        world = World(tmp_path, disk_path)
        world.add_dump("SIAK.dmp", 6)
        monkeypatch.setattr("jobs.external.service.SPACE_MARGIN", 0)  # skip the space check
        result = await world.service.run("chat")
        assert result.outcome is Outcome.FAILED
        assert [e.code for e in result.errors] == [Code.COPY_WRITE_FAILED]
        assert list((disk_path / "sopbot-backups").iterdir()) == []
        assert world.copylog.verified() == []


@needs_mount
async def test_read_only_disk_is_refused(tmp_path: Path, disk_path: Path) -> None:
    with external_disk(disk_path, "8m") as disk:
        init_disk(disk_path, "HDD-1")
        disk.read_only()
        world = World(tmp_path, disk_path)
        world.add_dump("SIAK.dmp", 1)
        result = await world.service.run("chat")
        assert result.disk_problem is not None
        assert result.disk_problem.code is Code.DISK_READ_ONLY
        assert (disk_path / IDENTITY_FILE).exists()


async def test_retention_keeps_the_newest_verified_and_every_unverified_dump(
    tmp_path: Path, disk_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with external_disk(disk_path, "64m", monkeypatch):
        init_disk(disk_path, "HDD-1")
        world = World(tmp_path, disk_path, retention_server_days=2, retention_external_days=3)
        names = []
        for day in range(5):
            names.append(world.add_dump(f"D{day}.dmp", 1, seed=day).name)
            if day != 1:  # day 1's dump never got its copy
                assert (await world.service.run("chat")).verified
            world.clock.advance(timedelta(days=1))
        server = sorted(p.name for p in world.settings.dumps.glob("*.dmp"))
        # D0 is older than 2 days and copied: removed. D1 was never copied: kept.
        assert "D0.dmp" not in server and "D1.dmp" in server and "D4.dmp" in server
        external = sorted(read_manifest(disk_path / "sopbot-backups"))
        assert "D4.dmp" in external and "D0.dmp" not in external
        pruned = {(p.location, Path(p.path).name) for p in world.copylog.pruned()}
        assert ("server", "D0.dmp") in pruned and ("external", "D0.dmp") in pruned
        assert all(not name.startswith("D1") for _, name in pruned)


async def test_retention_removes_what_stopped_runs_left_once_it_is_old(
    tmp_path: Path, disk_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with external_disk(disk_path, "64m", monkeypatch):
        init_disk(disk_path, "HDD-1")
        world = World(tmp_path, disk_path, retention_server_days=2)
        stopped = world.add_dump("STOPPED.dmp", 1, seed=7, outcome="interrupted")
        world.clock.advance(timedelta(days=3))
        world.add_dump("GOOD.dmp", 1, seed=8)
        assert (await world.service.run("chat")).verified
        assert not stopped.exists()  # a partial export is no backup: it does not pile up
        [record] = world.copylog.pruned()
        assert Path(record.path).name == "STOPPED.dmp" and "interrupted" in record.reason


@needs_mount
async def test_disk_removed_in_the_middle_of_a_copy_counts_nothing_and_deletes_nothing(
    tmp_path: Path, disk_path: Path
) -> None:
    import asyncio

    with external_disk(disk_path, "1200m") as disk:
        init_disk(disk_path, "HDD-1")
        world = World(tmp_path, disk_path, retention_server_days=1)
        old = world.add_dump("OLD.dmp", 1, seed=3)
        assert (await world.service.run("chat")).verified  # OLD is copied and verified
        world.clock.advance(timedelta(days=3))
        source = world.add_dump("BIG.dmp", 512, seed=4)
        task = asyncio.create_task(world.service.run("chat"))
        partial = disk_path / "sopbot-backups" / ("BIG.dmp" + PARTIAL_SUFFIX)
        async with asyncio.timeout(60):
            while not (partial.exists() and partial.stat().st_size > 20 * 1024 * 1024):
                await asyncio.sleep(0.01)
        disk.unplug()  # pulled out while writing
        result = await asyncio.wait_for(task, 120)
        assert result.outcome is Outcome.FAILED
        assert [c.dest_path.endswith("OLD.dmp") for c in world.copylog.verified()] == [True]
        assert source.exists() and old.exists()  # retention ran on nothing
        assert world.copylog.pruned() == []


@needs_mount
def test_a_mount_point_on_the_same_device_is_not_an_external_disk(tmp_path: Path) -> None:
    import subprocess

    from jobs.external.disk import DiskError, check_disk

    with external_disk(tmp_path / "server", "16m") as server:
        (server.path / "dumps").mkdir()
        folder = server.path / "looks-external"
        folder.mkdir()
        init_disk(folder, "HDD-PALSU")
        mounted = tmp_path / "media-backup"
        mounted.mkdir()
        subprocess.run(["mount", "--bind", str(folder), str(mounted)], check=True)
        try:
            assert os.path.ismount(mounted)  # a mount point, yet the same device
            with pytest.raises(DiskError) as refused:
                check_disk(mounted, server.path / "dumps", [])
            assert refused.value.problem.code is Code.DISK_NOT_SEPARATE
        finally:
            subprocess.run(["umount", str(mounted)], check=True)
