"""The `expdp` backend: Oracle's Data Pump export program, as the office's Task Scheduler ran it.

Credentials go through a parameter file readable only by the bot's user, deleted right after
the run: never on the command line (visible in process lists) and never in a log.

Stopping: killing expdp does not stop the export on the server, so a stop (or a timeout) ends
the program and then attaches to the job by name (`expdp attach=<job>`) and sends `KILL_JOB`,
which ends it on the server and removes its master table and partial dump.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

from core.private import private_dir
from core.problems import Code, Problem, problem
from core.secrets import mask
from core.settings import Settings
from jobs import programs
from jobs.dump import datapump_log
from jobs.dump.oracle import oracle_spec
from jobs.dump.result import BackendCheck, BackendResult, DumpRequest
from jobs.job import Outcome, Progress, ProgressReport, StopSignal, Unit

log = logging.getLogger(__name__)

STATUS_INTERVAL_SECONDS = 15  # expdp prints "Percent Done" this often
ESTIMATE_SECONDS = 300  # an ESTIMATE_ONLY job of a full database (BLOCKS method) may take this
STOP_JOB_SECONDS = 120  # how long `expdp attach=… KILL_JOB` may take
END_SECONDS = 10  # how long expdp may take to end after being told to
# How long a client ended from outside waits for the bot's own stop to arrive (the same service
# stop signalled both at once; the bot hears of it only after it stops polling Telegram).
STOP_RACE_SECONDS = 15


def _quote(value: str) -> str:
    """A password for the parameter file, always double-quoted (Oracle's rule for `#`, `@`, `/`
    and spaces; a quoted plain password is read the same)."""
    return f'"{value}"'


# The program's messages in English with "." decimals, whatever the server's language: the log
# reader depends on it (a territory with decimal commas wrote "812,4 MB").
ENGLISH = {"NLS_LANG": "AMERICAN_AMERICA.AL32UTF8", "NLS_NUMERIC_CHARACTERS": ".,"}


class ExpdpBackend:
    name = "expdp"
    # The longest a stop can take: a client ended from outside waits for the stop, expdp is
    # ended, `expdp attach` KILL_JOB, and that client ended in turn if it hangs.
    stop_seconds = STOP_RACE_SECONDS + END_SECONDS * 2 + STOP_JOB_SECONDS

    def __init__(
        self,
        program: str,
        user: str,
        password: str,
        dsn: str,
        directory: str,
        dump_dir: Path,
        schemas: list[str],
        secrets: list[str],
        private_dir: Path | None = None,
    ) -> None:
        self.program = program
        # Parameter files (they hold the password) live here, private to the bot's user; a crash
        # can leave one behind, so the folder is emptied when the backend is built.
        self.private_dir = private_dir
        self.user, self.password, self.dsn = user, password, dsn
        self.directory, self.dump_dir, self.schemas = directory, dump_dir, schemas
        self.secrets = [s for s in secrets if s]
        # Tables to export alone (`sopbot uji-oracle`): plain identifiers, checked by the caller.
        self.tables: list[str] = []

    def job_lines(self, request: DumpRequest) -> list[str]:
        """The parameters every Data Pump run of ours starts with (expdp and impdp alike)."""
        return [
            self._login(),
            f"directory={self.directory}",
            f"dumpfile={request.dump_path.name}",
            f"logfile={request.log_path.name}",
            f"job_name={request.job_name}",
        ]

    def parameters(self, request: DumpRequest) -> str:
        lines = [
            *self.job_lines(request),
            f"status={STATUS_INTERVAL_SECONDS}",
            # Every table as of one moment (11.2+); needs enough UNDO (ORA-01555 otherwise).
            "flashback_time=systimestamp",
            f"schemas={','.join(self.schemas)}" if self.schemas else "full=y",
        ]
        if self.tables:  # INCLUDE=TABLE:"IN ('A')" (Oracle Database Utilities, Export INCLUDE)
            lines.append('include=TABLE:"IN (' + ",".join(f"'{t}'" for t in self.tables) + ')"')
        return "\n".join(lines) + "\n"

    def _login(self) -> str:
        return f"userid={self.user}/{_quote(self.password)}@{self.dsn}"

    async def _spawn(self, parfile: Path, stdin: int) -> asyncio.subprocess.Process:
        """expdp with its parameter file, English messages, output and errors as one stream, in
        its own process group: a service stop or a Ctrl+C reaches the bot, which stops the job."""
        return await programs.spawn(
            self.program,
            f"parfile={parfile}",
            stdin=stdin,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env={**os.environ, **ENGLISH},
        )

    def _mask(self, text: str) -> str:
        return mask(text, self.secrets)

    async def run(
        self, request: DumpRequest, report: ProgressReport, stop: StopSignal
    ) -> BackendResult:
        if stop.is_set():  # told before it began: start nothing that would need stopping
            return BackendResult(Outcome.INTERRUPTED, errors=[stop.reason or problem(Code.STOPPED)])
        parfile = _write_private(self.parameters(request), self.private_dir)
        output: list[str] = []
        process: asyncio.subprocess.Process | None = None
        try:
            try:
                process = await self._spawn(parfile, asyncio.subprocess.DEVNULL)
            except OSError as exc:
                why = exc.strerror or type(exc).__name__
                return BackendResult(
                    Outcome.FAILED,
                    errors=[problem(Code.PROGRAM_NOT_STARTED, program=self.program, why=why)],
                )
            reading = asyncio.ensure_future(self._follow(process, output, report, parfile))
            stopping = asyncio.ensure_future(stop.wait())
            try:
                await asyncio.wait({reading, stopping}, return_when=asyncio.FIRST_COMPLETED)
            except asyncio.CancelledError:  # cancelled outright: still stop the server's job
                reading.cancel()
                await asyncio.shield(_end(process))
                await asyncio.shield(self._stop_server_job(request.job_name))
                raise
            finally:
                stopping.cancel()
            if not reading.done():  # told to stop while expdp runs
                reading.cancel()
                await _end(process)
                return await self._stopped(request, stop)
            code = await process.wait()
            if await self._ended_by_the_stop(request, code, stop):
                return await self._stopped(request, stop)
        finally:
            if process is not None and process.returncode is None:
                await _end(process)
            with contextlib.suppress(OSError):
                await asyncio.to_thread(parfile.unlink)
        return self._judge(request, "\n".join(output), code)

    async def _follow(
        self,
        process: asyncio.subprocess.Process,
        output: list[str],
        report: ProgressReport,
        parfile: Path,
    ) -> None:
        assert process.stdout is not None
        tables = 0
        async for raw in process.stdout:
            line = self._mask(raw.decode("utf-8", errors="replace").rstrip())
            output.append(line)
            if line.startswith(("Connected to:", "Starting ")):
                # Logged in: expdp has read its parameters, the password need not wait on disk
                # for the hours the export takes.
                with contextlib.suppress(OSError):
                    os.remove(parfile)  # a small local file: no need for a thread
            if line.startswith("Starting "):  # `Starting "OWNER"."JOB":`: the job runs
                report(Progress(None, tables, None, Unit.TABLES, state="EXECUTING"))
            parsed = datapump_log.parse(line)
            if parsed.tables:
                tables += 1
                report(Progress(None, tables, None, Unit.TABLES, parsed.tables[0].name))
            elif parsed.percent is not None:
                report(Progress(parsed.percent, tables, None, Unit.TABLES))

    async def _ended_by_the_stop(self, request: DumpRequest, code: int, stop: StopSignal) -> bool:
        """expdp was ended from outside as the bot is being stopped, before the job finished.

        A service manager that signals every process at once (systemd's default
        KillMode=control-group, or a console Ctrl+C reaching expdp) ends the client a moment
        before the bot hears of the stop; the job then goes on exporting on the server. So a
        client ended by a signal waits briefly for the bot's own stop, and an unfinished job is
        then stopped like any stopped run."""
        if not programs.ended_from_outside(code):
            return False
        if not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), STOP_RACE_SECONDS)
        if not stop.is_set():
            return False
        text = await asyncio.to_thread(_text_if_any, self.dump_dir / request.log_path.name)
        if text is not None:
            parsed = datapump_log.parse(text, request.job_name)
            if parsed.final_status is not None and not parsed.foreign:
                return False  # the job ended by itself: its log settles the run
        log.warning(
            "%s was ended (%s) while the bot stops; stopping job %s on the server",
            self.program,
            programs.signal_name(code),
            request.job_name,
        )
        return True

    async def _stopped(self, request: DumpRequest, stop: StopSignal) -> BackendResult:
        """Stop the job on the server as well: attach to it by name and KILL_JOB."""
        reason = stop.reason or problem(Code.STOPPED)
        errors: list[Problem] = [reason]
        trouble = await self._stop_server_job(request.job_name)
        if trouble is not None:
            errors.append(trouble)
        return BackendResult(Outcome.INTERRUPTED, errors=errors)

    async def _stop_server_job(self, job_name: str) -> Problem | None:
        """None when the job was stopped on the server, otherwise the problem to report."""
        detail = await self._attach_and_stop(job_name)
        if not detail:
            log.warning("Data Pump job %s stopped on the server", job_name)
            return None
        log.error("Data Pump job %s may still run on the server: %s", job_name, detail)
        return problem(Code.SERVER_JOB_NOT_STOPPED, job=job_name)

    async def _attach_and_stop(self, job_name: str) -> str:
        """'' when the job was stopped, otherwise why it may not have been (for the log)."""
        parfile = _write_private(f"{self._login()}\nattach={job_name}\n", self.private_dir)
        try:
            process = await self._spawn(parfile, asyncio.subprocess.PIPE)
            answer, _ = await asyncio.wait_for(
                # KILL_JOB, not STOP_JOB: the job ends and its master table and partial dump go
                # too (a stopped job keeps them, eating the quota: ORA-01536).
                process.communicate(b"KILL_JOB\nyes\n"),
                STOP_JOB_SECONDS,
            )
        except (TimeoutError, asyncio.CancelledError):
            await asyncio.shield(_end(process))
            return f"expdp attach={job_name} did not answer within {STOP_JOB_SECONDS} s"
        except OSError as exc:
            return f"cannot start {self.program}: {exc.strerror or exc}"
        finally:
            with contextlib.suppress(OSError):
                await asyncio.to_thread(parfile.unlink)
        if process.returncode != 0:
            last = self._mask(answer.decode("utf-8", errors="replace")).strip().splitlines()
            return last[-1] if last else f"exit code {process.returncode}"
        return ""

    def _judge(self, request: DumpRequest, output: str, code: int) -> BackendResult:
        log_file = self.dump_dir / request.log_path.name
        if log_file.is_file():
            evidence = log_file.read_text(encoding="utf-8", errors="replace")
            parsed = datapump_log.parse(evidence, request.job_name)
            # Errors the client printed after the job ended (UDE-00008…) are not in the log.
            extra = [e for e in datapump_log.parse(output).errors if e not in parsed.errors]
            errors = parsed.errors + extra
        else:
            parsed = datapump_log.parse(output, request.job_name)
            errors = parsed.errors or [
                problem(Code.PROGRAM_NO_LOG, program=self.program, exit_code=code)
            ]
        outcome = parsed.outcome
        errors = datapump_log.verdict_problems(parsed) + errors
        warnings: list[Problem] = []
        if outcome is Outcome.SUCCESS and code != 0:
            warnings.append(problem(Code.EXPDP_EXIT_CODE, exit_code=code))
        if outcome is Outcome.WARNING:
            warnings.append(problem(Code.COMPLETED_WITH_ERRORS, count=parsed.error_count))
        return BackendResult(
            outcome,
            errors=errors if outcome is not Outcome.SUCCESS else [],
            warnings=warnings + (errors if outcome is Outcome.SUCCESS else []),
            tables=parsed.tables,
            output=output,
            consistent_as_of="systimestamp",
        )


def _text_if_any(path: Path) -> str | None:
    """A log file's text, or None when there is none."""
    if not path.is_file():
        return None
    return path.read_text(encoding="utf-8", errors="replace")


def private_folder(folder: Path) -> Path:
    """`folder`, created readable by this user only, emptied of parameter files left by a crash."""
    private_dir(folder)  # 0700, or on Windows an ACL for this account and the administrators
    for leftover in folder.glob("sopbot-*.par"):
        with contextlib.suppress(OSError):
            leftover.unlink()
            log.warning("Removed a parameter file left by an earlier run: %s", leftover.name)
    return folder


def _write_private(text: str, folder: Path | None = None) -> Path:
    """A temporary file only this user can read (0600 on POSIX; on Windows it inherits the ACL
    `private_folder` gave its folder: this account and the administrators only)."""
    handle, name = tempfile.mkstemp(prefix="sopbot-", suffix=".par", text=True, dir=folder)
    try:
        if os.name == "posix":
            os.fchmod(handle, 0o600)
        os.write(handle, text.encode("utf-8"))
    finally:
        os.close(handle)
    return Path(name)


async def _end(process: asyncio.subprocess.Process) -> None:
    """End the expdp program (the Data Pump job on the server is stopped separately)."""
    log.warning("Ending expdp (pid %s)", process.pid)
    with contextlib.suppress(ProcessLookupError):
        process.terminate()
    try:
        await asyncio.wait_for(process.wait(), END_SECONDS)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()


def build(settings: Settings) -> ExpdpBackend:
    return ExpdpBackend(
        settings.expdp_path,
        settings.oracle_user,
        settings.oracle_password.get_secret_value(),
        settings.oracle_dsn,
        settings.oracle_directory,
        settings.dumps,
        settings.oracle_schemas,
        settings.secrets,
        private_folder(settings.data_dir / "private"),
    )


async def check(settings: Settings, driver: Any = None) -> BackendCheck:
    """The program can be found and started (`expdp help=y` needs no database), then a real
    login with its privileges: through python-oracledb where it can connect (the same checks as
    the `oracle` backend), otherwise a Data Pump ESTIMATE_ONLY job, which writes no dump."""
    found = await _program_check(settings)
    if found.problems:
        return found
    login = await login_check(settings, found.facts[0], driver)
    return BackendCheck(login.problems, found.facts + login.facts)


async def login_check(settings: Settings, program: str, driver: Any = None) -> BackendCheck:
    from jobs.dump import oracle

    try:
        driver = driver or oracle.load_driver(settings)
    except Exception as exc:  # no python-oracledb, or its client libraries do not load
        log.info("python-oracledb cannot connect here (%s): ESTIMATE_ONLY job", type(exc).__name__)
        return await estimate_only(settings, program)
    return await asyncio.to_thread(oracle.check_now, settings, driver)


async def estimate_only(settings: Settings, program: str) -> BackendCheck:
    """`expdp ESTIMATE_ONLY=YES NOLOGFILE=YES`: logs in and runs a job that only estimates the
    export's size, writing no dump and no log (Oracle Database Utilities, Data Pump Export
    ESTIMATE_ONLY and NOLOGFILE): a login-and-privilege check without python-oracledb."""
    backend = build(settings)
    backend.program = program
    job = f"SOPBOT_{uuid.uuid4().int % 10**12:012d}"
    lines = [
        backend._login(),
        f"directory={settings.oracle_directory}",
        "estimate_only=y",
        "nologfile=y",
        f"job_name={job}",
        f"schemas={','.join(settings.oracle_schemas)}" if settings.oracle_schemas else "full=y",
    ]
    parfile = _write_private("\n".join(lines) + "\n", backend.private_dir)
    try:
        process = await backend._spawn(parfile, asyncio.subprocess.DEVNULL)
        try:
            output, _ = await asyncio.wait_for(process.communicate(), ESTIMATE_SECONDS)
        except TimeoutError:
            await _end(process)
            return BackendCheck([problem(Code.PROGRAM_NOT_STARTED, program=program, why="timeout")])
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        return BackendCheck([problem(Code.PROGRAM_NOT_STARTED, program=program, why=why)])
    finally:
        with contextlib.suppress(OSError):
            await asyncio.to_thread(parfile.unlink)
    text = backend._mask(output.decode("utf-8", errors="replace"))
    if process.returncode == 0:
        return BackendCheck(facts=["login: ESTIMATE_ONLY job completed"])
    found = [
        e
        for e in datapump_log.error_lines(text)
        if e.params.get("code") not in ("ORA-06512", "ORA-39001", "ORA-39002")
    ]
    return BackendCheck(found or [problem(Code.EXPDP_EXIT_CODE, exit_code=process.returncode or 0)])


async def _program_check(settings: Settings) -> BackendCheck:
    """The program can be found and started (`expdp help=y` needs no database)."""
    program = await asyncio.to_thread(find_program, settings.expdp_path)
    if program is None:
        return BackendCheck([problem(Code.PROGRAM_NOT_FOUND, program=settings.expdp_path)])
    try:
        process = await programs.spawn(
            program,
            "help=y",
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        output, _ = await asyncio.wait_for(process.communicate(), 30)
    except (OSError, TimeoutError) as exc:
        why = getattr(exc, "strerror", None) or type(exc).__name__
        return BackendCheck([problem(Code.PROGRAM_NOT_STARTED, program=program, why=why)])
    lines = output.decode("utf-8", errors="replace").strip().splitlines()
    version = next((line.strip() for line in lines if "Release" in line), "")
    return BackendCheck(facts=[program, version] if version else [program])


def find_program(program: str) -> str | None:
    """A program on PATH or at a path (on Windows e.g. C:\\oracle\\...\\expdp.exe)."""
    return shutil.which(program) or (program if Path(program).is_file() else None)


SPEC = oracle_spec("expdp", ("EXPDP_PATH",), build, check)
