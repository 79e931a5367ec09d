"""The states the log records, one enum per column. The columns stay plain strings (no enum type
in the schema): each member's value is exactly the string stored, so rows written before these
enums, the evidence chain's canonical bodies and the central database read the same.

Writing: `Enum.write(state)` (or a member's `stored()`) is what goes into the column.
Reading: `Enum.read(row.column)`. A value this version does not know (a row written by a newer
version, or edited by hand) reads as `UNKNOWN` instead of crashing the view that shows it:
`UNKNOWN` is never good, never evidence, never running (so never settled or marked interrupted),
and is logged once per value. It is never written back: `stored()` refuses it."""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Self

log = logging.getLogger(__name__)

UNKNOWN = "unknown"  # every enum here has this member; only read() produces it
_SEEN_MAX = 64  # distinct unknown values logged per process: a bad table cannot flood the log
_seen: set[tuple[str, str]] = set()


class RecordedState(StrEnum):
    """A state stored as a string column (the base of every enum here; it has no members)."""

    @classmethod
    def read(cls, stored: str) -> Self:
        """The member stored as `stored`, or UNKNOWN for a value this version does not know."""
        try:
            return cls(stored)
        except ValueError:
            key = (cls.__name__, str(stored)[:32])
            if key not in _seen and len(_seen) < _SEEN_MAX:
                _seen.add(key)
                log.warning("Unknown %s %r in the log: shown as unknown", *key)
            return cls(UNKNOWN)

    def stored(self) -> str:
        """The string the column stores for this state."""
        if self.value == UNKNOWN:
            raise ValueError(f"{type(self).__name__}.UNKNOWN is only read, never written")
        return self.value

    @classmethod
    def write(cls, state: Self) -> str:
        """What the column stores for `state`, checked again at run time: a plain string from
        code the type checker does not see (tests, scripts) must be one of these states too, so
        nothing unknown is ever written."""
        return cls(state).stored()


class Trigger(RecordedState):
    """What started a job; its value is what the log stores (`trigger` of each run's row)."""

    SCHEDULE = "schedule"  # the stored schedule (BACKUP_TIME, DRILL_SCHEDULE)
    CHAT = "chat"  # a command in the chat
    INSTRUCTION = "instruction"  # the button of an instruction (the Kasi's "Salin sekarang")
    AUTO = "auto"  # the watchdog: the disk came with a dump waiting
    CLI = "cli"  # the command line (a terminal, Task Scheduler)
    COPY = "copy"  # the drill due right after a verified copy
    SELFTEST = "selftest"  # `sopbot uji-oracle`'s trial dump: described, never stored
    UNKNOWN = UNKNOWN


class DumpOutcome(RecordedState):
    """A dump run's state, as `dump_runs.outcome` stores it."""

    RUNNING = "running"
    SUCCESS = "success"
    WARNING = "warning"  # done, and usable, with something worth reading
    FAILED = "failed"
    INCOMPLETE = "incomplete"  # finished, but something is missing (a table skipped): no backup
    INTERRUPTED = "interrupted"  # stopped before it ended, or found running after a restart
    UNKNOWN = UNKNOWN


GOOD_DUMPS = frozenset({DumpOutcome.SUCCESS, DumpOutcome.WARNING})
# Runs that ended without a usable dump: what they left in DUMP_DIR is no backup.
STOPPED_DUMPS = frozenset({DumpOutcome.INTERRUPTED, DumpOutcome.FAILED, DumpOutcome.INCOMPLETE})
# What a fallback journal entry may settle: a run still running, or called interrupted by a
# restart while its verdict waited in the journal.
UNSETTLED_DUMPS = frozenset({DumpOutcome.RUNNING, DumpOutcome.INTERRUPTED})


class CopyOutcome(RecordedState):
    """A copy's state, as `external_copies.outcome` stores it. Only VERIFIED is evidence."""

    RUNNING = "running"
    VERIFIED = "verified"  # written, flushed, read back from the disk and matched
    FAILED = "failed"
    DISK_PROBLEM = "disk_problem"  # not started: the disk was missing, full or not ours
    INTERRUPTED = "interrupted"
    UNKNOWN = UNKNOWN


class DrillOutcome(RecordedState):
    """A restore drill's state, as `restore_drills.outcome` stores it."""

    RUNNING = "running"
    PASSED = "passed"
    FAILED = "failed"
    UNTESTABLE = "untestable"  # it could not run: no verdict on the copy
    INTERRUPTED = "interrupted"
    UNKNOWN = UNKNOWN


# A run still under way, as each kind of run stores it (the same word for the three): not
# evidence yet, passed over by the chain and the central push until it has its verdict.
UNDER_WAY = frozenset(
    {DumpOutcome.RUNNING.stored(), CopyOutcome.RUNNING.stored(), DrillOutcome.RUNNING.stored()}
)


class StepOutcome(RecordedState):
    """How a step was carried out, as `step_events.outcome` stores it."""

    DONE = "done"
    CONFIRMED = "confirmed"  # a step an instruction covers, confirmed by its /selesai
    WARNING = "warning"  # done, with something worth reading
    FAILED = "failed"
    UNVERIFIED = "unverified"  # said done, without evidence the bot could check
    UNKNOWN = UNKNOWN


# A step counts as done with one of these (UNVERIFIED is visible, never counted).
DONE_STEPS = frozenset({StepOutcome.DONE, StepOutcome.CONFIRMED, StepOutcome.WARNING})


class InstructionStatus(RecordedState):
    """An instruction's state, as `instructions.status` stores it."""

    OPEN = "open"
    DONE = "done"
    UNVERIFIED = "unverified"  # closed on someone's word, without evidence the bot could check
    UNKNOWN = UNKNOWN


class OutboxStatus(RecordedState):
    """A notification's state, as `outbox.status` stores it."""

    PENDING = "pending"  # still to send (also after a retryable error)
    SENT = "sent"  # Telegram accepted it
    UNDELIVERABLE = "undeliverable"  # the person blocked the bot or never started it
    FAILED = "failed"  # rejected for good
    UNKNOWN = UNKNOWN
