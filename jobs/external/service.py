"""The copy job (SOP step 11): pick the dump, check the disk, copy and verify, update the
manifest, record the step, apply retention. It runs through the job shape in `jobs/job.py`,
like the dump: one at a time, with progress, stoppable, always reported.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import stat
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from core.clock import Clock, office_date
from core.problems import Code, Problem, problem
from core.settings import Settings
from core.sop import Role
from jobs.external.copy import (
    CopyError,
    CopyStopped,
    VerifiedCopy,
    copy_verified,
    read_manifest,
    write_manifest,
)
from jobs.external.disk import Disk, DiskError, Separate, check_disk
from jobs.external.retention import prune
from jobs.job import (
    JobKind,
    JobResult,
    JobRunner,
    JobStarted,
    Order,
    Outcome,
    Progress,
    ProgressReport,
    StopSignal,
    Unit,
)
from storage.copies import CopyLog
from storage.disks import DiskRegistry
from storage.dumps import DumpLog, DumpRecord
from storage.soplog import CloseError, InstructionRecord, SopLog
from storage.states import CopyOutcome, StepOutcome

log = logging.getLogger(__name__)

COPY_STEP = 11
SPACE_MARGIN = 1.02  # the copy must fit with 2 % to spare


@dataclass(kw_only=True)
class CopyResult(JobResult):
    kind: JobKind = JobKind.COPY
    source: Path | None = None
    dest: Path | None = None
    size: int | None = None
    sha256: str = ""
    compressed: bool = False
    encrypted: bool = False
    disk_label: str = ""
    readback: str = ""  # how the copy was read back (jobs/external/readback.py's ReadBack)
    pruned: list[str] = field(default_factory=list)
    requested_by: int | None = None  # who asked for it (None: the schedule or the watchdog)
    # Kasi instructions this verified copy closed, being their evidence (SOP step 11).
    closed_instructions: list[InstructionRecord] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        """A verified copy exists (retention trouble afterwards does not undo it)."""
        return self.ok

    @property
    def disk_problem(self) -> Problem | None:
        """Why the copy did not start, when the disk was the reason."""
        for found in self.errors:
            if found.code.value.startswith("disk_"):
                return found
        return None


class CopyService(JobRunner[CopyResult]):
    kind = JobKind.COPY

    def __init__(
        self,
        settings: Settings,
        dumplog: DumpLog,
        copylog: CopyLog,
        soplog: SopLog,
        clock: Clock,
        disks: DiskRegistry | None = None,
    ) -> None:
        super().__init__(clock, settings.progress_interval_seconds)
        self.settings, self.dumplog, self.copylog, self.soplog = settings, dumplog, copylog, soplog
        self.disks = disks
        self._dump: DumpRecord | None = None
        self._disk: Disk | None = None
        # How "another device" is decided; only the demo replaces it (its folder stands in for
        # an external disk and says so).
        self.separate: Separate | None = None

    @property
    def configured(self) -> bool:
        return self.settings.external_disk_path is not None

    def check(
        self,
        need_bytes: int = 0,
        *,
        writing: bool = True,
        largest_file: int = 0,
        lost_ok: bool = False,
    ) -> Disk:
        """The disk if usable; raises DiskError (DISK_NOT_CONFIGURED when none is set). A disk
        reported lost is refused unless `lost_ok` (only to read it, for /ketemu)."""
        root = self.settings.external_disk_path
        if root is None:
            raise DiskError(problem(Code.DISK_NOT_CONFIGURED))
        disk = check_disk(
            root,
            self.settings.dumps,
            self.settings.external_disk_ids,
            need_bytes,
            writing=writing,
            separate=self.separate,
            largest_file=largest_file,
        )
        if self.disks is not None:
            known = self.disks.get(disk.identity.id)
            if known is not None and known.retired_at is not None:  # retired: never again
                raise DiskError(problem(Code.DISK_RETIRED, label=disk.identity.label))
            if known is not None and not known.in_service and not (lost_ok and not writing):
                # Reported lost: never written, and no evidence, until /ketemu verified it.
                raise DiskError(problem(Code.DISK_LOST, label=disk.identity.label))
            if known is None:
                self.disks.register(
                    disk.identity.id, disk.identity.label, disk.total_bytes, self.clock.now()
                )
        return disk

    async def check_off_loop(
        self,
        need_bytes: int = 0,
        *,
        writing: bool = True,
        largest_file: int = 0,
        lost_ok: bool = False,
    ) -> Disk:
        """`check` in a worker thread: the disk is foreign and may be slow (or hostile); the
        event loop never waits on it."""
        return await asyncio.to_thread(
            self.check, need_bytes, writing=writing, largest_file=largest_file, lost_ok=lost_ok
        )

    def pending(self, disk: Disk | None) -> DumpRecord | None:
        """The newest good dump still on the server, unless this disk really holds a good copy
        of it: the log says verified and not damaged since, and the disk itself has the file,
        at its size, in its manifest. The log alone is not believed."""
        latest = self.dumplog.last_good()
        if latest is None or not Path(latest.file_path).is_file():
            return None
        if disk is not None and self._on_disk(latest, disk):
            return None
        return latest

    def _on_disk(self, dump: DumpRecord, disk: Disk) -> bool:
        copy = self.copylog.newest(disk_id=disk.identity.id, dump_run_id=dump.id)
        if copy is None:
            return False
        name = Path(copy.dest_path).name
        try:
            found = os.lstat(disk.folder / name)  # a link in its place is no copy
        except OSError:
            return False
        if not stat.S_ISREG(found.st_mode) or (disk.device and found.st_dev != disk.device):
            return False
        return found.st_size == copy.size_bytes and name in read_manifest(disk.folder, disk.device)

    def recover(self) -> list[str]:
        lost = self.copylog.mark_interrupted(self.clock.now(), problem(Code.INTERRUPTED))
        return [record.source_path for record in lost]

    # --- the job ------------------------------------------------------------------------------

    async def prepare(self, order: Order) -> JobStarted | CopyResult:
        disk_for_pending: Disk | None = None
        with contextlib.suppress(DiskError):
            disk_for_pending = await self.check_off_loop(writing=False)
        dump = await asyncio.to_thread(self.pending, disk_for_pending)
        if dump is None:
            return CopyResult(run_id=None, outcome=Outcome.NOTHING)
        source = Path(dump.file_path)
        size = dump.size_bytes or 0
        started_at = self.clock.now()
        copy_id = await self.db.keep(
            self.copylog.start,
            dump_run_id=dump.id,
            source_path=str(source),
            trigger=order.trigger,
            requested_by=order.requested_by,
            started_at=started_at,
        )
        # The disk is checked before anything is announced: a missing disk is one clear
        # message, not a copy that starts and then stops.
        try:
            # The copy is at most the dump's size (zstd shrinks it; age adds a few bytes a MiB).
            self._disk = await self.check_off_loop(int(size * SPACE_MARGIN), largest_file=size)
        except DiskError as trouble:
            log.warning("External copy %s not started: %s", copy_id, trouble)
            await self.db.keep(
                self.copylog.finish,
                copy_id,
                finished_at=self.clock.now(),
                outcome=CopyOutcome.DISK_PROBLEM,
                error=trouble.problem,
            )
            return CopyResult(
                run_id=copy_id,
                outcome=Outcome.FAILED,
                source=source,
                requested_by=order.requested_by,
                errors=[trouble.problem],
                started_at=started_at,
                finished_at=self.clock.now(),
            )
        self._dump = dump
        return JobStarted(
            JobKind.COPY,
            copy_id,
            order.trigger,
            order.requested_by,
            source,
            started_at,
            size=size,
        )

    async def execute(
        self, started: JobStarted, stop: StopSignal, report: ProgressReport
    ) -> CopyResult:
        assert self._dump is not None and self._disk is not None
        dump, disk = self._dump, self._disk
        total = started.size or 0

        def bytes_done(done: int) -> None:
            report(Progress(100.0 * done / total if total else None, done, total, Unit.BYTES))

        try:
            copied = await asyncio.to_thread(
                copy_verified,
                started.subject,
                disk.folder / started.subject.name,
                compress=self.settings.external_compression == "zstd",
                progress=bytes_done,
                should_stop=stop.is_set,
                recipients=self.settings.age_recipients,
            )
            self._check_source(copied, dump)
            manifest = await asyncio.to_thread(read_manifest, disk.folder, disk.device)
            manifest[copied.path.name] = copied.sha256
            log_copy = await asyncio.to_thread(self._copy_log, started.subject, disk)
            if log_copy is not None:  # the export's own account goes with it, verified too
                manifest[log_copy.path.name] = log_copy.sha256
            await asyncio.to_thread(write_manifest, disk.folder, manifest)
        except CopyStopped:
            return await self.abandon(started, Outcome.INTERRUPTED, stop.reason or _stopped())
        except CopyError as exc:
            return await asyncio.to_thread(self._failed, started, disk, exc.problem)
        except OSError as exc:  # the manifest could not be written
            why = exc.strerror or str(exc)
            return await asyncio.to_thread(
                self._failed,
                started,
                disk,
                problem(Code.COPY_WRITE_FAILED, file="SHA256SUMS", why=why),
            )
        return await self._verified(started, disk, copied)

    def unstarted(self, reason: Problem) -> CopyResult:
        return CopyResult(run_id=None, outcome=Outcome.FAILED, errors=[reason])

    async def abandon(self, started: JobStarted, outcome: Outcome, reason: Problem) -> CopyResult:
        finished_at = self.clock.now()
        stored = CopyOutcome.INTERRUPTED if outcome is Outcome.INTERRUPTED else CopyOutcome.FAILED
        await self.db.keep(
            self.copylog.finish,
            started.run_id,
            finished_at=finished_at,
            outcome=stored,
            error=reason,
        )
        log.warning("External copy %s ended early: %s", started.run_id, reason.english())
        return CopyResult(
            run_id=started.run_id,
            outcome=outcome,
            source=started.subject,
            errors=[reason],
            started_at=started.started_at,
            finished_at=finished_at,
        )

    def _close_open_instructions(
        self, started: JobStarted, at: datetime, copied: VerifiedCopy, disk: Disk
    ) -> list[InstructionRecord]:
        """The copy is step 11's evidence: it closes every open Kasi instruction."""
        closed: list[InstructionRecord] = []
        note = evidence_note(copied.path.name, disk.identity.label, copied.sha256)
        for instruction in self.soplog.open_instructions([Role.KASI]):
            try:
                closed.append(
                    self.soplog.close_instruction(
                        instruction_id=instruction.id,
                        closed_by=started.requested_by,
                        roles=[Role.KASI],
                        note=note,
                        at=at,
                    )
                )
            except CloseError:  # closed meanwhile by the Kasi: nothing to add
                continue
            log.info("Instruction #%s closed by copy %s", instruction.id, started.run_id)
        return closed

    @staticmethod
    def _copy_log(dump: Path, disk: Disk) -> VerifiedCopy | None:
        """The dump's log beside it on the disk (what was exported, and the verdict)."""
        log_file = dump.with_suffix(".log")
        if not log_file.is_file():
            return None
        try:
            return copy_verified(log_file, disk.folder / log_file.name)
        except (CopyError, OSError) as exc:
            log.warning("The log of %s was not copied: %s", dump.name, exc)
            return None

    @staticmethod
    def _check_source(copied: VerifiedCopy, dump: DumpRecord) -> None:
        if dump.sha256 and copied.source_sha256 != dump.sha256:
            raise CopyError(
                problem(
                    Code.SOURCE_CHANGED,
                    file=copied.path.name,
                    actual=copied.source_sha256,
                    recorded=dump.sha256,
                )
            )

    def _failed(self, started: JobStarted, disk: Disk, reason: Problem) -> CopyResult:
        log.error("External copy %s failed: %s", started.run_id, reason.english())
        finished_at = self.clock.now()
        self.copylog.finish(
            started.run_id,
            finished_at=finished_at,
            outcome=CopyOutcome.FAILED,
            disk_id=disk.identity.id,
            disk_label=disk.identity.label,
            error=reason,
        )
        return CopyResult(
            run_id=started.run_id,
            outcome=Outcome.FAILED,
            source=started.subject,
            errors=[reason],
            disk_label=disk.identity.label,
            started_at=started.started_at,
            finished_at=finished_at,
        )

    async def _verified(self, started: JobStarted, disk: Disk, copied: VerifiedCopy) -> CopyResult:
        finished_at = self.clock.now()
        await self.db.keep(
            self.copylog.finish,
            started.run_id,
            finished_at=finished_at,
            outcome=CopyOutcome.VERIFIED,
            dest_path=str(copied.path),
            disk_id=disk.identity.id,
            disk_label=disk.identity.label,
            size_bytes=copied.size,
            sha256=copied.sha256,
            compressed=copied.compressed,
            encrypted=copied.encrypted,
        )
        await self.db.keep(
            self.soplog.record_step,
            run_date=office_date(finished_at, self.settings.tz),
            step_number=COPY_STEP,
            actor_id=started.requested_by,
            actor_role=Role.KASI.value,
            started_at=started.started_at,
            finished_at=finished_at,
            outcome=StepOutcome.DONE,
            note=f"{copied.path.name} @ {disk.identity.label}",
        )
        log.info(
            "External copy %s verified: %s (%s bytes)", started.run_id, copied.path, copied.size
        )
        result = CopyResult(
            run_id=started.run_id,
            outcome=Outcome.SUCCESS,
            source=started.subject,
            dest=copied.path,
            size=copied.size,
            sha256=copied.sha256,
            compressed=copied.compressed,
            encrypted=copied.encrypted,
            disk_label=disk.identity.label,
            started_at=started.started_at,
            finished_at=finished_at,
            readback=copied.readback,
        )
        result.closed_instructions = await asyncio.to_thread(
            self._close_open_instructions, started, finished_at, copied, disk
        )
        held: list[str] = []
        try:
            result.pruned = await asyncio.to_thread(
                prune, self.settings, self.dumplog, self.copylog, disk, finished_at, held
            )
            if held:  # open in another program (Windows): removed at a later copy
                result.warnings.append(problem(Code.RETENTION_FILES_IN_USE, files=", ".join(held)))
                result.outcome = Outcome.WARNING
        except Exception as exc:  # the copy is verified; old files staying is only a warning
            log.exception("Retention after copy %s failed", started.run_id)
            why = getattr(exc, "strerror", None) or f"{type(exc).__name__}: {exc}"
            result.warnings.append(problem(Code.RETENTION_FAILED, error=str(why)))
            result.outcome = Outcome.WARNING
        return result


def evidence_note(file_name: str, disk_label: str, sha256: str) -> str:
    """What a verified copy records as the evidence on the instruction it closes."""
    return f"{file_name} @ {disk_label}, SHA-256 {sha256}"


def _stopped() -> Problem:
    return problem(Code.STOPPED)
