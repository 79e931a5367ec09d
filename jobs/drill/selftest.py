"""`sopbot uji-oracle`: the field self-test of every Oracle call the bot depends on.

The ADB runs it on the real server on day one and after any Oracle upgrade. It changes no
production data: it exports one small table (DRILL_TABLES' first, else the smallest office table
with rows) into a throwaway dump in DUMP_DIR **through the backend the bot uses** (`expdp` with
DUMP_BACKEND=expdp, DBMS_DATAPUMP through python-oracledb otherwise), reads it back the way the
drill does, imports it into the scratch schema at DRILL_LEVEL 3 (then drops it), and stops
throwaway jobs once they run, each the way the bot stops its own: the backend's export (`expdp
attach=` + KILL_JOB, or STOP_JOB on the handle) and, from DRILL_LEVEL 2, the drill's impdp
(`impdp attach=` + KILL_JOB). Each answer is compared with what the bot assumes; the report (no
secrets) goes to DATA_DIR/reports/ for bug reports, and a run where every assumption held is
remembered for /cek. docs/oracle-facts.md lists each assumption with its Oracle source.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
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
from jobs.dump import datapump_log, expdp
from jobs.dump.expdp import ExpdpBackend
from jobs.dump.oracle import (
    EXPORT_ROLES,
    OracleBackend,
    load_driver,
    login_problems,
    other_schemas,
    probe_directory,
)
from jobs.dump.oracle_schemas import oracle_maintained, server_maintained
from jobs.dump.result import BackendResult, DumpRequest, stored_outcome
from jobs.job import GOOD_OUTCOMES, Outcome, Progress, ProgressReport, StopSignal
from storage.dumps import DumpRecord
from storage.states import Trigger

log = logging.getLogger(__name__)

PASSED_KEY = "selftest:oracle:passed"  # when every assumption last held (ISO time)
SCRATCH_PREFIX = "sopbot-drill-selftest-"  # swept like the drill's scratch files
STOP_TEST_SECONDS = 900  # a throwaway job started, stopped and looked up again
LEFT_CHECKS = 5  # how often USER_DATAPUMP_JOBS is asked whether a killed job has gone
LEFT_WAIT_SECONDS = 2.0

SCN = "SELECT TIMESTAMP_TO_SCN(SYSTIMESTAMP) FROM dual"
SMALLEST = """
SELECT owner, table_name FROM (
  SELECT owner, table_name FROM all_tables
  WHERE num_rows > 0 AND temporary = 'N' AND nested = 'NO' AND secondary = 'N'
    AND owner NOT IN ('SYS', 'SYSTEM')
  ORDER BY num_rows, owner, table_name
) WHERE ROWNUM <= 200"""
JOB_LEFT = "SELECT job_name, state FROM user_datapump_jobs WHERE job_name = :job_name"
# A table name goes into a Data Pump filter (NAME_EXPR, INCLUDE): plain identifiers only.
_PLAIN = re.compile(r"[A-Z][A-Z0-9_$#]{0,127}")


class Assumption(StrEnum):
    LOGIN = "login"  # python-oracledb connects in the mode the server's version needs
    FLASHBACK_SCN = "flashback_scn"  # TIMESTAMP_TO_SCN(SYSTIMESTAMP) gives the export's SCN
    EXPORT_ROLE = "export_role"  # the export role is enabled (SESSION_ROLES) where needed
    DIRECTORY = "directory"  # Data Pump writes in the directory object = DUMP_DIR
    EXPORT = "export"  # an export through the bot's backend runs to completion
    STATUS_AFTER = "status_after"  # after completion GET_STATUS (expdp: the log) settles it
    LOG_LANGUAGE = "log_language"  # the log is in English with data lines and the Job line
    HEADER = "header"  # GET_DUMPFILE_INFO: Data Pump file, this job (owner-qualified), master
    SQLFILE = "sqlfile"  # impdp SQLFILE creates every table with rows
    IMPORT = "import"  # the scratch import (REMAP_SCHEMA/TABLESPACE, EXCLUDE) loads the rows
    STOP = "stop"  # a running export is ended on the server the way the backend ends it
    DRILL_STOP = "drill_stop"  # a running impdp job is ended by `impdp attach=` + KILL_JOB


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
        self._maintained: frozenset[str] = frozenset()
        self.poll_seconds = 2.0
        self.left_wait_seconds = LEFT_WAIT_SECONDS

    @property
    def via_expdp(self) -> bool:
        return self.settings.dump_backend == "expdp"

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
        stamp = _stamp()
        dump = self.settings.dumps / f"{SCRATCH_PREFIX}{stamp}.dmp"
        request = DumpRequest(dump, dump.with_suffix(".log"), f"SOPBOT_{stamp}")
        try:
            record = await self._export(request, owner, name, report)
            if record is not None:
                await self._read_back(driver, dump, record, report)
                await self._drill_stop(driver, dump, report)
            await self._stop(driver, owner, name, report)
        finally:
            for leftover in await asyncio.to_thread(
                self.settings.dumps.glob, f"{SCRATCH_PREFIX}{stamp}*"
            ):
                with contextlib.suppress(OSError):
                    await asyncio.to_thread(leftover.unlink)

    # --- login, SCN, role, directory, the table -----------------------------------------------

    def _connect(self, driver: Any) -> Any:
        s = self.settings
        return driver.connect(
            user=s.oracle_user, password=s.oracle_password.get_secret_value(), dsn=s.oracle_dsn
        )

    def _connected_checks(self, driver: Any, report: SelfTestReport) -> tuple[str, str] | None:
        settings = self.settings
        thin = _thin(driver)
        try:
            connection = self._connect(driver)
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
                if self.via_expdp:  # expdp exports with flashback_time=systimestamp instead
                    detail = "expdp backend: flashback_time=systimestamp, tried by the export"
                    report.add(Finding(Assumption.FLASHBACK_SCN, None, detail))
                else:
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
                self._maintained = server_maintained(cursor)
                if self._maintained:
                    report.facts.append(f"ORACLE_MAINTAINED users: {len(self._maintained)}")
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
        """DRILL_TABLES' first, else the smallest table with rows of the office's schemas (never
        one Oracle maintains); plain identifiers only, as they go into a Data Pump filter."""
        if self.settings.drill_tables:
            owner, _, name = self.settings.drill_tables[0].partition(".")
            if _PLAIN.fullmatch(owner) and _PLAIN.fullmatch(name):
                return owner, name
        schemas = set(self.settings.oracle_schemas)
        for owner, name in cursor.execute(SMALLEST):
            owner, name = str(owner), str(name)
            if not (_PLAIN.fullmatch(owner) and _PLAIN.fullmatch(name)):
                continue
            if (owner in schemas) if schemas else not oracle_maintained(owner, self._maintained):
                return owner, name
        return None

    # --- the export through the bot's backend, and what the drill reads of it -----------------

    def _backend(self, owner: str, name: str) -> OracleBackend | ExpdpBackend | Finding:
        """The backend the nightly dump uses, limited to one table of one schema."""
        s = self.settings
        if self.via_expdp:
            program = expdp.find_program(s.expdp_path)
            if program is None:
                why = [problem(Code.PROGRAM_NOT_FOUND, program=s.expdp_path)]
                return Finding(Assumption.EXPORT, False, f"expdp not found: {s.expdp_path}", why)
            backend = expdp.build(s)
            backend.program, backend.schemas, backend.tables = program, [owner], [name]
            return backend
        return OracleBackend(
            s.oracle_dsn,
            s.oracle_user,
            s.oracle_password.get_secret_value(),
            s.oracle_directory,
            s.dumps,
            [owner],
            s.oracle_client_lib_dir,
            driver=self._driver,
            poll_seconds=self.poll_seconds,
            tables=[name],
        )

    async def _export(
        self, request: DumpRequest, owner: str, name: str, report: SelfTestReport
    ) -> DumpRecord | None:
        backend = self._backend(owner, name)
        if isinstance(backend, Finding):
            report.add(backend)
            return None
        result = await backend.run(request, _ignore, StopSignal())
        done = result.outcome in GOOD_OUTCOMES
        detail = f"{_client(backend)}: outcome {result.outcome.value}"
        why = [] if done else result.errors
        # The one-table filter (NAME_EXPR on TABLE, or expdp's INCLUDE=TABLE) must hold: the
        # log's data lines name that table only (its partitions included).
        table = f"{owner}.{name}"
        others = sorted({t.name.split(":", 1)[0] for t in result.tables} - {table})
        if done and others:
            done, shown = False, ", ".join(others[:5]) + (" …" if len(others) > 5 else "")
            why = [problem(Code.SELFTEST_FILTER_IGNORED, table=table, others=shown)]
        report.add(Finding(Assumption.EXPORT, done, detail, why))
        if not done:
            return None
        parsed = self._log(request)
        report.add(self._status_after(backend, request, result, parsed))
        report.add(self._log_language(request, parsed))
        now = self.clock.now()
        return DumpRecord(
            id=0,
            run_date=now.date(),
            trigger=Trigger.SELFTEST,
            backend=backend.name,
            job_name=request.job_name,
            started_at=now,
            finished_at=now,
            outcome=stored_outcome(result.outcome),
            file_path=str(request.dump_path),
            size_bytes=None,
            sha256="",
            total_rows=sum(t.rows for t in result.tables),
            tables=[(t.name, t.rows) for t in result.tables],
            errors=[],
            warnings=[],
        )

    def _log(self, request: DumpRequest) -> datapump_log.DataPumpLog | None:
        """The job's log as the server wrote it in the directory object (DUMP_DIR), or None."""
        path = self.settings.dumps / request.log_path.name
        if not path.is_file():
            return None
        return datapump_log.parse(path.read_text("utf-8", errors="replace"), request.job_name)

    def _missing_log(self, request: DumpRequest) -> Problem:
        path = str(self.settings.dumps / request.log_path.name)
        return problem(Code.LOG_MISSING, path=path, directory=self.settings.oracle_directory)

    def _status_after(
        self,
        backend: OracleBackend | ExpdpBackend,
        request: DumpRequest,
        result: BackendResult,
        parsed: datapump_log.DataPumpLog | None,
    ) -> Finding:
        """After the end: the oracle backend's GET_STATUS answered, or failed (an invalid handle
        after COMPLETED, ORA-31623, or ORA-31626) and the log settled it; expdp's verdict always
        comes from the log's final line (the client may lose the job after it ended: UDE-00008)."""
        if isinstance(backend, OracleBackend):
            after = (
                f"GET_STATUS failed after completion ({backend.status_gone_error}); "
                "verdict from the log"
                if backend.status_gone
                else "GET_STATUS answered the final state"
            )
            return Finding(Assumption.STATUS_AFTER, True, after)
        if parsed is None:
            detail = "expdp: no log in DUMP_DIR to settle the verdict"
            return Finding(Assumption.STATUS_AFTER, False, detail, [self._missing_log(request)])
        lost = "UDE-00008" in result.output
        held = parsed.final_status is not None and not parsed.foreign
        detail = (
            "expdp lost the job after it ended (UDE-00008); " if lost else "expdp: "
        ) + f"the log's final Job line: {parsed.job_name} {parsed.final_status}"
        return Finding(Assumption.STATUS_AFTER, held, detail)

    def _log_language(
        self, request: DumpRequest, parsed: datapump_log.DataPumpLog | None
    ) -> Finding:
        if parsed is None:
            detail = "no log file in DUMP_DIR"
            return Finding(Assumption.LOG_LANGUAGE, False, detail, [self._missing_log(request)])
        held = bool(parsed.tables) and parsed.final_status is not None
        detail = f"{len(parsed.tables)} data line(s), final line: {parsed.final_status}"
        return Finding(Assumption.LOG_LANGUAGE, held, detail)

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

    # --- ending running jobs on the server, the bot's way ------------------------------------

    async def _drill_stop(self, driver: Any, dump: Path, report: SelfTestReport) -> None:
        """From DRILL_LEVEL 2 the drill runs impdp, which a corrupt dump can make hang: its
        deadline ends impdp and then `impdp attach=<job>` + KILL_JOB (Oracle Database Utilities,
        Import ATTACH: attaches to an existing import job). Tried on an impdp SQLFILE job of the
        throwaway dump, stopped as soon as it runs."""
        from jobs.drill.oracle_proof import ImpdpRun

        if self.settings.drill_level < Level.METADATA:
            report.add(Finding(Assumption.DRILL_STOP, None, "DRILL_LEVEL 1 runs no impdp"))
            return
        stamp = _stamp()
        run = ImpdpRun(self.settings, [f"sqlfile={SCRATCH_PREFIX}{stamp}-stop.sql"])
        request = DumpRequest(
            dump, dump.with_name(f"{SCRATCH_PREFIX}{stamp}-stop.log"), f"SOPBOT_DRILL_{stamp}"
        )
        try:
            result = await _stopped_once_running(run, request)
        finally:
            for leftover in await asyncio.to_thread(
                self.settings.dumps.glob, f"{SCRATCH_PREFIX}{stamp}*"
            ):
                with contextlib.suppress(OSError):
                    await asyncio.to_thread(leftover.unlink)
        how = f"{_client(run)} attach={request.job_name}, KILL_JOB"
        report.add(await self._ended(driver, Assumption.DRILL_STOP, request.job_name, result, how))

    async def _stop(self, driver: Any, owner: str, name: str, report: SelfTestReport) -> None:
        """A second throwaway export through the bot's backend, stopped once it runs, as a
        timeout or a stop of the bot would: expdp ended then `expdp attach=` + KILL_JOB, or
        STOP_JOB(immediate, keep_master 0) on the handle; DETACH alone leaves a job running."""
        backend = self._backend(owner, name)
        if isinstance(backend, Finding):
            report.add(Finding(Assumption.STOP, None, backend.detail))
            return
        stamp = _stamp()
        dump = self.settings.dumps / f"{SCRATCH_PREFIX}{stamp}.dmp"
        request = DumpRequest(dump, dump.with_suffix(".log"), f"SOPBOT_{stamp}")
        try:
            result = await _stopped_once_running(backend, request)
        finally:
            await asyncio.to_thread(_remove_scratch, self.settings.dumps, stamp)
        how = (
            f"{_client(backend)} attach={request.job_name}, KILL_JOB"
            if isinstance(backend, ExpdpBackend)
            else "STOP_JOB(immediate 1, keep_master 0)"
        )
        report.add(await self._ended(driver, Assumption.STOP, request.job_name, result, how))

    async def _ended(
        self, driver: Any, assumption: Assumption, job: str, result: BackendResult, how: str
    ) -> Finding:
        """Held when the job was stopped and USER_DATAPUMP_JOBS no longer shows it; not tried
        when it ended by itself first (too small to be caught running: nothing proved)."""
        ended_first = f"{how}: the job ended before it was stopped"
        if result.outcome in GOOD_OUTCOMES:
            return Finding(assumption, None, ended_first)
        said = [p for p in result.errors + result.warnings if p.code is not Code.STOPPED]
        if result.outcome is not Outcome.INTERRUPTED:
            return Finding(assumption, False, f"{how}: {result.outcome.value}", said)
        left = await asyncio.to_thread(self._left, driver, job)
        if isinstance(left, Finding):
            return Finding(assumption, False, left.detail, left.problems)
        if left:  # still on the server: the bot's way of stopping it did not work here
            why = said or [problem(Code.SERVER_JOB_NOT_STOPPED, job=job)]
            return Finding(assumption, False, f"{how}: {left}", why)
        if any(p.code is Code.SERVER_JOB_NOT_STOPPED for p in said):
            # The stop found no job (ORA-31626) and none is left: it had ended by itself.
            return Finding(assumption, None, ended_first)
        return Finding(assumption, True, f"{how}: no job left")

    def _left(self, driver: Any, job: str) -> list[tuple[str, str]] | Finding:
        """The job's rows in USER_DATAPUMP_JOBS, asked again for a few seconds while it leaves."""
        try:
            connection = self._connect(driver)
        except driver.Error as exc:
            why = login_problems(exc, self.settings.oracle_dsn)
            return Finding(Assumption.STOP, False, _first(exc), why)
        try:
            with connection.cursor() as cursor:
                for attempt in range(LEFT_CHECKS):
                    left = [(str(r[0]), str(r[1])) for r in cursor.execute(JOB_LEFT, job_name=job)]
                    if not left or attempt == LEFT_CHECKS - 1:
                        return left
                    time.sleep(self.left_wait_seconds)  # a worker thread: it may block
                return left
        except driver.Error as exc:
            return Finding(Assumption.STOP, False, _first(exc), _coded(exc))
        finally:
            connection.close()


async def _stopped_once_running(
    backend: OracleBackend | ExpdpBackend, request: DumpRequest
) -> BackendResult:
    """Run a throwaway job and stop it as soon as the backend says it runs (state EXECUTING:
    expdp/impdp's `Starting` line, or GET_STATUS), the way a timeout stops the bot's jobs."""
    stop = StopSignal()

    def running(progress: Progress) -> None:
        # The oracle backend calls this from its worker thread: nothing awaits `stop` then, and
        # the thread reads its flag, so setting it there is safe.
        if progress.state == "EXECUTING" and not stop.is_set():
            stop.set(problem(Code.STOPPED))

    report: ProgressReport = running
    return await asyncio.wait_for(backend.run(request, report, stop), STOP_TEST_SECONDS)


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


def _stamp() -> str:
    return f"{uuid.uuid4().int % 10**10:010d}"


def _client(backend: OracleBackend | ExpdpBackend) -> str:
    """The Data Pump client by its name without a file extension (expdp, impdp), or the API."""
    if isinstance(backend, ExpdpBackend):
        return Path(backend.program).stem
    return "DBMS_DATAPUMP"


def _first(exc: Exception) -> str:
    lines = str(exc).splitlines()
    return lines[0][:300] if lines else type(exc).__name__


def _coded(exc: Exception) -> list[Problem]:
    return [e for e in datapump_log.error_lines(str(exc)) if e.params.get("code") != "ORA-06512"]


def _thin(driver: Any) -> bool:
    is_thin = getattr(driver, "is_thin_mode", None)
    return bool(is_thin()) if callable(is_thin) else True


def _remove_scratch(folder: Path, stamp: str) -> None:
    """The test export's files, whatever the export left (run on a worker thread)."""
    for leftover in folder.glob(f"{SCRATCH_PREFIX}{stamp}*"):
        with contextlib.suppress(OSError):
            leftover.unlink()
