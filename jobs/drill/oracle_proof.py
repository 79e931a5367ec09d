"""The Oracle drill, in the tiers the office chooses (DRILL_LEVEL), on the dump restored from the
external disk into the directory object's folder (DUMP_DIR):

1. header: `DBMS_DATAPUMP.GET_DUMPFILE_INFO` reads the file's own Data Pump header (file type,
   job name, creation time, database version). Together with the byte-identity check done before
   (the restored file hashes to the dump the server wrote) this proves the copy is that dump.
2. metadata: `impdp SQLFILE=` reads the metadata of every object in the dump and writes it as SQL
   without changing the database; every table the export log shows with rows must be created by
   it, compared by name (`jobs/drill/sqlfile.py` says why counts differ on real schemas).
   Oracle-maintained schemas of a full export (SYSTEM's own tables) are left out.
3. import: chosen tables (DRILL_TABLES, else the three smallest ordinary tables with rows of
   ORACLE_SCHEMAS, or of the office's schemas in a full export) are imported with REMAP_SCHEMA
   into the scratch schema DRILL_SCHEMA and REMAP_TABLESPACE onto its default tablespace, without
   foreign keys, triggers, grants and statistics (they fail or mean nothing for a few tables in a
   scratch schema), their rows counted against the export log, then dropped. A corrupt dump can
   hang impdp: the drill's deadline (DRILL_TIMEOUT_MINUTES) ends it, and the job is killed on the
   server as for expdp.

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
from jobs.drill import sqlfile
from jobs.drill.result import Claim, DrillStage, Level, proof
from jobs.drill.verdict import Findings
from jobs.dump import datapump_log
from jobs.dump.expdp import ExpdpBackend
from jobs.dump.oracle import load_driver, login_problems
from jobs.dump.oracle_schemas import oracle_maintained, server_maintained
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

# The scratch user's default tablespace and whether it may write there (REMAP_TABLESPACE target).
SCRATCH = """
SELECT u.default_tablespace,
       (SELECT COUNT(*) FROM dba_ts_quotas q
         WHERE q.username = u.username AND q.tablespace_name = u.default_tablespace
           AND (q.max_bytes = -1 OR q.max_bytes > 0))
     + (SELECT COUNT(*) FROM dba_sys_privs p
         WHERE p.grantee = u.username AND p.privilege = 'UNLIMITED TABLESPACE')
FROM dba_users u WHERE u.username = :name"""
# What a scratch import leaves out, and says so (TECH-NOTES "Data Pump, round two").
LEFT_OUT = ("REF_CONSTRAINT", "TRIGGER", "GRANT", "STATISTICS")
_JOB_PART = re.compile(r'^(?:"[^"]*"\.)?"?(?P<job>[^"]*)"?$')


def job_part(name: str) -> str:
    """`"SYSTEM"."SOPBOT_…"` (how KU$_DFHDR_JOB_NAME holds it) or a bare name: the job's part."""
    match = _JOB_PART.match(name.strip())
    return match["job"] if match else name


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
        self._sql: sqlfile.SqlFile | None = None  # what the level-2 SQL file creates
        self._maintained: frozenset[str] = frozenset()  # ALL_USERS.ORACLE_MAINTAINED (12.1.0.2+)
        self._connected = False

    def scratch(self, name: str) -> Path:
        return self.settings.dumps / f"{SCRATCH_PREFIX}{name}"

    async def prove(
        self, restored: Path, dump: DumpRecord, stop: StopSignal, report: ProgressReport
    ) -> Findings:
        report(Progress(None, state=DrillStage.HEADER))
        found = await asyncio.to_thread(self._header, restored.name, dump)
        if found.problems or self.level < Level.METADATA or stop.is_set():
            return found
        report(Progress(None, state=DrillStage.METADATA))
        found.add(await self._metadata(restored, dump, stop))
        if found.problems or self.level < Level.IMPORT or stop.is_set():
            return found
        report(Progress(None, state=DrillStage.IMPORT))
        found.add(await self._import(restored, dump, stop))
        return found

    # --- 1. the header ------------------------------------------------------------------------

    @property
    def driver(self) -> Any:
        """python-oracledb (thick mode when configured), loaded once."""
        if self._driver is None:
            self._driver = load_driver(self.settings)
        return self._driver

    def _why(self, exc: Exception) -> list[Problem]:
        """An error before the header is read: a login's cause with the DSN, else Oracle's lines."""
        if not self._connected:
            return login_problems(exc, self.settings.oracle_dsn)
        return datapump_log.error_lines(str(exc))

    def _connect(self) -> Any:
        return self.driver.connect(
            user=self.settings.oracle_user,
            password=self.settings.oracle_password.get_secret_value(),
            dsn=self.settings.oracle_dsn,
        )

    def _header(self, file_name: str, dump: DumpRecord) -> Findings:
        found = Findings()
        try:
            driver = self.driver
        except ImportError as exc:  # python-oracledb missing: nothing about the copy is known
            found.problems.append(problem(Code.DRILL_NEEDS_ORACLEDB, detail=str(exc)[:200]))
            return found
        self._connected = False
        try:
            connection = self._connect()
            self._connected = True
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
                    self._maintained = server_maintained(cursor)
            finally:
                connection.close()
        except driver.Error as exc:
            found.problems += self._why(exc) or [
                problem(Code.DRILL_HEADER, file=file_name, detail=type(exc).__name__)
            ]
            return found
        values = {k: str(v.getvalue() or "") for k, v in out.items()}
        kind = filetype.getvalue()
        if kind != DATA_PUMP_FILE:
            detail = f"file type {kind}, not a Data Pump dump file"
            found.problems.append(problem(Code.DRILL_HEADER, file=file_name, detail=detail))
        elif dump.job_name and job_part(values["job_name"]) != dump.job_name:
            detail = f"written by job {values['job_name'] or '?'}, not {dump.job_name}"
            found.problems.append(problem(Code.DRILL_HEADER, file=file_name, detail=detail))
        elif values["master"] not in ("1", "TRUE", "Y"):
            detail = "the job's master table is missing: impdp could not read it"
            found.problems.append(problem(Code.DRILL_HEADER, file=file_name, detail=detail))
        else:
            found.proofs.append(
                proof(
                    Claim.HEADER,
                    job=job_part(values["job_name"]),
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
            text = await asyncio.to_thread(sql_file.read_text, encoding="utf-8", errors="replace")
        except OSError:
            text = ""
        finally:
            _remove(sql_file, request.log_path)
        if result.outcome not in (Outcome.SUCCESS, Outcome.WARNING):
            found.problems += _failed(result.outcome, result.errors)
            return found
        self._sql = read = sqlfile.read(text)
        exported = self._with_rows(dump)
        if not exported:  # nothing recorded to compare with: nothing proved
            found.problems.append(problem(Code.DRILL_NO_RECORD, what="tables"))
            return found
        found.compared = len(exported)
        missing = sorted(t for t in exported if not read.creates(t))
        if missing:
            found.mismatches = len(missing)
            shown = ", ".join(missing[:10]) + (" …" if len(missing) > 10 else "")
            found.problems.append(
                problem(Code.DRILL_TABLES_NOT_CREATED, count=len(missing), tables=shown)
            )
        else:
            found.proofs.append(proof(Claim.METADATA, objects=read.objects, tables=len(exported)))
        return found

    def _office_schema(self, schema: str) -> bool:
        """ORACLE_SCHEMAS when set, else every schema Oracle does not maintain itself."""
        if self.settings.oracle_schemas:
            return schema in self.settings.oracle_schemas
        return not oracle_maintained(schema, self._maintained)

    def _rows(self, dump: DumpRecord) -> dict[str, int]:
        """Exported rows per whole table (partitions added up) of the office's schemas."""
        rows: dict[str, int] = {}
        for name, count in dump.tables:
            table = name.split(":", 1)[0]
            if self._office_schema(table.split(".", 1)[0]):
                rows[table] = rows.get(table, 0) + count
        return rows

    def _with_rows(self, dump: DumpRecord) -> set[str]:
        return {table for table, count in self._rows(dump).items() if count > 0}

    # --- 3. the import ------------------------------------------------------------------------

    def chosen_tables(self, dump: DumpRecord) -> list[tuple[str, int]]:
        """SCHEMA.TABLE with its exported rows: DRILL_TABLES, else the smallest ordinary tables
        with rows (queue tables, materialized views and their logs do not import by themselves)."""
        rows = self._rows(dump)
        if self.settings.drill_tables:
            everything = {n.split(":", 1)[0]: 0 for n, _ in dump.tables}
            everything.update(rows)
            return [(t, everything.get(t, -1)) for t in self.settings.drill_tables]
        plain = self._sql.plain if self._sql is not None else None
        with_rows = sorted(
            (count, table)
            for table, count in rows.items()
            if count > 0 and (plain is None or table in plain)
        )
        return [(table, count) for count, table in with_rows[:TABLES_BY_DEFAULT]]

    def _scratch_tablespace(self, schema: str) -> tuple[str | None, list[Problem]]:
        """The scratch user's default tablespace, or why the import cannot run."""
        driver = self.driver
        try:
            connection = self._connect()
        except driver.Error as exc:
            return None, login_problems(exc, self.settings.oracle_dsn)
        try:
            with connection.cursor() as cursor:
                row = cursor.execute(SCRATCH, name=schema).fetchone()
        except driver.Error as exc:
            detail = str(exc).splitlines()[0][:200]
            return None, [problem(Code.DRILL_SCRATCH_MISSING, schema=schema, detail=detail)]
        finally:
            connection.close()
        if row is None:
            detail = "no such user"
            return None, [problem(Code.DRILL_SCRATCH_MISSING, schema=schema, detail=detail)]
        tablespace, allowed = str(row[0]), int(row[1] or 0)
        if not allowed:
            return None, [
                problem(Code.DRILL_SCRATCH_NO_QUOTA, schema=schema, tablespace=tablespace)
            ]
        return tablespace, []

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
        target, trouble = await asyncio.to_thread(self._scratch_tablespace, scratch)
        if target is None:
            found.problems += trouble
            return found
        # Tablespaces named in the dump's DDL (the SQL file read at level 2) onto the scratch
        # user's default one: REMAP_SCHEMA alone keeps them, where it has no quota (ORA-01950).
        spaces = sorted(t for t in (self._sql.tablespaces if self._sql else set()) if t != target)
        extra = [
            f"tables={','.join(t for t, _ in chosen)}",
            *(f"remap_schema={s}:{scratch}" for s in schemas),
            *(f"remap_tablespace={t}:{target}" for t in spaces),
            *(f"exclude={kind}" for kind in LEFT_OUT),
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
