#!/usr/bin/env python3
"""A stand-in for Oracle's impdp: reads its parfile, reads the fake dump in the directory object's
folder (FAKE_EXPDP_DIR) and, like impdp, writes a SQL file (sqlfile=) or "imports" the chosen
tables, printing and logging in impdp's own format.

FAKE_IMPDP_MODE: success | bad_rows (a table's data fails to load: ORA-31693) | hang |
hang_import (the SQL file is written, the import hangs) | lost_ddl (the dump's metadata lacks a
table's DDL, as a dump damaged in its metadata would), or one mode per job in the order they
start ("success;hang")
FAKE_IMPDP_ATTACH: kill (default) | refuse (`attach=` fails with ORA-31631, the job runs on)
FAKE_SCRATCH_TABLESPACE: the scratch user's default tablespace, where it has its quota (USERS)
FAKE_IMPDP_RECORD: a file where it appends its parameters (without the login), one JSON per run.
"""

import json
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import datapump_logs as logs

folder = Path(os.environ["FAKE_EXPDP_DIR"])
args = dict(a.split("=", 1) for a in sys.argv[1:] if "=" in a)
params = {}
for line in Path(args["parfile"]).read_text().splitlines():
    key, _, value = line.partition("=")
    params.setdefault(key.strip().lower(), [])
    params[key.strip().lower()].append(value.strip())
one = {key: values[-1] for key, values in params.items()}
# A refused login: the client's UDE- code naming the ORA- error (Oracle Database Utilities,
# "Data Pump Import" USERID; error messages UDE-01017 / ORA-01017).
if not re.fullmatch(r'[^/"]+/"[^"]*"@.+', one.get("userid", "")):
    print("UDE-01017: operation generated ORACLE error 1017", flush=True)
    sys.exit(1)
if os.environ.get("NLS_LANG") != "AMERICAN_AMERICA.AL32UTF8":
    print("LRM-00101: the bot must pin NLS_LANG for English messages", flush=True)
    sys.exit(1)
if os.environ.get("FAKE_IMPDP_RECORD"):
    with open(os.environ["FAKE_IMPDP_RECORD"], "a") as stream:
        stream.write(json.dumps({k: v for k, v in params.items() if k != "userid"}) + "\n")

# ATTACH=job: interactive-command mode; KILL_JOB (confirmed with "yes") detaches every client and
# deletes the job with its master table; ORA-31626 when the job no longer exists (Oracle
# Database Utilities, "Commands Available in Import's Interactive-Command Mode": KILL_JOB).
if "attach" in one:
    # With ATTACH "the only other Data Pump parameter you can specify on the command line is
    # ENCRYPTION_PASSWORD" (Oracle Database Utilities 12.1, Import ATTACH); wording not Oracle's.
    others = set(one) - {"attach", "userid", "encryption_password"}
    if others:
        print(f"UDE-00011: parameter attach is incompatible with {sorted(others)}", flush=True)
        sys.exit(1)
    state = folder / f"{one['attach']}.state"
    if not state.exists():
        print("ORA-31626: job does not exist", flush=True)
        sys.exit(1)
    if os.environ.get("FAKE_IMPDP_ATTACH") == "refuse":
        # Attaching to a job needs its owner or the import role (Oracle Database Utilities,
        # Import ATTACH; ORA-31631 "privileges are required"): the job runs on.
        print("ORA-31631: privileges are required", flush=True)
        sys.exit(1)
    commands = [line.strip().upper() for line in sys.stdin.read().splitlines()]
    if commands[:2] == ["KILL_JOB", "YES"]:
        state.write_text("STOPPED")
        print("Are you sure you wish to stop this job ([yes]/no): yes", flush=True)
        sys.exit(0)
    sys.exit(1)

job = one["job_name"]
dump, logfile = folder / one["dumpfile"], folder / one["logfile"]
mode = logs.job_mode("FAKE_IMPDP_MODE", folder)
BANNER = """\
;;;
Import: Release 19.0.0.0.0 - Production on Sun Nov 29 02:00:05 2026
Version 19.3.0.0.0

Copyright (c) 1982, 2019, Oracle and/or its affiliates.  All rights reserved.
;;;
Connected to: Oracle Database 19c Enterprise Edition Release 19.0.0.0.0 - Production
"""


def emit(text: str) -> None:
    print(text, end="", flush=True)
    with logfile.open("a") as stream:
        stream.write(text)


def finish(errors: int = 0) -> None:
    """The final Job line and the exit code: 0 success, 5 completed with errors (Oracle Database
    Utilities, "Exit Status" of Data Pump Import; TECH-NOTES "Data Pump, the parts that bite")."""
    verdict = f"completed with {errors} error(s)" if errors else "successfully completed"
    emit(f'Job "SYSTEM"."{job}" {verdict} at Sun Nov 29 02:00:09 2026 elapsed 0 00:00:04\n')
    sys.exit(5 if errors else 0)


# A file that is not a Data Pump dump: ORA-39001/ORA-39000/ORA-31619 (Oracle Database Error
# Messages, ORA-31619 "invalid dump file").
header = logs.read_fake_dump(dump) if dump.is_file() else None
if header is None:
    print(BANNER, end="", flush=True)
    print("ORA-39001: invalid argument value", flush=True)
    print("ORA-39000: bad dump file specification", flush=True)
    print(f'ORA-31619: invalid dump file "{dump}"', flush=True)
    sys.exit(1)
# A corrupt dump can make impdp hang (TECH-NOTES "Data Pump, the parts that bite"): the job stays
# EXECUTING on the server until it is killed through ATTACH. The job (its master table) exists
# before the client prints `Starting` (Oracle Database Utilities, "Data Pump Import": the master
# table is created when the job is defined).
hangs = mode == "hang" or (mode == "hang_import" and "sqlfile" not in one)
if hangs:
    (folder / f"{job}.state").write_text("EXECUTING")
emit(BANNER)
emit(f'Master table "SYSTEM"."{job}" successfully loaded/unloaded\n')
emit(f'Starting "SYSTEM"."{job}":  system/******** parfile={args["parfile"]}\n')
if hangs:
    time.sleep(600)
    sys.exit(0)

tables: dict[str, int] = {}
for schema, table, _part, rows in header["tables"]:
    tables[f"{schema}.{table}"] = tables.get(f"{schema}.{table}", 0) + rows
# The schema's tables live in their own tablespace (SIAK_DATA), as on SIAK servers; the scratch
# user has a quota only on its default tablespace (FAKE_SCRATCH_TABLESPACE, as DBA_USERS says).
DATA_TS = "SIAK_DATA"
SCRATCH_TS = os.environ.get("FAKE_SCRATCH_TABLESPACE", "USERS")
objects = header.get("objects") or [["table", *name.split(".")] for name in tables]


def ddl(kind: str, schema: str, name: str) -> list[str]:
    """The DDL impdp's SQLFILE writes for each kind of object (Oracle Database Utilities, Data
    Pump Import SQLFILE: "all the SQL DDL that Import would have executed"). A queue table is
    created by DBMS_AQADM.CREATE_QUEUE_TABLE, not CREATE TABLE (Oracle Streams Advanced Queuing
    User's Guide, export and import of queue tables); a materialized view by CREATE MATERIALIZED
    VIEW and its log by CREATE MATERIALIZED VIEW LOG ON (SQL Language Reference)."""
    q = f'"{schema}"."{name}"'
    columns = '   (\t"ID" NUMBER(16,0), \n\t"TAHUN" NUMBER(4,0)\n   )'
    if kind == "table":
        return [f"CREATE TABLE {q} ", columns, f'  TABLESPACE "{DATA_TS}" ;']
    if kind == "partitioned":
        return [
            f"CREATE TABLE {q} ",
            columns,
            f'  TABLESPACE "{DATA_TS}" ',
            '  PARTITION BY RANGE ("TAHUN") ',
            f' (PARTITION "P2025"  VALUES LESS THAN (2026) TABLESPACE "{DATA_TS}" , ',
            f' PARTITION "P2026"  VALUES LESS THAN (2027) TABLESPACE "{DATA_TS}" ) ;',
        ]
    if kind == "temporary":
        return [f"CREATE GLOBAL TEMPORARY TABLE {q} ", columns, " ON COMMIT DELETE ROWS ;"]
    if kind == "external":
        return [
            f"CREATE TABLE {q} ",
            columns,
            "   ORGANIZATION EXTERNAL ",
            '    ( TYPE ORACLE_LOADER DEFAULT DIRECTORY "IMPOR_DIR" ',
            "      LOCATION ( 'nik.csv' ) ) REJECT LIMIT UNLIMITED ;",
        ]
    if kind == "queue":
        return [
            "BEGIN ",
            f"dbms_aqadm.create_queue_table( Queue_table => '{q}', "
            "Queue_payload_type => 'SYS.AQ$_JMS_TEXT_MESSAGE', "
            f"storage_clause => 'PCTFREE 10 TABLESPACE {DATA_TS}', Sort_list => 'ENQ_TIME', "
            "Compatible => '10.0.0');",
            "END;",
            "/",
        ]
    if kind == "mview":
        return [
            f'CREATE MATERIALIZED VIEW {q} ("NO_KEC", "JUMLAH")',
            f'  TABLESPACE "{DATA_TS}" BUILD IMMEDIATE REFRESH FAST ON DEMAND',
            '  AS SELECT NO_KEC, COUNT(*) JUMLAH FROM "SIAK"."DATA_KELUARGA" GROUP BY NO_KEC;',
        ]
    if kind == "mview_log":
        return [
            f"CREATE MATERIALIZED VIEW LOG ON {q}",
            f'  PCTFREE 10 TABLESPACE "{DATA_TS}" WITH PRIMARY KEY EXCLUDING NEW VALUES;',
        ]
    raise SystemExit(f"fake impdp: unknown object kind {kind}")


if "sqlfile" in one:
    sql = [
        "-- CONNECT SYSTEM",
        "ALTER SESSION SET EVENTS '10150 TRACE NAME CONTEXT FOREVER, LEVEL 1';",
    ]
    sql.append("-- new object type path: SCHEMA_EXPORT/TABLE/TABLE")
    for kind, schema, name in objects:
        # SYSTEM's own tables are not recreated by the SQL file here: whether a release does
        # depends on the version (12.1+ leaves out Oracle-maintained schemas' objects in a full
        # export, Oracle Database Utilities 12.1 "Full Export Mode"); the bot must not rely on it.
        if schema in ("SYS", "SYSTEM"):
            continue
        if mode == "lost_ddl" and name == "BIODATA_WNI":
            continue
        sql += ddl(kind, schema, name)
    sql.append("-- new object type path: SCHEMA_EXPORT/TABLE/INDEX/INDEX")
    plain = [
        (s_, n)
        for k, s_, n in objects
        if k in ("table", "partitioned") and s_ not in ("SYS", "SYSTEM")
    ]
    for schema, table in plain:
        sql.append(
            f'CREATE UNIQUE INDEX "{schema}"."PK_{table}" ON "{schema}"."{table}" ("ID") TABLESPACE "SIAK_IDX" ;'
        )
    (folder / one["sqlfile"]).write_text("\n".join(sql) + "\n")
    emit("Processing object type SCHEMA_EXPORT/TABLE/TABLE\n")
    emit("Processing object type SCHEMA_EXPORT/TABLE/INDEX/INDEX\n")
    finish()

remap = dict(value.split(":") for value in params.get("remap_schema", []))
remap_ts = dict(value.split(":") for value in params.get("remap_tablespace", []))
excluded = {e.strip().upper() for value in params.get("exclude", []) for e in value.split(",")}
emit("Processing object type SCHEMA_EXPORT/TABLE/TABLE\n")
emit("Processing object type SCHEMA_EXPORT/TABLE/TABLE_DATA\n")
errors = 0
for name in one["tables"].split(","):
    schema, table = name.split(".")
    target = remap.get(schema, schema)
    if name not in tables:
        emit(f"ORA-39166: Object {name} was not found or could not be exported or imported.\n")
        errors += 1
        continue
    # REMAP_SCHEMA alone keeps the table's tablespace; a scratch user without quota there gets
    # ORA-01950 and the table is not created (Oracle Database Utilities, REMAP_TABLESPACE).
    if remap_ts.get(DATA_TS, DATA_TS) != SCRATCH_TS:
        emit(
            f'ORA-39083: Object type TABLE:"{target}"."{table}" failed to create with error:\n'
            f"ORA-01950: no privileges on tablespace '{DATA_TS}'\n"
            f'Failing sql is:\nCREATE TABLE "{target}"."{table}" (...) TABLESPACE "{DATA_TS}"\n'
        )
        errors += 1
        continue
    # A table whose data fails to load: ORA-31693 "is being skipped" with its cause, the job ends
    # "completed with N error(s)" (TECH-NOTES "Data Pump, the parts that bite").
    if mode == "bad_rows" and errors == 0:
        emit(
            f'ORA-31693: Table data object "{target}"."{table}" failed to load/unload and is '
            "being skipped due to error:\nORA-02354: error in exporting/importing data\n"
            f'ORA-39776: fatal Direct Path API error loading table "{target}"."{table}"\n'
        )
        errors += 1
        continue
    emit(f'. . imported "{target}"."{table}"{" " * 20}1.234 MB {tables[name]:>8} rows\n')
    # A foreign key to a table not imported fails (ORA-00942); a trigger whose body names the
    # original schema compiles with warnings (ORA-39082): REMAP_SCHEMA does not rewrite PL/SQL
    # (Oracle Database Utilities, REMAP_SCHEMA and EXCLUDE; TECH-NOTES "Data Pump, round two").
    if table == "DATA_KELUARGA" and "REF_CONSTRAINT" not in excluded:
        emit(
            "ORA-39083: Object type REF_CONSTRAINT failed to create with error:\n"
            "ORA-00942: table or view does not exist\n"
        )
        errors += 1
    if table == "BIODATA_WNI" and "TRIGGER" not in excluded:
        emit(
            f'ORA-39082: Object type TRIGGER:"{target}"."TRG_BIODATA_AUDIT" created with '
            "compilation warnings\n"
        )
        errors += 1
finish(errors)
