"""A stand-in for the python-oracledb module at the connection/cursor boundary.

It answers the DBMS_DATAPUMP PL/SQL blocks that jobs/dump/oracle.py sends the way an Oracle
server would: OPEN starts a job, GET_STATUS reports EXECUTING with a growing percentage and then
the final state, and the "server" writes the dump and a real-format log into the directory
object's folder. Errors are raised as oracledb.Error with Oracle's own codes and texts.

Each behaviour cites where it comes from: Oracle Database PL/SQL Packages and Types Reference
(DBMS_DATAPUMP), Oracle Database Reference (the dictionary views), Oracle Database Utilities
(Data Pump), the python-oracledb documentation, and the support notes named in TECH-NOTES.md.
Version variants (`Server.oracle_10g`, `oracle_11g`, `oracle_12c_pdb`, `oracle_19c`) differ
where Oracle does.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import datapump_logs as logs


class Error(Exception):
    """Like oracledb.Error: str() is Oracle's message, code first."""


# DBMS_DATAPUMP's invalid_handle (Oracle Database Error Messages, ORA-31623).
INVALID_HANDLE = "ORA-31623: a job is not attached to this session via the specified handle"


@dataclass
class Var:
    kind: type
    value: Any = None

    def getvalue(self) -> Any:
        return self.value

    def setvalue(self, _pos: int, value: Any) -> None:
        self.value = value


# SYSTEM's roles: granted DBA directly (USER_ROLE_PRIVS), and through DBA the export and import
# roles (SESSION_ROLES lists every enabled role, direct or not; Oracle Database Security Guide,
# "Predefined roles": DBA includes EXP_FULL_DATABASE and IMP_FULL_DATABASE, and from 11.2 the
# DATAPUMP_EXP_FULL_DATABASE / DATAPUMP_IMP_FULL_DATABASE roles).
SYSTEM_DIRECT_ROLES = ["DBA", "AQ_ADMINISTRATOR_ROLE", "MGMT_USER"]
SYSTEM_SESSION_ROLES_11G = [
    "DBA",
    "SELECT_CATALOG_ROLE",
    "EXECUTE_CATALOG_ROLE",
    "EXP_FULL_DATABASE",
    "IMP_FULL_DATABASE",
    "DATAPUMP_EXP_FULL_DATABASE",
    "DATAPUMP_IMP_FULL_DATABASE",
    "AQ_ADMINISTRATOR_ROLE",
]
# DATA_PUMP_DIR is granted to the export and import roles by the catalog (TECH-NOTES "Data Pump,
# round two": directory grants may go to roles), not to SYSTEM by name.
DATA_PUMP_DIR_GRANTS = [
    ("EXP_FULL_DATABASE", "READ"),
    ("EXP_FULL_DATABASE", "WRITE"),
    ("IMP_FULL_DATABASE", "READ"),
    ("IMP_FULL_DATABASE", "WRITE"),
]


@dataclass
class Server:
    directory_path: Path
    # success | open_fails | open_refused (OPEN itself fails, h stays NULL) | full_disk |
    # no_log | hang | gone_after_completion (GET_STATUS raises ORA-31623 once the job ended)
    scenario: str = "success"
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
    version: str = "19.3.0.0.0"
    user: str = "SYSTEM"
    direct_roles: list[str] = field(default_factory=lambda: list(SYSTEM_DIRECT_ROLES))
    session_roles: list[str] = field(default_factory=lambda: list(SYSTEM_SESSION_ROLES_11G))
    directories: dict[str, str] = field(default_factory=dict)  # name -> path; default: ours
    directory_grants: list[tuple[str, str]] = field(
        default_factory=lambda: list(DATA_PUMP_DIR_GRANTS)
    )
    # A 12c/19c PDB whose DATA_PUMP_DIR points at the root's folder: ADD_FILE gives ORA-39087
    # (TECH-NOTES "Data Pump, round two"; Oracle Database Utilities 12.1, "Default Locations
    # for Dump, Log, and SQL Files": in a PDB the default directory cannot be used).
    pdb_directory_invalid: bool = False
    header_master: str = "1"  # KU$_DFHDR_MASTER_PRESENT: '1' when the master table is in it
    attach_error: str | None = None  # what ATTACH raises (e.g. ORA-31631, no privilege)
    # ALL_TABLES (owner, table, NUM_ROWS from statistics), for the self-test's table choice
    tables: list[tuple[str, str, int]] = field(
        default_factory=lambda: [
            ("SIAK", "BIODATA_WNI", 2345678),
            ("SIAK", "DATA_KELUARGA", 712345),
            ("SIAK", "T5_SEQN_NIK", 12),
            ("SYSTEM", "HELP", 938),
        ]
    )
    probe_error: str | None = None  # an error OPEN raises for the probe (ORA-01950, ORA-31633)
    stop_error: str | None = None  # what STOP_JOB raises (e.g. ORA-39004 invalid state)
    honours_name_expr: bool = True  # False: a server that breaks the one-table filter
    scn_error: str | None = None  # what TIMESTAMP_TO_SCN raises (a server that breaks it)
    # ALL_USERS.ORACLE_MAINTAINED = 'Y' (Oracle Database Reference 12.1, ALL_USERS: the column
    # exists from 12.1.0.2; before it the query fails with ORA-00904). The accounts a 19c
    # database creates itself (Oracle Database Security Guide 19c, "Oracle-Supplied Accounts").
    maintained_users: list[str] = field(
        default_factory=lambda: ["SYS", "SYSTEM", "OUTLN", "XDB", "DBSNMP", "APPQOSSYS", "AUDSYS"]
    )

    @classmethod
    def oracle_10g(cls, directory_path: Path) -> Server:
        """10g R2: no DATAPUMP_* roles (they arrived in 11.2), thick mode only (DPY-3010)."""
        roles = [r for r in SYSTEM_SESSION_ROLES_11G if not r.startswith("DATAPUMP_")]
        return cls(directory_path, version="10.2.0.5.0", session_roles=roles)

    @classmethod
    def oracle_11g(cls, directory_path: Path) -> Server:
        """11.2: thick mode only (python-oracledb thin needs 12.1, DPY-3010)."""
        return cls(directory_path, version="11.2.0.4.0")

    @classmethod
    def oracle_12c_pdb(cls, directory_path: Path) -> Server:
        return cls(directory_path, version="12.2.0.1.0", pdb_directory_invalid=True)

    @classmethod
    def oracle_19c(cls, directory_path: Path) -> Server:
        return cls(directory_path, version="19.3.0.0.0")

    def shared_state(self, job: str) -> Path:
        """The job's state as the expdp/impdp fakes see it (one server, several clients)."""
        return self.directory_path / f"{job}.state"

    def sync_shared(self) -> None:
        """A job killed through `attach=` and KILL_JOB by another client is gone."""
        if self.job_state != "EXECUTING":
            return
        shared = self.shared_state(self.job["job_name"])
        if shared.is_file() and shared.read_text().strip() == "STOPPED":
            self.job_state = "STOPPED"
            shared.unlink()

    def directory(self, name: str) -> str | None:
        return self.directories.get(name) or (
            str(self.directory_path) if name == "DATA_PUMP_DIR" else None
        )


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
            server.sync_shared()
            rows = list(server.leftover_jobs)
            if server.job_state == "EXECUTING":  # a job of ours the server still runs
                rows.append((server.job["job_name"], "EXECUTING"))
            # Jobs other clients (the expdp and impdp fakes) started on this server. KILL_JOB
            # (what the bot sends through `attach=`) drops the master table, so a job ended
            # that way leaves USER_DATAPUMP_JOBS (Oracle Database Utilities, KILL_JOB;
            # Oracle Database Reference, DBA_DATAPUMP_JOBS: jobs with a master table).
            for shared in sorted(server.directory_path.glob("*.state")):
                if shared.read_text().strip() == "EXECUTING" and not any(
                    r[0] == shared.stem for r in rows
                ):
                    rows.append((shared.stem, "EXECUTING"))
            if "JOB_NAME = :JOB_NAME" in text:
                rows = [r for r in rows if r[0] == kwargs["job_name"]]
            if "NOT LIKE 'SOPBOT\\_DRILL\\_%'" in text:  # the WHERE clause Oracle evaluates
                rows = [r for r in rows if not r[0].startswith("SOPBOT_DRILL_")]
            self._rows = rows
        elif "FROM ALL_TAB_PRIVS" in text:
            # The view holds grants to the user, PUBLIC and the user's enabled roles (Oracle
            # Database Reference 10.1 and 11.2, ALL_TAB_PRIVS: "Object grants for which an enabled
            # role or PUBLIC is the grantee"); the query's WHERE then filters the grantee.
            visible = [
                (grantee, privilege)
                for grantee, privilege in server.directory_grants
                if grantee in (server.user, "PUBLIC", *server.session_roles)
            ]
            if "SESSION_ROLES" not in text:  # grantee IN (USER, 'PUBLIC') only
                visible = [(g, p) for g, p in visible if g in (server.user, "PUBLIC")]
            self._rows = [(p,) for _g, p in visible]
        elif "FROM ALL_USERS WHERE ORACLE_MAINTAINED" in text:
            if tuple(int(p) for p in server.version.split(".")[:4]) < (12, 1, 0, 2):
                raise Error('ORA-00904: "ORACLE_MAINTAINED": invalid identifier')
            self._rows = [(u,) for u in server.maintained_users]
        elif "FROM SESSION_ROLES" in text:
            self._rows = [(r,) for r in server.session_roles if f"'{r}'" in text]
        elif "FROM USER_ROLE_PRIVS" in text:  # direct grants only (Oracle Database Reference)
            self._rows = [(r,) for r in server.direct_roles if f"'{r}'" in text]
        elif "FROM ALL_DIRECTORIES" in text:
            path = server.directory(kwargs["name"])
            self._rows = [] if path is None else [(path,)]
        elif "DBMS_DATAPUMP.GET_DUMPFILE_INFO" in text:
            self._dumpfile_info(kwargs)
        elif text.startswith("DROP TABLE"):
            quoted = statement.split('"')
            name = quoted[1] if len(quoted) < 5 else f"{quoted[1]}.{quoted[3]}"
            server.dropped.append(name)
            server.leftover_jobs = [j for j in server.leftover_jobs if j[0] != name]
        elif "FROM DBA_USERS U WHERE U.USERNAME = :NAME" in text:
            # DBA_USERS.DEFAULT_TABLESPACE, DBA_TS_QUOTAS and DBA_SYS_PRIVS (Oracle Database
            # Reference): the scratch user's tablespace and whether it may write there.
            tablespace = server.scratch_tablespace
            self._rows = [] if tablespace is None else [(tablespace, int(server.scratch_quota))]
        elif "USER_TS_QUOTAS" in text:  # MAX_BYTES -1 = unlimited (Oracle Database Reference)
            self._rows = [("USERS", server.quota, 0)]
        elif "USER_USERS" in text:  # ACCOUNT_STATUS, EXPIRY_DATE (Oracle Database Reference)
            self._rows = [("OPEN", server.expiry)]
        elif "SELECT TIMESTAMP_TO_SCN(SYSTIMESTAMP) FROM DUAL" in text:  # SQL Reference
            if server.scn_error:
                raise Error(server.scn_error)
            self._rows = [(987654321,)]
        elif "FROM ALL_TABLES" in text:
            # Statistics' NUM_ROWS, smallest first, as the query orders them.
            rows = sorted(
                (n, o, t) for o, t, n in server.tables if n and o not in ("SYS", "SYSTEM")
            )
            self._rows = [(o, t) for _n, o, t in rows]
        elif "DBMS_DATAPUMP.ATTACH" in text:
            # ATTACH to a job by name from another session; ORA-31626 when it no longer exists
            # (DBMS_DATAPUMP.ATTACH). STOP_JOB(immediate, keep_master 0) ends it.
            if server.attach_error:
                raise Error(server.attach_error)
            server.sync_shared()
            if server.job_state != "EXECUTING" or server.job["job_name"] != kwargs["job_name"]:
                raise Error("ORA-31626: job does not exist")
            assert "IMMEDIATE => 1" in text and "KEEP_MASTER => 0" in text
            server.job_state = "STOPPED"
            server.shared_state(kwargs["job_name"]).unlink(missing_ok=True)
        elif "DBMS_DATAPUMP.OPEN" in text and "START_JOB" not in text:
            self._probe(kwargs)
        elif "DBMS_DATAPUMP.OPEN" in text:
            assert "DBMS_DATAPUMP.START_JOB" in text and "KU$_FILE_TYPE_LOG_FILE" in text
            assert "'FLASHBACK_SCN'" in text  # a consistent export, or none at all
            kwargs["handle"].value = 42
            kwargs["failed"].value = 0
            # OPEN/ADD_FILE/START_JOB raise a generic ORA-39001/39002 with an ORA-06512 stack;
            # the cause is in GET_STATUS(KU$_STATUS_JOB_ERROR) (TECH-NOTES "Data Pump, the
            # parts that bite"; DBMS_DATAPUMP "Error handling").
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
            if server.scenario == "open_refused":
                # OPEN itself fails (ORA-31633: the master table cannot be made), so the handle
                # stays NULL; only GET_STATUS with a NULL handle gives the cause (TECH-NOTES
                # "Data Pump, round two"). The block must ask it outside its `IF h IS NOT NULL`.
                asked = text.find("DBMS_DATAPUMP.GET_STATUS(H")
                guard = text.find("IF H IS NOT NULL")
                cause = 'ORA-31633: unable to create master table "SYSTEM.SOPBOT_X"\n'
                kwargs["errors"].value = (cause if 0 <= asked < guard else "") + (
                    'ORA-39006: internal error\nORA-06512: at "SYS.DBMS_SYS_ERROR", line 79\n'
                )
                kwargs["handle"].value = None
                kwargs["failed"].value = 1
                return self
            server.job = dict(kwargs)
            server.job_state = "EXECUTING"
            server.detached, server.polls = False, 0  # a new job, a new handle
            kwargs["scn"].value = 987654321
        elif "DBMS_DATAPUMP.GET_STATUS" in text:
            assert kwargs["handle"] == 42
            if server.job_state == "GONE":
                # After COMPLETED, later calls on the handle "will likely result in an
                # invalid_handle exception" (ORA-31623; DBMS_DATAPUMP package specification,
                # GET_STATUS). TECH-NOTES also reports ORA-31626 here (bug 5969934).
                raise Error(INVALID_HANDLE)
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
            # STOP_JOB also detaches the handle (DBMS_DATAPUMP package specification, STOP_JOB:
            # "This handle is detached on successful completion of this call"); immediate => 1
            # aborts the workers at once, keep_master => 0 drops the master table.
            if server.stop_error:
                raise Error(server.stop_error)
            server.job_state = "STOPPED"
            server.detached = True
        elif "DBMS_DATAPUMP.DETACH" in text:
            assert kwargs["handle"] == 42
            # DETACH on a handle already detached: ORA-31623 (Oracle Database Error Messages).
            # DETACH alone leaves the job running (DBMS_DATAPUMP.DETACH). Once GET_STATUS has
            # reported COMPLETED, "subsequent calls will likely result in an invalid_handle
            # exception" (DBMS_DATAPUMP package specification, GET_STATUS): ORA-31623.
            if server.detached or server.job_state in ("GONE", "COMPLETED"):
                raise Error(INVALID_HANDLE)
            server.detached = True
            if server.job_state == "EXECUTING":
                # The job runs on without a client (DBMS_DATAPUMP.DETACH); other clients find it
                # by name: `expdp|impdp attach=` in the fakes read this shared job table.
                server.shared_state(server.job["job_name"]).write_text("EXECUTING")
        else:
            raise Error(f"ORA-00900: invalid SQL statement ({text[:40]})")
        return self

    def _dumpfile_info(self, out: dict[str, Any]) -> None:
        """Oracle reads the file's header in the directory object's folder (DBMS_DATAPUMP.
        GET_DUMPFILE_INFO): ORA-39211 "Unable to retrieve dumpfile information as specified" for
        a file it cannot open; file type 0 ("Unknown file type") and no items for a file that is
        not a dump; type 1 for a Data Pump dump, with its items (DBMS_DATAPUMP package
        specification)."""
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
        # File type 1 = "Data Pump dumpfile" and the item codes (DBMS_DATAPUMP package
        # specification, GET_DUMPFILE_INFO). KU$_DFHDR_JOB_NAME as the owner-qualified, quoted
        # name "SYSTEM"."SOPBOT_…" follows TECH-NOTES "Data Pump, round two" (not re-read in
        # Oracle's text, docs/oracle-facts.md); the code accepts the bare name too.
        out["job_name"].value = f'"{header.get("owner", "SYSTEM")}"."{header["job"]}"'
        out["created"].value = header["created"]
        out["db_version"].value = header["version"]
        out["master"].value = self.server.header_master

    def _probe(self, out: dict[str, Any]) -> None:
        """OPEN of a job never started, ADD_FILE of a log file, STOP_JOB: the log file is
        created when added (Oracle Database PL/SQL Packages and Types Reference, ADD_FILE)."""
        server = self.server
        if server.probe_error:
            raise Error(server.probe_error)
        path = server.directory(out["directory"])
        if path is None or server.pdb_directory_invalid:
            # ADD_FILE on a directory object that is missing or unusable
            raise Error(
                "ORA-39002: invalid operation\n"
                f"ORA-39087: directory name {out['directory']} is invalid\n"
                'ORA-06512: at "SYS.DBMS_SYS_ERROR", line 79\n'
                'ORA-06512: at "SYS.DBMS_DATAPUMP", line 3444\n'
                "ORA-06512: at line 5"
            )
        (Path(path) / out["log_file"]).write_text("")

    def _finish(self, out: dict[str, Any]) -> None:
        """The job ends: GET_STATUS gives COMPLETED (or STOPPED with ORA-39095 for a full disk,
        DBMS_DATAPUMP.GET_STATUS job_state), and the server has written the dump and the log in
        the directory object's folder, in Data Pump's log format (TECH-NOTES)."""
        server, job = self.server, self.server.job
        folder = server.directory_path
        log_text = {
            "success": logs.SUCCESS_11G,
            "gone_after_completion": logs.SUCCESS_11G,
            "full_disk": logs.FULL_DISK,
            "skipped": logs.COMPLETED_WITH_ERRORS,
            "no_log": None,
        }[server.scenario]
        if log_text is not None and job.get("name_expr") and server.honours_name_expr:
            # METADATA_FILTER NAME_EXPR on object path TABLE: only the named tables' data
            # (Oracle Database PL/SQL Packages and Types Reference, METADATA_FILTER).
            names = re.findall(r"'([^']+)'", job["name_expr"])
            log_text = (
                "\n".join(
                    line
                    for line in log_text.splitlines()
                    if not line.startswith(". . exported")
                    or any(f'."{name}"' in line for name in names)
                )
                + "\n"
            )
        (folder / job["dump_file"]).write_bytes(logs.fake_dump(job["job_name"], log_text or ""))
        if log_text is not None:
            (folder / job["log_file"]).write_text(
                log_text.replace("SOPBOT_20261125_010002", job["job_name"])
            )
        server.job_state = "COMPLETED"
        if server.scenario == "gone_after_completion":
            # The job completed between two polls and its handle is already invalid: this
            # poll, the first after the end, fails (DBMS_DATAPUMP package specification,
            # GET_STATUS: after COMPLETED "subsequent calls will likely result in an
            # invalid_handle exception"; TECH-NOTES: ORA-31626, bug 5969934).
            server.job_state = "GONE"
            raise Error(
                INVALID_HANDLE + "\n"
                'ORA-06512: at "SYS.DBMS_SYS_ERROR", line 79\n'
                'ORA-06512: at "SYS.DBMS_DATAPUMP", line 1137'
            )
        if server.scenario == "full_disk":
            server.job_state = "STOPPED"
            out["state"].value, out["percent"].value = "STOPPED", 60.0
            out["errors"].value = "ORA-39095: Dump file space has been exhausted\n"
        else:
            out["state"].value, out["percent"].value, out["errors"].value = "COMPLETED", 100, None


class Connection:
    def __init__(self, server: Server) -> None:
        self.server = server
        self.version = server.version  # python-oracledb: Connection.version

    def cursor(self) -> Cursor:
        return Cursor(self.server)

    def close(self) -> None:
        self.server.closed = True


class Defaults:
    """oracledb.defaults, set when the module loads: `config_dir` (where thin mode reads
    tnsnames.ora) is TNS_ADMIN, or $ORACLE_HOME/network/admin when TNS_ADMIN is not set
    (python-oracledb 3.0.0 release notes; src/oracledb/impl/base/defaults.pyx)."""

    def __init__(self) -> None:
        home = os.environ.get("ORACLE_HOME")
        self.config_dir = os.environ.get("TNS_ADMIN") or (
            os.path.join(home, "network", "admin") if home else None
        )


class Driver:
    """The module-level API the backend uses: connect(), Error, defaults."""

    Error = Error

    def __init__(self, server: Server, thin: bool = False) -> None:
        self.server = server
        self.thin = thin
        self.connect_args: dict[str, Any] = {}
        self.defaults = Defaults()

    def is_thin_mode(self) -> bool:
        return self.thin

    def connect(self, **kwargs: Any) -> Connection:
        self.connect_args = kwargs
        if self.server.connect_error:
            raise Error(self.server.connect_error)
        major, minor = (int(p) for p in self.server.version.split(".")[:2])
        if self.thin and (major, minor) < (12, 1):
            # python-oracledb documentation, "Supported Oracle Database versions": thin mode
            # connects to 12.1 and later only.
            raise Error(
                "DPY-3010: connections to this database server version are not supported by "
                "python-oracledb in thin mode"
            )
        return Connection(self.server)
