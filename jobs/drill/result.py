"""What a restore drill proved, and its result.

A drill states plainly what it established: each `Proof` is one claim with its figures, in
English here (logs, CLI) and in Indonesian in `texts/drill.py`; a test fails while a claim
lacks either. What it could not establish is a `Problem`, like any job's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from core.problems import Param
from jobs.job import JobKind, JobResult


class Level(IntEnum):
    """How far an Oracle drill goes (DRILL_LEVEL); the SQLite drill always restores fully."""

    HEADER = 1  # the dump file's Data Pump header, and the copy's byte-identity with the dump
    METADATA = 2  # impdp SQLFILE: every object's metadata read, nothing changed
    IMPORT = 3  # chosen tables imported into a scratch schema, rows counted, then dropped


class DrillStage(StrEnum):
    """Where a running drill is (its progress's `state`), for the people watching it."""

    RESTORE = "restore"  # reading the copy back from the disk into the scratch file
    CHECK = "check"  # SQLite: the restored database checked and read
    HEADER = "header"  # Oracle: the Data Pump header
    METADATA = "metadata"  # Oracle: impdp reads the metadata
    IMPORT = "import"  # Oracle: impdp imports the chosen tables


class Claim(StrEnum):
    COPY_INTACT = "copy_intact"  # the copy read back from the disk equals its recorded SHA-256
    DUMP_IDENTICAL = "dump_identical"  # decrypted/decompressed, it is the dump the server wrote
    DATABASE_OPENS = "database_opens"  # PRAGMA integrity_check: ok
    TABLES_READ = "tables_read"  # every row of every table read back
    ROWS_MATCH = "rows_match"  # row counts equal those recorded at dump time
    HEADER = "header"  # Data Pump's own header: a dump file of this job
    METADATA = "metadata"  # impdp read the whole dump's metadata
    IMPORTED = "imported"  # tables imported into the scratch schema with their rows


ENGLISH: dict[Claim, str] = {
    Claim.COPY_INTACT: "the copy {file} read back from disk {label} matches its SHA-256",
    Claim.DUMP_IDENTICAL: "opened ({size} bytes), it is byte for byte the dump the server wrote",
    Claim.DATABASE_OPENS: "the restored database opens and passes its integrity check",
    Claim.TABLES_READ: "all {tables} tables read back, {rows} rows",
    Claim.ROWS_MATCH: "row counts of {tables} tables equal those at dump time",
    Claim.HEADER: "Data Pump header: {detail}",
    Claim.METADATA: "impdp read the metadata of {objects} objects ({tables} tables), as exported",
    Claim.IMPORTED: "{tables} tables imported into {schema} (without foreign keys, triggers, "
    "grants and statistics), {rows} rows, as exported",
}


@dataclass(frozen=True)
class Proof:
    claim: Claim
    params: dict[str, Param] = field(default_factory=dict)

    def english(self) -> str:
        return ENGLISH[self.claim].format_map({k: str(v) for k, v in self.params.items()})

    def to_json(self) -> dict[str, object]:
        return {"claim": self.claim.value, "params": self.params}


def proof(claim: Claim, /, **params: Param) -> Proof:
    return Proof(claim, dict(params))


def dump_proofs(proofs: list[Proof]) -> str:
    return json.dumps([p.to_json() for p in proofs], ensure_ascii=False)


def load_proofs(stored: str | None) -> list[Proof]:
    """Stored proofs back; one of a claim this release does not know is left out."""
    found = []
    for item in json.loads(stored or "[]"):
        try:
            claim = Claim(item["claim"])
        except (KeyError, TypeError, ValueError):
            continue
        params = item.get("params") or {}
        found.append(Proof(claim, {k: v for k, v in params.items() if isinstance(v, str | int)}))
    return found


@dataclass(kw_only=True)
class DrillResult(JobResult):
    kind: JobKind = JobKind.DRILL
    file_name: str = ""
    disk_label: str = ""
    backend: str = ""
    level: int = 0
    proofs: list[Proof] = field(default_factory=list)
    compared: int = 0  # tables or objects compared with the dump's record
    mismatches: int = 0
    restore_seconds: float | None = None  # the office's recovery-time figure

    @property
    def passed(self) -> bool:
        return self.ok
