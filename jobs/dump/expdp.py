"""The `expdp` backend: Oracle's Data Pump export program, as the office's Task Scheduler ran it.

Credentials go through a parameter file readable only by the bot's user, deleted right after
the run: never on the command line (visible in process lists) and never in a log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
from pathlib import Path

from jobs.dump import datapump_log
from jobs.dump.result import BackendResult, DumpRequest, Outcome, Progress, ProgressReport

log = logging.getLogger(__name__)

STATUS_INTERVAL_SECONDS = 15  # expdp prints "Percent Done" this often


def _quote(value: str) -> str:
    """Quote a parameter-file value when it holds characters Oracle would split on."""
    return f'"{value}"' if any(ch in value for ch in ' @/"=,()') else value


class ExpdpBackend:
    name = "expdp"

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
    ) -> None:
        self.program = program
        self.user, self.password, self.dsn = user, password, dsn
        self.directory, self.dump_dir, self.schemas = directory, dump_dir, schemas
        self.secrets = [s for s in secrets if s]

    def parameters(self, request: DumpRequest) -> str:
        lines = [
            f"userid={self.user}/{_quote(self.password)}@{self.dsn}",
            f"directory={self.directory}",
            f"dumpfile={request.dump_path.name}",
            f"logfile={request.log_path.name}",
            f"job_name={request.job_name}",
            f"status={STATUS_INTERVAL_SECONDS}",
            f"schemas={','.join(self.schemas)}" if self.schemas else "full=y",
        ]
        return "\n".join(lines) + "\n"

    def _mask(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text

    async def run(self, request: DumpRequest, report: ProgressReport) -> BackendResult:
        parfile = _write_private(self.parameters(request))
        output: list[str] = []
        process: asyncio.subprocess.Process | None = None
        try:
            try:
                process = await asyncio.create_subprocess_exec(
                    self.program,
                    f"parfile={parfile}",
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.STDOUT,
                )
            except OSError as exc:
                return BackendResult(
                    Outcome.FAILED, errors=[f"cannot start {self.program}: {exc.strerror}"]
                )
            assert process.stdout is not None
            tables = 0
            async for raw in process.stdout:
                line = self._mask(raw.decode("utf-8", errors="replace").rstrip())
                output.append(line)
                parsed = datapump_log.parse(line)
                if parsed.tables:
                    tables += 1
                    report(
                        Progress(None, f"{tables} tabel diekspor, terakhir {parsed.tables[0].name}")
                    )
                elif parsed.percent is not None:
                    report(Progress(parsed.percent, f"{tables} tabel diekspor"))
            code = await process.wait()
        finally:
            if process is not None and process.returncode is None:
                await _stop(process)
            with contextlib.suppress(OSError):
                parfile.unlink()
        return self._judge(request, "\n".join(output), code)

    def _judge(self, request: DumpRequest, output: str, code: int) -> BackendResult:
        log_file = self.dump_dir / request.log_path.name
        if log_file.is_file():
            evidence = log_file.read_text(encoding="utf-8", errors="replace")
            parsed = datapump_log.parse(evidence)
            # Errors the client printed after the job ended (UDE-00008…) are not in the log.
            extra = [e for e in datapump_log.parse(output).errors if e not in parsed.errors]
            errors = parsed.errors + extra
        else:
            parsed = datapump_log.parse(output)
            errors = parsed.errors or [f"{self.program} exited with code {code} and wrote no log"]
        outcome = parsed.outcome
        warnings: list[str] = []
        if outcome is Outcome.SUCCESS and code != 0:
            warnings.append(f"expdp exited with code {code} although the job completed")
        if outcome is Outcome.WARNING:
            warnings.append(f"Data Pump job completed with {parsed.error_count} error(s)")
        return BackendResult(
            outcome,
            errors=errors if outcome is not Outcome.SUCCESS else [],
            warnings=warnings + (errors if outcome is Outcome.SUCCESS else []),
            tables=parsed.tables,
            output=output,
        )


def _write_private(text: str) -> Path:
    """A temporary file only this user can read (0600 on POSIX; on Windows the temp folder is
    private to the user)."""
    handle, name = tempfile.mkstemp(prefix="sopbot-", suffix=".par", text=True)
    try:
        if os.name == "posix":
            os.fchmod(handle, 0o600)
        os.write(handle, text.encode("utf-8"))
    finally:
        os.close(handle)
    return Path(name)


async def _stop(process: asyncio.subprocess.Process) -> None:
    log.warning(
        "Stopping expdp (pid %s); the Data Pump job may still run on the server", process.pid
    )
    with contextlib.suppress(ProcessLookupError):
        process.terminate()
    try:
        await asyncio.wait_for(process.wait(), 10)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
