"""What one stage of a drill found: the claims it proved, the problems it met, the counts."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.problems import Problem
from jobs.drill.result import Proof


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
