"""The `oracle` backend: a Data Pump export driven through python-oracledb's DBMS_DATAPUMP.

This is the only code that talks to a real Oracle database. What it does, in order:

1. connect (thin mode; thick mode when ORACLE_CLIENT_LIB_DIR is set, needed for Oracle 11g);
2. report leftover stopped jobs of ours (USER_DATAPUMP_JOBS, names starting SOPBOT_);
3. DBMS_DATAPUMP.OPEN('EXPORT', 'FULL' or 'SCHEMA', NULL, <job name>), ADD_FILE for the dump and
   the log in the directory object, METADATA_FILTER(SCHEMA_EXPR) for listed schemas, START_JOB;
4. poll GET_STATUS (timeout 0: it never blocks) every few seconds for percent done and job state,
   in a worker thread so the bot's event loop never blocks;
5. DETACH (refused after COMPLETED is expected: an invalid handle), then read the log file the
   server wrote in DUMP_DIR (the directory object's folder) for the per-table rows and the final
   verdict.

Stopping (a timeout, the bot stopping): DETACH alone leaves the job running on the server, so
the poll loop, told to stop, sends STOP_JOB(immediate => 1, keep_master => 0), which detaches too.

The Oracle user needs DATAPUMP_EXP_FULL_DATABASE (EXP_FULL_DATABASE on old releases) for a full
export, and READ, WRITE on the directory object (see the README).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.problems import Code, Problem, problem
from core.settings import Settings
from jobs.dump import datapump_log
from jobs.dump.result import (
    BackendCheck,
    BackendResult,
    BackendSpec,
    DumpBackend,
    DumpRequest,
)
from jobs.job import Outcome, Progress, ProgressReport, StopSignal

if TYPE_CHECKING:
    from jobs.drill.verdict import Prover

log = logging.getLogger(__name__)

POLL_SECONDS = 5.0
JOB_PREFIX = "SOPBOT_"

OPEN_JOB = """
DECLARE
  h NUMBER;
  scn NUMBER;
  job_state VARCHAR2(30);
  sts ku$_Status;
  messages VARCHAR2(4000);
BEGIN
  :failed := 0;
  h := DBMS_DATAPUMP.OPEN(operation => 'EXPORT', job_mode => :job_mode,
                          remote_link => NULL, job_name => :job_name);
  :handle := h;
  DBMS_DATAPUMP.ADD_FILE(handle => h, filename => :dump_file, directory => :directory,
                         filetype => DBMS_DATAPUMP.KU$_FILE_TYPE_DUMP_FILE);
  DBMS_DATAPUMP.ADD_FILE(handle => h, filename => :log_file, directory => :directory,
                         filetype => DBMS_DATAPUMP.KU$_FILE_TYPE_LOG_FILE);
  IF :schema_expr IS NOT NULL THEN
    DBMS_DATAPUMP.METADATA_FILTER(handle => h, name => 'SCHEMA_EXPR', value => :schema_expr);
  END IF;
  IF :name_expr IS NOT NULL THEN  -- `sopbot uji-oracle`: one small table only
    DBMS_DATAPUMP.METADATA_FILTER(handle => h, name => 'NAME_EXPR', value => :name_expr,
                                  object_path => 'TABLE');
  END IF;
  -- Every table as of one moment: without it each is exported at its own (ORA-02298 on import).
  SELECT TIMESTAMP_TO_SCN(SYSTIMESTAMP) INTO scn FROM dual;  -- needs no extra grant
  :scn := scn;
  DBMS_DATAPUMP.SET_PARAMETER(handle => h, name => 'FLASHBACK_SCN', value => scn);
  DBMS_DATAPUMP.START_JOB(h);
EXCEPTION
  WHEN OTHERS THEN
    -- OPEN/ADD_FILE/START_JOB raise a bare ORA-39001/39002; the cause is in the job's status,
    -- asked with a NULL handle when OPEN itself failed (h is then NULL).
    BEGIN
      DBMS_DATAPUMP.GET_STATUS(h, DBMS_DATAPUMP.KU$_STATUS_JOB_ERROR, 0, job_state, sts);
      IF sts.error IS NOT NULL AND sts.error.COUNT > 0 THEN
        FOR i IN sts.error.FIRST .. sts.error.LAST LOOP
          messages := SUBSTR(messages || sts.error(i).LogText || CHR(10), 1, 4000);
        END LOOP;
      END IF;
    EXCEPTION WHEN OTHERS THEN NULL;
    END;
    IF h IS NOT NULL THEN
      BEGIN
        DBMS_DATAPUMP.STOP_JOB(h);  -- a job never started: removed with its master table
      EXCEPTION WHEN OTHERS THEN NULL;
      END;
    END IF;
    -- Not re-raised: OUT binds are only returned by a block that ends normally.
    :errors := SUBSTR(messages || DBMS_UTILITY.FORMAT_ERROR_STACK, 1, 4000);
    :failed := 1;
END;"""

NLS = (
    "ALTER SESSION SET NLS_LANGUAGE = 'AMERICAN' NLS_TERRITORY = 'AMERICA' "
    "NLS_NUMERIC_CHARACTERS = '.,'"
)  # the job's messages and numbers as the log reader expects them, whatever the server's

JOB_STATUS = """
DECLARE
  job_state VARCHAR2(30);
  sts ku$_Status;
  messages VARCHAR2(4000);
BEGIN
  DBMS_DATAPUMP.GET_STATUS(:handle,
    DBMS_DATAPUMP.KU$_STATUS_JOB_ERROR + DBMS_DATAPUMP.KU$_STATUS_JOB_STATUS, 0,
    job_state, sts);
  :state := job_state;
  :percent := sts.job_status.percent_done;
  IF sts.error IS NOT NULL AND sts.error.COUNT > 0 THEN
    FOR i IN sts.error.FIRST .. sts.error.LAST LOOP
      messages := SUBSTR(messages || sts.error(i).LogText || CHR(10), 1, 4000);
    END LOOP;
  END IF;
  :errors := messages;
END;"""

DETACH = "BEGIN DBMS_DATAPUMP.DETACH(:handle); END;"
STOP_JOB = "BEGIN DBMS_DATAPUMP.STOP_JOB(handle => :handle, immediate => 1, keep_master => 0); END;"

# Our exports' jobs; the drill's import jobs (SOPBOT_DRILL_…) are the drill's to end.
OUR_JOBS = (
    "SELECT job_name, state FROM user_datapump_jobs WHERE job_name LIKE 'SOPBOT\\_%' ESCAPE '\\' "
    "AND job_name NOT LIKE 'SOPBOT\\_DRILL\\_%' ESCAPE '\\'"
)
ACCOUNT = "SELECT account_status, expiry_date FROM user_users"
QUOTA = """
SELECT u.default_tablespace, q.max_bytes,
       (SELECT COUNT(*) FROM user_sys_privs WHERE privilege = 'UNLIMITED TABLESPACE')
FROM user_users u
LEFT JOIN user_ts_quotas q ON q.tablespace_name = u.default_tablespace"""
EXPIRY_WARNING = timedelta(days=14)

FINAL_STATES = {"COMPLETED", "STOPPED", "NOT RUNNING", "UNDEFINED"}
GONE = "GONE"  # GET_STATUS or DETACH failed: the job's state is only known from its log


class OracleBackend:
    name = "oracle"
    stop_seconds = 30  # a STOP_JOB and a DETACH, after at most one poll

    def __init__(
        self,
        dsn: str,
        user: str,
        password: str,
        directory: str,
        dump_dir: Path,
        schemas: list[str],
        client_lib_dir: Path | None,
        driver: Any = None,
        poll_seconds: float = POLL_SECONDS,
        tables: list[str] | None = None,
    ) -> None:
        self.dsn, self.user, self._password = dsn, user, password
        self.directory, self.dump_dir, self.schemas = directory, dump_dir, schemas
        self.client_lib_dir = client_lib_dir
        self.poll_seconds = poll_seconds
        self._driver = driver  # the oracledb module, or a stand-in with the same calls
        self.tables = tables or []  # table names to export alone (the field self-test)
        self.status_gone = False  # GET_STATUS failed after START_JOB: the log settles it
        self.status_gone_error = ""  # what GET_STATUS raised then (its first line)

    def _oracledb(self) -> Any:
        if self._driver is None:
            import oracledb

            if self.client_lib_dir is not None and oracledb.is_thin_mode():
                oracledb.init_oracle_client(lib_dir=str(self.client_lib_dir))
            self._driver = oracledb
        return self._driver

    async def run(
        self, request: DumpRequest, report: ProgressReport, stop: StopSignal
    ) -> BackendResult:
        # The thread watches `stop` between polls and stops the server's job itself.
        return await asyncio.to_thread(self._export, request, report, stop)

    def _export(
        self, request: DumpRequest, report: ProgressReport, stop: StopSignal
    ) -> BackendResult:
        oracledb = self._oracledb()
        try:
            connection = oracledb.connect(user=self.user, password=self._password, dsn=self.dsn)
        except oracledb.Error as exc:
            return BackendResult(Outcome.FAILED, errors=login_problems(exc, self.dsn))
        warnings: list[Problem] = []
        try:
            with connection.cursor() as cursor:
                cursor.execute(NLS)
                running = self._clear_leftovers(cursor, warnings)
                if running is not None:  # never two exports of ours side by side
                    return BackendResult(
                        Outcome.FAILED, errors=[problem(Code.OUR_JOB_RUNNING, job=running)]
                    )
                warnings += _expiry(cursor) + _quota(cursor)
                handle, scn, errors_var = cursor.var(int), cursor.var(int), cursor.var(str)
                failed = cursor.var(int)
                schema_expr = (
                    "IN (" + ",".join(f"'{name}'" for name in self.schemas) + ")"
                    if self.schemas
                    else None
                )
                cursor.execute(
                    OPEN_JOB,
                    job_mode="SCHEMA" if self.schemas else "FULL",
                    job_name=request.job_name,
                    dump_file=request.dump_path.name,
                    log_file=request.log_path.name,
                    directory=self.directory,
                    schema_expr=schema_expr,
                    name_expr=(
                        "IN (" + ",".join(f"'{t}'" for t in self.tables) + ")"
                        if self.tables
                        else None
                    ),
                    handle=handle,
                    scn=scn,
                    errors=errors_var,
                    failed=failed,
                )
                if failed.getvalue():  # the job's own cause first, then Oracle's generic lines
                    lines = datapump_log.error_lines(str(errors_var.getvalue() or ""))
                    found = [e for e in lines if e.params.get("code") != "ORA-06512"]
                    errors_seen = found or [problem(Code.BACKEND_ERROR, error="open failed")]
                    return BackendResult(Outcome.FAILED, errors=errors_seen, warnings=warnings)
                log.info("Export %s consistent as of SCN %s", request.job_name, scn.getvalue())
                state, errors = self._poll(cursor, handle.getvalue(), report, stop)
                if state == "STOPPING":  # STOP_JOB also detaches: no DETACH after it (ORA-31623)
                    warnings += self._stop_job(cursor, handle.getvalue(), request.job_name)
                elif state != GONE:
                    try:
                        cursor.execute(DETACH, handle=handle.getvalue())
                    except oracledb.Error as exc:
                        # After a final state, later calls on the handle "will likely result in
                        # an invalid_handle exception" (ORA-31623; DBMS_DATAPUMP package
                        # specification, GET_STATUS): the state GET_STATUS gave stands.
                        log.warning("DETACH after %s: %s", state, str(exc).splitlines()[0])
        except oracledb.Error as exc:
            return BackendResult(Outcome.FAILED, errors=_describe(exc), warnings=warnings)
        finally:
            connection.close()
        self.status_gone = state == GONE
        if state == "STOPPING":
            return BackendResult(
                Outcome.INTERRUPTED,
                errors=[stop.reason or problem(Code.STOPPED)],
                warnings=warnings,
            )
        judged = self._judge(request, state, errors, warnings)
        judged.consistent_as_of = f"SCN {scn.getvalue()}"
        return judged

    def _clear_leftovers(self, cursor: Any, warnings: list[Problem]) -> str | None:
        """Drop the master tables our stopped jobs left (they eat the quota, ORA-31633 and
        ORA-01536 follow); the name of a job of ours still running, if any."""
        running: str | None = None
        for job_name, state in list(cursor.execute(OUR_JOBS)):
            if state != "NOT RUNNING":
                running = str(job_name)
                continue
            if not _OUR_JOB.fullmatch(str(job_name)):
                continue  # only names this bot makes go into a DROP
            try:
                cursor.execute(f'DROP TABLE "{job_name}" PURGE')
                log.warning("Dropped the master table of our stopped job %s", job_name)
                warnings.append(problem(Code.LEFTOVER_JOB, job=job_name, state=state))
            except self._oracledb().Error as exc:
                log.error("Could not drop master table %s: %s", job_name, exc)
        return running

    def _stop_job(self, cursor: Any, handle: int, job_name: str) -> list[Problem]:
        """STOP_JOB, immediately and without keeping the master table; [] when it worked."""
        log.warning("Stopping Data Pump job %s on the server", job_name)
        try:
            cursor.execute(STOP_JOB, handle=handle)
        except self._oracledb().Error as exc:  # e.g. it completed meanwhile: say so, go on
            log.error("STOP_JOB of %s failed: %s", job_name, str(exc).splitlines()[0])
            with contextlib.suppress(self._oracledb().Error):
                cursor.execute(DETACH, handle=handle)
            return [problem(Code.SERVER_JOB_NOT_STOPPED, job=job_name), *_describe(exc)]
        return []

    def _poll(
        self, cursor: Any, handle: int, report: ProgressReport, stop: StopSignal
    ) -> tuple[str, list[Problem]]:
        """Poll until the job ends ("STOPPING" when told to stop first)."""
        state_var, percent_var, errors_var = cursor.var(str), cursor.var(float), cursor.var(str)
        errors: list[Problem] = []
        while True:
            if stop.is_set():
                return "STOPPING", errors
            try:
                cursor.execute(
                    JOB_STATUS,
                    handle=handle,
                    state=state_var,
                    percent=percent_var,
                    errors=errors_var,
                )
            except self._oracledb().Error as exc:
                # Once a job has COMPLETED, later calls on its handle "will likely result in
                # an invalid_handle exception" (ORA-31623; DBMS_DATAPUMP package
                # specification, GET_STATUS); ORA-31626/ORA-39086 are reported too (bug
                # 5969934). A poll can miss the end: the job's log settles the verdict.
                self.status_gone_error = str(exc).splitlines()[0][:200]
                log.warning("GET_STATUS failed: %s", self.status_gone_error)
                return GONE, [*errors, *_describe(exc)]
            state = str(state_var.getvalue() or "UNDEFINED")
            if errors_var.getvalue():
                errors += datapump_log.error_lines(str(errors_var.getvalue()))
            percent = percent_var.getvalue()
            report(Progress(float(percent) if percent is not None else None, state=state))
            if state in FINAL_STATES:
                return state, errors
            stop.sleep(self.poll_seconds)

    def _judge(
        self, request: DumpRequest, state: str, errors: list[Problem], warnings: list[Problem]
    ) -> BackendResult:
        log_file = self.dump_dir / request.log_path.name
        if log_file.is_file():
            text = log_file.read_text(encoding="utf-8", errors="replace")
            parsed = datapump_log.parse(text, request.job_name)
            outcome = parsed.outcome
            all_errors = datapump_log.verdict_problems(parsed) + parsed.errors
            if state == GONE and parsed.final_status is not None:
                errors = []  # the job ended, as its log says: GET_STATUS only missed it
            all_errors += [e for e in errors if e not in parsed.errors]
            tables = parsed.tables
        else:
            outcome = Outcome.SUCCESS if state == "COMPLETED" and not errors else Outcome.FAILED
            all_errors, tables = errors, []
            warnings.append(problem(Code.LOG_MISSING, path=str(log_file), directory=self.directory))
        if outcome is Outcome.SUCCESS:
            return BackendResult(outcome, warnings=warnings + all_errors, tables=tables)
        return BackendResult(
            outcome,
            errors=all_errors or [problem(Code.JOB_STATE, state=state)],
            warnings=warnings,
            tables=tables,
        )


_OUR_JOB = re.compile(r"SOPBOT_[0-9_]{1,23}")


def _expiry(cursor: Any) -> list[Problem]:
    """A password that expires within two weeks: said in time (ORA-28001 stops the backups)."""
    row = cursor.execute(ACCOUNT).fetchone()
    if row is None or row[1] is None:
        return []
    expires = row[1] if isinstance(row[1], datetime) else None
    if expires is None or expires - datetime.now(expires.tzinfo) > EXPIRY_WARNING:
        return []
    return [problem(Code.EXPIRING_LOGIN, date=expires.date().isoformat())]


def _quota(cursor: Any) -> list[Problem]:
    """No quota on the default tablespace: the job's master table cannot be made (ORA-01950)."""
    row = cursor.execute(QUOTA).fetchone()
    if row is None or len(row) < 3:
        return []
    tablespace, max_bytes, unlimited = row[0], row[1], row[2]
    if max_bytes is None and not unlimited:
        return [problem(Code.NO_QUOTA, tablespace=str(tablespace))]
    return []


_CODED = re.compile(r"^(?:ORA|DPY|DPI)-\d{4,5}:")


def login_problems(exc: Exception, dsn: str) -> list[Problem]:
    """A failed login, with the DSN and the cause: python-oracledb puts the reason behind its own
    code on the following line (DPY-6005 is followed by the socket's or the listener's answer,
    python-oracledb documentation, "Troubleshooting": error messages)."""
    lines = [
        line.strip()
        for line in str(exc).splitlines()
        if line.strip() and not line.strip().startswith("Help:")
    ]
    first = next((i for i, line in enumerate(lines) if _CODED.match(line)), None)
    if first is None:
        text = lines[0][:200] if lines else ""
        return [problem(Code.ORACLE_LOGIN, dsn=dsn, code=type(exc).__name__, text=text, cause="-")]
    code, _, text = lines[first].partition(":")
    rest = lines[first + 1 :]
    cause = rest[0][:200] if rest else "-"
    return [problem(Code.ORACLE_LOGIN, dsn=dsn, code=code, text=text.strip()[:200], cause=cause)]


def _describe(exc: Exception) -> list[Problem]:
    """The coded lines of an oracledb error (DPY- and ORA- codes), or its type."""
    found = datapump_log.error_lines(str(exc))
    return found or [problem(Code.BACKEND_ERROR, error=type(exc).__name__)]


def load_driver(settings: Settings) -> Any:
    """python-oracledb, in thick mode when ORACLE_CLIENT_LIB_DIR is set (Oracle 11g)."""
    import oracledb

    if settings.oracle_client_lib_dir is not None and oracledb.is_thin_mode():
        oracledb.init_oracle_client(lib_dir=str(settings.oracle_client_lib_dir))
    return oracledb


def build(settings: Settings) -> OracleBackend:
    return OracleBackend(
        settings.oracle_dsn,
        settings.oracle_user,
        settings.oracle_password.get_secret_value(),
        settings.oracle_directory,
        settings.dumps,
        settings.oracle_schemas,
        settings.oracle_client_lib_dir,
    )


# USER_ROLE_PRIVS lists direct grants only: SYSTEM holds the export role through DBA, which only
# SESSION_ROLES shows (Oracle Database Reference, SESSION_ROLES / USER_ROLE_PRIVS).
EXPORT_ROLES = """
SELECT role FROM session_roles
WHERE role IN ('DATAPUMP_EXP_FULL_DATABASE', 'EXP_FULL_DATABASE')"""
DIRECTORY = "SELECT directory_path FROM all_directories WHERE directory_name = :name"
# ALL_TAB_PRIVS holds grants to the user, to PUBLIC and to its enabled roles (Oracle Database
# Reference, ALL_TAB_PRIVS): DATA_PUMP_DIR is granted to EXP_FULL_DATABASE/IMP_FULL_DATABASE.
DIRECTORY_GRANTS = """
SELECT privilege FROM all_tab_privs
WHERE table_name = :name
  AND (grantee IN (USER, 'PUBLIC') OR grantee IN (SELECT role FROM session_roles))"""
THIN_MINIMUM = (12, 1)  # python-oracledb thin mode: Oracle Database 12.1 or later (DPY-3010)


async def check(settings: Settings, driver: Any = None) -> BackendCheck:
    return await asyncio.to_thread(check_now, settings, driver)


PROBE = """
DECLARE
  h NUMBER;
BEGIN
  h := DBMS_DATAPUMP.OPEN(operation => 'EXPORT', job_mode => 'SCHEMA', job_name => :job_name);
  DBMS_DATAPUMP.ADD_FILE(handle => h, filename => :log_file, directory => :directory,
                         filetype => DBMS_DATAPUMP.KU$_FILE_TYPE_LOG_FILE);
  DBMS_DATAPUMP.STOP_JOB(h);  -- never started: removed, master table and all
END;"""


def probe_directory(cursor: Any, settings: Settings) -> tuple[bool | None, list[Problem]]:
    """Have Data Pump write a small log file in the directory object, and look for it in
    DUMP_DIR as the bot sees it: (True, []) when it is there (then removed), (False, []) when
    not, (None, why) when Data Pump refused: ORA-39087 (a 12c PDB's DATA_PUMP_DIR), ORA-01950
    (no quota for the master table), ORA-31633 (no CREATE TABLE), said as the night would."""
    name = f"sopbot-probe-{uuid.uuid4().hex[:8]}.log"
    job = f"SOPBOT_{uuid.uuid4().int % 10**12:012d}"
    try:
        cursor.execute(PROBE, job_name=job, log_file=name, directory=settings.oracle_directory)
    except Exception as exc:  # the driver's own error class is not importable here
        log.warning("Directory probe failed: %s", str(exc).splitlines()[0])
        coded = [
            e
            for e in datapump_log.error_lines(str(exc))
            if e.params.get("code") not in ("ORA-06512", "ORA-39001", "ORA-39002")
        ]
        cause = str(coded[0].params.get("code", "")) if coded else type(exc).__name__
        head = problem(
            Code.DIRECTORY_PROBE_FAILED, directory=settings.oracle_directory, cause=cause
        )
        return None, [head, *coded]
    found = settings.dumps / name
    seen = found.is_file()
    with contextlib.suppress(OSError):
        found.unlink()
    return seen, []


def version_tuple(version: str) -> tuple[int, ...]:
    parts = []
    for part in version.split(".")[:2]:
        if not part.isdigit():
            break
        parts.append(int(part))
    return tuple(parts)


def other_schemas(settings: Settings) -> list[str]:
    """Listed schemas that are not the login's own: exporting them needs the export role."""
    return [s for s in settings.oracle_schemas if s.upper() != settings.oracle_user.upper()]


def check_now(settings: Settings, driver: Any = None) -> BackendCheck:
    """Log in, then look at the export role (through any enabled role), the directory object
    with its grants, the password's expiry, and have Data Pump write in the directory object:
    its folder must be DUMP_DIR as the bot sees it (a bot on another machine reads it through a
    share). A probe that fails is a problem with its cause, never left unsaid."""
    try:
        driver = driver or load_driver(settings)
    except ImportError as exc:
        return BackendCheck([problem(Code.DRILL_NEEDS_ORACLEDB, detail=str(exc)[:200])])
    try:
        connection = driver.connect(
            user=settings.oracle_user,
            password=settings.oracle_password.get_secret_value(),
            dsn=settings.oracle_dsn,
        )
    except driver.Error as exc:
        return BackendCheck(login_problems(exc, settings.oracle_dsn))
    version = str(getattr(connection, "version", "?"))
    try:
        with connection.cursor() as cursor:
            roles = {row[0] for row in cursor.execute(EXPORT_ROLES)}
            directory = cursor.execute(DIRECTORY, name=settings.oracle_directory).fetchone()
            grants = {
                row[0] for row in cursor.execute(DIRECTORY_GRANTS, name=settings.oracle_directory)
            }
            expiring = _expiry(cursor) + _quota(cursor)
            seen, refused = (
                probe_directory(cursor, settings) if directory is not None else (None, [])
            )
    except driver.Error as exc:
        return BackendCheck(_describe(exc))
    finally:
        connection.close()
    problems = []
    name = settings.oracle_directory
    if directory is None:
        problems.append(problem(Code.DIRECTORY_MISSING, directory=name))
    if not {"READ", "WRITE"} <= grants:
        problems.append(problem(Code.DIRECTORY_NO_GRANTS, directory=name))
    if not settings.oracle_schemas and not roles:
        problems.append(problem(Code.EXPORT_ROLE_MISSING))
    elif other_schemas(settings) and not roles:
        schemas = ", ".join(other_schemas(settings))
        problems.append(problem(Code.EXPORT_ROLE_FOR_SCHEMAS, schemas=schemas))
    problems += refused
    if seen is False:
        problems.append(
            problem(
                Code.DIRECTORY_ELSEWHERE,
                directory=name,
                path=str(directory[0]) if directory else "?",
                dump_dir=str(settings.dumps),
            )
        )
    problems += expiring
    mode = "thin" if _thin(driver) else "thick"
    facts = [f"Oracle {version}", f"python-oracledb {mode}"]
    if directory is not None:
        facts.append(f"{name} = {directory[0]}")
    return BackendCheck(problems, facts)


def _thin(driver: Any) -> bool:
    is_thin = getattr(driver, "is_thin_mode", None)
    return bool(is_thin()) if callable(is_thin) else True


# Both Oracle backends (expdp too) log in with these, and prove their dumps the same way.
ORACLE_NEEDS = ("oracle_user", "oracle_password", "oracle_dsn")
ORACLE_VARIABLES = (
    "ORACLE_USER",
    "ORACLE_PASSWORD",
    "ORACLE_DSN",
    "ORACLE_DIRECTORY",
    "ORACLE_SCHEMAS",
    "DUMP_DIR",
)


def oracle_prover(settings: Settings, driver: Any = None) -> Prover:
    from jobs.drill.oracle_proof import OracleProver  # it builds on this module

    return OracleProver(settings, driver)


def oracle_drill_check(settings: Settings, driver: Any = None) -> BackendCheck:
    """python-oracledb and its mode, TNS_ADMIN, impdp, the scratch schema."""
    from jobs.drill.prerequisites import drill_prerequisites  # it builds on this module

    return drill_prerequisites(settings, driver)


def oracle_spec(
    name: str,
    variables: tuple[str, ...],
    build: Callable[[Settings], DumpBackend],
    check: Callable[[Settings, Any], Awaitable[BackendCheck]],
) -> BackendSpec:
    """A Data Pump backend: the login it needs, the directory object's existing folder, the
    Oracle drill and its checks, `sopbot uji-oracle`."""
    return BackendSpec(
        name,
        (*variables, *ORACLE_VARIABLES),
        build,
        check,
        oracle_prover,
        needs=ORACLE_NEEDS,
        makes_dump_dir=False,  # the directory object's folder, on the database server's side
        drill_check=oracle_drill_check,
        selftest=True,
    )


SPEC = oracle_spec("oracle", ("ORACLE_CLIENT_LIB_DIR",), build, check)
