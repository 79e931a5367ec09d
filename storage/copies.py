"""The record of copies to the external disk (SOP step 11) and of files removed by retention."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import ColumnElement, and_, not_, or_, select, update

from core.problems import Problem, dump_problems, load_problems
from storage import chain
from storage.models import ExternalCopy, ExternalDisk, PrunedFile
from storage.repository import Repository
from storage.states import CopyOutcome, Trigger


@dataclass(frozen=True)
class CopyRecord:
    id: int
    dump_run_id: int | None
    source_path: str
    dest_path: str
    disk_id: str
    disk_label: str
    trigger: Trigger
    started_at: datetime
    finished_at: datetime | None
    outcome: CopyOutcome
    size_bytes: int | None
    sha256: str
    compressed: bool
    error: Problem | None
    encrypted: bool = False
    checked_at: datetime | None = None  # the last /verifikasi of this copy
    check_ok: bool | None = None

    @property
    def damaged(self) -> bool:
        """Re-read from the disk and found different, or gone: no longer evidence."""
        return self.check_ok is False


def file_name(dest_path: str) -> str:
    """The final component of a copy's path, written on Windows or elsewhere."""
    return dest_path.replace("\\", "/").rsplit("/", 1)[-1]


def _like_literal(text: str) -> str:
    """`text` for a LIKE pattern with "!" as the escape character: matched as itself."""
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def _on_lost_disk() -> ColumnElement[bool]:
    """The copy is on a disk reported lost (/hilang): out of evidence until /ketemu, whatever
    the copy's own record says. The disks are a handful of rows: the subquery costs nothing."""
    lost = select(ExternalDisk.id).where(ExternalDisk.lost_at.is_not(None))
    return ExternalCopy.disk_id.in_(lost.scalar_subquery())


def _not_damaged() -> ColumnElement[bool]:
    return or_(ExternalCopy.check_ok.is_(None), ExternalCopy.check_ok.is_(True))


VERIFIED = CopyOutcome.VERIFIED.stored()  # the only copies that are evidence
LOOKUP_CHUNK = 500  # names per query: well under every database's limit on bound parameters


def _copy(row: ExternalCopy) -> CopyRecord:
    return CopyRecord(
        id=row.id,
        dump_run_id=row.dump_run_id,
        source_path=row.source_path,
        dest_path=row.dest_path,
        disk_id=row.disk_id,
        disk_label=row.disk_label,
        trigger=Trigger.read(row.trigger),
        started_at=row.started_at,
        finished_at=row.finished_at,
        outcome=CopyOutcome.read(row.outcome),
        size_bytes=row.size_bytes,
        sha256=row.sha256,
        compressed=row.compressed,
        error=next(iter(load_problems(row.error)), None),
        checked_at=row.checked_at,
        check_ok=row.check_ok,
        encrypted=row.encrypted,
    )


def _newer(row: ExternalCopy, than: CopyRecord) -> bool:
    """Newest first as verified() orders them: by finish time (then by id, for ties)."""
    mine, theirs = row.finished_at, than.finished_at
    if mine is None or theirs is None or mine == theirs:
        return (mine is not None, row.id) > (theirs is not None, than.id)
    return mine > theirs


@dataclass(frozen=True)
class PrunedRecord:
    at: datetime
    location: str
    path: str
    size_bytes: int | None
    reason: str


@dataclass
class CopyLog(Repository):
    """Queries on copies to the external disk and on files removed by retention."""

    def start(
        self,
        *,
        dump_run_id: int | None,
        source_path: str,
        trigger: Trigger,
        requested_by: int | None,
        started_at: datetime,
    ) -> int:
        with self._sessions.begin() as session:
            row = ExternalCopy(
                dump_run_id=dump_run_id,
                source_path=source_path,
                dest_path="",
                disk_id="",
                disk_label="",
                trigger=Trigger.write(trigger),
                requested_by=requested_by,
                started_at=started_at,
                outcome=CopyOutcome.RUNNING.stored(),
                sha256="",
                compressed=False,
                error="[]",
            )
            session.add(row)
            session.flush()
            return row.id

    def finish(
        self,
        copy_id: int,
        *,
        finished_at: datetime,
        outcome: CopyOutcome,
        dest_path: str = "",
        disk_id: str = "",
        disk_label: str = "",
        size_bytes: int | None = None,
        sha256: str = "",
        compressed: bool = False,
        error: Problem | None = None,
        encrypted: bool = False,
    ) -> None:
        with self._sessions.begin() as session:
            session.execute(
                update(ExternalCopy)
                .where(ExternalCopy.id == copy_id)
                .values(
                    finished_at=finished_at,
                    outcome=CopyOutcome.write(outcome),
                    dest_path=dest_path,
                    disk_id=disk_id,
                    disk_label=disk_label,
                    size_bytes=size_bytes,
                    sha256=sha256,
                    compressed=compressed,
                    encrypted=encrypted,
                    error=dump_problems([error] if error else []),
                )
            )
            chain.record_by_id(session, ExternalCopy, copy_id, finished_at)

    def mark_interrupted(self, at: datetime, reason: Problem) -> list[CopyRecord]:
        with self._sessions.begin() as session:
            rows = list(
                session.scalars(
                    select(ExternalCopy).where(ExternalCopy.outcome == CopyOutcome.RUNNING.stored())
                )
            )
            for row in rows:
                row.outcome, row.finished_at = CopyOutcome.INTERRUPTED.stored(), at
                row.error = dump_problems([reason])
            chain.record_rows(session, rows, at)
            return [_copy(row) for row in rows]

    def verified(self, disk_id: str | None = None) -> list[CopyRecord]:
        """Verified copies, newest first (on one disk if given)."""
        with self._sessions() as session:
            query = select(ExternalCopy).where(ExternalCopy.outcome == VERIFIED)
            if disk_id is not None:
                query = query.where(ExternalCopy.disk_id == disk_id)
            rows = session.scalars(query.order_by(ExternalCopy.finished_at.desc()))
            return [_copy(row) for row in rows]

    def newest_by_name(
        self, disk_id: str, folder: Path, names: Iterable[str]
    ) -> dict[str, CopyRecord]:
        """File name -> the newest verified copy with that name on this disk, for these names
        only: looked up by their exact path in `folder`, and for names not found so (the disk
        was mounted elsewhere, another drive letter) by the path's final component, still on
        this disk only. Names without a verified copy are left out."""
        wanted = list(dict.fromkeys(names))
        found: dict[str, CopyRecord] = {}
        with self._sessions() as session:
            verified_here = (ExternalCopy.disk_id == disk_id, ExternalCopy.outcome == VERIFIED)
            for start in range(0, len(wanted), LOOKUP_CHUNK):
                chunk = wanted[start : start + LOOKUP_CHUNK]
                paths = {str(folder / name): name for name in chunk}
                rows = session.scalars(
                    select(ExternalCopy).where(
                        *verified_here, ExternalCopy.dest_path.in_(list(paths))
                    )
                )
                self._keep_newest(found, rows, set(chunk))
            missing = [name for name in wanted if name not in found]
            for start in range(0, len(missing), LOOKUP_CHUNK):
                chunk = missing[start : start + LOOKUP_CHUNK]
                endings = [
                    ExternalCopy.dest_path.like(f"%{sep}{_like_literal(name)}", escape="!")
                    for name in chunk
                    for sep in ("/", "\\")
                ]
                rows = session.scalars(select(ExternalCopy).where(*verified_here, or_(*endings)))
                self._keep_newest(found, rows, set(chunk))
        return found

    @staticmethod
    def _keep_newest(
        found: dict[str, CopyRecord], rows: Iterable[ExternalCopy], names: set[str]
    ) -> None:
        for row in rows:
            # Exact: SQLite's LIKE ignores the case of ASCII letters, PostgreSQL's does not.
            name = file_name(row.dest_path)
            if name not in names:
                continue
            known = found.get(name)
            if known is None or _newer(row, known):
                found[name] = _copy(row)

    def damaged_names(self, disk_id: str) -> set[str]:
        """Names of the copies on this disk that a /verifikasi found damaged (a newer copy with
        the same name may have replaced one since: see newest_by_name)."""
        with self._sessions() as session:
            paths = session.scalars(
                select(ExternalCopy.dest_path)
                .where(
                    ExternalCopy.disk_id == disk_id,
                    ExternalCopy.outcome == VERIFIED,
                    ExternalCopy.check_ok.is_(False),
                )
                .distinct()
            )
            return {file_name(path) for path in paths}

    def evidence(self, dump_run_id: int) -> CopyRecord | None:
        """The newest verified copy of this dump not found damaged since, on a disk not reported
        lost: step 11's evidence."""
        with self._sessions() as session:
            row = session.scalars(
                select(ExternalCopy)
                .where(
                    ExternalCopy.dump_run_id == dump_run_id,
                    ExternalCopy.outcome == VERIFIED,
                    _not_damaged(),
                    not_(_on_lost_disk()),
                )
                .order_by(ExternalCopy.finished_at.desc())
                .limit(1)
            ).first()
            return None if row is None else _copy(row)

    def record_checks(self, disk_id: str, results: dict[str, bool], at: datetime) -> None:
        """Keep what /verifikasi found, per file name, on the verified copies of this disk."""
        with self._sessions.begin() as session:
            rows = session.scalars(
                select(ExternalCopy).where(
                    ExternalCopy.disk_id == disk_id, ExternalCopy.outcome == VERIFIED
                )
            )
            checked = []
            for row in rows:
                name = file_name(row.dest_path)
                if name in results:
                    row.checked_at, row.check_ok = at, results[name]
                    checked.append(row)
            chain.record_rows(session, checked, at)

    def newest(
        self,
        *,
        disk_id: str | None = None,
        dump_run_id: int | None = None,
        intact: bool | None = True,
        lost: bool | None = False,
        since: datetime | None = None,
    ) -> CopyRecord | None:
        """The newest verified copy (on one disk, of one dump, finished at or after `since`, if
        given): intact=True not found damaged since, False only damaged ones, None either;
        lost=False not on a disk reported lost, True only on one, None either. The defaults are
        what still counts as evidence. One indexed row, however long the history."""
        with self._sessions() as session:
            query = select(ExternalCopy).where(ExternalCopy.outcome == VERIFIED)
            if disk_id is not None:
                query = query.where(ExternalCopy.disk_id == disk_id)
            if dump_run_id is not None:
                query = query.where(ExternalCopy.dump_run_id == dump_run_id)
            if since is not None:
                query = query.where(ExternalCopy.finished_at >= since)
            if intact is True:
                query = query.where(_not_damaged())
            elif intact is False:
                query = query.where(ExternalCopy.check_ok.is_(False))
            if lost is True:
                query = query.where(_on_lost_disk())
            elif lost is False:
                query = query.where(not_(_on_lost_disk()))
            row = session.scalars(query.order_by(ExternalCopy.finished_at.desc()).limit(1)).first()
            return None if row is None else _copy(row)

    def newest_intact(self, disk_id: str | None = None) -> CopyRecord | None:
        """The newest verified copy not found damaged since and not on a lost disk (on one disk
        if given)."""
        return self.newest(disk_id=disk_id)

    def copied_dump_ids(self, dump_run_ids: Iterable[int]) -> set[int]:
        """Which of these dumps have a verified copy."""
        wanted = list(dump_run_ids)
        if not wanted:
            return set()
        with self._sessions() as session:
            found = session.scalars(
                select(ExternalCopy.dump_run_id)
                .where(ExternalCopy.outcome == VERIFIED, ExternalCopy.dump_run_id.in_(wanted))
                .distinct()
            )
            return {dump_id for dump_id in found if dump_id is not None}

    def latest(self, limit: int = 10) -> list[CopyRecord]:
        with self._sessions() as session:
            rows = session.scalars(
                select(ExternalCopy).order_by(ExternalCopy.id.desc()).limit(limit)
            )
            return [_copy(row) for row in rows]

    def record_pruned(
        self, *, at: datetime, location: str, path: str, size_bytes: int | None, reason: str
    ) -> None:
        with self._sessions.begin() as session:
            session.add(
                PrunedFile(
                    at=at, location=location, path=path, size_bytes=size_bytes, reason=reason
                )
            )

    def damaged_after(self, at: datetime, after_id: int, limit: int = 500) -> list[CopyRecord]:
        """Verified copies whose last re-read (/verifikasi, a drill) found them damaged or gone,
        checked after (`at`, `after_id`), in (check time, id) order: a position that moves past
        any number of copies checked at the same moment."""
        with self._sessions() as session:
            rows = session.scalars(
                select(ExternalCopy)
                .where(
                    ExternalCopy.check_ok.is_(False),
                    or_(
                        ExternalCopy.checked_at > at,
                        and_(ExternalCopy.checked_at == at, ExternalCopy.id > after_id),
                    ),
                )
                .order_by(ExternalCopy.checked_at, ExternalCopy.id)
                .limit(limit)
            )
            return [_copy(row) for row in rows]

    def after(self, after_id: int, limit: int = 100) -> list[CopyRecord]:
        """Copies recorded after `after_id`, in the order they were started (by primary key)."""
        with self._sessions() as session:
            rows = session.scalars(
                select(ExternalCopy)
                .where(ExternalCopy.id > after_id)
                .order_by(ExternalCopy.id)
                .limit(limit)
            )
            return [_copy(row) for row in rows]

    def pruned_names(self, location: str) -> set[str]:
        """Names of the files retention removed at `location` (server | external), ever."""
        with self._sessions() as session:
            paths = session.scalars(
                select(PrunedFile.path).where(PrunedFile.location == location).distinct()
            )
            return {file_name(path) for path in paths}

    def pruned(self, limit: int = 20) -> list[PrunedRecord]:
        with self._sessions() as session:
            rows = session.scalars(select(PrunedFile).order_by(PrunedFile.id.desc()).limit(limit))
            return [PrunedRecord(r.at, r.location, r.path, r.size_bytes, r.reason) for r in rows]
