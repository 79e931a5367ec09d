"""Ending the central sessions that outlive their login's limits.

The limits set on a login's role (`admin.Limits`) are where each of its sessions starts, but
`statement_timeout` and `idle_in_transaction_session_timeout` are user-settable: a hostile login
may `SET statement_timeout = 0` and keep its own connections busy, or hold a transaction open and
keep every row version since then from being vacuumed. PostgreSQL has no way to forbid that SET
(GRANT SET ON PARAMETER only governs superuser-only parameters), so the server's administrator
ends such sessions from outside: `pg_terminate_backend` on every session of one of this
database's logins whose statement or open transaction has run longer than its role's limit plus a
grace. The administrator runs it every minute (`sopbot pusat penjaga`, from cron or the Task
Scheduler) with the same URL as `sopbot pusat saksi`.

Sources: PostgreSQL documentation, "28.2.3 pg_stat_activity" (state, query_start,
state_change, xact_start) and "9.28.2 Server Signaling Functions" (pg_terminate_backend needs
the role the backend runs as, a superuser, or membership of pg_signal_backend, which cannot
signal a superuser's backends).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, text

from storage.central.admin import OFFICE_LIMITS, SUPERVISOR_LIMITS, WEB_LIMITS
from storage.central.schema import OFFICE_GROUP, SUPERVISOR_GROUP
from storage.central.webaccess import WEB_GROUP

# Slack beyond a login's own timeout: an honest session that hit its limit has already been
# ended by the server itself, so what is still running past limit + grace has switched it off.
GRACE = timedelta(seconds=30)


@dataclass(frozen=True)
class Bounds:
    """How long one group's sessions may run a statement or sit in an open transaction."""

    statement: timedelta
    idle_in_transaction: timedelta


def _seconds(setting: str) -> timedelta:
    """'30s', '1min', '60s' as PostgreSQL writes them in `admin.Limits`."""
    for suffix, unit in (("min", 60), ("ms", 0.001), ("s", 1), ("h", 3600)):
        if setting.endswith(suffix):
            return timedelta(seconds=float(setting[: -len(suffix)]) * unit)
    return timedelta(milliseconds=float(setting))


def bounds_of_group(group: str) -> Bounds:
    limits = {OFFICE_GROUP: OFFICE_LIMITS, SUPERVISOR_GROUP: SUPERVISOR_LIMITS}.get(
        group, WEB_LIMITS
    )
    return Bounds(
        _seconds(limits.statement_timeout) + GRACE,
        _seconds(limits.idle_in_transaction_session_timeout) + GRACE,
    )


DEFAULT_BOUNDS = {
    group: bounds_of_group(group) for group in (OFFICE_GROUP, SUPERVISOR_GROUP, WEB_GROUP)
}


@dataclass(frozen=True)
class EndedSession:
    """A session ended for running past its login's limits (no query text: it may hold data)."""

    role: str
    group: str
    state: str  # 'active' or 'idle in transaction'
    overrun: timedelta  # how long it had run, as the server measured it


_OVERRUNNING = text(
    """
    SELECT a.pid, a.usename AS role, g.rolname AS grp, a.state,
           CASE WHEN a.state = 'active' THEN now() - a.query_start
                ELSE now() - a.state_change END AS ran
    FROM pg_catalog.pg_stat_activity a
    JOIN pg_catalog.pg_roles r ON r.oid = a.usesysid
    JOIN pg_catalog.pg_auth_members m ON m.member = r.oid
    JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
    WHERE a.datname = current_database()
      AND a.pid <> pg_catalog.pg_backend_pid()
      AND NOT r.rolsuper
      AND g.rolname = :grp
      AND ((a.state = 'active' AND now() - a.query_start > :statement)
        OR (a.state LIKE 'idle in transaction%' AND now() - a.state_change > :idle))
    """
)


def end_overrunning_sessions(
    engine: Engine, bounds: dict[str, Bounds] | None = None
) -> list[EndedSession]:
    """End every session of this database's office, supervisor and web logins that has run a
    statement, or held a transaction open, longer than its group allows. Returns what it ended."""
    ended: list[EndedSession] = []
    with engine.connect() as connection:
        connection.exec_driver_sql("SET search_path = pg_catalog")
        for group, bound in (bounds or DEFAULT_BOUNDS).items():
            rows = connection.execute(
                _OVERRUNNING,
                {"grp": group, "statement": bound.statement, "idle": bound.idle_in_transaction},
            ).all()
            for row in rows:
                if connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": row.pid}):
                    ended.append(EndedSession(row.role, group, row.state, row.ran))
        connection.commit()
    return ended
