"""The disk from the command line as foreign input: `sopbot disk init/list/pensiun`,
`sopbot restore-file`, `sopbot salin` and `sopbot check`, on real tmpfs disks (as root), with
FIFOs, links and a zstd bomb. Where a hostile disk could hang or fill the memory of the program
under test, it runs as its own process with a time and an address-space limit."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from disks import external_disk, needs_mount
from portability import needs_symlinks, posix_modes
from zstd_bomb import check_it_is_zstd, zstd_bomb

from jobs.external.copy import copy_verified, write_manifest
from jobs.external.disk import IDENTITY_FILE, init_disk
from sopbot.cli import main

ROOT = Path(__file__).resolve().parents[2]
ADDRESS_LIMIT = 2 * 1024**3  # the child's address space: a read whole of GBs fails, not the host
# Runs `sopbot` with the limit, and says its own peak resident memory when it ends.
CHILD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from sopbot.cli import main
try:
    main(sys.argv[1:])
finally:  # VmHWM: this program's own peak (ru_maxrss keeps the parent's across exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            print("peak-kb", line.split()[1], file=sys.stderr)
"""


def sopbot(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`sopbot` as its own process; a hang is a failure after `timeout`, never a stuck test."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EXTERNAL_", "DUMP_"))}
    env["PYTHONPATH"] = str(ROOT)  # this tree's code, whatever is installed
    return subprocess.run(
        [sys.executable, "-c", CHILD.format(limit=ADDRESS_LIMIT), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def peak_mb(done: subprocess.CompletedProcess[str]) -> float:
    line = next(ln for ln in done.stderr.splitlines() if ln.startswith("peak-kb"))
    return int(line.split()[1]) / 1024


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("DUMP_BACKEND", "SQLITE_SOURCE_PATH", "DATA_DIR", "DUMP_DIR", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture
def drive(workdir: Path) -> Iterator[Path]:
    """A real separate disk (tmpfs), registered, and an .env pointing at it."""
    with external_disk(workdir / "external", "32m") as disk:
        init_disk(disk.path, "HDD-1")
        (workdir / ".env").write_text(
            f"TELEGRAM_BOT_TOKEN=1:abc\nEXTERNAL_DISK_PATH={disk.path}\nEXTERNAL_AUTO_COPY=false\n",
            encoding="utf-8",
        )
        yield disk.path


def make_hostile(path: Path, kind: str) -> None:
    path.unlink(missing_ok=True)
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    else:  # sparse: costs the tmpfs nothing, reads as 1 GiB of zeros
        with path.open("wb") as stream:
            stream.truncate(1024**3)


# --- item 4: the identity file a FIFO, a link to /dev/zero, or huge ----------------------------


@needs_mount
@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "huge"])
def test_a_hostile_identity_file_is_refused_at_once_and_never_read_whole(
    workdir: Path, drive: Path, kind: str
) -> None:
    make_hostile(drive / IDENTITY_FILE, kind)

    listed = sopbot("disk", "list", cwd=workdir)

    assert listed.returncode == 1, listed.stderr
    assert "file identitas .sopbot-disk.json di hard disk ini tidak sah" in listed.stderr
    assert peak_mb(listed) < 150
    # `disk init` refuses it too, and writes nothing over it.
    again = sopbot("disk", "init", "--label", "HDD-2", cwd=workdir)
    assert again.returncode == 1 and "tidak didaftarkan" in again.stderr
    assert not (drive / IDENTITY_FILE).is_file() or kind == "huge"


# --- item 5: a zstd bomb through `sopbot restore-file` -----------------------------------------


@needs_mount
def test_a_zstd_bomb_is_stopped_short_of_filling_the_memory_or_the_disk(
    workdir: Path, drive: Path
) -> None:
    bomb = zstd_bomb(8 * 1024**3)  # 256 KB that decompress to 8 GiB
    assert len(bomb) <= 300 * 1024
    check_it_is_zstd(bomb)
    folder = drive / "sopbot-backups"
    copy = folder / "SIAK_20261125_0100.dmp.zst"
    copy.write_bytes(bomb)
    write_manifest(folder, {copy.name: hashlib.sha256(bomb).hexdigest()})
    with external_disk(workdir / "restore-space", "64m") as space:
        out = space.path / "SIAK.dmp"

        done = sopbot("restore-file", str(copy), "--out", str(out), cwd=workdir, timeout=120)

        assert done.returncode == 1, done.stdout + done.stderr
        assert "mengembang melebihi ruang aman" in done.stderr
        assert not out.exists() and not list(space.path.iterdir())  # nothing left behind
    assert peak_mb(done) < 150


# --- item 6: restore-file of a link; SHA256SUMS naming files elsewhere -------------------------


@needs_symlinks
def test_restore_file_refuses_a_link_in_place_of_the_copy(workdir: Path) -> None:
    folder = workdir / "external" / "sopbot-backups"
    folder.mkdir(parents=True)
    server_dump = workdir / "server.dmp"
    server_dump.write_bytes(b"\x03\x00DATAPUMP" + bytes(5000))
    link = folder / "SIAK_20261125_0100.dmp"
    link.symlink_to(server_dump)
    write_manifest(folder, {link.name: hashlib.sha256(server_dump.read_bytes()).hexdigest()})

    done = CliRunner().invoke(main, ["restore-file", str(link), "--out", str(workdir / "x.dmp")])

    assert done.exit_code == 1 and "bukan file biasa" in done.output
    assert not (workdir / "x.dmp").exists()


# --- item 7 and 11: `sopbot disk init` refuses what the copy's check refuses -------------------


@needs_mount
def test_disk_init_refuses_a_long_label_and_the_servers_own_disk(workdir: Path) -> None:
    with external_disk(workdir / "server", "32m") as server:
        dumps, elsewhere = server.path / "dumps", server.path / "not-a-disk"
        dumps.mkdir()
        elsewhere.mkdir()
        (workdir / ".env").write_text(
            f"TELEGRAM_BOT_TOKEN=1:abc\nDUMP_DIR={dumps}\nEXTERNAL_DISK_PATH={elsewhere}\n",
            encoding="utf-8",
        )
        runner = CliRunner()
        same = runner.invoke(main, ["disk", "init", "--label", "HDD-1"])
        assert same.exit_code == 1 and "disk yang sama dengan server" in same.output
        assert list(elsewhere.iterdir()) == []  # not even the backup folder

        with external_disk(workdir / "usb", "16m") as usb:
            for label in ("H" * 70_000, "HDD 1", "HDD\n1", "-x"):
                refused = runner.invoke(
                    main, ["disk", "init", "--label", label, "--path", str(usb.path)]
                )
                assert refused.exit_code == 1 and "tidak dapat dipakai" in refused.output
                assert len(refused.output) < 400  # the label is not echoed whole
            assert list(usb.path.iterdir()) == []
            made = runner.invoke(
                main, ["disk", "init", "--label", "HDD-1", "--path", str(usb.path)]
            )
            assert made.exit_code == 0, made.output
            assert json.loads((usb.path / IDENTITY_FILE).read_text())["label"] == "HDD-1"


# --- item 11: a disk retired --------------------------------------------------------------------


def test_a_retired_disk_is_never_written_again_and_leaves_the_rotation(
    workdir: Path, disk_path: Path
) -> None:
    (workdir / ".env").write_text(
        f"TELEGRAM_BOT_TOKEN=1:abc\nEXTERNAL_DISK_PATH={disk_path}\nEXTERNAL_AUTO_COPY=false\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    assert runner.invoke(main, ["sample-db", "--residents", "100"]).exit_code == 0
    assert runner.invoke(main, ["backup"]).exit_code == 0
    assert runner.invoke(main, ["salin"]).exit_code == 0

    unknown = runner.invoke(main, ["disk", "pensiun", "HDD-9"])
    assert unknown.exit_code == 1 and "HDD-PIAK-1" in unknown.output
    retired = runner.invoke(main, ["disk", "pensiun", "hdd-piak-1"])
    assert retired.exit_code == 0, retired.output
    assert "dipensiunkan" in retired.output and "1 salinan" in retired.output
    twice = runner.invoke(main, ["disk", "pensiun", "HDD-PIAK-1"])
    assert twice.exit_code == 1 and "sudah dipensiunkan" in twice.output

    assert runner.invoke(main, ["backup"]).exit_code == 0
    refused = runner.invoke(main, ["salin"])
    assert refused.exit_code == 1 and "sudah dipensiunkan" in refused.output
    assert len(list((disk_path / "sopbot-backups").glob("SIAK_*.dmp"))) == 1  # not written

    from core.settings import load_settings
    from storage.database import make_engine
    from storage.disks import DiskRegistry

    registry = DiskRegistry(make_engine(load_settings(workdir / ".env").database_url))
    [disk] = registry.all()
    assert disk.retired_at is not None and not disk.in_service and disk.lost_at is None


# --- item 8: restore-file and the export log on the disk ---------------------------------------

INJECTED_LOG = """Export: Release 11.2.0.4.0 - Production
Starting "SYSTEM"."SOPBOT_20261125_010000":  system/******** schemas=SIAK
Processing object type SCHEMA_EXPORT/TABLE/TABLE_DATA
. . exported "SIAK"."BIODATA_WNI"                        1.234 MB   5000 rows
. . exported "SIAK
content=metadata_only
X"."T"   0 KB   0 rows
Job "SYSTEM"."SOPBOT_20261125_010000" successfully completed at 01:02:03
"""


@pytest.mark.parametrize("listed", [True, False])
def test_restore_file_never_takes_impdp_parameters_from_the_export_log(
    workdir: Path, listed: bool
) -> None:
    folder = workdir / "external" / "sopbot-backups"
    folder.mkdir(parents=True)
    dump = workdir / "SIAK_20261125_0100.dmp"
    dump.write_bytes(b"\x03\x00DATAPUMP" + bytes(50000))
    copied = copy_verified(dump, folder / dump.name, compress=True)
    log = folder / "SIAK_20261125_0100.log"
    log.write_text(INJECTED_LOG, encoding="utf-8")
    entries = {copied.path.name: copied.sha256}
    if listed:  # written by whoever wrote the disk, hashes and all
        entries[log.name] = hashlib.sha256(log.read_bytes()).hexdigest()
    write_manifest(folder, entries)
    out = workdir / "pulih" / dump.name
    out.parent.mkdir()

    done = CliRunner().invoke(main, ["restore-file", str(copied.path), "--out", str(out)])

    assert done.exit_code == 0, done.output
    parfile = out.with_name("restore-SIAK_20261125_0100.par").read_text(encoding="utf-8")
    assert "content=" not in parfile and "\nX" not in parfile
    assert "full=y" in parfile and "schemas=" not in parfile
    if not listed:
        assert "tidak cocok dengan SHA256SUMS: tidak dipakai" in done.output
    bad_directory = CliRunner().invoke(
        main, ["restore-file", str(copied.path), "--out", str(out), "--directory", "D\nx=y"]
    )
    assert bad_directory.exit_code == 2


# --- newcomers: salin ends with the unplug request; check looks and creates nothing; 0600 -----


def test_salin_ends_with_how_to_eject_and_unplug_the_disk(workdir: Path, disk_path: Path) -> None:
    (workdir / ".env").write_text(
        f"TELEGRAM_BOT_TOKEN=1:abc\nEXTERNAL_DISK_PATH={disk_path}\nEXTERNAL_AUTO_COPY=false\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    assert runner.invoke(main, ["sample-db", "--residents", "100"]).exit_code == 0
    assert runner.invoke(main, ["backup"]).exit_code == 0
    copied = runner.invoke(main, ["salin"])
    assert copied.exit_code == 0, copied.output
    last = copied.output.strip().splitlines()[-2:]
    assert "Cabut (lepas) hard disk sekarang" in last[0]
    assert f"umount {disk_path}" in last[1]


@posix_modes
def test_dumps_and_copies_are_private_whatever_the_umask(workdir: Path, disk_path: Path) -> None:
    (workdir / ".env").write_text(
        f"TELEGRAM_BOT_TOKEN=1:abc\nEXTERNAL_DISK_PATH={disk_path}\nEXTERNAL_AUTO_COPY=false\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    assert runner.invoke(main, ["sample-db", "--residents", "100"]).exit_code == 0
    before = os.umask(0o022)  # a terminal's usual umask, not systemd's 0077
    try:
        assert runner.invoke(main, ["backup"]).exit_code == 0
        assert runner.invoke(main, ["salin"]).exit_code == 0
    finally:
        os.umask(before)
    [dump] = (workdir / "data" / "dumps").glob("SIAK_*.dmp")
    [copy] = (disk_path / "sopbot-backups").glob("SIAK_*.dmp")
    assert dump.stat().st_mode & 0o777 == 0o600
    assert copy.stat().st_mode & 0o777 == 0o600
    assert (disk_path / "sopbot-backups" / "SHA256SUMS").stat().st_mode & 0o777 == 0o644


@needs_mount
def test_check_names_the_disk_path_it_looked_at_and_creates_no_folder(workdir: Path) -> None:
    with external_disk(workdir / "usb", "16m") as usb:
        init_disk(usb.path, "HDD-1")
        (usb.path / "sopbot-backups").rmdir()
        dumps = workdir / "belum" / "dumps"
        (workdir / ".env").write_text(
            f"TELEGRAM_BOT_TOKEN=1:abc\nTELEGRAM_API_BASE_URL=http://127.0.0.1:9/bot\n"
            f"EXTERNAL_DISK_PATH={usb.path}\nDUMP_DIR={dumps}\n",
            encoding="utf-8",
        )
        done = CliRunner().invoke(main, ["check"])
        disk_line = next(ln for ln in done.output.splitlines() if "Hard disk eksternal" in ln)
        assert f"di {usb.path}" in disk_line and "HDD-1" in disk_line
        assert "belum ada (dibuat saat back up pertama)" in done.output
        assert not dumps.parent.exists()
        assert not (usb.path / "sopbot-backups").exists()
