"""The monthly audit report's content: every figure from the SOP log, the evidence chain's
checkpoint and its verification, as plain picklable data. Its words come from the caller
(`reports/audit.py`, which also adds the CSV annex); the PDF is drawn from it in a child process
by `reports/audit_pdf.py`. Shared by `/laporan audit` and `sopbot laporan --pdf`."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from core.problems import Problem
from core.settings import Settings
from core.sop import SOP_NAME, STEP_BY_NUMBER
from jobs.evidence import Evidence
from storage.chain_check import Verdict
from storage.copies import CopyLog
from storage.disks import DiskRegistry
from storage.drills import DrillLog
from storage.dumps import DumpLog, DumpRecord
from storage.month import GOOD, MonthReport, StepStat, build_report
from storage.soplog import SopLog
from storage.state import StateStore
from storage.states import DrillOutcome, DumpOutcome


@dataclass(frozen=True)
class AuditDay:
    day: date
    dump_time: str  # HH:MM office time, "" without a dump
    size_bytes: int | None
    sha_short: str
    verdict: str  # success | warning | failed | interrupted | missing | no_data
    copied: bool
    disk: str
    encrypted: bool | None
    verified: bool | None  # the copy was verified (and not found damaged since)
    drill: str  # passed | failed | interrupted | ""


@dataclass(frozen=True)
class AuditDrill:
    at: datetime
    level: int
    backend: str
    restore_seconds: float | None
    target_seconds: float
    compared: int
    mismatches: int
    outcome: str
    file_name: str
    disk: str


@dataclass(frozen=True)
class Custody:
    at: datetime
    label: str
    event: str  # registered | copy | lost
    file: str = ""  # the copy's file name
    copies: int = 0  # a lost disk: the verified copies it held
    plain: int = 0  # of which not encrypted


@dataclass(frozen=True)
class Deviation:
    person: str
    step: int
    count: int
    late: int


@dataclass(frozen=True)
class Incident:
    at: datetime
    kind: str  # dump_failed | disk_lost | breach
    detail: str  # a failed dump: its problems in words; a disk: its label
    copies: int = 0
    plain: int = 0


@dataclass(frozen=True)
class Missed:
    day: date
    verdict: str
    next_good: date | None  # what was done: the next good dump, if any this month


@dataclass
class AuditReport:
    number: str
    office: str
    office_id: str
    month: date
    made_at: datetime
    timezone: str
    sop: str = SOP_NAME
    recorded_days: int = 0
    copied_days: int = 0
    compliance: float = 0.0
    encrypted_share: float | None = None
    drills_passed: int = 0
    drills_total: int = 0
    days_since_restore: int | None = None
    days: list[AuditDay] = field(default_factory=list)
    missed: list[Missed] = field(default_factory=list)
    custody: list[Custody] = field(default_factory=list)
    drills: list[AuditDrill] = field(default_factory=list)
    deviations: list[Deviation] = field(default_factory=list)
    steps: list[StepStat] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    chain_size: int = 0
    chain_head: str = ""
    chain_verdict: str = ""  # intact | broken | cannot
    chain_words: str = ""  # the verification in a sentence
    checkpoint_note: str = ""
    witnessed_note: str = ""
    witnessed_at: datetime | None = None
    csv_sha256: str = ""  # the CSV annex's, filled in where the annex is written
    csv_name: str = ""


def _short(sha: str) -> str:
    return sha[:12]


def build_audit(
    month: date,
    *,
    settings: Settings,
    today: date,
    now: datetime,
    soplog: SopLog,
    dumplog: DumpLog,
    copylog: CopyLog,
    drilllog: DrillLog,
    disks: DiskRegistry,
    state: StateStore,
    evidence: Evidence,
    say: Callable[[Problem], str],
    chain_words: Callable[[object], str],
) -> tuple[AuditReport, MonthReport]:
    """The report, and the month it was built from (whose CSV is the report's annex)."""
    tz = settings.tz
    monthly: MonthReport = build_report(
        month, today, soplog, dumplog, copylog, settings.office, drilllog
    )
    last_day = date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])
    start = datetime.combine(month, time(), tz)
    end = datetime.combine(last_day + timedelta(days=1), time(), tz)
    office_code = settings.office_id or "KANTOR"
    report = AuditReport(
        number="",
        office=settings.office_name or "Disdukcapil",
        office_id=settings.office_id,
        month=month,
        made_at=now,
        timezone=settings.timezone,
    )
    report.recorded_days = len(monthly.recorded_days)
    report.copied_days = monthly.copied_days
    report.compliance = monthly.compliance
    runs = dumplog.between(month, last_day)
    by_day: dict[date, list[DumpRecord]] = {}
    for run in runs:
        by_day.setdefault(run.run_date, []).append(run)
    encrypted = verified = 0
    for row in monthly.days:
        day_runs = by_day.get(row.day, [])
        good = [r for r in day_runs if r.outcome in GOOD]
        shown = good[-1] if good else (day_runs[-1] if day_runs else None)
        # The month as it happened: a copy verified that day counts for that day even if its
        # disk was later reported lost (the custody log and the incidents say so).
        copy = (
            copylog.newest(dump_run_id=shown.id, lost=None) if shown is not None and good else None
        )
        if copy is not None:
            verified += 1
            encrypted += copy.encrypted
        report.days.append(
            AuditDay(
                day=row.day,
                dump_time=shown.started_at.astimezone(tz).strftime("%H:%M") if shown else "",
                size_bytes=shown.size_bytes if shown else None,
                sha_short=_short(shown.sha256) if shown else "",
                verdict=row.dump,
                copied=row.copied,
                disk=copy.disk_label if copy else "",
                encrypted=copy.encrypted if copy else None,
                verified=(copy.check_ok is not False) if copy else None,
                drill=row.drill,
            )
        )
        if row.dump not in GOOD and row.dump != "no_data":
            later = [r.run_date for r in runs if r.run_date > row.day and r.outcome in GOOD]
            report.missed.append(Missed(row.day, row.dump, later[0] if later else None))
        for run in day_runs:
            if run.outcome in (DumpOutcome.FAILED, DumpOutcome.INTERRUPTED):
                text = "; ".join(say(problem) for problem in run.errors[:3]) or run.outcome
                report.incidents.append(Incident(run.started_at, "dump_failed", text))
        if copy is not None and copy.finished_at is not None:
            name = copy.dest_path.replace("\\", "/").rsplit("/", 1)[-1]
            report.custody.append(Custody(copy.finished_at, copy.disk_label, "copy", name))
    report.encrypted_share = encrypted / verified if verified else None
    for disk in disks.all():
        if start <= disk.registered_at < end:
            report.custody.append(Custody(disk.registered_at, disk.label, "registered"))
        if disk.lost_at is not None and start <= disk.lost_at < end:
            held = copylog.verified(disk.id)
            plain = sum(1 for c in held if not c.encrypted)
            at, label = disk.lost_at, disk.label
            report.custody.append(Custody(at, label, "lost", copies=len(held), plain=plain))
            report.incidents.append(Incident(at, "disk_lost", label, len(held), plain))
            if state.get(f"breach:{disk.id}") is not None or plain:
                report.incidents.append(Incident(at, "breach", label, len(held), plain))
    report.custody.sort(key=lambda c: c.at)
    report.incidents.sort(key=lambda i: i.at)
    target = settings.drill_target_rto_minutes * 60.0
    for drill in drilllog.between(start, end):
        report.drills.append(
            AuditDrill(
                drill.started_at,
                drill.level,
                drill.backend,
                drill.restore_seconds,
                target,
                drill.compared,
                drill.mismatches,
                drill.outcome,
                drill.file_name,
                drill.disk_label,
            )
        )
    report.drills_total = len(report.drills)
    report.drills_passed = sum(1 for d in report.drills if d.outcome == DrillOutcome.PASSED)
    passed_before = [d for d in drilllog.between(datetime(1970, 1, 1, tzinfo=UTC), end) if d.passed]
    if passed_before and passed_before[-1].finished_at is not None:
        as_of = min(end, now)
        report.days_since_restore = max(0, (as_of - passed_before[-1].finished_at).days)
    names = soplog.user_names()
    report.deviations = [
        Deviation(names.get(p.actor_id, f"id {p.actor_id}"), p.step, p.count, p.late)
        for p in monthly.people
        if p.step in STEP_BY_NUMBER
    ]
    report.steps = monthly.steps
    checked = evidence.verify()
    report.chain_size, report.chain_head = checked.size, checked.head
    report.chain_verdict = {
        Verdict.INTACT: "intact",
        Verdict.BROKEN: "broken",
        Verdict.CANNOT: "cannot",
    }[checked.verdict]
    report.chain_words = chain_words(checked)
    latest = evidence.checkpoints.latest()
    if latest is not None:
        report.checkpoint_note = latest.note
    witnessed = evidence.checkpoints.latest_witnessed()
    if witnessed is not None:
        report.witnessed_note, report.witnessed_at = (
            witnessed.witnessed_note,
            witnessed.witnessed_at,
        )
    report.number = f"{office_code}/AUDIT-BACKUP/{month:%Y}/{month:%m}/{checked.size}"
    return report, monthly
