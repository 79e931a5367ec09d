"""Reading an Oracle Data Pump export log (11g to 19c), or expdp's own output.

The verdict comes from the final `Job "OWNER"."NAME" … at …` line, never from the exit code
alone (the client can die with UDE-00008 while the job succeeds) nor from any ORA- line
(ORA-39173 can appear inside a successful job). Formats of the final line:

    Job "SYSTEM"."SYS_EXPORT_FULL_01" successfully completed at 01:23:45            (11g)
    Job "SYSTEM"."SYS_EXPORT_FULL_01" successfully completed at Wed Nov 25 01:23:45 2026
        elapsed 0 00:23:40                                                          (12c+, one line)
    Job "SYSTEM"."SYS_EXPORT_FULL_01" completed with 2 error(s) at …                (see below)
    Job "SYSTEM"."SYS_EXPORT_FULL_01" stopped due to fatal error at …               (a failure)

"Completed with errors" is a warning only when every error is known to be harmless (ORA-39173);
an error that skipped an object (ORA-31693 "is being skipped", ORA-02354, ORA-01555…) or any
unknown one makes the dump **incomplete**: never a good backup. The final line must name this
run's job: a log left by another job proves nothing about this one. Operating-system lines
(`O/S-Error: (OS 112) …`, `OSD-04026: …`, `Linux-x86_64 Error: 28: …`) are kept: they carry the
real cause of a full or missing disk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.problems import Code, Problem, problem
from jobs.dump.result import TableRows
from jobs.job import Outcome

_TABLE = re.compile(
    r'^\.\s+\.\s+(?:exported|imported)\s+"(?P<schema>[^"]+)"\."(?P<table>[^"]+)"'
    r'(?::"(?P<part>[^"]+)")?(?::"(?P<sub>[^"]+)")?'
    r"\s+(?P<size>[\d.,]+)\s*(?P<unit>[KMGT]?B)\s+(?P<rows>\d+)\s+rows",
    re.IGNORECASE,
)
_JOB = re.compile(
    r'^Job\s+"(?P<owner>[^"]+)"\."(?P<name>[^"]+)"\s+(?P<status>.+?)\s+at\s+(?P<when>.+?)'
    r"(?:\s+elapsed\s+(?P<elapsed>[\d :]+))?\s*$"
)
_WITH_ERRORS = re.compile(r"completed with (?P<count>\d+) error", re.IGNORECASE)
_ERROR = re.compile(r"^(?P<code>(?:ORA|UDE|LRM|KUP|DPY)-\d{4,5}):\s*(?P<text>.*)$")
_OS_ERROR = re.compile(r"^(?:O/S-Error:|OSD-\d{5}:|[A-Za-z0-9_-]+ Error: \d+:)\s*.*$")

# Errors that leave the job "completed" and the dump usable as it is.
BENIGN = frozenset({"ORA-39173"})
# Errors that mean an object (usually a table's data) is missing from the dump.
SKIPPED = frozenset({"ORA-31693", "ORA-02354", "ORA-01555", "ORA-01466", "ORA-19502", "ORA-27072"})
_PERCENT = re.compile(r"percent done:\s*(?P<pct>\d{1,3})", re.IGNORECASE)

_UNITS = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}


@dataclass
class DataPumpLog:
    tables: list[TableRows] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)  # ORA-39002 "invalid operation", ...
    dump_files: list[str] = field(default_factory=list)
    job_owner: str | None = None
    job_name: str | None = None
    final_status: str | None = None  # "successfully completed", "completed with 2 error(s)"…
    error_count: int = 0
    elapsed: str | None = None
    percent: float | None = None  # last "NN% done" seen (expdp STATUS output)
    skipped: list[str] = field(default_factory=list)  # objects ORA-31693 names
    expected_job: str | None = None  # this run's job name, when known

    @property
    def foreign(self) -> bool:
        """The final Job line names another job than this run's."""
        return bool(self.expected_job and self.job_name and self.job_name != self.expected_job)

    @property
    def outcome(self) -> Outcome:
        if self.final_status is None or self.foreign:
            return Outcome.FAILED  # no final Job line of ours: the job did not finish
        status = self.final_status.lower()
        if status.startswith("successfully completed"):
            return Outcome.SUCCESS
        if _WITH_ERRORS.search(status):
            codes = [code for code in self.error_codes if code]
            harmless = (
                codes
                and set(codes) <= BENIGN
                and len(codes) >= self.error_count  # every counted error seen, and harmless
                and not self.skipped
            )
            return Outcome.WARNING if harmless else Outcome.INCOMPLETE
        return Outcome.FAILED

    @property
    def error_codes(self) -> list[str]:
        return [str(error.params.get("code", "")) for error in self.errors]


def _size(number: str, unit: str) -> int:
    """'812.4', '812,4' (a territory with decimal commas), '5.117' or '1.234,5' -> bytes.

    Data Pump writes at most three decimals and a larger unit rather than thousands marks, so the
    last mark is the decimal one; another before it can only be a thousands mark."""
    decimal = max(number.rfind("."), number.rfind(","))
    whole, fraction = (number[:decimal], number[decimal + 1 :]) if decimal >= 0 else (number, "")
    digits = whole.replace(",", "").replace(".", "") + ("." + fraction if fraction else "")
    return int(float(digits or 0) * _UNITS[unit.upper()])


_SKIPPED_OBJECT = re.compile(r'object "(?P<schema>[^"]+)"\."(?P<name>[^"]+)"')


def parse(text: str, job_name: str | None = None) -> DataPumpLog:
    result = DataPumpLog(expected_job=job_name)
    lines = text.splitlines()
    in_dump_files = False
    for raw in lines:
        line = raw.strip()
        if not line:
            in_dump_files = False
            continue
        if match := _TABLE.match(line):
            name = f"{match['schema']}.{match['table']}"
            for part in (match["part"], match["sub"]):
                if part:
                    name += f":{part}"
            result.tables.append(
                TableRows(name, int(match["rows"]), _size(match["size"], match["unit"]))
            )
            continue
        if line.startswith("Dump file set for") and line.endswith("is:"):
            in_dump_files = True
            continue
        if match := _JOB.match(line):
            in_dump_files = False
            result.job_owner, result.job_name = match["owner"], match["name"]
            result.final_status = match["status"]
            result.elapsed = match["elapsed"]
            if count := _WITH_ERRORS.search(match["status"]):
                result.error_count = int(count["count"])
            continue
        if match := _ERROR.match(line):
            in_dump_files = False
            result.errors.append(oracle_error(match["code"], match["text"]))
            if match["code"] == "ORA-31693" and (obj := _SKIPPED_OBJECT.search(line)):
                result.skipped.append(f"{obj['schema']}.{obj['name']}")
            continue
        if _OS_ERROR.match(line):
            in_dump_files = False
            result.errors.append(problem(Code.OS_ERROR, text=line))
            continue
        if in_dump_files:
            result.dump_files.append(line)
            continue
        if match := _PERCENT.search(line):
            result.percent = float(match["pct"])
    return result


def verdict_problems(parsed: DataPumpLog) -> list[Problem]:
    """What the verdict rests on, said first: missing objects, another job's log."""
    found = []
    if parsed.skipped:
        shown = ", ".join(parsed.skipped[:10]) + (" …" if len(parsed.skipped) > 10 else "")
        found.append(problem(Code.TABLES_SKIPPED, count=len(parsed.skipped), tables=shown))
    if parsed.foreign:
        found.append(
            problem(
                Code.FOREIGN_LOG,
                found=parsed.job_name or "?",
                expected=parsed.expected_job or "?",
            )
        )
    return found


def oracle_error(code: str, text: str) -> Problem:
    return problem(Code.ORACLE_ERROR, code=code, text=text.strip())


def error_lines(text: str) -> list[Problem]:
    """Every coded Oracle error line in `text` (a client's output, an exception's message)."""
    found = []
    for line in text.splitlines():
        if match := _ERROR.match(line.strip()):
            found.append(oracle_error(match["code"], match["text"]))
    return found
