"""Tables of the central database. Evidence only: verdicts, sizes, counts, hashes and times,
never a name, a NIK or any row of the population data.

Every row carries its office's id; row-level security (see the first migration) lets an office's
role insert and read only rows with its own id, and the supervisors' role read all of them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, DateTime, Index, Integer, MetaData, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Group roles (NOLOGIN): each office's own login role is a member of OFFICE_GROUP; each
# supervisor's login is a member of SUPERVISOR_GROUP.
OFFICE_GROUP = "sopbot_kantor"
SUPERVISOR_GROUP = "sopbot_pusat"
# Login names say nothing about whose they are (every login sees every role name): a prefix and
# random hex digits; `offices.role_name` and `supervisors.role_name` say whose.
OFFICE_ROLE_PREFIX = "sopbot_k_"
SUPERVISOR_ROLE_PREFIX = "sopbot_p_"
# Names of logins made before that: they told every office who else reports.
LEGACY_OFFICE_PREFIX = "sopbot_kantor_"
LEGACY_SUPERVISOR_PREFIX = "sopbot_pusat_"
VERSION_TABLE = "sopbot_central_version"

# Kinds of evidence an office reports.
DUMP, COPY, DRILL, DAY = "dump", "copy", "drill", "day"
CHECK = "check"  # a copy re-read and found damaged or gone: it is no longer evidence
# A disk reported lost (ok false) or found again and verified (ok true): while its newest disk
# record is a loss, no copy on it counts.
DISK = "disk"
KINDS = (DUMP, COPY, DRILL, DAY, CHECK, DISK)


class CentralBase(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class Office(CentralBase):
    """One regency or city office, created by `sopbot pusat kantor add`."""

    __tablename__ = "offices"

    office_id: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role_name: Mapped[str] = mapped_column(String(63), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # What the office may insert per UTC day (counted in office_usage by a trigger).
    daily_records: Mapped[int] = mapped_column(Integer, server_default="20000")
    daily_bytes: Mapped[int] = mapped_column(BigInteger, server_default="33554432")


class Supervisor(CentralBase):
    """A supervisor's login and the name it was made for (only the administrator reads it)."""

    __tablename__ = "supervisors"

    name: Mapped[str] = mapped_column(String(41), primary_key=True)
    role_name: Mapped[str] = mapped_column(String(63), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class OfficeUsage(CentralBase):
    """How much an office inserted on a UTC day (only the administrator reads it)."""

    __tablename__ = "office_usage"

    office_id: Mapped[str] = mapped_column(String(8), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    records: Mapped[int] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(BigInteger)


class Evidence(CentralBase):
    """One piece of evidence, immutable once written: a dump, a copy, a drill or an SOP day.
    (office_id, key) is the idempotency key: a record delivered twice is stored once."""

    __tablename__ = "evidence"

    office_id: Mapped[str] = mapped_column(String(8), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # e.g. dump:42
    seq: Mapped[int] = mapped_column(BigInteger)  # the office's queue order
    kind: Mapped[str] = mapped_column(String(8))
    happened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ok: Mapped[bool]
    encrypted: Mapped[bool | None]  # copies only
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB)
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )

    __table_args__ = (
        # The supervisor's "last good X of each office": one index probe per office and kind,
        # however many years are stored.
        Index("ix_evidence_office_kind_ok_at", "office_id", "kind", "ok", "happened_at"),
        Index("ix_evidence_happened_at", "happened_at"),  # the chart's last weeks
    )


class Heartbeat(CentralBase):
    """The office's bot is alive: one row per office, overwritten every few minutes, only
    through the function sopbot_beat() (an office holds no UPDATE on the table)."""

    __tablename__ = "heartbeats"

    office_id: Mapped[str] = mapped_column(String(8), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[str] = mapped_column(String(32))
    queued: Mapped[int] = mapped_column(Integer)  # records still waiting at the office
    note: Mapped[str] = mapped_column(Text, default="")
    set_aside: Mapped[int] = mapped_column(Integer, server_default="0")  # records never storable
    # The external disk at the heartbeat (c0007): whether the bot watches one (NULL: a bot that
    # does not say), since when the disk plugged in has been in (server's clock; NULL: none is),
    # and its label.
    disk_watched: Mapped[bool | None]
    disk_plugged_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    disk_label: Mapped[str | None] = mapped_column(String(32))
