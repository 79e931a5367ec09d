"""One copy to the external disk at a time: pick the dump, check the disk, copy and verify,
update the manifest, record SOP step 11, apply retention, tell observers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from jobs.external.copy import CopyError, copy_verified, read_manifest, write_manifest
from jobs.external.disk import Disk, DiskError, DiskProblem, check_disk
from jobs.external.retention import prune
from jobs.observers import cancel, notify
from sopbot.clock import Clock, office_date
from sopbot.settings import Settings
from sopbot.sop import Role
from storage.dumplog import CopyLog, DumpLog, DumpRecord
from storage.soplog import SopLog

log = logging.getLogger(__name__)

COPY_STEP = 11
SPACE_MARGIN = 1.02  # the copy must fit with 2 % to spare


@dataclass(frozen=True)
class CopyStarted:
    copy_id: int
    trigger: str
    requested_by: int | None
    source: Path
    size: int
    started_at: datetime


@dataclass
class CopyResult:
    copy_id: int | None
    outcome: str  # verified | failed | disk_problem | nothing
    source: Path | None = None
    dest: Path | None = None
    size: int | None = None
    sha256: str = ""
    compressed: bool = False
    disk_label: str = ""
    problem: DiskProblem | None = None
    error: str = ""
    started_at: datetime | None = None
    finished_at: datetime | None = None
    pruned: list[str] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        return self.outcome == "verified"


class CopyObserver(Protocol):
    async def copy_started(self, started: CopyStarted) -> None: ...

    async def copy_progress(self, started: CopyStarted, done: int) -> None: ...

    async def copy_finished(self, started: CopyStarted | None, result: CopyResult) -> None: ...


class CopyAlreadyRunning(Exception):
    pass


class CopyService:
    def __init__(
        self, settings: Settings, dumps: DumpLog, copies: CopyLog, soplog: SopLog, clock: Clock
    ) -> None:
        self.settings, self.dumps, self.copies = settings, dumps, copies
        self.soplog, self.clock = soplog, clock
        self.observers: list[CopyObserver] = []
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[CopyResult] | None = None
        self._done = 0

    @property
    def configured(self) -> bool:
        return self.settings.external_disk_path is not None

    @property
    def busy(self) -> bool:
        return self._lock.locked() or (self._task is not None and not self._task.done())

    def check(self, need_bytes: int = 0, *, writing: bool = True) -> Disk:
        """The disk if usable; raises DiskError (MISSING also when none is configured)."""
        root = self.settings.external_disk_path
        if root is None:
            raise DiskError(DiskProblem.MISSING, "EXTERNAL_DISK_PATH is not set")
        return check_disk(
            root, self.settings.dumps, self.settings.external_disk_ids, need_bytes, writing=writing
        )

    def pending(self, disk: Disk | None) -> DumpRecord | None:
        """The newest good dump still on the server that this disk has no verified copy of."""
        latest = self.dumps.last_good()
        if latest is None or not Path(latest.file_path).is_file():
            return None
        if disk is not None:
            done = {c.dump_run_id for c in self.copies.verified(disk.identity.id)}
            if latest.id in done:
                return None
        return latest

    def recover(self) -> list[str]:
        lost = self.copies.mark_interrupted(self.clock.now())
        return [record.source_path for record in lost]

    def launch(self, trigger: str, requested_by: int | None = None) -> asyncio.Task[CopyResult]:
        if self.busy:
            raise CopyAlreadyRunning()
        task = asyncio.get_running_loop().create_task(self.run(trigger, requested_by))
        self._task = task
        return task

    async def run(self, trigger: str, requested_by: int | None = None) -> CopyResult:
        current = asyncio.current_task()
        other = self._task is not None and self._task is not current and not self._task.done()
        if self._lock.locked() or other:
            raise CopyAlreadyRunning()
        async with self._lock:
            self._task = current
            try:
                return await self._run(trigger, requested_by)
            finally:
                self._task = None

    async def _run(self, trigger: str, requested_by: int | None) -> CopyResult:
        disk_for_pending: Disk | None = None
        with contextlib.suppress(DiskError):
            disk_for_pending = self.check(writing=False)
        dump = self.pending(disk_for_pending)
        if dump is None:
            result = CopyResult(None, "nothing")
            await self._notify("copy_finished", None, result)
            return result
        source = Path(dump.file_path)
        size = dump.size_bytes or 0
        started_at = self.clock.now()
        copy_id = self.copies.start(
            dump_run_id=dump.id,
            source_path=str(source),
            trigger=trigger,
            requested_by=requested_by,
            started_at=started_at,
        )
        started = CopyStarted(copy_id, trigger, requested_by, source, size, started_at)
        # The disk is checked before anything is announced: a missing disk is one clear
        # message, not a copy that starts and then stops.
        try:
            disk = self.check(int(size * SPACE_MARGIN))
        except DiskError as problem:
            log.warning("External copy %s not started: %s", copy_id, problem)
            result = CopyResult(
                copy_id,
                "disk_problem",
                source,
                problem=problem.problem,
                error=problem.detail,
                started_at=started_at,
                finished_at=self.clock.now(),
            )
            self.copies.finish(
                copy_id, finished_at=self.clock.now(), outcome="disk_problem", error=str(problem)
            )
            await self._notify("copy_finished", started, result)
            return result
        await self._notify("copy_started", started)
        result = await self._copy(started, dump, disk)
        await self._notify("copy_finished", started, result)
        return result

    async def _copy(self, started: CopyStarted, dump: DumpRecord, disk: Disk) -> CopyResult:
        compress = self.settings.external_compression == "zstd"
        destination = disk.folder / started.source.name
        self._done = 0
        ticker = asyncio.create_task(self._forward_progress(started))
        try:
            copied = await asyncio.to_thread(
                copy_verified,
                started.source,
                destination,
                compress=compress,
                progress=self._progress,
            )
            if dump.sha256 and copied.source_sha256 != dump.sha256:
                raise CopyError(
                    f"{started.source.name} changed on the server since it was "
                    f"dumped (SHA-256 {copied.source_sha256}, recorded "
                    f"{dump.sha256})"
                )
            manifest = read_manifest(disk.folder)
            manifest[copied.path.name] = copied.sha256
            await asyncio.to_thread(write_manifest, disk.folder, manifest)
        except (CopyError, OSError) as exc:
            log.error("External copy %s failed: %s", started.copy_id, exc)
            self.copies.finish(
                started.copy_id,
                finished_at=self.clock.now(),
                outcome="failed",
                disk_id=disk.identity.id,
                disk_label=disk.identity.label,
                error=str(exc),
            )
            return CopyResult(
                started.copy_id,
                "failed",
                started.source,
                error=str(exc),
                disk_label=disk.identity.label,
                started_at=started.started_at,
                finished_at=self.clock.now(),
            )
        finally:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
        finished_at = self.clock.now()
        self.copies.finish(
            started.copy_id,
            finished_at=finished_at,
            outcome="verified",
            dest_path=str(copied.path),
            disk_id=disk.identity.id,
            disk_label=disk.identity.label,
            size_bytes=copied.size,
            sha256=copied.sha256,
            compressed=copied.compressed,
        )
        self.soplog.record_step(
            run_date=office_date(finished_at, self.settings.tz),
            step_number=COPY_STEP,
            actor_id=started.requested_by,
            actor_role=Role.KASI.value,
            started_at=started.started_at,
            finished_at=finished_at,
            outcome="done",
            note=f"{copied.path.name} terverifikasi di disk {disk.identity.label}",
        )
        log.info(
            "External copy %s verified: %s (%s bytes)", started.copy_id, copied.path, copied.size
        )
        pruned = await asyncio.to_thread(
            prune, self.settings, self.dumps, self.copies, disk, finished_at
        )
        return CopyResult(
            started.copy_id,
            "verified",
            started.source,
            copied.path,
            copied.size,
            copied.sha256,
            copied.compressed,
            disk.identity.label,
            started_at=started.started_at,
            finished_at=finished_at,
            pruned=pruned,
        )

    def _progress(self, done: int) -> None:
        self._done = done  # from the copying thread; read by the ticker

    async def _forward_progress(self, started: CopyStarted) -> None:
        last = -1
        while True:
            await asyncio.sleep(self.settings.progress_interval_seconds)
            if self._done != last:
                last = self._done
                await self._notify("copy_progress", started, last)

    async def _notify(self, event: str, *args: object) -> None:
        await notify(self.observers, event, *args)

    async def stop(self) -> None:
        """Cancel a running copy (the bot is shutting down); it is recorded as interrupted."""
        await cancel(self._task)
