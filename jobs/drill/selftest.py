"""`sopbot uji-oracle`: the field self-test of every Oracle call the bot depends on.

The ADB runs it on the real server on day one and after any Oracle upgrade. It changes no
production data: it exports one small table (DRILL_TABLES' first, else the smallest office table
with rows) into a throwaway dump in DUMP_DIR, reads it back the way the drill does, imports it
into the scratch schema at DRILL_LEVEL 3 (then drops it), and stops a second throwaway job. Each
answer is compared with what the bot assumes; the report (no secrets) goes to
DATA_DIR/reports/ for bug reports, and a run where every assumption held is remembered for /cek.

The assumptions and their sources (TECH-NOTES.md "Oracle Data Pump from Python" and "Data Pump,
round two"): python-oracledb's mode for the server's version (thin 12.1+, DPY-3010);
TIMESTAMP_TO_SCN for FLASHBACK_SCN; the export role through SESSION_ROLES; the directory object
being DUMP_DIR; an export to completion with GET_STATUS after it answering or failing with
ORA-31626 (bug 5969934) and the log settling the verdict; the log in English with `. . exported`
lines and the final Job line; KU$_DFHDR_JOB_NAME owner-qualified; impdp SQLFILE creating every
table with rows; the scratch import with REMAP_TABLESPACE; a running job ended on the server
the way the bot ends them: `expdp|impdp attach=` with KILL_JOB, else DBMS_DATAPUMP.ATTACH and
STOP_JOB (DETACH alone leaves a job running).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from core.clock import Clock
from core.problems import Code, Problem, problem
from core.secrets import mask
from core.settings import Settings
from jobs.drill.result import Level
from jobs.dump import datapump_log
from jobs.dump.expdp import ExpdpBackend
from jobs.dump.oracle import (
    EXPORT_ROLES,
    OracleBackend,
    load_driver,
    login_problems,
    other_schemas,
    probe_directory,
)
from jobs.dump.oracle_schemas import oracle_maintained
from jobs.dump.result import DumpRequest
from jobs.job import GOOD_OUTCOMES, Progress, StopSignal
from storage.dumps import DumpRecord

log = logging.getLogger(__name__)

PASSED_KEY = "selftest:oracle:passed"  # when every assumption last held (ISO time)
SCRATCH_PREFIX = "sopbot-drill-selftest-"  # swept like the drill's scratch files

SCN = "SELECT TIMESTAMP_TO_SCN(SYSTIMESTAMP) FROM dual"
SMALLEST = """
SELECT owner, table_name FROM (
  SELECT owner, table_name FROM all_tables
  WHERE num_rows > 0 AND temporary = 'N' AND nested = 'NO' AND secondary = 'N'
    AND owner NOT IN ('SYS', 'SYSTEM')
  ORDER BY num_rows, owner, table_name
) WHERE ROWNUM <= 200"""
ATTACH_AND_STOP = """
DECLARE
  h NUMBER;
BEGIN
  h := DBMS_DATAPUMP.ATTACH(job_name => :job_name, job_owner => USER);
  DBMS_DATAPUMP.STOP_JOB(handle => h, immediate => 1, keep_master => 0);
END;"""
JOB_LEFT = "SELECT job_name, state FROM user_datapump_jobs WHERE job_name = :job_name"


class Assumption(StrEnum):
    LOGIN = "login"  # python-oracledb connects in the mode the server's version needs
    FLASHBACK_SCN = "flashback_scn"  # TIMESTAMP_TO_SCN(SYSTIMESTAMP) gives the export's SCN
    EXPORT_ROLE = "export_role"  # the export role is enabled (SESSION_ROLES) where needed
    DIRECTORY = "directory"  # Data Pump writes in the directory object = DUMP_DIR
    EXPORT = "export"  # an export runs to completion
    STATUS_AFTER = "status_after"  # after completion GET_STATUS answers, or the log settles it
    LOG_LANGUAGE = "log_language"  # the log is in English with data lines and the Job line
    HEADER = "header"  # GET_DUMPFILE_INFO: Data Pump file, this job (owner-qualified), master
    SQLFILE = "sqlfile"  # impdp SQLFILE creates every table with rows
    IMPORT = "import"  # the scratch import (REMAP_SCHEMA/TABLESPACE, EXCLUDE) loads the rows
    STOP = "stop"  # a running job is ended on the server by ATTACH + STOP_JOB


@dataclass
class Finding:
    assumption: Assumption
    held: bool | None  # None: not tried (a lower DRILL_LEVEL, or an earlier step failed)
    detail: str = ""  # English, for the report file
    problems: list[Problem] = field(default_factory=list)


@dataclass
class SelfTestReport:
    started_at: datetime
    finished_at: datetime | None = None
    findings: list[Finding] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)  # version, mode, table, level…

    @property
    def passed(self) -> bool:
        tried = [f for f in self.findings if f.held is not None]
        return bool(tried) and all(f.held for f in tried)

    def add(self, found: Finding) -> Finding:
        self.findings.append(found)
        return found


class OracleSelfTest:
    def __init__(self, settings: Settings, clock: Clock, driver: Any = None) -> None:
        self.settings, self.clock = settings, clock
        self._driver = driver
        self.poll_seconds = 2.0

    async def run(self) -> SelfTestReport:
        report = SelfTestReport(self.clock.now())
        try:
            await self._run(report)
        finally:
            report.finished_at = self.clock.now()
        return report

    async def _run(self, report: SelfTestReport) -> None:
        settings = self.settings
        report.facts.append(f"DRILL_LEVEL {settings.drill_level}")
        report.facts.append(f"DUMP_BACKEND {settings.dump_backend}")
        try:
            driver = self._driver or load_driver(settings)
        except ImportError as exc:
            report.add(
                Finding(
                    Assumption.LOGIN,
                    False,
                    f"python-oracledb: {exc}",
                    [problem(Code.DRILL_NEEDS_ORACLEDB, detail=str(exc)[:200])],
                )
            )
            return
        except Exception as exc:  # thick mode's client libraries (DPI-1047)
            why = login_problems(exc, settings.oracle_dsn)
            report.add(Finding(Assumption.LOGIN, False, str(exc)[:300], why))
            return
        self._driver = driver
        table = await asyncio.to_thread(self._connected_checks, driver, report)
        if table is None:
            return
        owner, name = table
        report.facts.append(f"table {owner}.{name}")
        stamp = f"{uuid.uuid4().int % 10**10:010d}"
        dump = self.settings.dumps / f"{SCRATCH_PREFIX}{stamp}.dmp"
        request = DumpRequest(dump, dump.with_suffix(".log"), f"SOPBOT_{stamp}")
        try:
            record = await self._export(driver, request, owner, name, report)
            if record is not None:
                await self._read_back(driver, dump, record, report)
            await self._stop(driver, owner, name, report)
        finally:
            for leftover in await asyncio.to_thread(
                self.settings.dumps.glob, f"{SCRATCH_PREFIX}{stamp}*"
            ):
                with contextlib.suppress(OSError):
                    leftover.unlink()

    # --- login, SCN, role, directory, the table -----------------------------------------------

    def _connected_checks(self, driver: Any, report: SelfTestReport) -> tuple[str, str] | None:
        settings = self.settings
        thin = _thin(driver)
        try:
            connection = driver.connect(
                user=settings.oracle_user,
                password=settings.oracle_password.get_secret_value(),
                dsn=settings.oracle_dsn,
            )
        except driver.Error as exc:
            why = login_problems(exc, settings.oracle_dsn)
            report.add(Finding(Assumption.LOGIN, False, _first(exc), why))
            return None
        version = str(getattr(connection, "version", "?"))
        mode = "thin" if thin else "thick"
        report.facts += [f"Oracle {version}", f"python-oracledb {mode}"]
        report.add(Finding(Assumption.LOGIN, True, f"Oracle {version}, python-oracledb {mode}"))
        try:
            with connection.cursor() as cursor:
                report.add(self._scn(cursor, driver))
                roles = {row[0] for row in cursor.execute(EXPORT_ROLES)}
                needed = not settings.oracle_schemas or bool(other_schemas(settings))
                held = bool(roles) or not needed
                detail = f"SESSION_ROLES: {', '.join(sorted(roles)) or 'none'}"
                why = [] if held else [problem(Code.EXPORT_ROLE_MISSING)]
                report.add(Finding(Assumption.EXPORT_ROLE, held, detail, why))
                seen, refused = probe_directory(cursor, settings)
                detail = f"{settings.oracle_directory} probe: {seen}"
                report.add(Finding(Assumption.DIRECTORY, seen is True, detail, refused))
                if seen is not True:
                    return None
                table = self._table(cursor)
                if table is None:
                    why = [problem(Code.SELFTEST_NO_TABLE)]
                    report.add(Finding(Assumption.EXPORT, False, "no table to export", why))
                return table
        except driver.Error as exc:
            report.add(Finding(Assumption.EXPORT, False, _first(exc), _coded(exc)))
            return None
        finally:
            connection.close()

    def _scn(self, cursor: Any, driver: Any) -> Finding:
        try:
            row = cursor.execute(SCN).fetchone()
        except driver.Error as exc:
            return Finding(Assumption.FLASHBACK_SCN, False, _first(exc), _coded(exc))
        held = row is not None and isinstance(row[0], int | float) and row[0] > 0
        return Finding(Assumption.FLASHBACK_SCN, held, f"SCN {row[0] if row else None}")

    def _table(self, cursor: Any) -> tuple[str, str] | None:
        """DRILL_TABLES' first, else the smallest table with rows of the office's schemas."""
        if self.settings.drill_tables:
            owner, _, name = self.settings.drill_tables[0].partition(".")
            return owner, name
        schemas = set(self.settings.oracle_schemas)
        for owner, name in cursor.execute(SMALLEST):
            owner, name = str(owner), str(name)
            if (owner in schemas) if schemas else not oracle_maintained(owner):
                return owner, name
        return None

    # --- the export, and what the drill reads of it -------------------------------------------

    def _backend(self, driver: Any, owner: str, name: str) -> OracleBackend:
        s = self.settings
        return OracleBackend(
            s.oracle_dsn,
            s.oracle_user,
            s.oracle_password.get_secret_value(),
            s.oracle_directory,
            s.dumps,
            [owner],
            s.oracle_client_lib_dir,
            driver=driver,
            poll_seconds=self.poll_seconds,
            tables=[name],
        )

    async def _export(
        self, driver: Any, request: DumpRequest, owner: str, name: str, report: SelfTestReport
    ) -> DumpRecord | None:
        backend = self._backend(driver, owner, name)
        result = await backend.run(request, _ignore, StopSignal())
        done = result.outcome in GOOD_OUTCOMES
        detail = f"outcome {result.outcome.value}"
        report.add(Finding(Assumption.EXPORT, done, detail, [] if done else result.errors))
        if not done:
            return None
        after = (
            "GET_STATUS failed after completion (ORA-31626, bug 5969934); verdict from the log"
            if backend.status_gone
            else "GET_STATUS answered the final state"
        )
        report.add(Finding(Assumption.STATUS_AFTER, True, after))
        english = bool(result.tables) and not any(
            w.code is Code.LOG_MISSING for w in result.warnings
        )
        detail = f"{len(result.tables)} data line(s) read from the log"
        why = [w for w in result.warnings if w.code is Code.LOG_MISSING]
        report.add(Finding(Assumption.LOG_LANGUAGE, english, detail, why))
        now = self.clock.now()
        return DumpRecord(
            id=0,
            run_date=now.date(),
            trigger="selftest",
            backend="oracle",
            job_name=request.job_name,
            started_at=now,
            finished_at=now,
            outcome=result.outcome.value,
            file_path=str(request.dump_path),
            size_bytes=None,
            sha256="",
            total_rows=sum(t.rows for t in result.tables),
            tables=[(t.name, t.rows) for t in result.tables],
            errors=[],
            warnings=[],
        )

    async def _read_back(
        self, driver: Any, dump: Path, record: DumpRecord, report: SelfTestReport
    ) -> None:
        from jobs.drill.oracle_proof import OracleProver

        prover = OracleProver(self.settings, driver)
        found = await asyncio.to_thread(prover._header, dump.name, record)
        header = next((p.english() for p in found.proofs), "")
        report.add(Finding(Assumption.HEADER, not found.problems, header, found.problems))
        if found.problems or self.settings.drill_level < Level.METADATA:
            return
        if not record.tables:  # the log gave no data lines: nothing to compare the reads with
            report.add(Finding(Assumption.SQLFILE, None, "no data lines in the export log"))
            return
        stop = StopSignal()
        found = await prover._metadata(dump, record, stop)
        detail = "; ".join(p.english() for p in found.proofs)
        report.add(Finding(Assumption.SQLFILE, not found.problems, detail, found.problems))
        if found.problems or self.settings.drill_level < Level.IMPORT:
            return
        found = await prover._import(dump, record, stop)
        detail = "; ".join(p.english() for p in found.proofs)
        report.add(Finding(Assumption.IMPORT, not found.problems, detail, found.problems))

    # --- ending a running job on the server ---------------------------------------------------

    def _client(self) -> ExpdpBackend | None:
        """The Data Pump client the bot ends jobs with (`attach=` and KILL_JOB): expdp for the
        expdp backend, impdp for the drill from level 2; None when neither is used or found."""
        from jobs.drill.oracle_proof import ImpdpRun
        from jobs.dump import expdp

        s = self.settings
        if s.dump_backend == "expdp" and expdp.find_program(s.expdp_path):
            return expdp.build(s)
        if s.drill_level >= Level.METADATA and expdp.find_program(s.impdp_path):
            return ImpdpRun(s, [])
        return None

    async def _stop(self, driver: Any, owner: str, name: str, report: SelfTestReport) -> None:
        stamp = f"{uuid.uuid4().int % 10**10:010d}"
        job = f"SOPBOT_{stamp}"
        client = self._client()
        try:
            found = await asyncio.to_thread(self._start_second, driver, job, stamp, owner, name)
            if found is None:
                if client is not None:  # as the bot ends expdp's and impdp's jobs
                    why = await client._attach_and_stop(job)
                    how = f"{Path(client.program).stem} attach={job}, KILL_JOB"
                    if why:
                        log.warning("Self-test: %s failed: %s", how, why)
                else:
                    how = "ATTACH, STOP_JOB(immediate, keep_master 0)"
                found = await asyncio.to_thread(self._ended, driver, job, client is None, how)
        finally:
            for leftover in await asyncio.to_thread(
                self.settings.dumps.glob, f"{SCRATCH_PREFIX}{stamp}*"
            ):
                with contextlib.suppress(OSError):
                    leftover.unlink()
        report.add(found)

    def _start_second(
        self, driver: Any, job: str, stamp: str, owner: str, name: str
    ) -> Finding | None:
        """A second throwaway job, left running (DETACH does not stop it); None when it runs."""
        from jobs.dump.oracle import DETACH, OPEN_JOB

        s = self.settings
        try:
            connection = driver.connect(
                user=s.oracle_user, password=s.oracle_password.get_secret_value(), dsn=s.oracle_dsn
            )
        except driver.Error as exc:
            return Finding(Assumption.STOP, False, _first(exc), login_problems(exc, s.oracle_dsn))
        try:
            with connection.cursor() as cursor:
                handle, scn, errors = cursor.var(int), cursor.var(int), cursor.var(str)
                failed = cursor.var(int)
                cursor.execute(
                    OPEN_JOB,
                    job_mode="SCHEMA",
                    job_name=job,
                    dump_file=f"{SCRATCH_PREFIX}{stamp}.dmp",
                    log_file=f"{SCRATCH_PREFIX}{stamp}.log",
                    directory=s.oracle_directory,
                    schema_expr=f"IN ('{owner}')",
                    name_expr=f"IN ('{name}')",
                    handle=handle,
                    scn=scn,
                    errors=errors,
                    failed=failed,
                )
                if failed.getvalue():
                    found = datapump_log.error_lines(str(errors.getvalue() or ""))
                    return Finding(Assumption.STOP, False, "second job did not start", found)
                cursor.execute(DETACH, handle=handle.getvalue())
        except driver.Error as exc:
            return Finding(Assumption.STOP, False, _first(exc), _coded(exc))
        finally:
            connection.close()
        return None

    def _ended(self, driver: Any, job: str, attach_here: bool, how: str) -> Finding:
        """End the job from this session when no client did, then look it up: gone is held."""
        s = self.settings
        try:
            connection = driver.connect(
                user=s.oracle_user, password=s.oracle_password.get_secret_value(), dsn=s.oracle_dsn
            )
        except driver.Error as exc:
            return Finding(Assumption.STOP, False, _first(exc), login_problems(exc, s.oracle_dsn))
        try:
            with connection.cursor() as cursor:
                if attach_here:
                    cursor.execute(ATTACH_AND_STOP, job_name=job)
                left = list(cursor.execute(JOB_LEFT, job_name=job))
        except driver.Error as exc:
            # ORA-31626 here: the small job had already completed; nothing was left to stop.
            if "ORA-31626" in str(exc):
                return Finding(Assumption.STOP, True, "the job had already ended (ORA-31626)")
            return Finding(Assumption.STOP, False, _first(exc), _coded(exc))
        finally:
            connection.close()
        held = not [row for row in left if str(row[1]) not in ("NOT RUNNING",)]
        return Finding(Assumption.STOP, held, f"{how}: {left or 'no job left'}")


def write_report(report: SelfTestReport, settings: Settings, lines: list[str]) -> Path:
    """The report under DATA_DIR/reports/, secrets masked (the ADB sends it with bug reports)."""
    folder = settings.data_dir / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"uji-oracle-{report.started_at:%Y%m%d-%H%M%S}.txt"
    technical = [
        "",
        "--- technical detail (English) ---",
        f"started {report.started_at.isoformat()}",
        f"finished {report.finished_at.isoformat() if report.finished_at else '-'}",
        f"DSN {settings.oracle_dsn}, user {settings.oracle_user}",
        *report.facts,
        *(
            f"{f.assumption.value}: "
            f"{'held' if f.held else 'not tried' if f.held is None else 'DID NOT HOLD'}"
            f" - {f.detail}" + "".join(f"\n    {p.english()}" for p in f.problems)
            for f in report.findings
        ),
    ]
    path.write_text(mask("\n".join([*lines, *technical]) + "\n", settings.secrets), "utf-8")
    return path


def _ignore(_progress: Progress) -> None:
    """The self-test says each step, not percentages."""


def _first(exc: Exception) -> str:
    lines = str(exc).splitlines()
    return lines[0][:300] if lines else type(exc).__name__


def _coded(exc: Exception) -> list[Problem]:
    return [e for e in datapump_log.error_lines(str(exc)) if e.params.get("code") != "ORA-06512"]


def _thin(driver: Any) -> bool:
    is_thin = getattr(driver, "is_thin_mode", None)
    return bool(is_thin()) if callable(is_thin) else True
