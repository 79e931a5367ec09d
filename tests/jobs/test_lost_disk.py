"""A found disk held against the log (`verify_found`): retention's own removals are no loss; a
copy taken off the disk, or a SHA256SUMS rewritten, keeps the disk out of service."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from jobs.external.copy import read_manifest, write_manifest
from jobs.external.disk import Disk, DiskIdentity
from jobs.external.lost import verify_found
from storage.copies import CopyLog
from storage.database import make_engine, upgrade

AT = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def a_disk(tmp_path: Path, copylog: CopyLog, names: list[str]) -> Disk:
    disk = Disk(tmp_path / "hdd", DiskIdentity("d1", "HDD-1", ""), 10**9, 10**9)
    disk.folder.mkdir(parents=True)
    manifest: dict[str, str] = {}
    for name in names:
        data = f"backup {name}".encode()
        (disk.folder / name).write_bytes(data)
        manifest[name] = hashlib.sha256(data).hexdigest()
        copy_id = copylog.start(
            dump_run_id=None, source_path=name, trigger="cli", requested_by=None, started_at=AT
        )
        copylog.finish(
            copy_id,
            finished_at=AT,
            outcome="verified",
            dest_path=str(disk.folder / name),
            disk_id="d1",
            disk_label="HDD-1",
            size_bytes=len(data),
            sha256=manifest[name],
        )
    write_manifest(disk.folder, manifest)
    return disk


def test_a_found_disk_is_held_against_the_log(tmp_path: Path, database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    copylog = CopyLog(engine)
    disk = a_disk(tmp_path, copylog, ["A.dmp", "B.dmp", "C.dmp"])
    assert verify_found(disk, copylog, []).ok

    # Retention removed A before the disk was lost: recorded, so no loss.
    (disk.folder / "A.dmp").unlink()
    manifest = read_manifest(disk.folder)
    del manifest["A.dmp"]
    write_manifest(disk.folder, manifest)
    copylog.record_pruned(
        at=AT, location="external", path=str(disk.folder / "A.dmp"), size_bytes=1, reason="old"
    )
    assert verify_found(disk, copylog, []).ok

    # B taken off the disk with its manifest line: the disk stays out.
    (disk.folder / "B.dmp").unlink()
    del manifest["B.dmp"]
    write_manifest(disk.folder, manifest)
    check = verify_found(disk, copylog, [])
    assert not check.ok and check.unchecked == ["B.dmp"] and check.results["B.dmp"] is False

    # C rewritten, and SHA256SUMS with it: the disk's own manifest is not believed.
    (disk.folder / "C.dmp").write_bytes(b"something else")
    manifest["C.dmp"] = hashlib.sha256(b"something else").hexdigest()
    write_manifest(disk.folder, manifest)
    check = verify_found(disk, copylog, [])
    assert check.report.ok  # the disk agrees with itself...
    assert not check.ok and check.altered == ["C.dmp"]  # ...not with the log


def test_a_loss_recorded_before_ids_were_names_the_lost_disk_of_that_label(
    database_url: str,
) -> None:
    from jobs.external.lost import event_detail, read_event
    from storage.disks import DiskRegistry

    engine = make_engine(database_url)
    upgrade(engine)
    disks = DiskRegistry(engine)
    disks.register("old", "HDD-1", None, AT)
    disks.lost("old", AT)
    disks.register("new", "HDD-1", None, AT)  # a new disk given the lost one's label
    assert read_event("HDD-1", disks) == ("old", "HDD-1")  # an older release wrote the label
    new = disks.get("new")
    assert new is not None
    assert read_event(event_detail(new, "x"), disks) == ("new", "HDD-1")
    assert read_event("HDD-9", disks) is None
    assert disks.lost("old", AT) is False  # already lost: recorded once
