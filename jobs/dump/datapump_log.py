"""Reading an Oracle Data Pump export log (11g to 19c), or expdp's own output.

The verdict comes from the final `Job "OWNER"."NAME" … at …` line, never from the exit code
alone (the client can die with UDE-00008 while the job succeeds) nor from any ORA- line
(ORA-39173 can appear inside a successful job). Formats of the final line:

    Job "SYSTEM"."SYS_EXPORT_FULL_01" successfully completed at 01:23:45            (11g)
    Job "SYSTEM"."SYS_EXPORT_FULL_01" successfully completed at Wed Nov 25 01:23:45 2026
        elapsed 0 00:23:40                                                          (12c+, one line)
    Job "SYSTEM"."SYS_EXPORT_FULL_01" completed with 2 error(s) at …                (a warning)
    Job "SYSTEM"."SYS_EXPORT_FULL_01" stopped due to fatal error at …               (a failure)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from jobs.dump.result import Outcome, TableRows

_TABLE = re.compile(
    r'^\.\s+\.\s+exported\s+"(?P<schema>[^"]+)"\."(?P<table>[^"]+)"'
    r'(?::"(?P<part>[^"]+)")?(?::"(?P<sub>[^"]+)")?'
    r"\s+(?P<size>[\d.,]+)\s*(?P<unit>[KMGT]?B)\s+(?P<rows>\d+)\s+rows",
    re.IGNORECASE,
)
_JOB = re.compile(
    r'^Job\s+"(?P<owner>[^"]+)"\."(?P<name>[^"]+)"\s+(?P<status>.+?)\s+at\s+(?P<when>.+?)'
    r"(?:\s+elapsed\s+(?P<elapsed>[\d :]+))?\s*$"
)
_WITH_ERRORS = re.compile(r"completed with (?P<count>\d+) error", re.IGNORECASE)
_ERROR = re.compile(r"^(?P<code>(?:ORA|UDE|LRM|KUP|DPY)-\d{5}):\s*(?P<text>.*)$")
_PERCENT = re.compile(r"percent done:\s*(?P<pct>\d{1,3})", re.IGNORECASE)

_UNITS = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3, "TB": 1024**4}

# Errors that stop an export before or during its run, with a plain Indonesian explanation.
KNOWN_ERRORS: dict[str, str] = {
    "ORA-39002": "operasi Data Pump tidak valid (lihat kesalahan berikutnya)",
    "ORA-39070": "file log tidak dapat dibuka: direktori dump tidak ada atau tidak dapat ditulis",
    "ORA-39087": "nama directory object Oracle tidak valid atau pengguna tidak punya hak akses",
    "ORA-29283": "operasi file tidak valid: folder dump tidak ada atau tidak dapat ditulis "
    "oleh Oracle",
    "ORA-39095": "ruang untuk file dump habis",
    "ORA-27072": "kesalahan baca/tulis file (disk penuh atau rusak)",
    "ORA-19502": "kesalahan menulis file (disk penuh?)",
    "ORA-31626": "job Data Pump tidak ada",
    "ORA-31633": "tabel master job tidak dapat dibuat: nama job sudah dipakai job lama",
    "ORA-39006": "kesalahan internal Data Pump",
    "ORA-01017": "nama pengguna atau kata sandi Oracle salah",
    "ORA-12154": "alamat database (DSN/TNS) tidak dikenal",
    "ORA-12541": "listener Oracle tidak berjalan di alamat tersebut",
    "ORA-31631": "pengguna Oracle tidak punya hak yang diperlukan untuk ekspor",
    "UDE-00008": "program expdp berhenti dengan kesalahan Oracle",
    "UDE-00018": "versi program expdp tidak cocok dengan versi database",
    "LRM-00101": "parameter expdp tidak dikenal",
}


@dataclass
class DataPumpLog:
    tables: list[TableRows] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "ORA-39002: invalid operation", ...
    dump_files: list[str] = field(default_factory=list)
    job_owner: str | None = None
    job_name: str | None = None
    final_status: str | None = None  # "successfully completed", "completed with 2 error(s)"…
    error_count: int = 0
    elapsed: str | None = None
    percent: float | None = None  # last "NN% done" seen (expdp STATUS output)

    @property
    def outcome(self) -> Outcome:
        if self.final_status is None:
            return Outcome.FAILED  # no final Job line: the job did not finish
        status = self.final_status.lower()
        if status.startswith("successfully completed"):
            return Outcome.SUCCESS
        if _WITH_ERRORS.search(status):
            return Outcome.WARNING
        return Outcome.FAILED

    @property
    def error_codes(self) -> list[str]:
        return [error.split(":", 1)[0] for error in self.errors]


def _size(number: str, unit: str) -> int:
    return int(float(number.replace(",", "")) * _UNITS[unit.upper()])


def parse(text: str) -> DataPumpLog:
    result = DataPumpLog()
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
            result.errors.append(f"{match['code']}: {match['text']}".rstrip(": "))
            continue
        if in_dump_files:
            result.dump_files.append(line)
            continue
        if match := _PERCENT.search(line):
            result.percent = float(match["pct"])
    return result


def explain(error: str) -> str:
    """An Indonesian explanation of one error line, keeping the code for the ADB."""
    code = error.split(":", 1)[0]
    meaning = KNOWN_ERRORS.get(code)
    return f"{code} ({meaning})" if meaning else error
