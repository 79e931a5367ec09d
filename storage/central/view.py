"""The supervisor's view of the central database: where each office stands, worst first.

A copy later found damaged (a "check" record) no longer counts. One query, one index probe per
office and kind (ix_evidence_office_kind_ok_at), so its time grows
with the number of offices, not with the years of evidence. Row-level security decides what is
seen: a supervisor's login sees every office, an office's login only itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy import Connection, Engine, text

# When an office stops being safe. A weekend without a copy is allowed for; a dump is daily.
DUMP_MAX_AGE = timedelta(hours=36)
COPY_MAX_AGE = timedelta(days=3)
DRILL_MAX_AGE = timedelta(days=14)
SILENT_AFTER = timedelta(hours=1)

# Problems, worst first: the order sorts the table.
NO_COPY, NOT_ENCRYPTED, NO_DUMP, NO_DRILL, SILENT = (
    "no_copy",
    "not_encrypted",
    "no_dump",
    "no_drill",
    "silent",
)
PROBLEM_ORDER = (NO_COPY, NOT_ENCRYPTED, NO_DUMP, NO_DRILL, SILENT)

STATES_SQL = text(
    """
    SELECT o.office_id, o.name,
      (SELECT max(e.happened_at) FROM evidence e
        WHERE e.office_id = o.office_id AND e.kind = 'dump' AND e.ok) AS last_dump,
      c.happened_at AS last_copy, c.encrypted AS copy_encrypted,
      (SELECT max(e.happened_at) FROM evidence e
        WHERE e.office_id = o.office_id AND e.kind = 'drill' AND e.ok) AS last_drill,
      h.seen_at, h.queued
    FROM offices o
    LEFT JOIN LATERAL (
      SELECT e.happened_at, e.encrypted FROM evidence e
       WHERE e.office_id = o.office_id AND e.kind = 'copy' AND e.ok
         AND NOT EXISTS (
           SELECT 1 FROM evidence x
            WHERE x.office_id = o.office_id AND x.kind = 'check' AND NOT x.ok
              AND x.detail ->> 'copy' = e.key)
       ORDER BY e.happened_at DESC LIMIT 1
    ) c ON true
    LEFT JOIN heartbeats h ON h.office_id = o.office_id
    ORDER BY o.office_id
    """
)

DAYS_SQL = text(
    """
    SELECT office_id, (happened_at AT TIME ZONE :tz)::date AS day, kind, bool_or(ok) AS ok
    FROM evidence
    WHERE happened_at >= :since AND kind IN ('dump', 'copy')
      AND NOT EXISTS (
        SELECT 1 FROM evidence x
         WHERE x.office_id = evidence.office_id AND x.kind = 'check' AND NOT x.ok
           AND x.detail ->> 'copy' = evidence.key)
    GROUP BY office_id, day, kind
    """
)


@dataclass(frozen=True)
class OfficeState:
    office_id: str
    name: str
    last_dump: datetime | None
    last_copy: datetime | None
    copy_encrypted: bool | None
    last_drill: datetime | None
    seen_at: datetime | None
    queued: int | None
    problems: tuple[str, ...] = field(default=())

    @property
    def safe(self) -> bool:
        return not self.problems

    def days_without_copy(self, now: datetime) -> int | None:
        """Whole days since the last verified copy; None if there never was one."""
        return None if self.last_copy is None else max(0, (now - self.last_copy).days)


def judge(state: OfficeState, now: datetime) -> OfficeState:
    problems = []
    if state.last_copy is None or now - state.last_copy > COPY_MAX_AGE:
        problems.append(NO_COPY)
    if state.last_copy is not None and not state.copy_encrypted:
        problems.append(NOT_ENCRYPTED)
    if state.last_dump is None or now - state.last_dump > DUMP_MAX_AGE:
        problems.append(NO_DUMP)
    if state.last_drill is None or now - state.last_drill > DRILL_MAX_AGE:
        problems.append(NO_DRILL)
    if state.seen_at is None or now - state.seen_at > SILENT_AFTER:
        problems.append(SILENT)
    return replace(state, problems=tuple(problems))


def _badness(state: OfficeState, now: datetime) -> tuple[object, ...]:
    ranks = tuple(PROBLEM_ORDER.index(p) for p in state.problems)
    days = state.days_without_copy(now)
    return (
        -len(state.problems),
        ranks or (len(PROBLEM_ORDER),),
        -(days if days is not None else 10**6),
        state.office_id,
    )


def office_states(engine: Engine | Connection, now: datetime) -> list[OfficeState]:
    """Every office this login may see, judged at `now`, worst first."""
    if isinstance(engine, Engine):
        with engine.connect() as connection:
            return office_states(connection, now)
    rows = engine.execute(STATES_SQL).all()
    states = [
        judge(
            OfficeState(
                office_id=row.office_id,
                name=row.name,
                last_dump=row.last_dump,
                last_copy=row.last_copy,
                copy_encrypted=row.copy_encrypted,
                last_drill=row.last_drill,
                seen_at=row.seen_at,
                queued=row.queued,
            ),
            now,
        )
        for row in rows
    ]
    return sorted(states, key=lambda s: _badness(s, now))


@dataclass(frozen=True)
class CentralView:
    states: list[OfficeState]
    supervisor: bool  # the login reads every office (otherwise: an office's own row only)


@dataclass(frozen=True)
class LoginIdentity:
    office_id: str | None  # the office a login of sopbot_kantor_<id> belongs to
    supervisor: bool  # a member of the supervisors' group: reads every office


def login_identity(connection: Connection) -> LoginIdentity:
    """Who this login is to the central database (what row-level security will let it see)."""
    row = connection.execute(
        text(
            "SELECT sopbot_office_id() AS office_id, "
            "pg_has_role(current_user, 'sopbot_pusat', 'MEMBER') AS supervisor"
        )
    ).one()
    return LoginIdentity(row.office_id, bool(row.supervisor))


def central_view(engine: Engine, now: datetime) -> CentralView:
    with engine.connect() as connection:  # one connection: the offices and who is looking
        return CentralView(office_states(connection, now), login_identity(connection).supervisor)


def daily_grid(engine: Engine, first: date, last: date, tz: tzinfo) -> dict[str, dict[date, str]]:
    """Office -> day -> "copy" (a verified copy that day), "dump" (a good dump, no copy), or
    absent (nothing good): the chart of offices x days."""
    since = datetime.combine(first, datetime.min.time(), tz)
    grid: dict[str, dict[date, str]] = {}
    with engine.connect() as connection:
        rows = connection.execute(DAYS_SQL, {"tz": str(tz), "since": since}).all()
    for row in rows:
        if not row.ok or row.day > last:
            continue
        days = grid.setdefault(row.office_id, {})
        if row.kind == "copy" or days.get(row.day) != "copy":
            days[row.day] = row.kind
    return grid
