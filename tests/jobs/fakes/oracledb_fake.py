"""A stand-in for the python-oracledb module at the connection/cursor boundary.

It answers the DBMS_DATAPUMP PL/SQL blocks that jobs/dump/oracle.py sends the way an Oracle
server would: OPEN starts a job, GET_STATUS reports EXECUTING with a growing percentage and then
the final state, and the "server" writes the dump and a real-format log into the directory
object's folder. Errors are raised as oracledb.Error with Oracle's own codes and texts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import datapump_logs as logs


class Error(Exception):
    """Like oracledb.Error: str() is Oracle's message, code first."""


@dataclass
class Var:
    kind: type
    value: Any = None

    def getvalue(self) -> Any:
        return self.value

    def setvalue(self, _pos: int, value: Any) -> None:
        self.value = value


@dataclass
class Server:
    directory_path: Path
    scenario: str = "success"  # success | open_fails | full_disk | no_log | hang
    leftover_jobs: list[tuple[str, str]] = field(default_factory=list)  # (job, state)
    dropped: list[str] = field(default_factory=list)  # master tables dropped
    expiry: Any = None  # user_users.expiry_date
    quota: int | None = -1  # user_ts_quotas.max_bytes on the default tablespace (-1: unlimited)
    session_nls: str = ""
    detached: bool = False
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    connect_error: str | None = None
    closed: bool = False
    job: dict[str, Any] = field(default_factory=dict)
    polls: int = 0
    # The job lives on the server: DETACH leaves it as it is, only STOP_JOB ends it.
    job_state: str = "NONE"
    # The drill's scratch user (DBA_USERS.DEFAULT_TABLESPACE; quota there or UNLIMITED
    # TABLESPACE), None when the user does not exist.
    scratch_tablespace: str | None = "USERS"
    scratch_quota: bool = True


class Cursor:
    def __init__(self, server: Server) -> None:
        self.server = server
        self._rows: list[tuple[Any, ...]] = []

    def __enter__(self) -> Cursor:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def var(self, kind: type) -> Var:
        return Var(kind)

    def __iter__(self) -> Any:
        return iter(self._rows)

    def fetchone(self) -> Any:
        return self._rows[0] if self._rows else None

    def execute(self, statement: str, parameters: Any = None, **kwargs: Any) -> Cursor:
        server = self.server
        text = " ".join(statement.split()).upper()
        block = next(
            (
                name
                for name in ("STOP_JOB", "DETACH", "GET_STATUS", "OPEN")
                if f"DBMS_DATAPUMP.{name}" in text
            ),
            "",
        )
        server.calls.append((text.split()[0] if text else "", {**kwargs, "block": block}))
        if text.startswith("ALTER SESSION"):
            server.session_nls = text
        elif "USER_DATAPUMP_JOBS" in text:
            self._rows = list(server.leftover_jobs)
        elif "DBMS_DATAPUMP.GET_DUMPFILE_INFO" in text:
            self._dumpfile_info(kwargs)
        elif text.startswith("DROP TABLE"):
            quoted = statement.split('"')
            name = quoted[1] if len(quoted) < 5 else f"{quoted[1]}.{quoted[3]}"
            server.dropped.append(name)
            server.leftover_jobs = [j for j in server.leftover_jobs if j[0] != name]
        elif "FROM DBA_USERS U WHERE U.USERNAME = :NAME" in text:
            tablespace = server.scratch_tablespace
            self._rows = [] if tablespace is None else [(tablespace, int(server.scratch_quota))]
        elif "USER_TS_QUOTAS" in text:
            self._rows = [("USERS", server.quota, 0)]
        elif "USER_USERS" in text:
            self._rows = [("OPEN", server.expiry)]
        elif "DBMS_DATAPUMP.OPEN" in text:
            assert "DBMS_DATAPUMP.START_JOB" in text and "KU$_FILE_TYPE_LOG_FILE" in text
            assert "'FLASHBACK_SCN'" in text  # a consistent export, or none at all
            kwargs["handle"].value = 42
            kwargs["failed"].value = 0
            if server.scenario == "open_fails":
                # Oracle raises a generic error with its stack; the cause is only in the job's
                # status. The block's handler collects both and returns them (OUT binds are
                # lost when a block ends in an exception, so it does not re-raise).
                assert "RAISE;" not in text
                kwargs["errors"].value = (
                    "ORA-39087: directory name DATA_PUMP_DIR is invalid\n"
                    "ORA-39001: invalid argument value\n"
                    'ORA-06512: at "SYS.DBMS_SYS_ERROR", line 79\n'
                    'ORA-06512: at "SYS.DBMS_DATAPUMP", line 4929\n'
                    "ORA-06512: at line 12\n"
                )
                kwargs["failed"].value = 1
                return self
            server.job = dict(kwargs)
            server.job_state = "EXECUTING"
            kwargs["scn"].value = 987654321
        elif "DBMS_DATAPUMP.GET_STATUS" in text:
            assert kwargs["handle"] == 42
            server.polls += 1
            if server.scenario == "hang" or server.polls < 3:
                kwargs["state"].value, kwargs["percent"].value = "EXECUTING", 30.0 * server.polls
                kwargs["errors"].value = None
                return self
            self._finish(kwargs)
        elif "DBMS_DATAPUMP.STOP_JOB" in text:
            assert (
                kwargs["handle"] == 42 and "IMMEDIATE => 1" in text and "KEEP_MASTER => 0" in text
            )
            server.job_state = "STOPPED"
            server.detached = True  # STOP_JOB detaches the handle, as Oracle documents
        elif "DBMS_DATAPUMP.DETACH" in text:
            assert kwargs["handle"] == 42
            if server.detached:
                raise Error("ORA-31623: a job is not attached to this session via the handle")
            server.detached = True
        else:
            raise Error(f"ORA-00900: invalid SQL statement ({text[:40]})")
        return self

    def _dumpfile_info(self, out: dict[str, Any]) -> None:
        """Oracle reads the file's header in the directory object's folder."""
        assert out["directory"] == "DATA_PUMP_DIR"
        path = self.server.directory_path / out["file_name"]
        if not path.is_file():
            raise Error(
                "ORA-39211: Unable to retrieve dumpfile information as specified.\n"
                "ORA-29283: invalid file operation"
            )
        header = logs.read_fake_dump(path)
        if header is None:  # Oracle does not recognise it: file type 0, no items
            out["filetype"].value = 0
            return
        out["filetype"].value = 1
        # KU$_DFHDR_JOB_NAME holds the owner-qualified, quoted name the header stores, as the
        # master table is named: "SYSTEM"."SOPBOT_…" (Oracle Database PL/SQL Packages and Types
        # Reference, DBMS_DATAPUMP.GET_DUMPFILE_INFO; TECH-NOTES "Data Pump, round two").
        out["job_name"].value = f'"{header.get("owner", "SYSTEM")}"."{header["job"]}"'
        out["created"].value = header["created"]
        out["db_version"].value = header["version"]
        out["master"].value = "1"

    def _finish(self, out: dict[str, Any]) -> None:
        server, job = self.server, self.server.job
        folder = server.directory_path
        log_text = {
            "success": logs.SUCCESS_11G,
            "full_disk": logs.FULL_DISK,
            "skipped": logs.COMPLETED_WITH_ERRORS,
            "no_log": None,
        }[server.scenario]
        (folder / job["dump_file"]).write_bytes(logs.fake_dump(job["job_name"], log_text or ""))
        if log_text is not None:
            (folder / job["log_file"]).write_text(
                log_text.replace("SOPBOT_20261125_010002", job["job_name"])
            )
        server.job_state = "COMPLETED"
        if server.scenario == "full_disk":
            server.job_state = "STOPPED"
            out["state"].value, out["percent"].value = "STOPPED", 60.0
            out["errors"].value = "ORA-39095: Dump file space has been exhausted\n"
        else:
            out["state"].value, out["percent"].value, out["errors"].value = "COMPLETED", 100, None


class Connection:
    def __init__(self, server: Server) -> None:
        self.server = server

    def cursor(self) -> Cursor:
        return Cursor(self.server)

    def close(self) -> None:
        self.server.closed = True


class Driver:
    """The module-level API the backend uses: connect(), Error."""

    Error = Error

    def __init__(self, server: Server) -> None:
        self.server = server
        self.connect_args: dict[str, Any] = {}

    def connect(self, **kwargs: Any) -> Connection:
        self.connect_args = kwargs
        if self.server.connect_error:
            raise Error(self.server.connect_error)
        return Connection(self.server)
