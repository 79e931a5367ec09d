"""The Oracle drill, in the tiers the office chooses (DRILL_LEVEL), on the dump restored from the
external disk into the directory object's folder (DUMP_DIR):

1. header: `DBMS_DATAPUMP.GET_DUMPFILE_INFO` reads the file's own Data Pump header (file type,
   job name, creation time, database version). Together with the byte-identity check done before
   (the restored file hashes to the dump the server wrote) this proves the copy is that dump.
2. metadata: `impdp SQLFILE=` reads the metadata of every object in the dump and writes it as SQL
   without changing the database; the tables in it are counted against the export log.
3. import: chosen tables (DRILL_TABLES, else the three smallest with rows) are imported with
   REMAP_SCHEMA into the scratch schema DRILL_SCHEMA, their rows counted against the export log,
   then dropped. A corrupt dump can hang impdp: the drill's deadline (DRILL_TIMEOUT_MINUTES) ends
   it, and the job is killed on the server as for expdp.

The Oracle user needs DATAPUMP_IMP_FULL_DATABASE for tiers 2 and 3, and the scratch schema must
exist with a quota (see the README). Files the drill writes in DUMP_DIR start with
`sopbot-drill-` and are removed afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import uuid
from pathlib import Path
from typing import Any

from core.private import private_dir
from core.problems import Code, Problem, problem
from core.settings import Settings
from jobs.drill.result import Claim, Level, proof
from jobs.drill.verdict import Findings
from jobs.dump import datapump_log
from jobs.dump.expdp import ExpdpBackend
from jobs.dump.oracle import load_driver
from jobs.dump.result import DumpRequest
from jobs.job import Outcome, Progress, ProgressReport, StopSignal
from storage.dumps import DumpRecord

log = logging.getLogger(__name__)

SCRATCH_PREFIX = "sopbot-drill-"
DATA_PUMP_FILE = 1  # GET_DUMPFILE_INFO's filetype for a Data Pump dump file
TABLES_BY_DEFAULT = 3

# The item codes by their package constants, so no number is guessed here.
HEADER = """
DECLARE
  info ku$_dumpfile_info;
  ft NUMBER;
BEGIN
  DBMS_DATAPUMP.GET_DUMPFILE_INFO(filename => :file_name, directory => :directory,
                                  info_table => info, filetype => ft);
  :filetype := ft;
  FOR i IN 1 .. info.COUNT LOOP
    CASE info(i).item_code
      WHEN DBMS_DATAPUMP.KU$_DFHDR_JOB_NAME THEN :job_name := info(i).value;
      WHEN DBMS_DATAPUMP.KU$_DFHDR_CREATION_DATE THEN :created := info(i).value;
      WHEN DBMS_DATAPUMP.KU$_DFHDR_DB_VERSION THEN :db_version := info(i).value;
      WHEN DBMS_DATAPUMP.KU$_DFHDR_MASTER_PRESENT THEN :master := info(i).value;
      ELSE NULL;
    END CASE;
  END LOOP;
END;"""

_CREATE_TABLE = re.compile(r'^\s*CREATE\s+(?:GLOBAL\s+TEMPORARY\s+)?TABLE\s+"', re.MULTILINE)
_STATEMENT = re.compile(
    r"^\s*(?:CREATE|ALTER(?!\s+SESSION)|GRANT|COMMENT|BEGIN|DECLARE)\b", re.MULTILINE
)


class ImpdpRun(ExpdpBackend):
    """One impdp run, through the same parameter file, output reading, stop and verdict as
    expdp (the job ends on the server too: `impdp attach=<job>` and KILL_JOB)."""

    def __init__(self, settings: Settings, extra: list[str]) -> None:
        # Made private, and swept, at the bot's start; private again if made afresh here.
        private = settings.data_dir / "private"
        if not private.is_dir():
            private_dir(private)
        super().__init__(
            settings.impdp_path,
            settings.oracle_user,
            settings.oracle_password.get_secret_value(),
            settings.oracle_dsn,
            settings.oracle_directory,
            settings.dumps,
            [],
            settings.secrets,
            private,
        )
        self.extra = extra

    def parameters(self, request: DumpRequest) -> str:
        return "\n".join([*self.job_lines(request), *self.extra]) + "\n"


class OracleProver:
    def __init__(self, settings: Settings, driver: Any = None) -> None:
        self.settings = settings
        self.level = settings.drill_level
        self._driver = driver  # python-oracledb, or a stand-in with the same calls

    def scratch(self, name: str) -> Path:
        return self.settings.dumps / f"{SCRATCH_PREFIX}{name}"

    async def prove(
        self, restored: Path, dump: DumpRecord, stop: StopSignal, report: ProgressReport
    ) -> Findings:
        report(Progress(None, state="header"))
        found = await asyncio.to_thread(self._header, restored.name, dump)
        if found.problems or self.level < Level.METADATA or stop.is_set():
            return found
        report(Progress(None, state="metadata"))
        found.add(await self._metadata(restored, dump, stop))
        if found.problems or self.level < Level.IMPORT or stop.is_set():
            return found
        report(Progress(None, state="import"))
        found.add(await self._import(restored, dump, stop))
        return found

    # --- 1. the header ------------------------------------------------------------------------

    @property
    def driver(self) -> Any:
        """python-oracledb (thick mode when configured), loaded once."""
        if self._driver is None:
            self._driver = load_driver(self.settings)
        return self._driver

    def _connect(self) -> Any:
        return self.driver.connect(
            user=self.settings.oracle_user,
            password=self.settings.oracle_password.get_secret_value(),
            dsn=self.settings.oracle_dsn,
        )

    def _header(self, file_name: str, dump: DumpRecord) -> Findings:
        found = Findings()
        driver = self.driver
        try:
            connection = self._connect()
            try:
                with connection.cursor() as cursor:
                    out = {k: cursor.var(str) for k in ("job_name", "created", "db_version")}
                    out["master"], filetype = cursor.var(str), cursor.var(int)
                    cursor.execute(
                        HEADER,
                        file_name=file_name,
                        directory=self.settings.oracle_directory,
                        filetype=filetype,
                        **out,
                    )
            finally:
                connection.close()
        except driver.Error as exc:
            found.problems += datapump_log.error_lines(str(exc)) or [
                problem(Code.DRILL_HEADER, file=file_name, detail=type(exc).__name__)
            ]
            return found
        values = {k: str(v.getvalue() or "") for k, v in out.items()}
        kind = filetype.getvalue()
        if kind != DATA_PUMP_FILE:
            detail = f"file type {kind}, not a Data Pump dump file"
            found.problems.append(problem(Code.DRILL_HEADER, file=file_name, detail=detail))
        elif dump.job_name and values["job_name"] != dump.job_name:
            detail = f"written by job {values['job_name'] or '?'}, not {dump.job_name}"
            found.problems.append(problem(Code.DRILL_HEADER, file=file_name, detail=detail))
        elif values["master"] not in ("1", "TRUE", "Y"):
            detail = "the job's master table is missing: impdp could not read it"
            found.problems.append(problem(Code.DRILL_HEADER, file=file_name, detail=detail))
        else:
            found.proofs.append(
                proof(
                    Claim.HEADER,
                    job=values["job_name"],
                    created=values["created"],
                    version=values["db_version"],
                    detail=f"job {values['job_name']}, {values['created']}, "
                    f"Oracle {values['db_version']}",
                )
            )
        return found

    # --- 2. the metadata ----------------------------------------------------------------------

    async def _metadata(self, restored: Path, dump: DumpRecord, stop: StopSignal) -> Findings:
        found = Findings()
        sql_file = restored.with_name(restored.stem + ".sql")
        request = _request(restored, "sql")
        result = await ImpdpRun(self.settings, [f"sqlfile={sql_file.name}"]).run(
            request, _ignore, stop
        )
        try:
            text = sql_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
        finally:
            _remove(sql_file, request.log_path)
        if result.outcome not in (Outcome.SUCCESS, Outcome.WARNING):
            found.problems += _failed(result.outcome, result.errors)
            return found
        tables = len(_CREATE_TABLE.findall(text))
        objects = len(_STATEMENT.findall(text))
        exported = len({name.split(":", 1)[0] for name, _ in dump.tables})
        if not exported:  # nothing recorded to compare with: nothing proved
            found.problems.append(problem(Code.DRILL_NO_RECORD, what="tables"))
            return found
        found.compared = 1
        if tables != exported:
            found.mismatches = 1
            found.problems.append(
                problem(Code.DRILL_OBJECTS_DIFFER, found=tables, expected=exported)
            )
        else:
            found.proofs.append(proof(Claim.METADATA, objects=objects, tables=tables))
        return found

    # --- 3. the import ------------------------------------------------------------------------

    def chosen_tables(self, dump: DumpRecord) -> list[tuple[str, int]]:
        """SCHEMA.TABLE with its exported rows: DRILL_TABLES, else the smallest with rows."""
        rows: dict[str, int] = {}
        for name, count in dump.tables:
            table = name.split(":", 1)[0]
            rows[table] = rows.get(table, 0) + count
        if self.settings.drill_tables:
            return [(t, rows.get(t, -1)) for t in self.settings.drill_tables]
        with_rows = sorted((count, table) for table, count in rows.items() if count > 0)
        return [(table, count) for count, table in with_rows[:TABLES_BY_DEFAULT]]

    async def _import(self, restored: Path, dump: DumpRecord, stop: StopSignal) -> Findings:
        found = Findings()
        chosen = self.chosen_tables(dump)
        scratch = self.settings.drill_schema
        schemas = sorted({t.split(".", 1)[0] for t, _ in chosen})
        in_dump = {name.split(".", 1)[0] for name, _ in dump.tables}
        if scratch in in_dump | set(schemas):  # the dump's own data: never replaced or dropped
            found.problems.append(problem(Code.DRILL_SCHEMA_UNSAFE, schema=scratch))
            return found
        if not chosen:
            found.problems.append(problem(Code.DRILL_NO_RECORD, what="tables with rows"))
            return found
        extra = [
            f"tables={','.join(t for t, _ in chosen)}",
            *(f"remap_schema={s}:{scratch}" for s in schemas),
            "table_exists_action=replace",
        ]
        request = _request(restored, "imp")
        try:
            result = await ImpdpRun(self.settings, extra).run(request, _ignore, stop)
        except BaseException:
            await asyncio.shield(asyncio.to_thread(self._drop, scratch, chosen))
            raise
        _remove(request.log_path)
        imported = {name.split(".", 1)[-1]: n for name, n in _whole_tables(result.tables)}
        try:
            if result.outcome not in (Outcome.SUCCESS, Outcome.WARNING):
                found.problems += _failed(result.outcome, result.errors)
                return found
            for table, expected in chosen:
                found.compared += 1
                got = imported.get(table.split(".", 1)[-1])
                if got is None:
                    found.mismatches += 1
                    found.problems.append(problem(Code.DRILL_TABLE_MISSING, table=table))
                elif got != expected:
                    found.mismatches += 1
                    found.problems.append(
                        problem(Code.DRILL_ROWS_DIFFER, table=table, found=got, expected=expected)
                    )
            if not found.problems:
                found.proofs.append(
                    proof(
                        Claim.IMPORTED,
                        tables=len(chosen),
                        schema=scratch,
                        rows=sum(imported.values()),
                    )
                )
        finally:
            # Every chosen table, not only those impdp's log names: a stopped or failed import
            # may have loaded some rows before its log said so.
            await asyncio.shield(asyncio.to_thread(self._drop, scratch, chosen))
        return found

    def _drop(self, schema: str, chosen: list[tuple[str, int]]) -> None:
        """The imported copies go again: personal data must not stay in a scratch schema."""
        tables = [name.split(".", 1)[-1] for name, _ in chosen]
        if not tables:
            return
        driver = self.driver
        try:
            connection = self._connect()
        except driver.Error as exc:
            log.error("Drill tables in %s not dropped: %s", schema, str(exc).splitlines()[0])
            return
        try:
            with connection.cursor() as cursor:
                for table in tables:  # names from impdp's own log, quoted as identifiers
                    try:
                        cursor.execute(f'DROP TABLE "{schema}"."{table}" PURGE')
                    except driver.Error as exc:
                        if "ORA-00942" not in str(exc):  # not imported at all: nothing to drop
                            log.error("Drill table %s.%s not dropped: %s", schema, table, exc)
        finally:
            connection.close()


def _whole_tables(tables: list[Any]) -> list[tuple[str, int]]:
    """Rows per table, partitions added up."""
    rows: dict[str, int] = {}
    for table in tables:
        name = table.name.split(":", 1)[0]
        rows[name] = rows.get(name, 0) + table.rows
    return list(rows.items())


def _request(restored: Path, what: str) -> DumpRequest:
    job = f"SOPBOT_DRILL_{uuid.uuid4().int % 10**10:010d}"
    return DumpRequest(restored, restored.with_name(f"{restored.stem}-{what}.log"), job)


def _failed(outcome: Outcome, errors: list[Problem]) -> list[Problem]:
    """impdp's problems, in an import's words (a skipped table did not load into the scratch
    schema: the dump did not restore, it was not the export that missed it)."""
    said = [
        problem(Code.DRILL_NOT_LOADED, **e.params) if e.code is Code.TABLES_SKIPPED else e
        for e in errors
    ]
    return said or [problem(Code.DRILL_IMPORT_FAILED, status=outcome.value)]


def _ignore(_progress: Progress) -> None:
    """impdp's own percentages are not worth a message edit: the drill reports its stage."""


def _remove(*paths: Path) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            path.unlink()
