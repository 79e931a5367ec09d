#!/usr/bin/env python3
"""A stand-in for Oracle's impdp: reads its parfile, reads the fake dump in the directory object's
folder (FAKE_EXPDP_DIR) and, like impdp, writes a SQL file (sqlfile=) or "imports" the chosen
tables, printing and logging in impdp's own format.

FAKE_IMPDP_MODE: success | bad_rows (a table's data fails to load: ORA-31693) | hang |
hang_import (the SQL file is written, the import hangs)
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

mode = os.environ.get("FAKE_IMPDP_MODE", "success")
folder = Path(os.environ["FAKE_EXPDP_DIR"])
args = dict(a.split("=", 1) for a in sys.argv[1:] if "=" in a)
params = {}
for line in Path(args["parfile"]).read_text().splitlines():
    key, _, value = line.partition("=")
    params.setdefault(key.strip().lower(), [])
    params[key.strip().lower()].append(value.strip())
one = {key: values[-1] for key, values in params.items()}
if not re.fullmatch(r'[^/"]+/"[^"]*"@.+', one.get("userid", "")):
    print("UDE-01017: operation generated ORACLE error 1017", flush=True)
    sys.exit(1)
if os.environ.get("NLS_LANG") != "AMERICAN_AMERICA.AL32UTF8":
    print("LRM-00101: the bot must pin NLS_LANG for English messages", flush=True)
    sys.exit(1)
if os.environ.get("FAKE_IMPDP_RECORD"):
    with open(os.environ["FAKE_IMPDP_RECORD"], "a") as stream:
        stream.write(json.dumps({k: v for k, v in params.items() if k != "userid"}) + "\n")

if "attach" in one:  # interactive mode: attach to the running job and kill it
    state = folder / f"{one['attach']}.state"
    if not state.exists():
        print("ORA-31626: job does not exist", flush=True)
        sys.exit(1)
    commands = [line.strip().upper() for line in sys.stdin.read().splitlines()]
    if commands[:2] == ["KILL_JOB", "YES"]:
        state.write_text("STOPPED")
        print("Are you sure you wish to stop this job ([yes]/no): yes", flush=True)
        sys.exit(0)
    sys.exit(1)

job = one["job_name"]
dump, logfile = folder / one["dumpfile"], folder / one["logfile"]
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
    verdict = f"completed with {errors} error(s)" if errors else "successfully completed"
    emit(f'Job "SYSTEM"."{job}" {verdict} at Sun Nov 29 02:00:09 2026 elapsed 0 00:00:04\n')
    sys.exit(5 if errors else 0)


header = logs.read_fake_dump(dump) if dump.is_file() else None
if header is None:
    print(BANNER, end="", flush=True)
    print("ORA-39001: invalid argument value", flush=True)
    print("ORA-39000: bad dump file specification", flush=True)
    print(f'ORA-31619: invalid dump file "{dump}"', flush=True)
    sys.exit(1)
emit(BANNER)
emit(f'Master table "SYSTEM"."{job}" successfully loaded/unloaded\n')
emit(f'Starting "SYSTEM"."{job}":  system/******** parfile={args["parfile"]}\n')
if mode == "hang" or (mode == "hang_import" and "sqlfile" not in one):
    (folder / f"{job}.state").write_text("EXECUTING")
    time.sleep(600)
    sys.exit(0)

tables: dict[str, int] = {}
for schema, table, _part, rows in header["tables"]:
    tables[f"{schema}.{table}"] = tables.get(f"{schema}.{table}", 0) + rows

if "sqlfile" in one:
    sql = [
        "-- CONNECT SYSTEM",
        "ALTER SESSION SET EVENTS '10150 TRACE NAME CONTEXT FOREVER, LEVEL 1';",
    ]
    sql.append("-- new object type path: SCHEMA_EXPORT/TABLE/TABLE")
    for name in tables:
        schema, table = name.split(".")
        sql += [
            f'CREATE TABLE "{schema}"."{table}" ',
            '   (\t"ID" NUMBER(16,0)',
            '   ) TABLESPACE "USERS" ;',
        ]
    sql.append("-- new object type path: SCHEMA_EXPORT/TABLE/INDEX/INDEX")
    for name in tables:
        schema, table = name.split(".")
        sql.append(f'CREATE UNIQUE INDEX "{schema}"."PK_{table}" ON "{schema}"."{table}" ("ID") ;')
    (folder / one["sqlfile"]).write_text("\n".join(sql) + "\n")
    emit("Processing object type SCHEMA_EXPORT/TABLE/TABLE\n")
    emit("Processing object type SCHEMA_EXPORT/TABLE/INDEX/INDEX\n")
    finish()

remap = dict(value.split(":") for value in params.get("remap_schema", []))
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
    if mode == "bad_rows" and errors == 0:
        emit(
            f'ORA-31693: Table data object "{target}"."{table}" failed to load/unload and is '
            "being skipped due to error:\nORA-02354: error in exporting/importing data\n"
            f'ORA-39776: fatal Direct Path API error loading table "{target}"."{table}"\n'
        )
        errors += 1
        continue
    emit(f'. . imported "{target}"."{table}"{" " * 20}1.234 MB {tables[name]:>8} rows\n')
finish(errors)
