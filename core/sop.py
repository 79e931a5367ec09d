"""SOP-PIAK-02 "Back Up Data Kependudukan" as data: the one source of truth for its steps.

The bot, the status view, the reports and the reminders all read these tables; nothing else
should spell out a step number, an actor or a time standard.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum


class Role(StrEnum):
    KABID = "kabid"
    KASI = "kasi"
    ADB = "adb"
    PUSAT = "pusat"  # a supervisor (province, Dukcapil): reads the offices' evidence, no SOP step


# The office's own people, who carry out the SOP (PUSAT only watches from outside).
SOP_ROLES: tuple[Role, ...] = (Role.KABID, Role.KASI, Role.ADB)

ROLE_TITLES: dict[Role, str] = {
    Role.KABID: "Kepala Bidang PIAK (Kabid)",
    Role.KASI: "Kepala Seksi (Kasi)",
    Role.ADB: "Administrator Database (ADB)",
    Role.PUSAT: "Pengawas pusat (provinsi/Dukcapil)",
}


class StepKind(StrEnum):
    INSTRUCTION = "instruction"  # the Kabid gives an instruction (/instruksi)
    SCHEDULE = "schedule"  # done once by configuring the bot's schedule
    JOB = "job"  # a job of the bot does it (the dump, the external copy)
    REPORT = "report"  # a person confirms with /selesai


@dataclass(frozen=True)
class Step:
    number: int
    title: str  # Indonesian, as the SOP words it
    actor: Role
    standard: timedelta  # Mutu Baku time standard
    kind: StepKind
    output: str = ""
    short: str = ""  # a few words for a phone screen (/status); the title is in /bantuan

    @property
    def label(self) -> str:
        return self.short or self.title


def _minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


STEPS: tuple[Step, ...] = (
    Step(
        1,
        "Menugaskan ADB untuk melaksanakan back up data kependudukan pada server",
        Role.KABID,
        _minutes(5),
        StepKind.INSTRUCTION,
        "instruksi",
        "Kabid menugaskan ADB",
    ),
    Step(2, "Membuka aplikasi Server Manager", Role.ADB, _minutes(1), StepKind.SCHEDULE),
    Step(3, "Membuka Task Scheduler pada Configuration", Role.ADB, _minutes(2), StepKind.SCHEDULE),
    Step(
        4, "Membuka Create Basic Task pada Task Scheduler", Role.ADB, _minutes(2), StepKind.SCHEDULE
    ),
    Step(5, "Memberi nama file dmp", Role.ADB, _minutes(1), StepKind.SCHEDULE),
    Step(6, "Memilih back up data harian", Role.ADB, _minutes(1), StepKind.SCHEDULE),
    Step(7, "Mensetting waktu pelaksanaan back up data", Role.ADB, _minutes(1), StepKind.SCHEDULE),
    Step(
        8,
        "Start program back up data",
        Role.ADB,
        _minutes(1),
        StepKind.JOB,
        "progres back up",
        "Back up database",
    ),
    Step(
        9,
        "Melaporkan kepada Kabid bahwa back up data kependudukan harian sudah dilaksanakan",
        Role.ADB,
        _minutes(5),
        StepKind.REPORT,
        "laporan kepada Kabid",
        "ADB melapor ke Kabid",
    ),
    Step(
        10,
        "Menugaskan Kasi untuk memback up data kependudukan ke dalam hard disk eksternal",
        Role.KABID,
        _minutes(5),
        StepKind.INSTRUCTION,
        "instruksi",
        "Kabid menugaskan Kasi",
    ),
    Step(
        11,
        "Back up data kependudukan ke dalam hard disk eksternal",
        Role.KASI,
        _minutes(5),
        StepKind.JOB,
        "back up di hard disk eksternal",
        "Salinan ke hard disk eksternal",
    ),
)

STEP_BY_NUMBER: dict[int, Step] = {step.number: step for step in STEPS}

TOTAL_STANDARD: timedelta = sum((step.standard for step in STEPS), timedelta())

# The SOP's name and date of effect, as the audit report prints them.
SOP_NAME = "SOP-PIAK-02 Back Up Data Kependudukan (berlaku 20 Desember 2017)"

SOP_WARNING = (
    "Apabila back up data tidak dilaksanakan dan server mengalami kerusakan, "
    "maka tidak ada data pengganti untuk melayani masyarakat."
)


@dataclass(frozen=True)
class Assignment:
    """What one kind of /instruksi sets in motion: who receives it and which steps it covers."""

    target: Role
    task: str  # what the target is asked to do, in Indonesian
    instruction_step: int  # the Kabid's step that gives the instruction
    covered_steps: tuple[int, ...]  # the steps the target carries out before /selesai
    report_step: int  # the step recorded when the target confirms with /selesai

    @property
    def needs_evidence(self) -> bool:
        """A job's step is done only with the job's evidence, never on someone's word."""
        return STEP_BY_NUMBER[self.report_step].kind is StepKind.JOB

    @property
    def standard(self) -> timedelta:
        """Time the target has from the instruction to /selesai: the sum of covered steps."""
        return sum((STEP_BY_NUMBER[n].standard for n in self.covered_steps), timedelta())


ASSIGNMENTS: dict[Role, Assignment] = {
    Role.ADB: Assignment(
        Role.ADB,
        "Melaksanakan back up data kependudukan pada server",
        instruction_step=1,
        covered_steps=(2, 3, 4, 5, 6, 7, 8, 9),
        report_step=9,
    ),
    Role.KASI: Assignment(
        Role.KASI,
        "Back up data kependudukan ke dalam hard disk eksternal",
        instruction_step=10,
        covered_steps=(11,),
        report_step=11,
    ),
}


def assignment_for_step(step_number: int) -> Assignment | None:
    """The assignment whose instruction is this step (1 or 10), if any."""
    for assignment in ASSIGNMENTS.values():
        if assignment.instruction_step == step_number:
            return assignment
    return None


def duration_standard(step_number: int) -> timedelta:
    """The standard a recorded duration of this step is judged against.

    A report step's duration runs from the instruction to /selesai, so it covers every step of
    the assignment (ADB: steps 2-9, 14 minutes); any other step is judged on its own.
    """
    for assignment in ASSIGNMENTS.values():
        if assignment.report_step == step_number:
            return assignment.standard
    return STEP_BY_NUMBER[step_number].standard
