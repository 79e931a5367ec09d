"""The restore drill on real files: a dump of the sample database, copied to a real (tmpfs as
root) external disk, read back and restored."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import WITA, make_settings, open_services
from corruption import corrupt_silently

import texts
from bot.context import Services
from core.clock import ManualClock
from core.problems import Code
from jobs.drill.result import Claim
from jobs.job import Outcome
from sopbot.keys import create_keys
from sopbot.sample_db import create_sample_database


@pytest.fixture
def office(tmp_path: Path, disk_path: Path) -> Iterator[Services]:
    yield make_office(tmp_path, {"external_disk_path": disk_path, "external_auto_copy": False})


def make_office(tmp_path: Path, overrides: dict[str, Any]) -> Services:
    settings = make_settings("http://127.0.0.1:9/bot", tmp_path / "data", **overrides)
    assert settings.sqlite_source_path is not None
    create_sample_database(settings.sqlite_source_path, residents=400)
    clock = ManualClock(datetime(2026, 11, 25, 2, 0, tzinfo=WITA))
    return open_services(settings, clock)


async def dump_and_copy(svc: Services) -> None:
    dumped = await svc.dump.run("schedule")
    assert dumped.ok, dumped.errors
    copied = await svc.copier.run("chat")
    assert copied.verified, copied.errors


async def test_a_good_copy_restores_with_its_row_counts_and_time(office: Services) -> None:
    await dump_and_copy(office)

    result = await office.drill.run("chat", requested_by=1)

    assert result.outcome is Outcome.SUCCESS, result.errors
    claims = [p.claim for p in result.proofs]
    assert claims == [
        Claim.COPY_INTACT,
        Claim.DUMP_IDENTICAL,
        Claim.DATABASE_OPENS,
        Claim.TABLES_READ,
        Claim.ROWS_MATCH,
    ]
    dump = office.dumplog.last_good()
    assert dump is not None
    assert result.compared == len(dump.tables) == 3 and result.mismatches == 0
    read = next(p for p in result.proofs if p.claim is Claim.TABLES_READ)
    assert read.params["rows"] == sum(rows for _, rows in dump.tables)
    assert result.restore_seconds is not None and result.restore_seconds > 0
    stored = office.drilllog.last_passed()
    assert stored is not None and stored.id == result.run_id and stored.passed
    assert stored.restore_seconds == result.restore_seconds
    # The plaintext scratch copy is gone.
    assert list((office.settings.data_dir / "drill").iterdir()) == []


async def test_a_silently_corrupt_database_passes_its_hashes_but_fails_the_drill(
    office: Services,
) -> None:
    source = office.settings.sqlite_source_path
    assert source is not None
    corrupt_silently(source, f"99{123:014d}")
    await dump_and_copy(office)  # the dump and the verified copy see nothing wrong

    result = await office.drill.run("schedule")

    assert result.outcome is Outcome.FAILED
    assert [p.claim for p in result.proofs] == [Claim.COPY_INTACT, Claim.DUMP_IDENTICAL]
    assert result.errors[0].code is Code.DRILL_INTEGRITY
    assert "missing from index" in str(result.errors[0].params["detail"])
    assert office.drilllog.last_passed() is None
    assert office.drilllog.latest(1)[0].outcome == "failed"


async def test_a_copy_damaged_on_the_disk_fails_and_is_no_longer_evidence(
    office: Services, disk_path: Path
) -> None:
    await dump_and_copy(office)
    copy = office.copylog.newest_intact()
    assert copy is not None
    on_disk = disk_path / "sopbot-backups" / Path(copy.dest_path).name
    with on_disk.open("r+b") as stream:
        stream.seek(5000)
        byte = stream.read(1)
        stream.seek(5000)
        stream.write(bytes([byte[0] ^ 0xFF]))

    result = await office.drill.run("chat")

    assert result.outcome is Outcome.FAILED
    assert result.errors[0].code is Code.DRILL_COPY_CHANGED
    assert office.copylog.newest_intact() is None  # the watchdog's stale-copy warning speaks


async def test_a_missing_copy_fails_and_an_unplugged_disk_is_untestable(
    office: Services, disk_path: Path
) -> None:
    await dump_and_copy(office)
    copy = office.copylog.newest_intact()
    assert copy is not None
    (disk_path / "sopbot-backups" / Path(copy.dest_path).name).unlink()

    result = await office.drill.run("chat")

    assert result.outcome is Outcome.FAILED
    assert result.errors[0].code is Code.DRILL_COPY_MISSING
    assert result.errors[0].params["label"] == "HDD-PIAK-1"
    assert office.drilllog.latest(1)[0].outcome == "failed"

    # The disk away (as the bot asks after every copy): the drill could not look at the copy.
    office.settings.external_disk_path = disk_path / "not-plugged-in"
    result = await office.drill.run("chat")
    assert result.outcome is Outcome.UNTESTABLE
    assert result.errors[0].code is Code.DISK_MISSING
    assert office.drilllog.latest(1)[0].outcome == "untestable"
    report = texts.drill_report(result, WITA)
    assert "tidak dapat dijalankan" in report and "❌" not in report and "GAGAL" not in report


async def test_an_unplugged_disk_after_a_passed_drill_says_untested_since_then(
    office: Services, disk_path: Path
) -> None:
    await dump_and_copy(office)
    assert (await office.drill.run("chat")).passed
    office.clock.advance(timedelta(days=8))  # type: ignore[attr-defined]
    office.settings.external_disk_path = disk_path / "not-plugged-in"

    result = await office.drill.run("schedule")

    assert result.outcome is Outcome.UNTESTABLE
    line = texts.drill_line(office.drilllog.latest(1)[0], office.drilllog.last_passed(), WITA)
    assert line.startswith("🧪 Uji pulih: belum teruji sejak ")
    assert "❌" not in line and "hard disk eksternal tidak terpasang" in line


async def test_no_copy_at_all_is_untestable(office: Services) -> None:
    result = await office.drill.run("schedule")
    assert result.outcome is Outcome.UNTESTABLE
    assert result.errors[0].code is Code.DRILL_NO_COPY


async def test_an_encrypted_compressed_copy_restores_with_the_office_key(
    tmp_path: Path, disk_path: Path
) -> None:
    keys = create_keys(tmp_path / "keys")
    overrides = {
        "external_disk_path": disk_path,
        "external_auto_copy": False,
        "external_compression": "zstd",
        "external_encryption": "age",
        "external_age_recipients": [keys.office_public, keys.escrow_public],
        "external_age_identity_file": keys.office_key_file,
    }
    office = make_office(tmp_path, overrides)
    await dump_and_copy(office)

    result = await office.drill.run("chat")
    assert result.outcome is Outcome.SUCCESS, result.errors
    assert result.file_name.endswith(".zst.age")

    office.settings.external_age_identity_file = None  # no key: the drill cannot open it
    result = await office.drill.run("chat")
    assert result.outcome is Outcome.UNTESTABLE  # nothing is known about the copy itself
    assert result.errors[0].code is Code.NO_KEY


async def test_row_counts_different_from_the_dump_record_fail(office: Services) -> None:
    await dump_and_copy(office)
    source = office.settings.sqlite_source_path
    assert source is not None
    dump = office.dumplog.last_good()
    assert dump is not None
    # What the drill restores must match what the dump said it held, table by table.
    with closing(sqlite3.connect(office.settings.database_url.removeprefix("sqlite:///"))) as db:
        db.execute(
            "UPDATE dump_runs SET tables_json = ? WHERE id = ?",
            ('[["MAIN.BIODATA_WNI", 1], ["MAIN.GONE", 5]]', dump.id),
        )
        db.commit()

    result = await office.drill.run("chat")

    assert result.outcome is Outcome.FAILED
    assert {p.code for p in result.errors} == {Code.DRILL_ROWS_DIFFER, Code.DRILL_TABLE_MISSING}
    assert result.compared == 2 and result.mismatches == 2


async def test_a_stopped_drill_is_recorded_as_interrupted_and_leaves_nothing(
    office: Services,
) -> None:
    await dump_and_copy(office)
    office.settings.progress_interval_seconds = 0.05
    task = office.drill.launch("chat")
    await office.drill.stop()
    result = await asyncio.wait_for(task, 30)

    assert result.outcome is Outcome.INTERRUPTED
    assert office.drilllog.latest(1)[0].outcome == "interrupted"
    assert list((office.settings.data_dir / "drill").glob("*")) == []


async def test_nothing_recorded_to_compare_with_proves_nothing(office: Services) -> None:
    await dump_and_copy(office)
    dump = office.dumplog.last_good()
    assert dump is not None
    db_path = office.settings.database_url.removeprefix("sqlite:///")
    for column, value in (("tables_json", "[]"), ("sha256", "")):
        with closing(sqlite3.connect(db_path)) as db:
            db.execute(f"UPDATE dump_runs SET {column} = ? WHERE id = ?", (value, dump.id))
            db.commit()
        result = await office.drill.run("chat")
        assert result.outcome is Outcome.FAILED, column
        assert result.errors[0].code is Code.DRILL_NO_RECORD
        assert office.drilllog.last_passed() is None


async def test_a_wal_mode_database_restores_and_leaves_no_side_files(office: Services) -> None:
    source = office.settings.sqlite_source_path
    assert source is not None
    with closing(sqlite3.connect(source)) as db:
        assert db.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal"
    await dump_and_copy(office)

    result = await office.drill.run("chat")

    assert result.outcome is Outcome.SUCCESS, result.errors
    assert list((office.settings.data_dir / "drill").iterdir()) == []


async def test_a_crash_leaves_no_scratch_file_after_the_next_start(office: Services) -> None:
    scratch = office.settings.data_dir / "drill"
    scratch.mkdir(parents=True, exist_ok=True)
    (scratch / "SIAK_20261125_0100.dmp").write_bytes(b"NIK in the clear")
    office.settings.dumps.mkdir(parents=True, exist_ok=True)
    (office.settings.dumps / "sopbot-drill-SIAK.dmp").write_bytes(b"NIK in the clear")

    office.drill.recover()

    assert list(scratch.iterdir()) == []
    assert list(office.settings.dumps.glob("sopbot-drill-*")) == []
