"""One dump at a time: name it, run the backend, hash it, compare it, record it, tell observers.

The scheduler, the chat (/backup) and the CLI (`sopbot backup`) all start dumps through
`DumpService.run`, and all learn about them through the same `DumpObserver` calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from jobs.dump.expdp import ExpdpBackend
from jobs.dump.oracle import JOB_PREFIX, OracleBackend
from jobs.dump.result import (
    BackendResult,
    DumpBackend,
    DumpRequest,
    DumpResult,
    Outcome,
    Progress,
)
from jobs.dump.sqlite_source import SqliteBackend
from jobs.observers import cancel, notify
from sopbot.clock import Clock, office_date
from sopbot.settings import Settings
from sopbot.sop import Role
from storage.dumplog import DumpLog
from storage.soplog import SopLog

log = logging.getLogger(__name__)

DUMP_STEP = 8
MINUTE = 60.0  # seconds; the unit of DUMP_TIMEOUT_MINUTES
HASH_CHUNK = 4 * 1024 * 1024


@dataclass(frozen=True)
class DumpStarted:
    run_id: int
    trigger: str
    requested_by: int | None
    dump_path: Path
    job_name: str
    backend: str
    started_at: datetime
    late_by: timedelta


class DumpObserver(Protocol):
    async def dump_started(self, started: DumpStarted) -> None: ...

    async def dump_progress(self, started: DumpStarted, progress: Progress) -> None: ...

    async def dump_finished(self, started: DumpStarted, result: DumpResult) -> None: ...


class DumpAlreadyRunning(Exception):
    def __init__(self, started: DumpStarted | None, progress: Progress | None) -> None:
        super().__init__("a dump is already running")
        self.started = started
        self.progress = progress


def make_backend(settings: Settings) -> DumpBackend:
    password = settings.oracle_password.get_secret_value()
    if settings.dump_backend == "expdp":
        return ExpdpBackend(
            settings.expdp_path,
            settings.oracle_user,
            password,
            settings.oracle_dsn,
            settings.oracle_directory,
            settings.dumps,
            settings.oracle_schemas,
            settings.secrets,
        )
    if settings.dump_backend == "oracle":
        return OracleBackend(
            settings.oracle_dsn,
            settings.oracle_user,
            password,
            settings.oracle_directory,
            settings.dumps,
            settings.oracle_schemas,
            settings.oracle_client_lib_dir,
        )
    assert settings.sqlite_source_path is not None
    return SqliteBackend(settings.sqlite_source_path)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _safe_file_name(name: str) -> str:
    """Keep a generated name inside the dump folder whatever the pattern expanded to."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".")
    return cleaned or "dump.dmp"


class DumpService:
    def __init__(
        self,
        settings: Settings,
        dumps: DumpLog,
        soplog: SopLog,
        clock: Clock,
        backend: DumpBackend | None = None,
    ) -> None:
        self.settings, self.dumps, self.soplog, self.clock = settings, dumps, soplog, clock
        self.backend = backend or make_backend(settings)
        self.observers: list[DumpObserver] = []
        self._lock = asyncio.Lock()
        self._current: DumpStarted | None = None
        self._progress: Progress | None = None
        self._task: asyncio.Task[DumpResult] | None = None

    @property
    def running(self) -> DumpStarted | None:
        return self._current

    @property
    def progress(self) -> Progress | None:
        return self._progress

    def plan(self, now: datetime) -> DumpRequest:
        local = now.astimezone(self.settings.tz)
        name = _safe_file_name(local.strftime(self.settings.dump_name_pattern))
        dump_path = self.settings.dumps / name
        suffix = 1
        while dump_path.exists():  # never overwrite an earlier dump of the same minute
            suffix += 1
            dump_path = self.settings.dumps / f"{Path(name).stem}_{suffix}{Path(name).suffix}"
        return DumpRequest(
            dump_path=dump_path,
            log_path=dump_path.with_suffix(".log"),
            job_name=f"{JOB_PREFIX}{local:%Y%m%d_%H%M%S}"[:30],
        )

    def recover(self) -> list[str]:
        """Mark dumps that were running when the bot last stopped as interrupted."""
        lost = self.dumps.mark_interrupted(self.clock.now())
        for record in lost:
            log.warning(
                "Dump run %s (%s) was interrupted by a stop of the bot", record.id, record.file_path
            )
            partial = Path(record.file_path + ".part")
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
        return [record.file_path for record in lost]

    @property
    def busy(self) -> bool:
        return self._lock.locked() or (self._task is not None and not self._task.done())

    def launch(self, trigger: str, requested_by: int | None = None) -> asyncio.Task[DumpResult]:
        """Start a dump in the background (from chat); refuse at once if one is running."""
        if self.busy:
            raise DumpAlreadyRunning(self._current, self._progress)
        task = asyncio.get_running_loop().create_task(self.run(trigger, requested_by))
        self._task = task
        return task

    async def run(
        self, trigger: str, requested_by: int | None = None, late_by: timedelta = timedelta()
    ) -> DumpResult:
        current = asyncio.current_task()
        other = self._task is not None and self._task is not current and not self._task.done()
        if self._lock.locked() or other:
            raise DumpAlreadyRunning(self._current, self._progress)
        async with self._lock:
            self._task = current
            try:
                return await self._run(trigger, requested_by, late_by)
            finally:
                self._current, self._progress, self._task = None, None, None

    async def _run(self, trigger: str, requested_by: int | None, late_by: timedelta) -> DumpResult:
        started_at = self.clock.now()
        self.settings.dumps.mkdir(parents=True, exist_ok=True)
        request = self.plan(started_at)
        run_id = self.dumps.start(
            run_date=office_date(started_at, self.settings.tz),
            trigger=trigger,
            requested_by=requested_by,
            backend=self.backend.name,
            job_name=request.job_name,
            started_at=started_at,
            file_path=str(request.dump_path),
            log_path=str(request.log_path),
            late_seconds=int(late_by.total_seconds()),
        )
        started = DumpStarted(
            run_id,
            trigger,
            requested_by,
            request.dump_path,
            request.job_name,
            self.backend.name,
            started_at,
            late_by,
        )
        self._current = started
        log.info(
            "Dump %s started (%s, %s) -> %s", run_id, trigger, self.backend.name, request.dump_path
        )
        await self._notify("dump_started", started)
        ticker = asyncio.create_task(self._forward_progress(started))
        try:
            outcome = await asyncio.wait_for(
                self.backend.run(request, self._report),
                timeout=self.settings.dump_timeout_minutes * MINUTE,
            )
        except TimeoutError:
            outcome = BackendResult(
                Outcome.FAILED,
                errors=[f"dump did not finish within {self.settings.dump_timeout_minutes} minutes"],
            )
        except asyncio.CancelledError:
            self.dumps.finish(
                started.run_id,
                finished_at=self.clock.now(),
                outcome=Outcome.INTERRUPTED.value,
                size_bytes=None,
                sha256="",
                tables=[],
                errors=["the bot stopped while the dump was running"],
                warnings=[],
            )
            raise
        except Exception as exc:  # a backend bug must still end as a recorded failure
            log.exception("Dump backend %s crashed", self.backend.name)
            outcome = BackendResult(Outcome.FAILED, errors=[f"{type(exc).__name__}: {exc}"])
        finally:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
        result = await self._complete(started, request, outcome)
        await self._notify("dump_finished", started, result)
        return result

    def _report(self, progress: Progress) -> None:
        # Called from backend threads too: only a reference assignment, read by the ticker.
        self._progress = progress

    async def _forward_progress(self, started: DumpStarted) -> None:
        """Pass progress on at most every PROGRESS_INTERVAL_SECONDS, and only when it changed."""
        last: Progress | None = None
        while True:
            await asyncio.sleep(self.settings.progress_interval_seconds)
            current = self._progress
            if current is not None and current != last:
                last = current
                await self._notify("dump_progress", started, current)

    async def _complete(
        self, started: DumpStarted, request: DumpRequest, outcome: BackendResult
    ) -> DumpResult:
        finished_at = self.clock.now()
        result = DumpResult(
            run_id=started.run_id,
            backend=self.backend.name,
            job_name=request.job_name,
            dump_path=request.dump_path,
            log_path=request.log_path,
            started_at=started.started_at,
            finished_at=finished_at,
            outcome=outcome.outcome,
            errors=[self._mask(e) for e in outcome.errors],
            warnings=[self._mask(w) for w in outcome.warnings],
            tables=outcome.tables,
            late_seconds=int(started.late_by.total_seconds()),
        )
        if outcome.output and not request.log_path.exists():
            # No log was written (e.g. ORA-39070): the program's output is the only evidence.
            with contextlib.suppress(OSError):
                request.log_path.write_text(self._mask(outcome.output) + "\n", encoding="utf-8")
        if result.ok:
            if request.dump_path.is_file():
                result.size_bytes = request.dump_path.stat().st_size
                result.sha256 = await asyncio.to_thread(sha256_of, request.dump_path)
                self._compare_with_last_good(result)
            else:
                result.outcome = Outcome.FAILED
                result.errors.append(
                    f"the dump file {request.dump_path} was not found after the job finished"
                )
        self.dumps.finish(
            started.run_id,
            finished_at=finished_at,
            outcome=result.outcome.value,
            size_bytes=result.size_bytes,
            sha256=result.sha256,
            tables=[(t.name, t.rows) for t in result.tables],
            errors=result.errors,
            warnings=result.warnings,
        )
        self.soplog.record_step(
            run_date=office_date(started.started_at, self.settings.tz),
            step_number=DUMP_STEP,
            actor_id=started.requested_by,
            actor_role=Role.ADB.value,
            started_at=started.started_at,
            finished_at=finished_at,
            outcome={Outcome.SUCCESS: "done", Outcome.WARNING: "warning"}.get(
                result.outcome, "failed"
            ),
            note=(result.errors or result.warnings or [request.dump_path.name])[0][:500],
        )
        log.info(
            "Dump %s finished: %s (%s bytes)",
            started.run_id,
            result.outcome.value,
            result.size_bytes,
        )
        return result

    def _compare_with_last_good(self, result: DumpResult) -> None:
        """A dump much smaller than the last good one is a warning: a silent partial backup."""
        previous = self.dumps.last_good(before_id=result.run_id)
        if previous is None:
            return
        limit = 1 - self.settings.dump_shrink_warn_percent / 100
        before = len(result.warnings)
        if (
            previous.size_bytes
            and result.size_bytes is not None
            and (result.size_bytes < previous.size_bytes * limit)
        ):
            result.warnings.append(
                f"dump is {result.size_bytes} bytes, much smaller than the last good one "
                f"({previous.size_bytes} bytes)"
            )
        if (
            previous.total_rows
            and result.total_rows is not None
            and (result.total_rows < previous.total_rows * limit)
        ):
            result.warnings.append(
                f"{result.total_rows} rows exported, much fewer than last time "
                f"({previous.total_rows})"
            )
        if len(result.warnings) > before and result.outcome is Outcome.SUCCESS:
            result.outcome = Outcome.WARNING

    def _mask(self, text: str) -> str:
        for secret in self.settings.secrets:
            text = text.replace(secret, "***")
        return text

    async def _notify(self, event: str, *args: object) -> None:
        await notify(self.observers, event, *args)

    async def stop(self) -> None:
        """Cancel a running dump (the bot is shutting down); it is recorded as interrupted."""
        await cancel(self._task)
