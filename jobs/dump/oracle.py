"""The `oracle` backend: a Data Pump export driven through python-oracledb's DBMS_DATAPUMP.

This is the only code that talks to a real Oracle database. What it does, in order:

1. connect (thin mode; thick mode when ORACLE_CLIENT_LIB_DIR is set, needed for Oracle 11g);
2. report leftover stopped jobs of ours (USER_DATAPUMP_JOBS, names starting SOPBOT_);
3. DBMS_DATAPUMP.OPEN('EXPORT', 'FULL' or 'SCHEMA', NULL, <job name>), ADD_FILE for the dump and
   the log in the directory object, METADATA_FILTER(SCHEMA_EXPR) for listed schemas, START_JOB;
4. poll GET_STATUS every few seconds for percent done and job state, in a worker thread so the
   bot's event loop never blocks;
5. DETACH, then read the log file the server wrote in DUMP_DIR (the directory object's folder)
   for the per-table rows and the final verdict.

The Oracle user needs DATAPUMP_EXP_FULL_DATABASE (EXP_FULL_DATABASE on old releases) for a full
export, and READ, WRITE on the directory object (see the README).
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

from jobs.dump import datapump_log
from jobs.dump.result import BackendResult, DumpRequest, Outcome, Progress, ProgressReport

log = logging.getLogger(__name__)

POLL_SECONDS = 5.0
JOB_PREFIX = "SOPBOT_"

OPEN_JOB = """
DECLARE
  h NUMBER;
BEGIN
  h := DBMS_DATAPUMP.OPEN(operation => 'EXPORT', job_mode => :job_mode,
                          remote_link => NULL, job_name => :job_name);
  DBMS_DATAPUMP.ADD_FILE(handle => h, filename => :dump_file, directory => :directory,
                         filetype => DBMS_DATAPUMP.KU$_FILE_TYPE_DUMP_FILE);
  DBMS_DATAPUMP.ADD_FILE(handle => h, filename => :log_file, directory => :directory,
                         filetype => DBMS_DATAPUMP.KU$_FILE_TYPE_LOG_FILE);
  IF :schema_expr IS NOT NULL THEN
    DBMS_DATAPUMP.METADATA_FILTER(handle => h, name => 'SCHEMA_EXPR', value => :schema_expr);
  END IF;
  DBMS_DATAPUMP.START_JOB(h);
  :handle := h;
END;"""

JOB_STATUS = """
DECLARE
  job_state VARCHAR2(30);
  sts ku$_Status;
  messages VARCHAR2(4000);
BEGIN
  DBMS_DATAPUMP.GET_STATUS(:handle,
    DBMS_DATAPUMP.KU$_STATUS_JOB_ERROR + DBMS_DATAPUMP.KU$_STATUS_JOB_STATUS, -1,
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

LEFTOVER_JOBS = (
    "SELECT job_name, state FROM user_datapump_jobs "
    "WHERE job_name LIKE 'SOPBOT\\_%' ESCAPE '\\' AND state = 'NOT RUNNING'"
)

FINAL_STATES = {"COMPLETED", "STOPPED", "NOT RUNNING", "UNDEFINED"}


class OracleBackend:
    name = "oracle"

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
    ) -> None:
        self.dsn, self.user, self._password = dsn, user, password
        self.directory, self.dump_dir, self.schemas = directory, dump_dir, schemas
        self.client_lib_dir = client_lib_dir
        self.poll_seconds = poll_seconds
        self._driver = driver  # the oracledb module, or a stand-in with the same calls

    def _oracledb(self) -> Any:
        if self._driver is None:
            import oracledb

            if self.client_lib_dir is not None and oracledb.is_thin_mode():
                oracledb.init_oracle_client(lib_dir=str(self.client_lib_dir))
            self._driver = oracledb
        return self._driver

    async def run(self, request: DumpRequest, report: ProgressReport) -> BackendResult:
        return await asyncio.to_thread(self._export, request, report)

    def _export(self, request: DumpRequest, report: ProgressReport) -> BackendResult:
        oracledb = self._oracledb()
        try:
            connection = oracledb.connect(user=self.user, password=self._password, dsn=self.dsn)
        except oracledb.Error as exc:
            return BackendResult(Outcome.FAILED, errors=[_describe(exc, thin_hint=True)])
        warnings: list[str] = []
        try:
            with connection.cursor() as cursor:
                for job_name, state in cursor.execute(LEFTOVER_JOBS):
                    warnings.append(
                        f"leftover Data Pump job {job_name} ({state}): drop its "
                        "master table or attach and kill it"
                    )
                handle = cursor.var(int)
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
                    handle=handle,
                )
                state, errors = self._poll(cursor, handle.getvalue(), report)
                cursor.execute(DETACH, handle=handle.getvalue())
        except oracledb.Error as exc:
            return BackendResult(Outcome.FAILED, errors=[_describe(exc)], warnings=warnings)
        finally:
            connection.close()
        return self._judge(request, state, errors, warnings)

    def _poll(self, cursor: Any, handle: int, report: ProgressReport) -> tuple[str, list[str]]:
        state_var, percent_var, errors_var = cursor.var(str), cursor.var(float), cursor.var(str)
        errors: list[str] = []
        while True:
            cursor.execute(
                JOB_STATUS, handle=handle, state=state_var, percent=percent_var, errors=errors_var
            )
            state = str(state_var.getvalue() or "UNDEFINED")
            if errors_var.getvalue():
                errors += [e for e in str(errors_var.getvalue()).splitlines() if e.strip()]
            percent = percent_var.getvalue()
            report(
                Progress(float(percent) if percent is not None else None, f"status job: {state}")
            )
            if state in FINAL_STATES:
                return state, errors
            time.sleep(self.poll_seconds)

    def _judge(
        self, request: DumpRequest, state: str, errors: list[str], warnings: list[str]
    ) -> BackendResult:
        log_file = self.dump_dir / request.log_path.name
        if log_file.is_file():
            parsed = datapump_log.parse(log_file.read_text(encoding="utf-8", errors="replace"))
            outcome = parsed.outcome
            all_errors = parsed.errors + [e for e in errors if e not in parsed.errors]
            tables = parsed.tables
        else:
            outcome = Outcome.SUCCESS if state == "COMPLETED" and not errors else Outcome.FAILED
            all_errors, tables = errors, []
            warnings.append(
                f"log file {log_file} not found: is DUMP_DIR the folder of "
                f"directory object {self.directory}?"
            )
        if outcome is Outcome.SUCCESS:
            return BackendResult(outcome, warnings=warnings + all_errors, tables=tables)
        return BackendResult(
            outcome,
            errors=all_errors or [f"job ended in state {state}"],
            warnings=warnings,
            tables=tables,
        )


def _describe(exc: Exception, *, thin_hint: bool = False) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if thin_hint and "DPY-3010" in text:
        text += (
            " — this Oracle release is too old for thin mode: set ORACLE_CLIENT_LIB_DIR "
            "to an Oracle Instant Client or the Oracle home (thick mode)"
        )
    return text
