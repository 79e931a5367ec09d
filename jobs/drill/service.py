"""The restore drill job: the newest verified copy, read back from the external disk itself,
decrypted and decompressed on the fly into a scratch file, compared with the dump the server
wrote, then restored and checked the way its backend allows (`jobs/drill/sqlite_proof.py`,
`jobs/drill/oracle_proof.py`). The scratch file holds personal data in the clear: it is removed
whatever happens.

It runs through the job shape in `jobs/job.py`, like the dump and the copy: one at a time, with
progress, stoppable, always recorded and reported. The time it takes is the office's recovery
time figure.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import stat
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from core.clock import Clock
from core.problems import Code, Problem, problem
from core.settings import Settings
from jobs.drill.result import Claim, DrillResult, DrillStage, dump_proofs, proof
from jobs.drill.sqlite_proof import Stopped
from jobs.drill.verdict import Findings, Prover, untestable
from jobs.dump.backends import spec_for, spec_named
from jobs.dump.expdp import ExpdpBackend
from jobs.external.copy import PARTIAL_SUFFIX, CopyError, CopyStopped, restore_verified
from jobs.external.disk import DiskError
from jobs.external.keys import KeyFileError, office_identities
from jobs.external.service import CopyService
from jobs.job import (
    JobKind,
    JobRunner,
    JobStarted,
    Order,
    Outcome,
    Progress,
    ProgressReport,
    StopSignal,
    Unit,
)
from storage.copies import CopyLog, CopyRecord
from storage.drills import DrillLog
from storage.dumps import DumpLog, DumpRecord
from storage.states import DrillOutcome

log = logging.getLogger(__name__)

COPY_WAIT_SECONDS = 3600.0
SCRATCH_SIDES = ("", PARTIAL_SUFFIX, "-wal", "-shm", "-journal")


def prover_for(backend: str, settings: Settings, oracle_driver: Any = None) -> Prover:
    """The prover of the backend that made the dump (the configured one for a name no longer
    registered)."""
    spec = spec_named(backend) or spec_for(settings)
    return spec.prover(settings, oracle_driver)


class DrillService(JobRunner[DrillResult]):
    kind = JobKind.DRILL

    def __init__(
        self,
        settings: Settings,
        dumplog: DumpLog,
        copylog: CopyLog,
        drilllog: DrillLog,
        copier: CopyService,
        clock: Clock,
    ) -> None:
        # A corrupt dump can make impdp hang: the drill has a deadline like the dump.
        timeout = timedelta(minutes=settings.drill_timeout_minutes)
        super().__init__(clock, settings.progress_interval_seconds, timeout)
        # Ending impdp and killing its job on the server may take this long (as for expdp).
        self.stop_grace = max(self.stop_grace, ExpdpBackend.stop_seconds + 15)
        self.settings = settings
        self.dumplog, self.copylog, self.drilllog = dumplog, copylog, drilllog
        self.copier = copier
        self._copy: CopyRecord | None = None
        self._dump: DumpRecord | None = None
        self._prover: Prover | None = None
        self._disk_id = ""
        self._disk_device: int | None = None
        self.oracle_driver: Any = None  # python-oracledb by default; tests put a stand-in here

    def recover(self) -> int:
        """After a crash: drills left running are recorded as interrupted, and their scratch
        files (personal data in the clear) removed."""
        from jobs.drill.oracle_proof import SCRATCH_PREFIX

        leftovers = [*(self.settings.data_dir / "drill").glob("*")]
        leftovers += self.settings.dumps.glob(f"{SCRATCH_PREFIX}*")
        for leftover in leftovers:
            with contextlib.suppress(OSError):
                leftover.unlink()
                log.warning("Removed a restore drill's scratch file: %s", leftover.name)
        return self.drilllog.mark_interrupted(self.clock.now(), problem(Code.INTERRUPTED))

    # --- the job ------------------------------------------------------------------------------

    async def prepare(self, order: Order) -> JobStarted | DrillResult:
        # A copy being written now may be the newest: wait for it rather than drill the one
        # before (bounded: a copy that never ends is its own alarm).
        waited = 0.0
        while self.copier.busy and waited < COPY_WAIT_SECONDS:
            await asyncio.sleep(1.0)
            waited += 1.0
        started_at = self.clock.now()
        try:  # the disk is foreign and may be slow: never looked at on the event loop
            copy, path, label = await asyncio.to_thread(self._choose)
        except _NoDrill as refused:
            return await asyncio.to_thread(self._refused, order, refused)
        dump = (
            await self.db.keep(self.dumplog.get, copy.dump_run_id)
            if copy.dump_run_id is not None
            else None
        )
        backend = dump.backend if dump is not None else self.settings.dump_backend
        prover = prover_for(backend, self.settings, self.oracle_driver)
        drill_id = await self.db.keep(
            self.drilllog.start,
            copy_id=copy.id,
            dump_run_id=copy.dump_run_id,
            file_name=path.name,
            disk_label=label,
            backend=backend,
            level=prover.level,
            trigger=order.trigger,
            requested_by=order.requested_by,
            started_at=started_at,
        )
        if dump is None:  # a copy whose dump record is gone: nothing to compare it with
            reason = problem(Code.DRILL_NO_COPY)
            return await asyncio.to_thread(
                self._finish_failed, drill_id, started_at, path.name, label, backend, [reason]
            )
        self._copy, self._dump, self._prover = copy, dump, prover
        return JobStarted(
            JobKind.DRILL,
            drill_id,
            order.trigger,
            order.requested_by,
            path,
            started_at,
            backend=backend,
            size=copy.size_bytes,
        )

    def _choose(self) -> tuple[CopyRecord, Path, str]:
        """The copy to drill: the newest intact one on the plugged-in disk, present there."""
        try:
            disk = self.copier.check(writing=False)
        except DiskError as trouble:
            newest = self.copylog.newest_intact()
            raise _NoDrill(trouble.problem, newest) from None
        self._disk_id, self._disk_device = disk.identity.id, disk.device
        copy = self.copylog.newest_intact(disk.identity.id)
        if copy is None:
            elsewhere = self.copylog.newest_intact()
            if elsewhere is not None:
                raise _NoDrill(problem(Code.DRILL_OTHER_DISK, label=elsewhere.disk_label), None)
            raise _NoDrill(problem(Code.DRILL_NO_COPY), None)
        # By name in today's folder: the drive letter may have changed since the copy.
        path = disk.folder / Path(copy.dest_path.replace("\\", "/")).name
        unsafe = _not_a_copy(path, disk.device)
        if unsafe is not None:
            self.copylog.record_checks(disk.identity.id, {path.name: False}, self.clock.now())
            if unsafe == "missing":
                reason = problem(Code.DRILL_COPY_MISSING, file=path.name, label=disk.identity.label)
            else:  # a link (to the server's own dump, say), a FIFO, a device: not a copy
                reason = problem(Code.COPY_NOT_REGULAR, file=path.name, why=unsafe)
            raise _NoDrill(reason, copy)
        return copy, path, disk.identity.label

    def _refused(self, order: Order, refused: _NoDrill) -> DrillResult:
        """No drill could start; it is still recorded, as untestable (the disk away, no copy)
        or failed (the copy gone from its disk), and said."""
        copy = refused.copy
        started_at = self.clock.now()
        name = Path(copy.dest_path.replace("\\", "/")).name if copy else ""
        label = copy.disk_label if copy else ""
        drill_id = self.drilllog.start(
            copy_id=copy.id if copy else None,
            dump_run_id=copy.dump_run_id if copy else None,
            file_name=name,
            disk_label=label,
            backend=self.settings.dump_backend,
            level=0,
            trigger=order.trigger,
            requested_by=order.requested_by,
            started_at=started_at,
        )
        log.warning("Restore drill %s not started: %s", drill_id, refused.reason.english())
        return self._finish_failed(
            drill_id, started_at, name, label, self.settings.dump_backend, [refused.reason]
        )

    def _finish_failed(
        self,
        drill_id: int,
        started_at: datetime,
        name: str,
        label: str,
        backend: str,
        errors: list[Problem],
    ) -> DrillResult:
        finished_at = self.clock.now()
        outcome = Outcome.UNTESTABLE if untestable(errors) else Outcome.FAILED
        self.drilllog.finish(
            drill_id, finished_at=finished_at, outcome=_STORED[outcome], errors=errors
        )
        return DrillResult(
            run_id=drill_id,
            outcome=outcome,
            errors=errors,
            started_at=started_at,
            file_name=name,
            disk_label=label,
            backend=backend,
            finished_at=finished_at,
        )

    async def execute(
        self, started: JobStarted, stop: StopSignal, report: ProgressReport
    ) -> DrillResult:
        assert self._copy is not None and self._dump is not None and self._prover is not None
        copy, dump, prover = self._copy, self._dump, self._prover
        began = time.monotonic()
        scratch = prover.scratch(Path(dump.file_path.replace("\\", "/")).name)
        try:
            found = await self.within_deadline(
                self._restore_and_prove(started, copy, dump, prover, scratch, stop, report)
            )
        except (CopyStopped, Stopped):
            return await self.abandon(started, Outcome.INTERRUPTED, stop.reason or _stopped())
        finally:
            for side in SCRATCH_SIDES:
                with contextlib.suppress(OSError):
                    await asyncio.to_thread(scratch.with_name(scratch.name + side).unlink)
        if stop.is_set():  # what the work found while stopping (a job left on the server) too
            reason = stop.reason or _stopped()
            return await self.abandon(
                started, Outcome.INTERRUPTED, reason, [p for p in found.problems if p != reason]
            )
        return await asyncio.to_thread(self._judged, started, found, time.monotonic() - began)

    async def _restore_and_prove(
        self,
        started: JobStarted,
        copy: CopyRecord,
        dump: DumpRecord,
        prover: Prover,
        scratch: Path,
        stop: StopSignal,
        report: ProgressReport,
    ) -> Findings:
        found = Findings()
        total = started.size or 0

        def bytes_read(done: int) -> None:
            percent = 100.0 * done / total if total else None
            report(Progress(percent, done, total, Unit.BYTES, state=DrillStage.RESTORE))

        try:
            identities = office_identities(self.settings.external_age_identity_file)
            restored = await asyncio.to_thread(
                restore_verified,
                started.subject,
                scratch,
                identities,
                progress=bytes_read,
                should_stop=stop.is_set,
                # What the copy turns into is bounded by the dump it claims to be.
                max_output=dump.size_bytes or None,
                device=self._disk_device,
            )
        except (CopyError, KeyFileError) as exc:  # neither marks the copy damaged
            found.problems.append(exc.problem)
            return found
        name, label = started.subject.name, copy.disk_label
        if restored.copy_sha256 != copy.sha256:
            await self.db.keep(
                self.copylog.record_checks, self._disk_id, {name: False}, self.clock.now()
            )
            found.problems.append(
                problem(
                    Code.DRILL_COPY_CHANGED,
                    file=name,
                    actual=restored.copy_sha256,
                    recorded=copy.sha256,
                )
            )
            return found
        found.proofs.append(proof(Claim.COPY_INTACT, file=name, label=label))
        if not dump.sha256:  # nothing recorded to compare with: identity not proved
            found.problems.append(problem(Code.DRILL_NO_RECORD, what="SHA-256"))
            return found
        if restored.dump_sha256 != dump.sha256:
            found.problems.append(
                problem(
                    Code.DRILL_DUMP_DIFFERS,
                    file=name,
                    actual=restored.dump_sha256,
                    recorded=dump.sha256,
                )
            )
            return found
        found.proofs.append(proof(Claim.DUMP_IDENTICAL, size=restored.size))
        found.add(await prover.prove(scratch, dump, stop, report))
        return found

    def _judged(self, started: JobStarted, found: Findings, seconds: float) -> DrillResult:
        finished_at = self.clock.now()
        passed = not found.problems
        if passed:
            outcome = Outcome.SUCCESS
        else:
            outcome = Outcome.UNTESTABLE if untestable(found.problems) else Outcome.FAILED
        self.drilllog.finish(
            started.run_id,
            finished_at=finished_at,
            outcome=_STORED[outcome],
            proofs=dump_proofs(found.proofs),
            errors=found.problems,
            compared=found.compared,
            mismatches=found.mismatches,
            restore_seconds=seconds,
        )
        assert self._prover is not None and self._copy is not None
        if passed:
            log.info("Restore drill %s passed in %.1f s", started.run_id, seconds)
        elif outcome is Outcome.UNTESTABLE:
            log.warning(
                "Restore drill %s could not test the copy: %s",
                started.run_id,
                "; ".join(p.english() for p in found.problems),
            )
        else:
            log.error(
                "Restore drill %s FAILED: %s",
                started.run_id,
                "; ".join(p.english() for p in found.problems),
            )
        return DrillResult(
            run_id=started.run_id,
            outcome=outcome,
            errors=found.problems,
            started_at=started.started_at,
            finished_at=finished_at,
            file_name=started.subject.name,
            disk_label=self._copy.disk_label,
            backend=started.backend,
            level=self._prover.level,
            proofs=found.proofs,
            compared=found.compared,
            mismatches=found.mismatches,
            restore_seconds=seconds,
        )

    def due_after_copy(self) -> bool:
        """Whether a copy just verified (its disk still plugged in) should be drilled before
        the disk is unplugged: the last passed drill is older than DRILL_EVERY_DAYS, or none."""
        days = self.settings.drill_every_days
        if not days or self.busy:
            return False
        last = self.drilllog.last_passed()
        if last is None or last.finished_at is None:
            return True
        return self.clock.now() - last.finished_at >= timedelta(days=days)

    def unstarted(self, reason: Problem) -> DrillResult:
        return DrillResult(run_id=None, outcome=Outcome.FAILED, errors=[reason])

    async def abandon(
        self,
        started: JobStarted,
        outcome: Outcome,
        reason: Problem,
        also: list[Problem] | None = None,
    ) -> DrillResult:
        finished_at = self.clock.now()
        stored = DrillOutcome.INTERRUPTED if outcome is Outcome.INTERRUPTED else DrillOutcome.FAILED
        errors = [reason, *(also or [])]
        await self.db.keep(
            self.drilllog.finish,
            started.run_id,
            finished_at=finished_at,
            outcome=stored,
            errors=errors,
        )
        log.warning("Restore drill %s ended early: %s", started.run_id, reason.english())
        return DrillResult(
            run_id=started.run_id,
            outcome=outcome,
            errors=errors,
            started_at=started.started_at,
            finished_at=finished_at,
            file_name=started.subject.name,
            backend=started.backend,
        )


_STORED = {
    Outcome.SUCCESS: DrillOutcome.PASSED,
    Outcome.FAILED: DrillOutcome.FAILED,
    Outcome.UNTESTABLE: DrillOutcome.UNTESTABLE,
    Outcome.INTERRUPTED: DrillOutcome.INTERRUPTED,
}


class _NoDrill(Exception):
    def __init__(self, reason: Problem, copy: CopyRecord | None) -> None:
        super().__init__(reason.english())
        self.reason, self.copy = reason, copy


def _not_a_copy(path: Path, device: int | None) -> str | None:
    """None when `path` is a regular file of the disk; else "missing" or what it is instead."""
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        return "missing"
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    if stat.S_ISLNK(found.st_mode):
        return "a symbolic link"
    if not stat.S_ISREG(found.st_mode):
        return "not a regular file (a FIFO, a device or a folder)"
    if device is not None and found.st_dev != device:
        return "on another device than the disk"
    return None


def _stopped() -> Problem:
    return problem(Code.STOPPED)
