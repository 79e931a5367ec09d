"""What every dump backend is given and what it returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Protocol


class Outcome(StrEnum):
    SUCCESS = "success"
    WARNING = "warning"  # finished, but with errors or signs of a partial backup
    FAILED = "failed"
    INTERRUPTED = "interrupted"  # the bot stopped while it ran


@dataclass(frozen=True)
class TableRows:
    name: str  # SCHEMA.TABLE (or SCHEMA.TABLE:PARTITION)
    rows: int
    size_bytes: int | None = None


@dataclass(frozen=True)
class Progress:
    percent: float | None  # None when the backend cannot tell
    message: str = ""


ProgressReport = Callable[[Progress], None]


@dataclass(frozen=True)
class DumpRequest:
    dump_path: Path  # the dump file to write
    log_path: Path  # its log
    job_name: str  # explicit Data Pump job name, unique per run


@dataclass
class BackendResult:
    outcome: Outcome
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    tables: list[TableRows] = field(default_factory=list)
    output: str = ""  # the program's own output when no log file exists (kept as evidence)

    @property
    def total_rows(self) -> int | None:
        return sum(t.rows for t in self.tables) if self.tables else None


@dataclass
class DumpResult:
    run_id: int
    backend: str
    job_name: str
    dump_path: Path
    log_path: Path
    started_at: datetime
    finished_at: datetime
    outcome: Outcome
    size_bytes: int | None = None
    sha256: str = ""
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    tables: list[TableRows] = field(default_factory=list)
    late_seconds: int = 0

    @property
    def ok(self) -> bool:
        return self.outcome in (Outcome.SUCCESS, Outcome.WARNING)

    @property
    def total_rows(self) -> int | None:
        return sum(t.rows for t in self.tables) if self.tables else None

    @property
    def duration_seconds(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()


class DumpBackend(Protocol):
    name: str

    async def run(self, request: DumpRequest, report: ProgressReport) -> BackendResult:
        """Write the dump and its log; never raise for a failed dump, return FAILED instead."""
        ...
