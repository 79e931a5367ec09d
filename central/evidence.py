"""Evidence records built from the office's own log: what the central database is told about a
dump, a copy, a drill and an SOP day. Verdicts, sizes, counts, hashes and times only: never a
row of population data, a person's name or a Telegram id."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from core.problems import Problem
from storage.central.record import EvidenceRecord
from storage.central.schema import CHECK, COPY, DAY, DISK, DRILL, DUMP
from storage.copies import CopyRecord, file_name
from storage.drills import DrillRecord
from storage.dumps import DumpRecord
from storage.month import DayRow
from storage.states import GOOD_DUMPS, CopyOutcome

MAX_TABLES = 300  # rows per table: enough to compare, small enough to send every day


def _codes(problems: list[Problem]) -> list[str]:
    return [str(problem.code) for problem in problems]


def ref(origin: str, kind: str, ident: object) -> str:
    """A record's key: unique to this installation of the bot (`origin`, made once), so the log
    of a reinstalled office (ids from 1 again) is never taken for what was already stored."""
    return f"{origin}/{kind}:{ident}"


def from_dump(dump: DumpRecord, origin: str) -> EvidenceRecord:
    assert dump.finished_at is not None
    detail: dict[str, Any] = {
        "outcome": dump.outcome,
        "backend": dump.backend,
        "job": dump.job_name,
        "file": file_name(dump.file_path),
        "size_bytes": dump.size_bytes,
        "sha256": dump.sha256,
        "total_rows": dump.total_rows,
        "tables": dict(dump.tables[:MAX_TABLES]),
        "consistent_as_of": dump.consistent_as_of,  # "SCN 987654321" for an Oracle export
        "started_at": dump.started_at.isoformat(),
        "finished_at": dump.finished_at.isoformat(),
        "errors": _codes(dump.errors),
        "warnings": _codes(dump.warnings),
    }
    return EvidenceRecord(
        0,
        ref(origin, DUMP, dump.id),
        DUMP,
        dump.finished_at,
        dump.outcome in GOOD_DUMPS,
        None,
        detail,
    )


def from_copy(copy: CopyRecord, origin: str, data_from: datetime | None) -> EvidenceRecord:
    """A copy, dated by the data in it (`data_from`: when its dump finished), not by when it was
    copied: copying an old dump again does not make an office's offline backup fresh."""
    assert copy.finished_at is not None
    detail: dict[str, Any] = {
        "outcome": copy.outcome,
        "disk": copy.disk_label,
        "disk_id": copy.disk_id,  # a "disk" record (lost, found) names the disk by its id
        "file": file_name(copy.dest_path or copy.source_path),
        "size_bytes": copy.size_bytes,
        "sha256": copy.sha256,
        "compressed": copy.compressed,
        "copied_at": copy.finished_at.isoformat(),
        "dump": ref(origin, DUMP, copy.dump_run_id) if copy.dump_run_id else None,
        "error": str(copy.error.code) if copy.error else None,
    }
    happened = min(copy.finished_at, data_from) if data_from else copy.finished_at
    ok = copy.outcome == CopyOutcome.VERIFIED
    return EvidenceRecord(0, ref(origin, COPY, copy.id), COPY, happened, ok, copy.encrypted, detail)


def from_damage(copy: CopyRecord, origin: str) -> EvidenceRecord:
    """A verified copy found damaged or gone when read again: the central view stops counting
    it."""
    assert copy.checked_at is not None
    detail: dict[str, Any] = {"copy": ref(origin, COPY, copy.id), "disk": copy.disk_label}
    key = ref(origin, CHECK, f"{copy.id}:{copy.checked_at:%Y%m%dT%H%M%S}")
    return EvidenceRecord(0, key, CHECK, copy.checked_at, False, copy.encrypted, detail)


def from_disk_event(
    event_id: int, at: datetime, disk_id: str, label: str, found: bool, origin: str
) -> EvidenceRecord:
    """A disk reported lost (ok false: its copies stop counting) or found again and verified in
    full (ok true: they count again). The reason stays in the office: it is a person's words."""
    detail: dict[str, Any] = {
        "disk_id": disk_id,
        "disk": label,
        "state": "found" if found else "lost",
    }
    return EvidenceRecord(0, ref(origin, DISK, event_id), DISK, at, found, None, detail)


def from_drill(drill: DrillRecord, origin: str) -> EvidenceRecord:
    assert drill.finished_at is not None
    detail: dict[str, Any] = {
        "outcome": drill.outcome,
        "backend": drill.backend,
        "level": drill.level,
        "disk": drill.disk_label,
        "file": drill.file_name,
        "restore_seconds": drill.restore_seconds,
        "compared": drill.compared,
        "mismatches": drill.mismatches,
        "copy": ref(origin, COPY, drill.copy_id) if drill.copy_id else None,
        "errors": _codes(drill.errors),
    }
    return EvidenceRecord(
        0, ref(origin, DRILL, drill.id), DRILL, drill.finished_at, drill.passed, None, detail
    )


def from_day(row: DayRow, tz: ZoneInfo, origin: str) -> EvidenceRecord:
    """A finished SOP day: steps done, late steps, and whether it was complete (compliant)."""
    compliant = row.steps_required > 0 and row.steps_done == row.steps_required
    detail: dict[str, Any] = {
        "date": row.day.isoformat(),
        "steps_done": row.steps_done,
        "steps_required": row.steps_required,
        "late_steps": list(row.late_steps),
        "compliance": round(row.steps_done / row.steps_required, 3) if row.steps_required else 0,
        "dump": row.dump,
        "copied": row.copied,
        "drill": row.drill,
    }
    return EvidenceRecord(
        0,
        ref(origin, DAY, row.day.isoformat()),
        DAY,
        day_start(row.day, tz),
        compliant,
        None,
        detail,
    )


def day_start(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tz)
