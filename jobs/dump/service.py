"""The dump job (SOP step 8): name the file, run the backend, hash it, compare it with the last
good one, record it. The scheduler, the chat (/backup) and the CLI (`sopbot backup`) all start it
through the job shape in `jobs/job.py`, and all learn about it through the same observer calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import re
import shutil
import uuid
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from core.clock import Clock, office_date
from core.problems import Code as C
from core.problems import Problem, load_problems, problem
from core.secrets import mask
from core.settings import Settings
from core.sop import Role
from jobs.dump.backends import build_backend
from jobs.dump.oracle import JOB_PREFIX
from jobs.dump.result import BackendResult, DumpBackend, DumpRequest, DumpResult, stored_outcome
from jobs.job import JobKind, JobRunner, JobStarted, Order, Outcome, ProgressReport, StopSignal
from storage.dumps import DumpLog
from storage.journal import Journal
from storage.soplog import SopLog
from storage.states import StepOutcome, Trigger

log = logging.getLogger(__name__)

DUMP_STEP = 8
SPACE_FACTOR = 1.2  # free space wanted in DUMP_DIR, in sizes of the last good dump
HASH_CHUNK = 4 * 1024 * 1024
STEP_OUTCOMES = {Outcome.SUCCESS: StepOutcome.DONE, Outcome.WARNING: StepOutcome.WARNING}


def _known(outcome: StepOutcome) -> StepOutcome:
    return StepOutcome.FAILED if outcome is StepOutcome.UNKNOWN else outcome


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _write_if_missing(path: Path, text: str) -> None:
    """Write `text` to `path` unless a file is there (a failure to write is not one more)."""
    with contextlib.suppress(OSError):
        if not path.exists():
            path.write_text(text, encoding="utf-8")


def _size_if_file(path: Path) -> int | None:
    return path.stat().st_size if path.is_file() else None


def dump_file_name(pattern: str, moment: datetime, tz: tzinfo) -> str:
    """The file name a dump started at `moment` gets from DUMP_NAME_PATTERN."""
    return _safe_file_name(moment.astimezone(tz).strftime(pattern))


def _safe_file_name(name: str) -> str:
    """Keep a generated name inside the dump folder whatever the pattern expanded to."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".")
    return cleaned or "dump.dmp"


class DumpService(JobRunner[DumpResult]):
    kind = JobKind.DUMP

    def __init__(
        self,
        settings: Settings,
        dumplog: DumpLog,
        soplog: SopLog,
        clock: Clock,
        backend: DumpBackend | None = None,
        journal: Journal | None = None,
    ) -> None:
        super().__init__(
            clock,
            settings.progress_interval_seconds,
            timedelta(minutes=settings.dump_timeout_minutes),
        )
        self.settings, self.dumplog, self.soplog = settings, dumplog, soplog
        self.backend = backend or build_backend(settings)
        # Stopping an export may take the backend longer than the usual grace (expdp attaches
        # to the job on the server and stops it there).
        self.stop_grace = max(self.stop_grace, getattr(self.backend, "stop_seconds", 0) + 15)
        self._request: DumpRequest | None = None
        # Where a result goes when the log cannot be written: the backup still runs.
        self.journal = journal or Journal(settings.data_dir / "journal" / "sop-journal.jsonl")

    def plan(self, now: datetime) -> DumpRequest:
        local = now.astimezone(self.settings.tz)
        name = dump_file_name(self.settings.dump_name_pattern, now, self.settings.tz)
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
        """Mark dumps that were running when the bot last stopped as interrupted. A run whose
        verdict is in the fallback journal (the log became unwritable only at its end) is
        settled from the journal instead: it finished, it was not interrupted."""
        with contextlib.suppress(SQLAlchemyError):  # still unwritable: merged later
            self.merge_journal()
        journaled = {e["run_id"] for e in self.journal.entries() if e.get("run_id")}
        lost = self.dumplog.mark_interrupted(
            self.clock.now(), problem(C.INTERRUPTED), keep=journaled
        )
        for record in lost:
            log.warning(
                "Dump run %s (%s) was interrupted by a stop of the bot", record.id, record.file_path
            )
            partial = Path(record.file_path + ".part")
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
        return [record.file_path for record in lost]

    # --- the job ------------------------------------------------------------------------------

    async def prepare(self, order: Order) -> JobStarted:
        started_at = self.clock.now()
        await asyncio.to_thread(self.settings.dumps.mkdir, parents=True, exist_ok=True)
        request = self.plan(started_at)
        try:
            run_id = await self.db.keep(
                self.dumplog.start,
                run_date=office_date(started_at, self.settings.tz),
                trigger=order.trigger,
                requested_by=order.requested_by,
                backend=self.backend.name,
                job_name=request.job_name,
                started_at=started_at,
                file_path=str(request.dump_path),
                log_path=str(request.log_path),
                late_seconds=int(order.late_by.total_seconds()),
            )
        except SQLAlchemyError as exc:  # the log is unwritable: back up anyway, keep it aside
            log.error("SOP log not writable, the dump runs and goes to the journal: %s", exc)
            run_id = 0
        self._request = request
        log.info(
            "Dump %s started (%s, %s) -> %s",
            run_id,
            order.trigger,
            self.backend.name,
            request.dump_path,
        )
        return JobStarted(
            JobKind.DUMP,
            run_id,
            order.trigger,
            order.requested_by,
            request.dump_path,
            started_at,
            backend=self.backend.name,
            late_by=order.late_by,
        )

    async def execute(
        self, started: JobStarted, stop: StopSignal, report: ProgressReport
    ) -> DumpResult:
        assert self._request is not None
        shortage = await asyncio.to_thread(self._space_shortage)
        if shortage is not None:  # a dump that cannot fit fails now, not hours later
            return await self._complete(
                started, self._request, BackendResult(Outcome.FAILED, [shortage])
            )
        # The deadline covers the export; hashing and comparing come after it, untimed.
        outcome = await self.within_deadline(self.backend.run(self._request, report, stop))
        return await self._complete(started, self._request, outcome)

    def _space_shortage(self) -> Problem | None:
        """Less free space in DUMP_DIR than 1.2 times the last good dump: the problem."""
        last = self.dumplog.last_good()
        if last is None or not last.size_bytes:
            return None
        need = int(last.size_bytes * SPACE_FACTOR)
        try:
            free = shutil.disk_usage(self.settings.dumps).free
        except OSError:
            return None  # the backend will say what is wrong with the folder
        return problem(C.DUMP_SPACE_LOW, free=free, need=need) if free < need else None

    def unstarted(self, reason: Problem) -> DumpResult:
        now = self.clock.now()
        return DumpResult(
            run_id=None,
            backend=self.backend.name,
            job_name="",
            dump_path=Path(),
            log_path=Path(),
            started_at=now,
            finished_at=now,
            outcome=Outcome.FAILED,
            errors=[reason],
        )

    async def abandon(self, started: JobStarted, outcome: Outcome, reason: Problem) -> DumpResult:
        assert self._request is not None
        return await self._complete(started, self._request, BackendResult(outcome, [reason]))

    async def _complete(
        self, started: JobStarted, request: DumpRequest, outcome: BackendResult
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
            errors=[self._masked(e) for e in outcome.errors],
            warnings=[self._masked(w) for w in outcome.warnings],
            tables=outcome.tables,
            late_seconds=int(started.late_by.total_seconds()),
            consistent_as_of=outcome.consistent_as_of,
        )
        if outcome.output:
            # No log was written (e.g. ORA-39070): the program's output is the only evidence.
            text = mask(outcome.output, self.settings.secrets) + "\n"
            await asyncio.to_thread(_write_if_missing, request.log_path, text)
        if result.ok:
            size = await asyncio.to_thread(_size_if_file, request.dump_path)  # a slow disk
            if size is not None:
                result.size_bytes = size
                result.sha256 = await asyncio.to_thread(sha256_of, request.dump_path)
                await asyncio.to_thread(self._compare_with_last_good, result)
            else:
                result.outcome = Outcome.FAILED
                result.errors.append(problem(C.DUMP_FILE_MISSING, path=str(request.dump_path)))
        try:
            await asyncio.to_thread(self._record, started, request, result)
        except SQLAlchemyError as exc:
            log.error("SOP log not writable, dump %s kept in the journal: %s", request, exc)
            self.journal.append("dump", self._journal_record(started, request, result))
        log.info(
            "Dump %s finished: %s (%s bytes)%s",
            started.run_id,
            result.outcome.value,
            result.size_bytes,
            "".join(f"; {p.english()}" for p in result.errors + result.warnings),
        )
        return result

    def _record(self, started: JobStarted, request: DumpRequest, result: DumpResult) -> None:
        if not started.run_id:  # the start could not be recorded: the whole run goes aside
            raise SQLAlchemyError("the run's start was not recorded")
        step = self._step(started, request, result)
        self.dumplog.finish(
            started.run_id,
            finished_at=result.finished_at,
            outcome=stored_outcome(result.outcome),
            size_bytes=result.size_bytes,
            sha256=result.sha256,
            tables=[(t.name, t.rows) for t in result.tables],
            errors=result.errors,
            warnings=result.warnings,
            consistent_as_of=result.consistent_as_of,
            step=lambda session: self.soplog.add_step(session, **step),
        )

    def _step(
        self, started: JobStarted, request: DumpRequest, result: DumpResult
    ) -> dict[str, Any]:
        return {
            "run_date": office_date(started.started_at, self.settings.tz),
            "step_number": DUMP_STEP,
            "actor_id": started.requested_by,
            "actor_role": Role.ADB.value,
            "started_at": started.started_at,
            "finished_at": result.finished_at,
            "outcome": STEP_OUTCOMES.get(result.outcome, StepOutcome.FAILED),  # anything else
            "note": request.dump_path.name,
            "problem": next(iter(result.errors + result.warnings), None),
        }

    def _journal_record(
        self, started: JobStarted, request: DumpRequest, result: DumpResult
    ) -> dict[str, Any]:
        step = self._step(started, request, result)
        return {
            "key": uuid.uuid4().hex,  # the merge's idempotency key
            "run_id": started.run_id or None,  # its start is in the log: settled in place
            "run_date": step["run_date"].isoformat(),
            "trigger": Trigger.write(started.trigger),
            "requested_by": started.requested_by,
            "backend": result.backend,
            "job_name": result.job_name,
            "started_at": result.started_at,
            "finished_at": result.finished_at,
            "file_path": str(request.dump_path),
            "log_path": str(request.log_path),
            "late_seconds": result.late_seconds,
            "outcome": stored_outcome(result.outcome).stored(),
            "size_bytes": result.size_bytes,
            "sha256": result.sha256,
            "tables": [(t.name, t.rows) for t in result.tables],
            "errors": [p.to_json() for p in result.errors],
            "warnings": [p.to_json() for p in result.warnings],
            "consistent_as_of": result.consistent_as_of,
            "step_outcome": step["outcome"].stored(),
        }

    def merge_journal(self) -> int:
        """Write the results kept aside into the log; how many were merged."""
        return self.journal.merge(self._merge_one)

    def _merge_one(self, entry: dict[str, Any]) -> None:
        if entry.get("kind") != "dump":
            return
        problems = load_problems(json.dumps(entry["errors"] + entry["warnings"]))
        step = {
            "run_date": date.fromisoformat(entry["run_date"]),
            "step_number": DUMP_STEP,
            "actor_id": entry["requested_by"],
            "actor_role": Role.ADB.value,
            "started_at": datetime.fromisoformat(entry["started_at"]),
            "finished_at": datetime.fromisoformat(entry["finished_at"]),
            # From another version's journal, a word this one does not know: failed, as _step
            # records any dump outcome other than success and warning.
            "outcome": _known(StepOutcome.read(entry["step_outcome"])),
            "note": Path(entry["file_path"]).name,
            "problem": next(iter(problems), None),
        }
        self.dumplog.merge_journaled(entry, lambda session: self.soplog.add_step(session, **step))

    def _compare_with_last_good(self, result: DumpResult) -> None:
        """A dump much smaller than the last good one is a warning: a silent partial backup."""
        previous = self.dumplog.last_good(before_id=result.run_id)
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
                problem(C.DUMP_SHRANK, size=result.size_bytes, last=previous.size_bytes)
            )
        if (
            previous.total_rows
            and result.total_rows is not None
            and (result.total_rows < previous.total_rows * limit)
        ):
            result.warnings.append(
                problem(C.ROWS_SHRANK, rows=result.total_rows, last=previous.total_rows)
            )
        if len(result.warnings) > before and result.outcome is Outcome.SUCCESS:
            result.outcome = Outcome.WARNING

    def _masked(self, found: Problem) -> Problem:
        """A problem whose texts can never carry a secret into the log or the chat."""
        secrets = self.settings.secrets
        return Problem(
            found.code,
            {k: mask(v, secrets) if isinstance(v, str) else v for k, v in found.params.items()},
        )
