"""SQLAlchemy models of the SOP log. Change them only together with a migration in migrations/."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.expression import false as sa_false

from storage.states import CopyOutcome, DrillOutcome, DumpOutcome, InstructionStatus, OutboxStatus

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every backend.

    SQLite has no time zones and hands back naive values; storing naive UTC everywhere keeps
    SQLite and PostgreSQL rows identical.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the SOP log; use an aware one")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class SopRun(Base):
    """One office day of the SOP: the steps of that day hang off it."""

    __tablename__ = "sop_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_date: Mapped[date] = mapped_column(Date, unique=True)  # office date (TIMEZONE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Instruction(Base):
    """An instruction from the Kabid (SOP steps 1 and 10) and how it was closed."""

    __tablename__ = "instructions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("sop_runs.id"))
    target_role: Mapped[str] = mapped_column(String(16))
    issued_by: Mapped[int] = mapped_column(BigInteger)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=InstructionStatus.OPEN.value)
    closed_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    close_note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        # open_instructions(): "which instructions of my role are still open?"
        Index("ix_instructions_status_target", "status", "target_role"),
        # days_status(): "the instructions of these runs"
        Index("ix_instructions_run_id", "run_id"),
    )


class InstructionDelivery(Base):
    """Where an instruction was delivered, so its buttons can be updated once it is closed."""

    __tablename__ = "instruction_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instruction_id: Mapped[int] = mapped_column(ForeignKey("instructions.id"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    error: Mapped[str] = mapped_column(Text, default="")


class StepEvent(Base):
    """Append-only record of one SOP step carried out: who, when, how long, with what outcome."""

    __tablename__ = "step_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("sop_runs.id"))
    step_number: Mapped[int] = mapped_column(Integer)
    actor_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # None: the bot
    actor_role: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # storage.states.StepOutcome: done | confirmed | warning | failed | unverified
    outcome: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    # The coded problem behind a failed or warned step (JSON, see core.problems), or "".
    problem: Mapped[str] = mapped_column(Text, default="", server_default="")
    instruction_id: Mapped[int | None] = mapped_column(ForeignKey("instructions.id"), nullable=True)

    __table_args__ = (
        # day_status(), history(): "the events of these runs, by step"
        Index("ix_step_events_run_step", "run_id", "step_number"),
    )


class AccessDenial(Base):
    """A refused command: a stranger, or a role using another role's command."""

    __tablename__ = "access_denials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    command: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(32))  # stranger | wrong_role | wrong_chat


class KnownUser(Base):
    """The last display name seen for a Telegram user id, so logs and reports can name people.

    Ids identify people; names are only for reading.
    """

    __tablename__ = "known_users"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(128))
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DumpRun(Base):
    """One run of the database dump (SOP step 8): its file, outcome and figures."""

    __tablename__ = "dump_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_date: Mapped[date] = mapped_column(Date)  # office date the dump belongs to
    trigger: Mapped[str] = mapped_column(String(16))  # Trigger: schedule | chat | cli
    requested_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    backend: Mapped[str] = mapped_column(String(16))
    job_name: Mapped[str] = mapped_column(String(128))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # storage.states.DumpOutcome: running | success | warning | failed | incomplete | interrupted
    outcome: Mapped[str] = mapped_column(String(16), default=DumpOutcome.RUNNING.value)
    file_path: Mapped[str] = mapped_column(Text, default="")
    log_path: Mapped[str] = mapped_column(Text, default="")
    size_bytes: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    total_rows: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    tables_json: Mapped[str] = mapped_column(Text, default="[]")
    errors: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of coded problems
    warnings: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of coded problems
    late_seconds: Mapped[int] = mapped_column(Integer, default=0)
    # The one moment every table is consistent to: "SCN 987654321" (oracle), "systimestamp"
    consistent_as_of: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # The fallback journal entry this run was settled from: a merge repeated after an
    # interruption finds it and writes nothing twice.
    journal_key: Mapped[str | None] = mapped_column(String(64), nullable=True)

    __table_args__ = (
        # last_good_dump(), dumps_of_day(): "latest dumps by outcome"
        Index("ix_dump_runs_outcome_started", "outcome", "started_at"),
        Index("ix_dump_runs_run_date", "run_date"),
        # merge_journaled(): "was this journal entry merged already?"
        Index("ix_dump_runs_journal_key", "journal_key", unique=True),
    )


class AppState(Base):
    """Small named values the bot keeps between restarts (e.g. the backup time set from chat)."""

    __tablename__ = "app_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class AuditEvent(Base):
    """Who changed what, outside the SOP steps (e.g. the backup schedule)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="")


class ExternalCopy(Base):
    """One copy of a dump to the external disk (SOP step 11). Only `verified` ones count."""

    __tablename__ = "external_copies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dump_run_id: Mapped[int | None] = mapped_column(ForeignKey("dump_runs.id"), nullable=True)
    source_path: Mapped[str] = mapped_column(Text)
    dest_path: Mapped[str] = mapped_column(Text, default="")
    disk_id: Mapped[str] = mapped_column(String(64), default="")
    disk_label: Mapped[str] = mapped_column(String(128), default="")
    trigger: Mapped[str] = mapped_column(String(16))  # Trigger: chat | instruction | auto | cli
    requested_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # storage.states.CopyOutcome: running | verified | failed | disk_problem | interrupted
    outcome: Mapped[str] = mapped_column(String(16), default=CopyOutcome.RUNNING.value)
    size_bytes: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    compressed: Mapped[bool] = mapped_column(default=False)
    # Encrypted in the age format: a lost disk then leaks nothing (UU 27/2022).
    encrypted: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    error: Mapped[str] = mapped_column(Text, default="[]")  # JSON list: the coded problem
    # The last re-read of this copy from the disk (/verifikasi): when, and whether it matched.
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    check_ok: Mapped[bool | None] = mapped_column(nullable=True)

    __table_args__ = (
        # newest(): "verified copies, newest first"
        Index("ix_external_copies_outcome_finished", "outcome", "finished_at"),
        # newest(disk_id=…): the newest copy on one disk (custody, "already on this disk?")
        Index("ix_external_copies_disk_outcome_finished", "disk_id", "outcome", "finished_at"),
        # newest(dump_run_id=…), copied_dump_ids(): "is this dump copied?"
        Index("ix_external_copies_dump_run_id", "dump_run_id"),
        # damaged_since(): copies found damaged, for the central database
        Index("ix_external_copies_checked_at", "checked_at"),
        # newest_by_name(): /daftar's page of file names on one disk
        Index("ix_external_copies_disk_dest", "disk_id", "dest_path"),
    )


class ExternalDisk(Base):
    """One of the office's external disks: registered once, out of service when lost or
    retired."""

    __tablename__ = "external_disks"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # from .sopbot-disk.json
    label: Mapped[str] = mapped_column(String(128))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    plugged_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lost_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Taken out of rotation on purpose (`sopbot disk pensiun`): never written again.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class PrunedFile(Base):
    """A backup file removed by retention: what, where, when and why."""

    __tablename__ = "pruned_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    location: Mapped[str] = mapped_column(String(16))  # server | external
    path: Mapped[str] = mapped_column(Text)
    size_bytes: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")


class OutboxMessage(Base):
    """A notification written before it is sent and marked sent only once Telegram accepted it,
    so an outage delays messages but never loses them."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(Text)
    reply_markup: Mapped[str] = mapped_column(Text, default="")  # JSON, empty for none
    ref: Mapped[str] = mapped_column(String(64), default="")  # e.g. instruction:12
    # storage.states.OutboxStatus: pending | sent | undeliverable (the user blocked the bot) |
    # failed (rejected for good)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    __table_args__ = (
        # pending(): "what is still to send, oldest first"
        Index("ix_outbox_status_id", "status", "id"),
    )


class RestoreDrill(Base):
    """One restore drill: a copy read back from the external disk and restored, with what that
    proved, how long the restore took (the office's recovery-time figure) and the verdict."""

    __tablename__ = "restore_drills"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    copy_id: Mapped[int | None] = mapped_column(ForeignKey("external_copies.id"), nullable=True)
    dump_run_id: Mapped[int | None] = mapped_column(ForeignKey("dump_runs.id"), nullable=True)
    file_name: Mapped[str] = mapped_column(Text, default="")
    disk_label: Mapped[str] = mapped_column(String(128), default="")
    backend: Mapped[str] = mapped_column(String(16), default="")
    level: Mapped[int] = mapped_column(Integer, default=1)
    trigger: Mapped[str] = mapped_column(String(16))  # Trigger: schedule | chat | cli | copy
    requested_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # storage.states.DrillOutcome: running | passed | failed | untestable | interrupted
    outcome: Mapped[str] = mapped_column(String(16), default=DrillOutcome.RUNNING.value)
    restore_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    compared: Mapped[int] = mapped_column(Integer, default=0)  # tables or objects compared
    mismatches: Mapped[int] = mapped_column(Integer, default=0)
    proofs: Mapped[str] = mapped_column(Text, default="[]")  # JSON: what the drill proved
    errors: Mapped[str] = mapped_column(Text, default="[]")  # JSON: coded problems

    __table_args__ = (
        # last_passed(): "the newest passed drill"
        Index("ix_restore_drills_outcome_finished", "outcome", "finished_at"),
    )


class Member(Base):
    """A person given a role from the chat (/tambah), until removed (/hapus). The ids in .env
    are the bootstrap and are not rows here."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    role: Mapped[str] = mapped_column(String(8))  # kabid | kasi | adb
    name: Mapped[str] = mapped_column(String(128), default="")
    added_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    removed_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (Index("ix_members_user_id", "user_id"),)


class CentralQueued(Base):
    """Evidence waiting for, or delivered to, the central database (OFFICE_ID set): written
    before it is sent, sent oldest first, so an outage of the link delays it but loses nothing.
    `key` is its idempotency key there too."""

    __tablename__ = "central_queue"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # dump:42, copy:7, day:2026-11-25
    kind: Mapped[str] = mapped_column(String(8))
    happened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ok: Mapped[bool]
    encrypted: Mapped[bool | None] = mapped_column(nullable=True)
    detail: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The central database refused it for good (too large, a value it cannot hold): kept here,
    # out of the queue's way, reported, and tried again now and then (the central side may
    # learn to take it).
    set_aside_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    set_aside_reason: Mapped[str] = mapped_column(String(300), default="", server_default="")

    __table_args__ = (
        # pending(): "what is still to send, oldest first"
        Index("ix_central_queue_sent_id", "sent_at", "id"),
    )


class ChainEntry(Base):
    """One entry of the evidence chain: append-only, each hash over the previous entry's hash
    and this entry's leaf hash (RFC 6962: SHA-256(0x00 ‖ body)). See storage/chain.py."""

    __tablename__ = "evidence_chain"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(16))
    ref: Mapped[str] = mapped_column(String(64), default="")  # the row it records: "dump:42"
    body: Mapped[str] = mapped_column(Text)  # canonical JSON, hashed as stored
    hash: Mapped[str] = mapped_column(String(64))  # hex: the chain's head after this entry

    __table_args__ = (
        # last_of_kind(): "the newest setting recorded"
        Index("ix_evidence_chain_kind_seq", "kind", "seq"),
        # verification: "the newest entry of each row of this kind" (read from the index)
        Index("ix_evidence_chain_kind_ref_seq", "kind", "ref", "seq"),
    )


class ChainCheckpoint(Base):
    """A checkpoint of the evidence chain signed with the office key (a C2SP signed note), and
    the central witness's cosignature once it has one."""

    __tablename__ = "chain_checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    size: Mapped[int] = mapped_column(Integer)
    # hex: the RFC 6962 Merkle tree head the note signs (the chain's head for checkpoints
    # signed before tree heads)
    head: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text)
    witnessed_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    witnessed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The tree's frontier at `size` (core/merkle.py), so the next tree head reads only the
    # entries after it; "" when not kept. Verification never trusts it: it recomputes.
    tree: Mapped[str] = mapped_column(Text, default="", server_default="")

    __table_args__ = (
        # latest(), unwitnessed(): "the newest checkpoints"
        Index("ix_chain_checkpoints_size", "size"),
    )
