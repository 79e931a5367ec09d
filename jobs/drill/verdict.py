"""What one stage of a drill found: the claims it proved, the problems it met, the counts; and
which of three verdicts the problems amount to.

*Passed*: no problem. *Failed*: the copy does not restore (its bytes, the header of another job,
metadata or rows that do not come back): the copy stops counting as evidence. *Untestable*: the
drill could not run (the disk away, no key, no impdp, a refused login, thick mode needed, the
scratch schema without quota): a to-do for the ADB naming the fix, never a verdict on the copy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from core.problems import Code, Problem
from jobs.drill.result import Proof

if TYPE_CHECKING:
    from jobs.job import ProgressReport, StopSignal
    from storage.dumps import DumpRecord

# Problems that say the copy itself does not restore: any one decides "failed".
COPY_FAILURES = frozenset(
    {
        Code.DRILL_COPY_MISSING,
        Code.DRILL_COPY_CHANGED,
        Code.DRILL_DUMP_DIFFERS,
        Code.COPY_UNREADABLE,
        Code.COPY_MISMATCH,
        Code.DRILL_NOT_A_DATABASE,
        Code.DRILL_INTEGRITY,
        Code.DRILL_TABLE_UNREADABLE,
        Code.DRILL_ROWS_DIFFER,
        Code.DRILL_TABLE_MISSING,
        Code.DRILL_HEADER,
        Code.DRILL_OBJECTS_DIFFER,
        Code.DRILL_TABLES_NOT_CREATED,
        Code.DRILL_NOT_LOADED,
        Code.TABLES_SKIPPED,
        # the dump's record holds nothing to compare with: this copy can never be proved
        Code.DRILL_NO_RECORD,
    }
)
# Problems of the set-up around the copy: the drill could not look at it.
SETUP = frozenset(
    {
        Code.DISK_NOT_CONFIGURED,
        Code.DISK_MISSING,
        Code.DISK_NOT_SEPARATE,
        Code.DISK_NO_IDENTITY,
        Code.DISK_WRONG,
        Code.DISK_READ_ONLY,
        Code.DISK_LOST,
        Code.DRILL_OTHER_DISK,
        Code.DRILL_NO_COPY,
        Code.DRILL_SCHEMA_UNSAFE,
        Code.DRILL_SCRATCH_MISSING,
        Code.DRILL_SCRATCH_NO_QUOTA,
        Code.DRILL_NEEDS_IMPDP,
        Code.DRILL_NEEDS_ORACLEDB,
        Code.NO_KEY,
        Code.PROGRAM_NOT_FOUND,
        Code.PROGRAM_NOT_STARTED,
        Code.ORACLE_LOGIN,
        Code.THICK_MODE_NEEDED,
        Code.TNS_ADMIN_NEEDED,
        Code.DIRECTORY_MISSING,
        Code.DIRECTORY_NO_GRANTS,
        Code.DIRECTORY_PROBE_FAILED,
    }
)
# Oracle's own codes for a login, a privilege, a directory or a quota: the server's set-up.
SETUP_ORACLE = frozenset(
    {
        "ORA-01017",
        "UDE-01017",
        "ORA-28000",
        "ORA-28001",
        "ORA-12154",
        "ORA-12505",
        "ORA-12514",
        "ORA-12541",
        "ORA-12170",
        "ORA-12560",
        "ORA-01031",
        "ORA-31631",
        "ORA-31633",
        "ORA-01950",
        "ORA-39087",
        "ORA-39070",
        "DPY-2019",
        "DPY-3010",
        "DPY-3015",
        "DPY-4000",
        "DPY-4027",
        "DPY-6000",
        "DPY-6001",
        "DPY-6005",
        "DPI-1047",
    }
)


def is_setup(found: Problem) -> bool:
    if found.code is Code.ORACLE_ERROR:
        return str(found.params.get("code", "")) in SETUP_ORACLE
    return found.code in SETUP


def untestable(problems: list[Problem]) -> bool:
    """The drill could not look at the copy: a set-up problem, and none about the copy."""
    return any(is_setup(p) for p in problems) and not any(p.code in COPY_FAILURES for p in problems)


@dataclass
class Findings:
    proofs: list[Proof] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    compared: int = 0  # tables or objects compared with the dump's record
    mismatches: int = 0

    def add(self, other: Findings) -> None:
        self.proofs += other.proofs
        self.problems += other.problems
        self.compared += other.compared
        self.mismatches += other.mismatches


class Prover(Protocol):
    """How a backend's dump is restored and checked (a backend's spec names its prover)."""

    level: int

    def scratch(self, name: str) -> Path:
        """Where the dump is restored to (Oracle reads it only in its directory object)."""
        ...

    async def prove(
        self, restored: Path, dump: DumpRecord, stop: StopSignal, report: ProgressReport
    ) -> Findings: ...
