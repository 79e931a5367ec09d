"""The `sopbot` command line: backup and sample-db, with their exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sopbot.cli import main


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("DUMP_BACKEND", "SQLITE_SOURCE_PATH", "DATA_DIR", "DUMP_DIR", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_sample_db_then_backup_succeeds(workdir: Path) -> None:
    (workdir / ".env").write_text("TELEGRAM_BOT_TOKEN=1:abc\n", encoding="utf-8")
    runner = CliRunner()
    made = runner.invoke(main, ["sample-db", "--residents", "200"])
    assert made.exit_code == 0, made.output
    result = runner.invoke(main, ["backup"])
    assert result.exit_code == 0, result.output
    assert "Laporan back up database (SOP langkah 8–9): ✅ berhasil" in result.output
    assert "SHA-256:" in result.output
    assert len(list((workdir / "data" / "dumps").glob("SIAK_*.dmp"))) == 1


def test_backup_of_a_missing_source_exits_non_zero(workdir: Path) -> None:
    (workdir / ".env").write_text(
        "TELEGRAM_BOT_TOKEN=1:abc\nSQLITE_SOURCE_PATH=nope.db\n", encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["backup"])
    assert result.exit_code == 1
    assert "database sumber tidak ditemukan" in result.output


def test_bad_settings_exit_2_naming_the_variable(workdir: Path) -> None:
    (workdir / ".env").write_text("TELEGRAM_BOT_TOKEN=1:abc\nBACKUP_TIME=later\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["backup"])
    assert result.exit_code == 2
    assert "BACKUP_TIME" in result.output


def test_disk_init_list_and_restore(workdir: Path) -> None:
    import hashlib

    disk = workdir / "external"
    disk.mkdir()
    (workdir / ".env").write_text(
        f"TELEGRAM_BOT_TOKEN=1:abc\nEXTERNAL_DISK_PATH={disk}\nEXTERNAL_COMPRESSION=zstd\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    # A folder on the server's own disk is refused by `disk init` as by the copy: no identity.
    first = runner.invoke(main, ["disk", "init", "--label", "HDD-1"])
    assert first.exit_code == 1 and "disk yang sama dengan server" in first.output
    assert not (disk / ".sopbot-disk.json").exists()
    from jobs.external.disk import init_disk

    init_disk(disk, "HDD-1")  # written by hand, as an older release allowed
    again = runner.invoke(main, ["disk", "init", "--label", "other"])
    assert again.exit_code == 1 and "Sudah terdaftar" not in again.output
    # The bot refuses the folder too; list shows why and exits 1.
    listed = runner.invoke(main, ["disk", "list"])
    assert listed.exit_code == 1 and "disk yang sama dengan server" in listed.output

    from jobs.external.copy import copy_verified, write_manifest

    dump = workdir / "x.dmp"
    dump.write_bytes(b"dump" * 10000)
    copied = copy_verified(dump, disk / "sopbot-backups" / "x.dmp", compress=True)
    write_manifest(copied.path.parent, {copied.path.name: copied.sha256})
    restored = runner.invoke(
        main, ["restore-file", str(copied.path), "--out", str(workdir / "back.dmp")]
    )
    assert restored.exit_code == 0, restored.output
    assert "cocok dengan SHA256SUMS" in restored.output
    assert hashlib.sha256((workdir / "back.dmp").read_bytes()).hexdigest() == (
        hashlib.sha256(dump.read_bytes()).hexdigest()
    )
    copied.path.write_bytes(b"broken")
    damaged = runner.invoke(
        main, ["restore-file", str(copied.path), "--out", str(workdir / "b2.dmp")]
    )
    assert damaged.exit_code == 1 and "salinan rusak" in damaged.output


def test_report_writes_png_csv_and_summary(workdir: Path) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).parents[1]))
    from seed import seed_month

    from storage.copies import CopyLog
    from storage.database import make_engine, upgrade
    from storage.dumps import DumpLog
    from storage.soplog import SopLog

    (workdir / ".env").write_text("TELEGRAM_BOT_TOKEN=1:abc\n", encoding="utf-8")
    engine = make_engine("sqlite:///data/sopbot.db")
    upgrade(engine)
    seeded = seed_month(SopLog(engine), DumpLog(engine), CopyLog(engine))
    result = CliRunner().invoke(main, ["report", "--month", "2026-11", "--out", "out/nov.png"])
    assert result.exit_code == 0, result.output
    assert (workdir / "out" / "nov.png").read_bytes()[:4] == b"\x89PNG"
    summary = (workdir / "out" / "nov.txt").read_text(encoding="utf-8")
    assert f"Kepatuhan SOP: {seeded.copied_days} dari" in summary
    assert (workdir / "out" / "nov.csv").read_bytes().startswith(b"\xef\xbb\xbftanggal")


def test_version_and_every_outcome_has_an_exit_code(workdir: Path) -> None:
    from jobs.job import Outcome
    from sopbot.backup_cli import EXIT_CODES

    assert set(EXIT_CODES) == set(Outcome)
    assert EXIT_CODES[Outcome.INCOMPLETE] == 1
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("sopbot ")


def test_ujipulih_exits_0_when_passed_1_when_failed_3_when_untestable(
    workdir: Path, disk_path: Path
) -> None:
    import asyncio

    from core.settings import load_settings
    from sopbot.compose import open_runtime

    (workdir / ".env").write_text(
        f"TELEGRAM_BOT_TOKEN=1:abc\nEXTERNAL_DISK_PATH={disk_path}\n", encoding="utf-8"
    )
    runner = CliRunner()
    assert runner.invoke(main, ["sample-db", "--residents", "200"]).exit_code == 0
    nothing = runner.invoke(main, ["ujipulih"])
    assert nothing.exit_code == 3 and "belum ada salinan terverifikasi" in nothing.output
    assert runner.invoke(main, ["backup"]).exit_code == 0
    copied = asyncio.run(open_runtime(load_settings(Path(".env"))).copier.run("cli"))
    assert copied.verified

    passed = runner.invoke(main, ["ujipulih"])
    assert passed.exit_code == 0, passed.output
    assert "Uji pulih LULUS" in passed.output and "Waktu pemulihan" in passed.output
    assert "<b>" not in passed.output  # plain text on the terminal

    assert copied.dest is not None
    copied.dest.write_bytes(b"not the copy any more")
    failed = runner.invoke(main, ["ujipulih"])
    assert failed.exit_code == 1 and "Uji pulih GAGAL" in failed.output

    (workdir / ".env").write_text(
        f"TELEGRAM_BOT_TOKEN=1:abc\nEXTERNAL_DISK_PATH={disk_path / 'unplugged'}\n",
        encoding="utf-8",
    )
    away = runner.invoke(main, ["ujipulih"])
    assert away.exit_code == 3 and "tidak dapat dijalankan" in away.output


def test_restore_file_prints_the_impdp_recovery_for_an_oracle_dump(workdir: Path) -> None:
    import hashlib
    import sys

    sys.path.insert(0, str(Path(__file__).parents[1] / "jobs"))
    from datapump_logs import SUCCESS_11G

    from jobs.external.copy import copy_verified, write_manifest

    disk = workdir / "external" / "sopbot-backups"
    disk.mkdir(parents=True)
    dump = workdir / "SIAK_20261125_0100.dmp"
    dump.write_bytes(b"\x03\x00DATAPUMP" + bytes(50000))
    copied = copy_verified(dump, disk / dump.name, compress=True)
    (disk / "SIAK_20261125_0100.log").write_text(SUCCESS_11G, encoding="utf-8")
    log_sha = hashlib.sha256((disk / "SIAK_20261125_0100.log").read_bytes()).hexdigest()
    # The copy job lists the export log beside the dump; only so is it trusted.
    write_manifest(disk, {copied.path.name: copied.sha256, "SIAK_20261125_0100.log": log_sha})
    out = workdir / "pulih" / dump.name
    out.parent.mkdir()

    result = CliRunner().invoke(
        main, ["restore-file", str(copied.path), "--out", str(out), "--directory", "dpump_dir"]
    )

    assert result.exit_code == 0, result.output
    assert "cocok dengan SHA256SUMS" in result.output
    assert "Langkah pemulihan:" in result.output and "Recovery steps:" not in result.output
    parfile = out.with_name("restore-SIAK_20261125_0100.par").read_text(encoding="utf-8")
    assert "directory=DPUMP_DIR" in parfile and "dumpfile=SIAK_20261125_0100.dmp" in parfile
    assert "schemas=SIAK" in parfile  # a schema-mode export, as its log says
    assert "userid" not in parfile  # impdp asks the password; it is written nowhere
    assert "impdp system parfile=restore-SIAK_20261125_0100.par" in result.output
    # A full import normally ends "completed with N error(s)": harmless and real errors named.
    assert "completed with N error(s)" in result.output
    assert "ORA-31684" in result.output and "ORA-31693" in result.output


def test_salin_copies_and_verifies_from_the_terminal(workdir: Path, disk_path: Path) -> None:
    (workdir / ".env").write_text(
        f"TELEGRAM_BOT_TOKEN=1:abc\nEXTERNAL_DISK_PATH={disk_path}\nEXTERNAL_AUTO_COPY=false\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    assert runner.invoke(main, ["sample-db", "--residents", "200"]).exit_code == 0
    assert runner.invoke(main, ["backup"]).exit_code == 0

    copied = runner.invoke(main, ["salin"])
    assert copied.exit_code == 0, copied.output
    assert "Salinan ke hard disk eksternal terverifikasi" in copied.output
    assert "KB" in copied.output  # sizes for people, not byte counts
    assert len(list((disk_path / "sopbot-backups").glob("SIAK_*.dmp"))) == 1
    # No drill has passed yet: the copy is drilled before the unplug request.
    keep = copied.output.index("Jangan cabut hard disk dulu")
    assert keep < copied.output.index("Uji pulih LULUS") < copied.output.index("Uji pulih selesai")

    again = runner.invoke(main, ["salin"])
    assert again.exit_code == 0 and "Tidak ada back up baru" in again.output

    (workdir / ".env").write_text(
        f"TELEGRAM_BOT_TOKEN=1:abc\nEXTERNAL_DISK_PATH={disk_path / 'cabut'}\n", encoding="utf-8"
    )
    assert runner.invoke(main, ["backup"]).exit_code == 0
    unplugged = runner.invoke(main, ["salin"])
    assert unplugged.exit_code == 1 and "tidak terpasang" in unplugged.output


def test_disk_init_on_a_lost_disk_names_the_two_ways_out(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).parents[1]))
    from disks import external_disk

    with external_disk(workdir / "external", "8m", monkeypatch) as mounted:
        lost_disk_ways_out(workdir, mounted.path)


def lost_disk_ways_out(workdir: Path, disk: Path) -> None:
    from datetime import UTC, datetime

    from jobs.external.disk import read_identity
    from storage.database import make_engine
    from storage.disks import DiskRegistry

    (workdir / ".env").write_text(
        f"TELEGRAM_BOT_TOKEN=1:abc\nEXTERNAL_DISK_PATH={disk}\n", encoding="utf-8"
    )
    runner = CliRunner()
    assert runner.invoke(main, ["disk", "init", "--label", "HDD-1"]).exit_code == 0
    old = read_identity(disk)
    assert old is not None
    registry = DiskRegistry(make_engine("sqlite:///data/sopbot.db"))
    registry.lost(old.id, datetime(2026, 11, 25, tzinfo=UTC))  # /hilang, confirmed
    (disk / "sopbot-backups" / "SIAK_20261120_0100.dmp").write_bytes(b"old plain copy")

    again = runner.invoke(main, ["disk", "init", "--label", "HDD-1"])
    assert again.exit_code == 1
    assert "tercatat HILANG" in again.output and "/ketemu HDD-1" in again.output
    assert "sopbot disk init --baru" in again.output
    not_empty = runner.invoke(main, ["disk", "init", "--baru", "--label", "HDD-3"])
    assert not_empty.exit_code == 1 and "SIAK_20261120_0100.dmp" in not_empty.output
    assert read_identity(disk) == old  # nothing changed yet
    (disk / "sopbot-backups" / "SIAK_20261120_0100.dmp").unlink()
    fresh = runner.invoke(main, ["disk", "init", "--baru", "--label", "HDD-3"])
    assert fresh.exit_code == 0, fresh.output
    new = read_identity(disk)
    assert new is not None and new.id != old.id and new.label == "HDD-3"
    lost = registry.get(old.id)
    assert lost is not None and lost.lost_at is not None  # the old one stays lost on record
    known = registry.get(new.id)
    assert known is not None and known.in_service
    # --baru on a disk that is not lost changes nothing.
    refused = runner.invoke(main, ["disk", "init", "--baru", "--label", "HDD-4"])
    assert refused.exit_code == 1 and read_identity(disk) == new
