"""What every dump backend is given and what it returns."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from core.problems import Problem
from core.settings import Settings
from jobs.job import JobKind, JobResult, Outcome, ProgressReport, StopSignal


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
    """A dump backend as the registry knows it: its DUMP_BACKEND name, the settings it reads,
    how it is built from the settings and how it checks itself."""

    name: str
    settings: tuple[str, ...]
    build: Callable[[Settings], DumpBackend]
    check: Callable[[Settings], Awaitable[BackendCheck]]
