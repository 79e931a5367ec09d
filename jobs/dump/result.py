"""What every dump backend is given and what it returns."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from core.problems import Problem
from core.settings import Settings
from jobs.job import JobKind, JobResult, Outcome, ProgressReport, StopSignal
from storage.states import DumpOutcome

if TYPE_CHECKING:
    from jobs.drill.verdict import Prover


# A dump's outcome as the log stores it. A dump never ends with another (nothing to do, no
# verdict): such a run would be recorded as failed, like its SOP step.
STORED_OUTCOMES = {
    Outcome.SUCCESS: DumpOutcome.SUCCESS,
    Outcome.WARNING: DumpOutcome.WARNING,
    Outcome.FAILED: DumpOutcome.FAILED,
    Outcome.INCOMPLETE: DumpOutcome.INCOMPLETE,
    Outcome.INTERRUPTED: DumpOutcome.INTERRUPTED,
}


def stored_outcome(outcome: Outcome) -> DumpOutcome:
    return STORED_OUTCOMES.get(outcome, DumpOutcome.FAILED)


@dataclass(frozen=True)
class TableRows:
    name: str  # SCHEMA.TABLE (or SCHEMA.TABLE:PARTITION)
    rows: int
    size_bytes: int | None = None


@dataclass(frozen=True)
class DumpRequest:
    dump_path: Path  # the dump file to write
    log_path: Path  # its log
    job_name: str  # explicit Data Pump job name, unique per run


@dataclass
class BackendResult:
    outcome: Outcome
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    tables: list[TableRows] = field(default_factory=list)
    output: str = ""  # the program's own output when no log file exists (kept as evidence)
    consistent_as_of: str = ""  # "SCN 987654321" or "systimestamp": one moment for all tables

    @property
    def total_rows(self) -> int | None:
        return sum(t.rows for t in self.tables) if self.tables else None


@dataclass(kw_only=True)
class DumpResult(JobResult):
    kind: JobKind = JobKind.DUMP
    started_at: datetime  # a dump always started and finished
    finished_at: datetime
    backend: str
    job_name: str
    dump_path: Path
    log_path: Path
    size_bytes: int | None = None
    sha256: str = ""
    tables: list[TableRows] = field(default_factory=list)
    late_seconds: int = 0
    consistent_as_of: str = ""

    @property
    def total_rows(self) -> int | None:
        return sum(t.rows for t in self.tables) if self.tables else None


class DumpBackend(Protocol):
    name: str

    async def run(
        self, request: DumpRequest, report: ProgressReport, stop: StopSignal
    ) -> BackendResult:
        """Write the dump and its log. Never raise for a failed dump: return FAILED. When `stop`
        is set, end the export (on the server too) and return INTERRUPTED with stop.reason."""
        ...


@dataclass(frozen=True)
class BackendCheck:
    """What a backend found when asked whether it can run: nothing wrong when `problems` is
    empty; `facts` are shown as they are (program path, Oracle version…)."""

    problems: list[Problem] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BackendSpec:
    """A dump backend as the registry knows it, whole: its DUMP_BACKEND name, the settings it
    reads and those it cannot run without (refused at start-up, naming the variable), how it is
    built, how it checks itself for `sopbot check` and /cek, and how the restore drill proves
    one of its dumps. Its words are the text package's module of the same name
    (`texts/backends/<name>.py`; without one, the general words are used)."""

    name: str
    settings: tuple[str, ...]  # the variables it reads, as .env spells them
    build: Callable[[Settings], DumpBackend]
    # `driver`: python-oracledb, or a stand-in with the same calls; backends without one ignore it
    check: Callable[[Settings, Any], Awaitable[BackendCheck]]
    prover: Callable[[Settings, Any], Prover]
    needs: tuple[str, ...] = ()  # Settings fields that must not be empty
    # False: DUMP_DIR must already exist (a folder the database server owns), never made here
    makes_dump_dir: bool = True
    # What a restore drill of its dumps needs beyond the backend itself, checked before a night
    # needs it (in a worker thread: it may connect)
    drill_check: Callable[[Settings, Any], BackendCheck] | None = None
    selftest: bool = False  # `sopbot uji-oracle` applies to it
