"""The Oracle drill tiers at their boundaries: the fake expdp dumps, the copy goes to a real
(tmpfs as root) disk, then GET_DUMPFILE_INFO through the oracledb stand-in and the fake impdp
read it back, with Oracle's own message texts."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import EXPDP_SETTINGS, WITA, make_settings, open_services
from fakes.oracledb_fake import Driver, Server

import texts
from bot.context import Services
from core.clock import ManualClock
from core.problems import Code
from jobs.drill.oracle_proof import OracleProver
from jobs.drill.result import Claim
from jobs.job import Outcome, StopSignal

FAKE_IMPDP = Path(__file__).parent / "fakes" / "impdp.py"


@pytest.fixture
def oracle_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The directory object's folder, where Oracle (here: its stand-ins) reads and writes."""
    folder = tmp_path / "dpdump"
    folder.mkdir()
    monkeypatch.setenv("FAKE_EXPDP_DIR", str(folder))
    monkeypatch.setenv("FAKE_EXPDP_MODE", "success")
    monkeypatch.setenv("FAKE_IMPDP_RECORD", str(tmp_path / "impdp.jsonl"))
    return folder


def office(tmp_path: Path, oracle_dir: Path, disk_path: Path, level: int) -> Services:
    settings = make_settings(
        "http://127.0.0.1:9/bot",
        tmp_path / "data",
        **EXPDP_SETTINGS,
        dump_dir=oracle_dir,
        impdp_path=str(FAKE_IMPDP),
        external_disk_path=disk_path,
        external_auto_copy=False,
        drill_level=level,
    )
    svc = open_services(settings, ManualClock(datetime(2026, 11, 29, 2, 0, tzinfo=WITA)))
    svc.drill.oracle_driver = Driver(Server(directory_path=oracle_dir))
    return svc


async def dumped_and_copied(svc: Services) -> None:
    dumped = await svc.dump.run("schedule")
    assert dumped.ok, dumped.errors
    copied = await svc.copier.run("chat")
    assert copied.verified, copied.errors


def impdp_runs(tmp_path: Path) -> list[dict[str, list[str]]]:
    lines = (tmp_path / "impdp.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


async def test_level_3_reads_the_header_the_metadata_and_imports_into_the_scratch_schema(
    tmp_path: Path, oracle_dir: Path, disk_path: Path
) -> None:
    svc = office(tmp_path, oracle_dir, disk_path, level=3)
    await dumped_and_copied(svc)

    result = await svc.drill.run("chat")

    assert result.outcome is Outcome.SUCCESS, result.errors
    assert [p.claim for p in result.proofs] == [
        Claim.COPY_INTACT,
        Claim.DUMP_IDENTICAL,
        Claim.HEADER,
        Claim.METADATA,
        Claim.IMPORTED,
    ]
    dump = svc.dumplog.last_good()
    assert dump is not None
    header = next(p for p in result.proofs if p.claim is Claim.HEADER)
    assert header.params["job"] == dump.job_name
    metadata = next(p for p in result.proofs if p.claim is Claim.METADATA)
    # Two tables with rows, each created; the SQL file also holds a temporary and an external
    # table, a materialized view log and two indexes: 7 statements.
    assert metadata.params["tables"] == 2 and metadata.params["objects"] == 7
    imported = next(p for p in result.proofs if p.claim is Claim.IMPORTED)
    assert imported.params["rows"] == 2345678 + 712345
    assert imported.params["schema"] == "SOPBOT_DRILL"
    sql_run, import_run = impdp_runs(tmp_path)
    assert sql_run["sqlfile"] and "tables" not in sql_run
    assert import_run["remap_schema"] == ["SIAK:SOPBOT_DRILL"]
    assert import_run["remap_tablespace"] == ["SIAK_DATA:USERS", "SIAK_IDX:USERS"]
    assert import_run["exclude"] == ["REF_CONSTRAINT", "TRIGGER", "GRANT", "STATISTICS"]
    assert import_run["tables"] == ["SIAK.DATA_KELUARGA,SIAK.BIODATA_WNI"]  # smallest first
    # The imported copies are dropped again, and nothing of the drill stays in the folder.
    server = svc.drill.oracle_driver.server
    assert sorted(server.dropped) == ["SOPBOT_DRILL.BIODATA_WNI", "SOPBOT_DRILL.DATA_KELUARGA"]
    assert list(oracle_dir.glob("sopbot-drill-*")) == []
    assert list((svc.settings.data_dir / "private").iterdir()) == []  # parameter files gone
    assert result.compared == 4 and result.mismatches == 0  # 2 by name, 2 by rows


async def test_level_1_says_what_it_did_not_prove(
    tmp_path: Path, oracle_dir: Path, disk_path: Path
) -> None:
    svc = office(tmp_path, oracle_dir, disk_path, level=1)
    await dumped_and_copied(svc)

    result = await svc.drill.run("chat")

    assert result.outcome is Outcome.SUCCESS
    assert [p.claim for p in result.proofs][-1] is Claim.HEADER
    assert not (tmp_path / "impdp.jsonl").exists()  # no impdp at level 1
    report = texts.drill_report(result, WITA)
    assert "Tingkat uji: 1" in report and "Belum dibuktikan: isi tabel" in report


async def test_table_data_that_does_not_load_fails_the_drill(
    tmp_path: Path, oracle_dir: Path, disk_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc = office(tmp_path, oracle_dir, disk_path, level=3)
    await dumped_and_copied(svc)
    monkeypatch.setenv("FAKE_IMPDP_MODE", "bad_rows")

    result = await svc.drill.run("chat")

    assert result.outcome is Outcome.FAILED
    codes = [p.code for p in result.errors]
    assert codes[0] is Code.DRILL_NOT_LOADED
    assert {"ORA-31693", "ORA-02354", "ORA-39776"} <= {
        str(p.params.get("code")) for p in result.errors
    }
    assert svc.drilllog.last_passed() is None
    # Every chosen table is dropped again, also the one whose rows failed half way.
    dropped = sorted(svc.drill.oracle_driver.server.dropped)
    assert dropped == ["SOPBOT_DRILL.BIODATA_WNI", "SOPBOT_DRILL.DATA_KELUARGA"]


async def test_a_dump_written_by_another_job_fails_at_the_header(
    tmp_path: Path, oracle_dir: Path, disk_path: Path
) -> None:
    svc = office(tmp_path, oracle_dir, disk_path, level=2)
    await dumped_and_copied(svc)
    dump = svc.dumplog.last_good()
    assert dump is not None
    prover = OracleProver(svc.settings, svc.drill.oracle_driver)
    other = dump.__class__(**{**dump.__dict__, "job_name": "SOPBOT_20261101_010000"})
    found = prover._header(Path(dump.file_path).name, other)
    assert found.problems[0].code is Code.DRILL_HEADER
    assert "not SOPBOT_20261101_010000" in str(found.problems[0].params["detail"])

    (oracle_dir / "not-a-dump.dmp").write_bytes(b"MZ" + bytes(4096))
    found = prover._header("not-a-dump.dmp", dump)
    assert "file type 0" in str(found.problems[0].params["detail"])
    found = prover._header("gone.dmp", dump)
    assert [p.params["code"] for p in found.problems] == ["ORA-39211", "ORA-29283"]


async def test_a_hanging_impdp_is_ended_by_the_deadline_and_killed_on_the_server(
    tmp_path: Path, oracle_dir: Path, disk_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc = office(tmp_path, oracle_dir, disk_path, level=2)
    await dumped_and_copied(svc)
    monkeypatch.setenv("FAKE_IMPDP_MODE", "hang")
    svc.drill.timeout = timedelta(seconds=2)

    result = await svc.drill.run("schedule")

    assert result.outcome is Outcome.INTERRUPTED
    assert result.errors[0].code is Code.TIMED_OUT
    states = [p.read_text() for p in oracle_dir.glob("SOPBOT_DRILL_*.state")]
    assert states == ["STOPPED"]  # `impdp attach=… KILL_JOB` reached the server's job
    assert svc.drilllog.latest(1)[0].outcome == "interrupted"
    assert list(oracle_dir.glob("sopbot-drill-*")) == []


async def test_a_stopped_import_still_drops_every_chosen_table(
    tmp_path: Path, oracle_dir: Path, disk_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc = office(tmp_path, oracle_dir, disk_path, level=3)
    await dumped_and_copied(svc)
    monkeypatch.setenv("FAKE_IMPDP_MODE", "hang_import")
    svc.drill.timeout = timedelta(seconds=2)

    result = await svc.drill.run("schedule")

    assert result.outcome is Outcome.INTERRUPTED
    dropped = sorted(svc.drill.oracle_driver.server.dropped)
    assert dropped == ["SOPBOT_DRILL.BIODATA_WNI", "SOPBOT_DRILL.DATA_KELUARGA"]
    assert svc.drill.stop_grace >= 150  # impdp's end and KILL_JOB get their time


def test_the_scratch_schema_can_never_be_a_real_one(tmp_path: Path) -> None:
    from core.settings import SettingsError, load_settings

    base = {**EXPDP_SETTINGS, "data_dir": tmp_path, "telegram_bot_token": "1:x"}
    for clash in (
        {"oracle_schemas": "SIAK", "drill_schema": "siak"},
        {"drill_tables": "SIAK.BIODATA_WNI", "drill_schema": "SIAK"},
        {"drill_schema": "SYSTEM"},  # the bot's own user
    ):
        with pytest.raises(SettingsError, match="DRILL_SCHEMA"):
            load_settings(None, **base, **clash)


async def test_a_dump_holding_the_scratch_schema_is_never_imported_into(
    tmp_path: Path, oracle_dir: Path, disk_path: Path
) -> None:
    svc = office(tmp_path, oracle_dir, disk_path, level=3)
    await dumped_and_copied(svc)
    svc.settings.drill_schema = "SIAK"  # set behind the settings' back: the import checks too

    result = await svc.drill.run("chat")

    assert result.outcome is Outcome.UNTESTABLE  # a setting to fix, not a verdict on the copy
    assert result.errors[0].code is Code.DRILL_SCHEMA_UNSAFE
    assert svc.drill.oracle_driver.server.dropped == []
    assert len(impdp_runs(tmp_path)) == 1  # the SQL file only, no import


async def test_a_full_export_of_a_siak_like_database_passes_by_name_and_imports_office_tables(
    tmp_path: Path, oracle_dir: Path, disk_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A partitioned table, a queue table with its AQ$_ companion, a materialized view and its
    master's log, temporary and external tables, and SYSTEM's own tables: the export log's data
    lines and the SQL file's CREATEs differ in count, but every table with rows is created."""
    monkeypatch.setenv("FAKE_EXPDP_MODE", "siak_full")
    svc = office(tmp_path, oracle_dir, disk_path, level=3)
    await dumped_and_copied(svc)

    result = await svc.drill.run("chat")

    assert result.outcome is Outcome.SUCCESS, result.errors
    metadata = next(p for p in result.proofs if p.claim is Claim.METADATA)
    # SIAK's tables with rows: BIODATA_WNI, DATA_KELUARGA, T5_SEQN_NIK (two partitions),
    # Q_NOTIF_TAB, AQ$_Q_NOTIF_TAB_S, MV_REKAP_KECAMATAN; SYSTEM.HELP is left out.
    assert metadata.params["tables"] == 6
    _sql_run, import_run = impdp_runs(tmp_path)
    # The three smallest ordinary tables of the office's schemas: not SYSTEM's, not the queue
    # table nor its companion, not the materialized view.
    assert import_run["tables"] == ["SIAK.T5_SEQN_NIK,SIAK.DATA_KELUARGA,SIAK.BIODATA_WNI"]
    imported = next(p for p in result.proofs if p.claim is Claim.IMPORTED)
    assert imported.params["rows"] == 22 + 712345 + 2345678
    report = texts.drill_report(result, WITA)
    assert "tanpa foreign key, trigger, grant dan statistik" in report


async def test_a_table_with_rows_that_the_metadata_does_not_create_fails_the_drill(
    tmp_path: Path, oracle_dir: Path, disk_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    svc = office(tmp_path, oracle_dir, disk_path, level=2)
    await dumped_and_copied(svc)
    monkeypatch.setenv("FAKE_IMPDP_MODE", "lost_ddl")

    result = await svc.drill.run("chat")

    assert result.outcome is Outcome.FAILED
    assert result.errors[0].code is Code.DRILL_TABLES_NOT_CREATED
    assert result.errors[0].params["tables"] == "SIAK.BIODATA_WNI"
    assert result.mismatches == 1


async def test_remap_schema_alone_leaves_tables_in_a_tablespace_without_quota(
    tmp_path: Path, oracle_dir: Path, disk_path: Path
) -> None:
    """What the fake impdp does with the drill's old parameters, as Oracle would: the tables keep
    their tablespace (ORA-01950 for the scratch user), a foreign key to a table not imported
    fails, a trigger compiles with warnings. The drill's own parameters avoid all three."""
    from jobs.drill.oracle_proof import ImpdpRun, _request

    svc = office(tmp_path, oracle_dir, disk_path, level=3)
    await dumped_and_copied(svc)
    dump = svc.dumplog.last_good()
    assert dump is not None
    restored = oracle_dir / Path(dump.file_path).name
    old = ["tables=SIAK.DATA_KELUARGA,SIAK.BIODATA_WNI", "remap_schema=SIAK:SOPBOT_DRILL"]

    result = await ImpdpRun(svc.settings, old).run(
        _request(restored, "imp"), lambda _p: None, _never_stop()
    )

    assert result.outcome is not Outcome.SUCCESS
    assert "ORA-01950" in {str(p.params.get("code")) for p in result.errors}


async def test_the_scratch_user_without_quota_or_absent_is_said_with_the_fix(
    tmp_path: Path, oracle_dir: Path, disk_path: Path
) -> None:
    svc = office(tmp_path, oracle_dir, disk_path, level=3)
    await dumped_and_copied(svc)
    server = svc.drill.oracle_driver.server
    server.scratch_quota = False

    result = await svc.drill.run("chat")

    assert result.errors[0].code is Code.DRILL_SCRATCH_NO_QUOTA
    assert "ALTER USER SOPBOT_DRILL QUOTA 2G ON USERS" in texts.drill_report(result, WITA)
    assert len(impdp_runs(tmp_path)) == 1  # the SQL file only: no import tried

    server.scratch_tablespace = None
    result = await svc.drill.run("chat")
    assert result.errors[0].code is Code.DRILL_SCRATCH_MISSING


async def test_a_refused_login_is_said_with_the_dsn_and_the_cause(
    tmp_path: Path, oracle_dir: Path, disk_path: Path
) -> None:
    svc = office(tmp_path, oracle_dir, disk_path, level=1)
    await dumped_and_copied(svc)
    # python-oracledb thin mode: DPY-6005 with the socket's answer on the next line
    # (python-oracledb documentation, "Troubleshooting", DPY-6005).
    svc.drill.oracle_driver.server.connect_error = (
        "DPY-6005: cannot connect to database (CONNECTION_ID=abc).\n[Errno 111] Connection refused"
    )

    result = await svc.drill.run("chat")

    found = result.errors[0]
    assert found.code is Code.ORACLE_LOGIN
    assert found.params["dsn"] == "db" and found.params["code"] == "DPY-6005"
    report = texts.drill_report(result, WITA)
    assert "tidak dapat masuk ke Oracle di db: DPY-6005" in report
    assert "Connection refused" in report


def _never_stop() -> StopSignal:
    return StopSignal()


def test_the_sql_file_is_read_by_name_and_only_plain_tablespace_names_are_taken() -> None:
    from jobs.drill import sqlfile

    read = sqlfile.read(
        'CREATE TABLE "S"."T" ("ID" NUMBER) TABLESPACE "DATA" ;\n'
        'CREATE TABLE "S"."X" ("ID" NUMBER) TABLESPACE "A,B:USERS\nexclude=TABLE" ;\n'
        'CREATE GLOBAL TEMPORARY TABLE "S"."TMP" ("ID" NUMBER) ON COMMIT DELETE ROWS ;\n'
        'BEGIN\ndbms_aqadm.create_queue_table( Queue_table => \'"S"."QT"\', '
        "Queue_payload_type => 'RAW');\nEND;\n"
        'CREATE MATERIALIZED VIEW LOG ON "S"."A_VERY_LONG_MASTER_TABLE_NAME" TABLESPACE "DATA";\n'
    )
    assert read.tablespaces == {"DATA"}
    assert read.plain == {"S.T", "S.X"}
    for created in ("S.T", "S.TMP", "S.QT", "S.AQ$_QT_S", "S.MLOG$_A_VERY_LONG_MASTER_TA"):
        assert read.creates(created), created
    for not_created in ("S.OTHER", "S.AQ$_OTHER_S", "T.QT", "S.MLOG$_ELSEWHERE"):
        assert not read.creates(not_created), not_created


def test_schemas_the_server_marks_oracle_maintained_are_never_taken_for_the_office_s(
    tmp_path: Path, oracle_dir: Path
) -> None:
    """A full export's tables of a schema ALL_USERS marks ORACLE_MAINTAINED (12.1.0.2+) are left
    out of what the drill compares and imports, even when the fallback list does not know it."""
    from datapump_logs import fake_dump

    from storage.dumps import DumpRecord

    settings = make_settings(
        "http://127.0.0.1:9/bot", tmp_path / "data", **EXPDP_SETTINGS, dump_dir=oracle_dir
    )
    settings = settings.model_copy(update={"oracle_schemas": []})  # a full export
    job = "SOPBOT_20261129_020000"
    (oracle_dir / "full.dmp").write_bytes(fake_dump(job, ""))
    now = datetime(2026, 11, 29, 2, 0, tzinfo=WITA)
    record = DumpRecord(
        id=1, run_date=now.date(), trigger="schedule", backend="expdp", job_name=job,
        started_at=now, finished_at=now, outcome="success", file_path=str(oracle_dir / "full.dmp"),
        size_bytes=None, sha256="", total_rows=13,
        tables=[("DGPDB_INT.DG_STATE", 1), ("SIAK.T5_SEQN_NIK:P2026", 12)],
        errors=[], warnings=[],
    )  # fmt: skip
    server = Server.oracle_19c(oracle_dir)
    server.maintained_users.append("DGPDB_INT")  # any name the fallback list does not know

    prover = OracleProver(settings, Driver(server))
    assert not prover._header("full.dmp", record).problems
    assert prover.chosen_tables(record) == [("SIAK.T5_SEQN_NIK", 12)]

    older = OracleProver(settings, Driver(Server.oracle_11g(oracle_dir)))  # ORA-00904: the list
    assert not older._header("full.dmp", record).problems
    assert [t for t, _ in older.chosen_tables(record)] == ["DGPDB_INT.DG_STATE", "SIAK.T5_SEQN_NIK"]
