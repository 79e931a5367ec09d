#!/usr/bin/env python3
"""A stand-in for Oracle's expdp: reads its parfile, writes a dump and a real-format log into
the directory object's folder (FAKE_EXPDP_DIR) and prints what expdp prints.

FAKE_EXPDP_MODE: success | siak_full | errors | no_directory | full_disk | client_died | hang |
no_log,
or one mode per export job in the order they start ("success;hang")
FAKE_EXPDP_ATTACH: kill (default) | refuse (`attach=` fails with ORA-31631, the job runs on)
FAKE_EXPDP_RECORD: a file where it writes its argv and environment, for the secrecy checks.

The "server" job outlives the client like Oracle's: in hang mode its state is EXECUTING in
FAKE_EXPDP_DIR/<job>.state until `expdp attach=<job>` is sent STOP_JOB=IMMEDIATE and "yes".
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
mode = os.environ.get("FAKE_EXPDP_MODE", "success").split(";")[0]
args = dict(a.split("=", 1) for a in sys.argv[1:] if "=" in a)
params = {}
for line in Path(args["parfile"]).read_text().splitlines():
    key, _, value = line.partition("=")
    params[key.strip().lower()] = value.strip()

# userid=USER/"PASSWORD"@DSN, Oracle's quoting: a quoted password may hold # @ / and spaces.
login = re.fullmatch(
    r'(?P<user>[^/"]+)/(?:"(?P<quoted>[^"]*)"|(?P<plain>[^@"]*))@(?P<dsn>.+)',
    params.get("userid", ""),
)
password = (login["quoted"] if login["quoted"] is not None else login["plain"]) if login else None
if os.environ.get("FAKE_EXPDP_PASSWORD") and password != os.environ["FAKE_EXPDP_PASSWORD"]:
    print("\nExport: Release 19.0.0.0.0 - Production on Wed Nov 25 01:00:02 2026\n", flush=True)
    print("UDE-01017: operation generated ORACLE error 1017", flush=True)
    print("ORA-01017: invalid username/password; logon denied", flush=True)
    sys.exit(1)
if os.environ.get("NLS_LANG") != "AMERICAN_AMERICA.AL32UTF8":
    print("LRM-00101: the bot must pin NLS_LANG for English messages", flush=True)
    sys.exit(1)
if os.environ.get("FAKE_EXPDP_RECORD"):
    Path(os.environ["FAKE_EXPDP_RECORD"]).write_text(
        json.dumps(
            {
                "argv": sys.argv,
                "pid": os.getpid(),
                "pgid": os.getpgid(0) if hasattr(os, "getpgid") else None,
                "parfile_mode": oct(os.stat(args["parfile"]).st_mode & 0o777),
                "params": {k: v for k, v in params.items() if k != "userid"},
            }
        )
    )

# ATTACH=job: interactive-command mode; STOP_JOB=IMMEDIATE or KILL_JOB, confirmed with "yes",
# end the job on the server; ORA-31626 when it no longer exists (Oracle Database Utilities,
# "Commands Available in Export's Interactive-Command Mode").
if "attach" in params:
    # "When you specify the ATTACH parameter, the only other Data Pump parameter you can specify
    # on the command line is ENCRYPTION_PASSWORD" (Oracle Database Utilities 12.1, Export
    # ATTACH); the error's wording here is not Oracle's.
    others = set(params) - {"attach", "userid", "encryption_password"}
    if others:
        print(f"UDE-00011: parameter attach is incompatible with {sorted(others)}", flush=True)
        sys.exit(1)
    job = params["attach"]
    state = folder / f"{job}.state"
    if not state.exists():
        print("ORA-31626: job does not exist", flush=True)
        sys.exit(1)
    if os.environ.get("FAKE_EXPDP_ATTACH") == "refuse":
        # Attaching to another user's job needs the export role (Oracle Database Utilities,
        # Export ATTACH; ORA-31631 "privileges are required"): the job runs on.
        print("UDE-31631: operation generated ORACLE error 31631", flush=True)
        print("ORA-31631: privileges are required", flush=True)
        sys.exit(1)
    print(f"Job: {job}\n  State: {state.read_text().strip()}\nExport> ", flush=True)
    commands = [line.strip().upper() for line in sys.stdin.read().splitlines()]
    if commands[:2] in (["STOP_JOB=IMMEDIATE", "YES"], ["KILL_JOB", "YES"]):
        state.write_text("STOPPED")
        print("Are you sure you wish to stop this job ([yes]/no): yes", flush=True)
        sys.exit(0)
    sys.exit(1)

if params.get("estimate_only", "").lower() in ("y", "yes"):
    # ESTIMATE_ONLY=YES: logs in, runs a job that estimates the size, writes no dump file
    # (Oracle Database Utilities, Data Pump Export ESTIMATE_ONLY); NOLOGFILE=YES: no log file.
    assert params.get("nologfile", "").lower() in ("y", "yes") and "dumpfile" not in params
    if mode == "no_directory":
        print(logs.NO_DIRECTORY_OUTPUT, flush=True)
        sys.exit(1)
    job = params["job_name"]
    print(f'Starting "SYSTEM"."{job}":  system/******** parfile={args["parfile"]}', flush=True)
    print("Total estimation using BLOCKS method: 1.012 GB", flush=True)
    print(
        f'Job "SYSTEM"."{job}" successfully completed at Wed Nov 25 01:00:09 2026 elapsed 0 00:00:07',
        flush=True,
    )
    sys.exit(0)

job = params["job_name"]
dump, logfile = folder / params["dumpfile"], folder / params["logfile"]
mode = logs.job_mode("FAKE_EXPDP_MODE", folder)


def emit(text: str, *, to_log: bool = True) -> None:
    text = text.replace("SOPBOT_20261125_010002", job)
    for line in text.splitlines():
        print(line, flush=True)
    if to_log:
        with logfile.open("a") as stream:
            stream.write(text)


# A missing or unwritable directory: ORA-39002 + ORA-39070 + ORA-39087, no log file written
# (TECH-NOTES "Oracle Data Pump from Python"; Oracle Database Error Messages).
if mode == "no_directory":
    print(logs.NO_DIRECTORY_OUTPUT, flush=True)
    sys.exit(1)
# Killing the client does not stop the job on the server (TECH-NOTES "Data Pump, the parts that
# bite"): the job stays EXECUTING until stopped through ATTACH.
if mode == "hang":
    # The job runs on the server, not in this client: ending the client (a signal, Ctrl+C,
    # TerminateProcess) leaves the state EXECUTING. Oracle Database Utilities, "Data Pump
    # Export", interactive-command mode: the job keeps running after the client detaches or
    # exits; it ends only through ATTACH then STOP_JOB or KILL_JOB.
    (folder / f"{job}.state").write_text("EXECUTING")
    # expdp's line once the job runs on the server (Oracle Database Utilities, Export examples).
    print(f'Starting "SYSTEM"."{job}":  system/******** parfile={args["parfile"]}', flush=True)
    time.sleep(600)
    sys.exit(0)

# INCLUDE=TABLE:"IN ('A')": only the named tables (and what depends on them) are exported
# (Oracle Database Utilities, Data Pump Export INCLUDE).
included = re.findall(r"'([^']+)'", params.get("include", ""))


def only_included(text: str) -> str:
    if not included:
        return text
    kept = [
        line
        for line in text.splitlines()
        if not line.startswith(". . exported") or any(f'."{t}"' in line for t in included)
    ]
    return "\n".join(kept) + "\n"


written = {
    "success": only_included(logs.SUCCESS_19C_WITH_ORA_39173),
    "siak_full": only_included(logs.SIAK_FULL_11G),  # a full export of a SIAK-like database
    "errors": only_included(logs.COMPLETED_WITH_ERRORS),
    "client_died": only_included(logs.SUCCESS_11G),  # what the job on the server logs
    "no_log": only_included(logs.SUCCESS_19C_WITH_ORA_39173),
}
dump.write_bytes(logs.fake_dump(job, written.get(mode, "")))
print("Job: " + job + "\n  Percent Done: 50", flush=True)
# Exit codes: 0 success, 5 completed with errors, 1 failed (Oracle Database Utilities 18c+, "Data
# Pump Exit Codes"; not re-read, docs/oracle-facts.md: the bot's verdict never rests on them).
if mode in ("success", "siak_full"):
    emit(written[mode])
    sys.exit(0)
# no_log breaks the bot's assumption rather than following Oracle: the job succeeds but its log
# never reaches DUMP_DIR (e.g. a log directory object that is not the folder the bot reads).
if mode == "no_log":
    emit(written["no_log"], to_log=False)
    sys.exit(0)
if mode == "errors":
    emit(written["errors"])
    sys.exit(5)
if mode == "full_disk":
    emit(logs.FULL_DISK)
    sys.exit(1)
# The client dies with UDE-00008/ORA-31626 while the job on the server completes, its log says
# so (TECH-NOTES "Data Pump, round two": settle the verdict from the log).
if mode == "client_died":
    emit(logs.CLIENT_DIED_OUTPUT, to_log=False)
    with logfile.open("w") as stream:  # the job on the server went on and finished
        stream.write(written["client_died"].replace("SOPBOT_20261125_010002", job))
    sys.exit(1)
sys.exit(f"unknown FAKE_EXPDP_MODE {mode}")
