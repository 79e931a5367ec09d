"""What can go wrong, as codes with parameters: the jobs report them, the log stores them, and
`texts/problems.py` says each one in Indonesian. English stays in the logs (`english()`).

A new problem is one new `Code` member with its English template here and its Indonesian text in
the chat's table; a test fails while either is missing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Code(StrEnum):
    # The dump (SOP step 8)
    SOURCE_MISSING = "source_missing"
    PROGRAM_NOT_FOUND = "program_not_found"
    PROGRAM_NOT_STARTED = "program_not_started"
    PROGRAM_NO_LOG = "program_no_log"
    DUMP_FILE_MISSING = "dump_file_missing"
    DUMP_SPACE_FULL = "dump_space_full"
    DUMP_SHRANK = "dump_shrank"
    ROWS_SHRANK = "rows_shrank"
    EXPDP_EXIT_CODE = "expdp_exit_code"
    COMPLETED_WITH_ERRORS = "completed_with_errors"
    LEFTOVER_JOB = "leftover_job"
    LOG_MISSING = "log_missing"
    JOB_STATE = "job_state"
    SERVER_JOB_NOT_STOPPED = "server_job_not_stopped"
    ORACLE_ERROR = "oracle_error"  # any ORA-/UDE-/LRM-/KUP-/DPY- line: params code, text
    OS_ERROR = "os_error"  # the operating system's line under an Oracle error (disk full…)
    TABLES_SKIPPED = "tables_skipped"
    FOREIGN_LOG = "foreign_log"
    OUR_JOB_RUNNING = "our_job_running"
    DUMP_SPACE_LOW = "dump_space_low"
    EXPIRING_LOGIN = "expiring_login"
    NO_QUOTA = "no_quota"
    DIRECTORY_ELSEWHERE = "directory_elsewhere"
    BACKEND_ERROR = "backend_error"
    # Checking a backend before it runs
    DIRECTORY_MISSING = "directory_missing"
    DIRECTORY_NO_GRANTS = "directory_no_grants"
    EXPORT_ROLE_MISSING = "export_role_missing"
    # Any job
    TIMED_OUT = "timed_out"
    STOPPED = "stopped"  # the bot was stopped (service stop, Ctrl+C) while the job ran
    INTERRUPTED = "interrupted"  # the process died while the job ran; found at the next start
    JOB_CRASHED = "job_crashed"
    # The external disk and the copy (SOP step 11)
    DISK_NOT_CONFIGURED = "disk_not_configured"
    DISK_MISSING = "disk_missing"
    DISK_NOT_SEPARATE = "disk_not_separate"
    DISK_NO_IDENTITY = "disk_no_identity"
    DISK_WRONG = "disk_wrong"
    DISK_READ_ONLY = "disk_read_only"
    DISK_FULL = "disk_full"
    DISK_FAT_FILE_TOO_BIG = "disk_fat_file_too_big"
    DISK_LOST = "disk_lost"
    DISK_BAD_IDENTITY = "disk_bad_identity"
    DISK_UNSAFE_FOLDER = "disk_unsafe_folder"
    DISK_RETIRED = "disk_retired"
    COPY_WRITE_FAILED = "copy_write_failed"
    COPY_READBACK_FAILED = "copy_readback_failed"
    COPY_MISMATCH = "copy_mismatch"
    SOURCE_CHANGED = "source_changed"
    RETENTION_FAILED = "retention_failed"
    RETENTION_FILES_IN_USE = "retention_files_in_use"
    NO_KEY = "no_key"
    COPY_UNREADABLE = "copy_unreadable"
    COPY_NOT_REGULAR = "copy_not_regular"
    COPY_TOO_LARGE = "copy_too_large"
    # The office's age key (never a copy's fault)
    KEY_UNREADABLE = "key_unreadable"
    KEY_MALFORMED = "key_malformed"
    KEY_NONE = "key_none"
    KEY_WRONG = "key_wrong"
    # Step 11's evidence
    NO_GOOD_DUMP = "no_good_dump"
    NOT_COPIED_YET = "not_copied_yet"
    COPY_DAMAGED = "copy_damaged"
    COPY_ON_LOST_DISK = "copy_on_lost_disk"
    # The restore drill
    DRILL_NO_COPY = "drill_no_copy"
    DRILL_OTHER_DISK = "drill_other_disk"
    DRILL_COPY_MISSING = "drill_copy_missing"
    DRILL_COPY_CHANGED = "drill_copy_changed"
    DRILL_DUMP_DIFFERS = "drill_dump_differs"
    DRILL_NOT_A_DATABASE = "drill_not_a_database"
    DRILL_INTEGRITY = "drill_integrity"
    DRILL_TABLE_UNREADABLE = "drill_table_unreadable"
    DRILL_ROWS_DIFFER = "drill_rows_differ"
    DRILL_TABLE_MISSING = "drill_table_missing"
    DRILL_HEADER = "drill_header"
    DRILL_OBJECTS_DIFFER = "drill_objects_differ"
    DRILL_IMPORT_FAILED = "drill_import_failed"
    DRILL_OVERDUE = "drill_overdue"
    DRILL_NO_RECORD = "drill_no_record"
    DRILL_NOT_LOADED = "drill_not_loaded"
    DRILL_SCHEMA_UNSAFE = "drill_schema_unsafe"
    DRILL_TABLES_NOT_CREATED = "drill_tables_not_created"
    DRILL_SCRATCH_MISSING = "drill_scratch_missing"
    DRILL_SCRATCH_NO_QUOTA = "drill_scratch_no_quota"
    DRILL_NEEDS_IMPDP = "drill_needs_impdp"
    DRILL_NEEDS_ORACLEDB = "drill_needs_oracledb"
    # Oracle set-up, said with its cause
    ORACLE_LOGIN = "oracle_login"
    EXPORT_ROLE_FOR_SCHEMAS = "export_role_for_schemas"
    DIRECTORY_PROBE_FAILED = "directory_probe_failed"
    THICK_MODE_NEEDED = "thick_mode_needed"
    TNS_ADMIN_NEEDED = "tns_admin_needed"
    SELFTEST_NO_TABLE = "selftest_no_table"
    SELFTEST_FILTER_IGNORED = "selftest_filter_ignored"
    # The bot's own database
    DATABASE_UNWRITABLE = "database_unwritable"
    DATABASE_VANISHED = "database_vanished"
    # A line written by an older release, before problems had codes
    LEGACY = "legacy"


ENGLISH: dict[Code, str] = {
    Code.SOURCE_MISSING: "source database not found: {path}",
    Code.PROGRAM_NOT_FOUND: "program {program} not found",
    Code.PROGRAM_NOT_STARTED: "cannot start {program}: {why}",
    Code.PROGRAM_NO_LOG: "{program} exited with code {exit_code} and wrote no log",
    Code.DUMP_FILE_MISSING: "the dump file {path} was not found after the job finished",
    Code.DUMP_SPACE_FULL: "no space left for the dump: {detail}",
    Code.DUMP_SHRANK: "dump is {size} bytes, much smaller than the last good one ({last} bytes)",
    Code.ROWS_SHRANK: "{rows} rows exported, much fewer than last time ({last})",
    Code.EXPDP_EXIT_CODE: "expdp exited with code {exit_code} although the job completed",
    Code.COMPLETED_WITH_ERRORS: "Data Pump job completed with {count} error(s)",
    Code.LEFTOVER_JOB: "leftover Data Pump job {job} ({state})",
    Code.LOG_MISSING: "log file {path} not found: is DUMP_DIR the folder of directory object "
    "{directory}?",
    Code.JOB_STATE: "job ended in state {state}",
    Code.SERVER_JOB_NOT_STOPPED: "Data Pump job {job} may still run on the server",
    Code.ORACLE_ERROR: "{code}: {text}",
    Code.OS_ERROR: "{text}",
    Code.TABLES_SKIPPED: "{count} object(s) missing from the dump: {tables}",
    Code.FOREIGN_LOG: "the log's final line belongs to job {found}, not {expected}",
    Code.OUR_JOB_RUNNING: "Data Pump job {job} of an earlier run is still running",
    Code.DUMP_SPACE_LOW: "{free} bytes free in DUMP_DIR, about {need} needed",
    Code.NO_QUOTA: "no quota on tablespace {tablespace} for the job's master table",
    Code.EXPIRING_LOGIN: "the Oracle password expires on {date}",
    Code.DIRECTORY_ELSEWHERE: "directory object {directory} ({path}) is not DUMP_DIR as the bot "
    "sees it ({dump_dir})",
    Code.BACKEND_ERROR: "{error}",
    Code.DIRECTORY_MISSING: "directory object {directory} does not exist",
    Code.DIRECTORY_NO_GRANTS: "no READ, WRITE on directory object {directory}",
    Code.EXPORT_ROLE_MISSING: "a full export needs DATAPUMP_EXP_FULL_DATABASE",
    Code.TIMED_OUT: "did not finish within {minutes} minutes and was stopped",
    Code.STOPPED: "interrupted by the stop of the bot's service (service stop or Ctrl+C)",
    Code.INTERRUPTED: "the bot stopped while the job was running",
    Code.JOB_CRASHED: "crashed: {error}",
    Code.DISK_NOT_CONFIGURED: "EXTERNAL_DISK_PATH is not set",
    Code.DISK_MISSING: "{root} is not there (not plugged in or not mounted)",
    Code.DISK_NOT_SEPARATE: "{root} is on the same device as {dump_dir} or the system drive",
    Code.DISK_NO_IDENTITY: "{root} has no identity file: run `sopbot disk init` on it once",
    Code.DISK_WRONG: "disk {label} ({disk_id}) is not in EXTERNAL_DISK_IDS",
    Code.DISK_READ_ONLY: "{folder} cannot be written (read-only or no permission)",
    Code.DISK_FULL: "{free} bytes free on {root}, {need} needed",
    Code.DISK_FAT_FILE_TOO_BIG: "{root} is {file_system}: no file over {limit} bytes, "
    "the copy may be {size} bytes",
    Code.DISK_LOST: "disk {label} was reported lost and is not used any more",
    Code.DISK_BAD_IDENTITY: "the identity file on {root} is not usable: {why}",
    Code.DISK_UNSAFE_FOLDER: "{folder} is not a folder of the disk itself: {why}",
    Code.DISK_RETIRED: "disk {label} was retired and is not used any more",
    Code.COPY_WRITE_FAILED: "writing {file} failed: {why}",
    Code.COPY_READBACK_FAILED: "reading back {file} failed: {why}",
    Code.COPY_MISMATCH: "{file} did not verify: written {written}, read back {read_back}",
    Code.SOURCE_CHANGED: "{file} changed on the server since it was dumped (SHA-256 {actual}, "
    "recorded {recorded})",
    Code.RETENTION_FAILED: "retention could not remove old files: {error}",
    Code.RETENTION_FILES_IN_USE: "old files in use by another program, removed later: {files}",
    Code.NO_KEY: "{file} is encrypted and no age identity was given",
    Code.COPY_UNREADABLE: "{file} cannot be opened ({why}): wrong key or a damaged copy",
    Code.COPY_NOT_REGULAR: "{file} on the disk is not a regular file of the disk: {why}",
    Code.COPY_TOO_LARGE: "{file} unpacks to more than {limit} bytes (the recorded dump size)",
    Code.KEY_UNREADABLE: "the age key file {path} cannot be read ({why})",
    Code.KEY_MALFORMED: "line {line} of the age key file {path} is not an age secret key",
    Code.KEY_NONE: "the age key file {path} holds no AGE-SECRET-KEY- line",
    Code.KEY_WRONG: "the age key from {path} opens none of the {count} encrypted copies: a wrong "
    "key, not damaged copies",
    Code.NO_GOOD_DUMP: "there is no good dump to copy",
    Code.NOT_COPIED_YET: "the newest good dump {file} has no verified copy on an external disk",
    Code.COPY_DAMAGED: "the external copy of {file} was found damaged by /verifikasi",
    Code.COPY_ON_LOST_DISK: "the external copy of {file} is on disk {label}, reported lost",
    Code.DRILL_NO_COPY: "there is no verified copy on an external disk to restore",
    Code.DRILL_OTHER_DISK: "the newest copy is on disk {label}, which is not plugged in",
    Code.DRILL_COPY_MISSING: "{file} is not on disk {label} any more",
    Code.DRILL_COPY_CHANGED: "{file} read back from the disk has SHA-256 {actual}, recorded "
    "{recorded}",
    Code.DRILL_DUMP_DIFFERS: "{file} restored to SHA-256 {actual}, but the dump was {recorded}",
    Code.DRILL_NOT_A_DATABASE: "the restored {file} does not open as a database: {error}",
    Code.DRILL_INTEGRITY: "integrity check of the restored database failed: {detail}",
    Code.DRILL_TABLE_UNREADABLE: "table {table} cannot be read back: {error}",
    Code.DRILL_ROWS_DIFFER: "table {table}: {found} rows restored, {expected} at dump time",
    Code.DRILL_TABLE_MISSING: "table {table} (in the dump's record) is not in the restored copy",
    Code.DRILL_HEADER: "the Data Pump header of {file} is not as expected: {detail}",
    Code.DRILL_OBJECTS_DIFFER: "{found} tables in the dump's metadata, {expected} in the export "
    "log",
    Code.DRILL_IMPORT_FAILED: "impdp did not complete ({status})",
    Code.DRILL_OVERDUE: "no passed restore drill for {days} days",
    Code.DRILL_NOT_LOADED: "{count} table(s) did not load from the dump: {tables}",
    Code.DRILL_NO_RECORD: "the dump's record holds no {what} to compare the restore with",
    Code.DRILL_SCHEMA_UNSAFE: "DRILL_SCHEMA {schema} holds real data: nothing imported",
    Code.DRILL_TABLES_NOT_CREATED: "{count} table(s) with exported rows are not created by the "
    "dump's metadata: {tables}",
    Code.DRILL_SCRATCH_MISSING: "scratch schema {schema} not found in DBA_USERS ({detail})",
    Code.DRILL_SCRATCH_NO_QUOTA: "scratch schema {schema} has no quota on its default tablespace "
    "{tablespace}",
    Code.DRILL_NEEDS_IMPDP: "DRILL_LEVEL {level} needs impdp, not found at {program}",
    Code.DRILL_NEEDS_ORACLEDB: "the Oracle drill needs python-oracledb ({detail})",
    Code.ORACLE_LOGIN: "cannot log in to Oracle at {dsn}: {code} {text} (cause: {cause})",
    Code.EXPORT_ROLE_FOR_SCHEMAS: "exporting schemas of other users ({schemas}) needs "
    "DATAPUMP_EXP_FULL_DATABASE (EXP_FULL_DATABASE before 11.2)",
    Code.DIRECTORY_PROBE_FAILED: "Data Pump could not write a test log in directory object "
    "{directory}: {cause}",
    Code.THICK_MODE_NEEDED: "Oracle {version} needs python-oracledb thick mode "
    "(ORACLE_CLIENT_LIB_DIR)",
    Code.TNS_ADMIN_NEEDED: "ORACLE_DSN {dsn} is a TNS alias: thin mode needs TNS_ADMIN",
    Code.SELFTEST_NO_TABLE: "no small table with rows found in ALL_TABLES (statistics missing?): "
    "set DRILL_TABLES",
    Code.SELFTEST_FILTER_IGNORED: "the export of {table} alone also exported {others}",
    Code.DATABASE_UNWRITABLE: "the SOP log cannot be written: {detail}",
    Code.DATABASE_VANISHED: "the SOP log file {path} was deleted or replaced",
    Code.LEGACY: "{text}",
}

Param = str | int


@dataclass(frozen=True)
class Problem:
    code: Code
    params: dict[str, Param] = field(default_factory=dict)

    def english(self) -> str:
        """The problem as a log line (missing parameters show as braces, never raise)."""
        return ENGLISH[self.code].format_map(_Lenient(self.params))

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code.value, "params": self.params}

    @classmethod
    def from_json(cls, data: Any) -> Problem:
        """A stored problem; an unknown code (a newer release wrote it) is kept as legacy text."""
        if isinstance(data, str):
            return cls(Code.LEGACY, {"text": data})
        try:
            code = Code(data["code"])
        except (KeyError, TypeError, ValueError):
            return cls(Code.LEGACY, {"text": json.dumps(data)})
        params = data.get("params") or {}
        return cls(code, {str(k): v for k, v in params.items() if isinstance(v, str | int)})

    def __str__(self) -> str:
        return self.english()


def problem(code: Code, /, **params: Param) -> Problem:
    return Problem(code, dict(params))


def dump_problems(problems: list[Problem]) -> str:
    """Problems as stored in the log (a JSON list)."""
    return json.dumps([p.to_json() for p in problems], ensure_ascii=False)


def load_problems(stored: str | None) -> list[Problem]:
    """The stored form back; old rows held one English line per problem, kept as legacy text."""
    if not stored:
        return []
    try:
        data = json.loads(stored)
    except ValueError:
        return [Problem(Code.LEGACY, {"text": line}) for line in stored.splitlines() if line]
    if not isinstance(data, list):
        return [Problem.from_json(data)]
    return [Problem.from_json(item) for item in data]


class _Lenient(dict[str, Param]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
