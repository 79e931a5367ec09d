"""Reading Data Pump logs: the verdict comes from the final Job line."""

from __future__ import annotations

import datapump_logs as logs
import pytest

from core.problems import Code
from jobs.dump.datapump_log import parse, verdict_problems
from jobs.job import Outcome
from texts.problems import say


def test_11g_success_with_tables_partitions_and_dump_file() -> None:
    parsed = parse(logs.SUCCESS_11G)
    assert parsed.outcome is Outcome.SUCCESS
    assert parsed.job_name == "SOPBOT_20261125_010002"
    assert [t.name for t in parsed.tables] == [
        "SIAK.BIODATA_WNI",
        "SIAK.DATA_KELUARGA",
        "SIAK.T5_SEQN_NIK:P2026",
        "SIAK.T5_LOG_CETAK_KTP",
    ]
    assert sum(t.rows for t in parsed.tables) == 2345678 + 712345 + 12
    assert parsed.tables[0].size_bytes == int(812.4 * 1024**2)
    assert parsed.dump_files == ["D:\\ORACLE\\DPDUMP\\SIAK_20261125_0100.DMP"]
    assert parsed.elapsed is None  # 11g prints only a time


def test_19c_success_is_not_spoiled_by_ora_39173() -> None:
    parsed = parse(logs.SUCCESS_19C_WITH_ORA_39173)
    assert parsed.outcome is Outcome.SUCCESS
    assert parsed.error_codes == ["ORA-39173"]
    assert parsed.elapsed == "0 00:23:40"


def test_a_skipped_table_makes_the_dump_incomplete_never_good() -> None:
    parsed = parse(logs.COMPLETED_WITH_ERRORS, "SOPBOT_20261125_010002")
    assert parsed.outcome is Outcome.INCOMPLETE
    assert parsed.error_count == 2
    assert parsed.error_codes == ["ORA-31693", "ORA-01555"]
    assert parsed.skipped == ["SIAK.DATA_KELUARGA"]
    [first] = verdict_problems(parsed)
    assert first.code is Code.TABLES_SKIPPED and first.params["tables"] == "SIAK.DATA_KELUARGA"


def test_only_harmless_errors_stay_a_warning() -> None:
    parsed = parse(logs.COMPLETED_WITH_ORA_39173_ONLY, "SOPBOT_20261125_010002")
    assert parsed.outcome is Outcome.WARNING and parsed.skipped == []


def test_a_log_whose_final_line_is_another_jobs_proves_nothing() -> None:
    parsed = parse(logs.SUCCESS_11G, "SOPBOT_20261126_010001")  # yesterday's log, left over
    assert parsed.outcome is Outcome.FAILED
    [problem] = verdict_problems(parsed)
    assert problem.code is Code.FOREIGN_LOG
    assert parse(logs.SUCCESS_11G, "SOPBOT_20261125_010002").outcome is Outcome.SUCCESS


def test_the_operating_systems_reason_for_a_full_disk_is_kept() -> None:
    parsed = parse(logs.FULL_DISK_WINDOWS, "SOPBOT_20261125_010002")
    assert parsed.outcome is Outcome.FAILED
    os_lines = [p.params["text"] for p in parsed.errors if p.code is Code.OS_ERROR]
    assert os_lines == ["O/S-Error: (OS 112) There is not enough space on the disk."]
    assert "disk penuh" in say(
        next(p for p in parsed.errors if p.params.get("code") == "ORA-27072")
    )


@pytest.mark.parametrize(
    ("line", "size"),
    [
        ("812.4 MB", int(812.4 * 1024**2)),
        ("812,4 MB", int(812.4 * 1024**2)),  # a territory with decimal commas
        ("1,234.5 KB", int(1234.5 * 1024)),
        ("1.234,5 KB", int(1234.5 * 1024)),
        ("5.117 KB", int(5.117 * 1024)),
    ],
)
def test_sizes_read_in_any_territory(line: str, size: int) -> None:
    text = f'. . exported "SIAK"."BIODATA_WNI"   {line}  2345678 rows'
    [table] = parse(text).tables
    assert table.size_bytes == size


def test_full_disk_is_a_failure() -> None:
    parsed = parse(logs.FULL_DISK)
    assert parsed.outcome is Outcome.FAILED
    assert "ORA-39095" in parsed.error_codes
    assert "ruang untuk file dump habis" in say(parsed.errors[0])


def test_missing_directory_has_no_job_line_and_fails() -> None:
    parsed = parse(logs.NO_DIRECTORY_OUTPUT)
    assert parsed.outcome is Outcome.FAILED
    assert parsed.error_codes == ["ORA-39002", "ORA-39070", "ORA-39087"]


def test_invalid_file_operation_keeps_every_error() -> None:
    parsed = parse(logs.INVALID_FILE_OPERATION_OUTPUT)
    assert parsed.outcome is Outcome.FAILED
    assert parsed.error_codes.count("ORA-29283") == 2


def test_status_percent_is_read() -> None:
    assert parse("Job: SOPBOT_X\n  Percent Done: 45\n").percent == 45.0


def test_errors_counted_but_not_seen_make_the_dump_incomplete() -> None:
    job = 'Job "SYSTEM"."J" completed with 3 error(s) at Wed Nov 25 01:23:45 2026'
    assert parse(job, "J").outcome is Outcome.INCOMPLETE  # three errors, none read: unknown
    one_benign_of_two = (
        "ORA-39173: Encrypted data has been stored unencrypted in dump file set.\n"
        'Job "SYSTEM"."J" completed with 2 error(s) at Wed Nov 25 01:23:45 2026'
    )
    assert parse(one_benign_of_two, "J").outcome is Outcome.INCOMPLETE
