"""A month of SOP log data with known numbers, for the report tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from core.sop import Role
from storage.copies import CopyLog
from storage.dumps import DumpLog
from storage.soplog import SopLog

WITA = ZoneInfo("Asia/Makassar")
FAILED_DAYS = {5, 19}
MISSING_DAYS = {12}
NOT_COPIED_DAYS = {3, 7}  # good dump, but no verified external copy
LATE_ADB_DAYS = {2, 4, 6}  # the ADB took 20 minutes (standard 14)


@dataclass(frozen=True)
class Seeded:
    days: int
    good_days: int
    copied_days: int


def seed_month(soplog: SopLog, dumplog: DumpLog, copylog: CopyLog, last_day: int = 24) -> Seeded:
    good = copied = 0
    for day in range(1, last_day + 1):
        run_date = date(2026, 11, day)
        start = datetime(2026, 11, day, 1, 0, tzinfo=WITA)
        if day not in MISSING_DAYS:
            outcome = "failed" if day in FAILED_DAYS else "success"
            run_id = dumplog.start(
                run_date=run_date,
                trigger="schedule",
                requested_by=None,
                backend="sqlite",
                job_name=f"J{day}",
                started_at=start,
                file_path=f"/dumps/SIAK_202611{day:02d}_0100.dmp",
                log_path="/dumps/x.log",
            )
            dumplog.finish(
                run_id,
                finished_at=start + timedelta(minutes=10 + day),
                outcome=outcome,
                size_bytes=(100 + day) * 1024 * 1024 if outcome == "success" else None,
                sha256="a" * 64,
                tables=[("SIAK.BIODATA_WNI", 1000 + day)],
                errors=[],
                warnings=[],
            )
            if outcome == "success":
                good += 1
                if day not in NOT_COPIED_DAYS:
                    copied += 1
                    copy_id = copylog.start(
                        dump_run_id=run_id,
                        source_path="s",
                        trigger="auto",
                        requested_by=None,
                        started_at=start + timedelta(hours=7),
                    )
                    copylog.finish(
                        copy_id,
                        finished_at=start + timedelta(hours=7, minutes=3),
                        outcome="verified",
                        dest_path=f"/e/{day}.dmp",
                        disk_id="d1",
                        disk_label="HDD",
                        size_bytes=1,
                        sha256="b" * 64,
                    )
        issued = datetime(2026, 11, day, 8, 0, tzinfo=WITA)
        order = soplog.issue_instruction(
            run_date=run_date, target=Role.ADB, issued_by=111, note="", at=issued
        )
        took = 20 if day in LATE_ADB_DAYS else 10
        soplog.close_instruction(
            instruction_id=order.id,
            closed_by=222,
            roles=[Role.ADB],
            note="",
            at=issued + timedelta(minutes=took),
        )
    return Seeded(last_day, good, copied)
