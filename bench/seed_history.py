#!/usr/bin/env python3
"""Fill a SOP log with N years of realistic history in every table, through the project's own
storage API (the same calls the bot makes), for the benchmarks.

    python bench/seed_history.py --years 10 --database-url sqlite:///bench-10y.db

Per working day: the Kabid's instruction to the ADB, the scheduled dump (its run with 112 tables'
rows), the ADB's /selesai, the instruction to the Kasi and the verified copy that closes it, about
ten notifications through the outbox (sent), an audit event now and then; every Sunday a restore
drill; some days a failed dump or a late step, as offices have. Weekends have the dump only.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event

from core.sop import Role
from storage.audit import AuditLog
from storage.copies import CopyLog
from storage.database import make_engine, upgrade
from storage.drills import DrillLog
from storage.dumps import DumpLog
from storage.outbox import Outbox
from storage.soplog import SopLog

WITA = ZoneInfo("Asia/Makassar")
KABID, ADB, KASI, GROUP = 1001, 2001, 3001, -100500
TABLES = [(f"SIAK.T{n:03d}", 1000 + n * 977) for n in range(112)]


def _fast_sqlite(engine: Any) -> None:
    """Seeding only: no fsync per transaction (the bot itself keeps SQLite's defaults)."""
    if engine.url.get_backend_name() == "sqlite":

        @event.listens_for(engine, "connect")
        def _pragmas(connection: Any, _record: Any) -> None:
            connection.execute("PRAGMA synchronous=OFF")


def seed(url: str, years: int, today: date, progress: bool = True) -> dict[str, int]:
    engine = make_engine(url)
    _fast_sqlite(engine)
    upgrade(engine)
    soplog, dumplog, copylog = SopLog(engine), DumpLog(engine), CopyLog(engine)
    drilllog, outbox, audit = DrillLog(engine), Outbox(engine), AuditLog(engine)
    rng = random.Random(2017)
    counts = dict.fromkeys(("days", "steps", "dumps", "copies", "drills", "outbox", "audit"), 0)
    first = today - timedelta(days=years * 365)
    soplog.remember_user(KABID, "Bu Kadek", datetime.combine(first, datetime.min.time(), WITA))
    started = time.monotonic()
    day = first
    while day <= today:
        at = datetime(day.year, day.month, day.day, 1, 0, tzinfo=WITA)
        ok = rng.random() > 0.03
        run = dumplog.start(
            run_date=day,
            trigger="schedule",
            requested_by=None,
            backend="expdp",
            job_name=f"SOPBOT_{day:%Y%m%d}_010000",
            started_at=at,
            file_path=f"D:/oracle/dpdump/SIAK_{day:%Y%m%d}_0100.dmp",
            log_path=f"D:/oracle/dpdump/SIAK_{day:%Y%m%d}_0100.log",
        )
        dumplog.finish(
            run,
            finished_at=at + timedelta(minutes=24),
            outcome="success" if ok else "failed",
            size_bytes=1_200_000_000 + rng.randrange(50_000_000) if ok else None,
            sha256=f"{rng.getrandbits(256):064x}" if ok else "",
            tables=TABLES if ok else [],
            errors=[],
            warnings=[],
        )
        soplog.record_step(
            run_date=day,
            step_number=8,
            actor_id=None,
            actor_role="bot",
            started_at=at,
            finished_at=at + timedelta(minutes=24),
            outcome="done" if ok else "failed",
        )
        counts["dumps"] += 1
        counts["steps"] += 1
        if day.weekday() < 5:
            _office_day(soplog, copylog, outbox, day, run, ok, rng, counts)
        if day.weekday() == 6:
            _drill(drilllog, day, run, rng)
            counts["drills"] += 1
        if rng.random() < 0.05:
            audit.record(at, KABID, "schedule_changed", "01:00")
            counts["audit"] += 1
        counts["days"] += 1
        if progress and counts["days"] % 365 == 0:
            print(
                f"  {counts['days'] // 365} year(s), {time.monotonic() - started:.0f} s", flush=True
            )
        day += timedelta(days=1)
    return counts


def _office_day(
    soplog: SopLog,
    copylog: CopyLog,
    outbox: Outbox,
    day: date,
    run: int,
    ok: bool,
    rng: random.Random,
    counts: dict[str, int],
) -> None:
    morning = datetime(day.year, day.month, day.day, 7, 35, tzinfo=WITA)
    late = rng.random() < 0.1
    order = soplog.issue_instruction(
        run_date=day, target=Role.ADB, issued_by=KABID, note="", at=morning
    )
    done_at = morning + timedelta(minutes=30 if late else 8)
    soplog.close_instruction(
        instruction_id=order.id, closed_by=ADB, roles=[Role.ADB], note="", at=done_at
    )
    kasi_at = done_at + timedelta(minutes=3)
    kasi = soplog.issue_instruction(
        run_date=day, target=Role.KASI, issued_by=KABID, note="", at=kasi_at
    )
    counts["steps"] += 4
    if ok:
        copy_at = kasi_at + timedelta(minutes=2)
        copy = copylog.start(
            dump_run_id=run,
            source_path=f"D:/oracle/dpdump/SIAK_{day:%Y%m%d}_0100.dmp",
            trigger="instruction",
            requested_by=KASI,
            started_at=copy_at,
        )
        copylog.finish(
            copy,
            finished_at=copy_at + timedelta(minutes=3),
            outcome="verified",
            dest_path=f"E:/sopbot-backups/SIAK_{day:%Y%m%d}_0100.dmp.zst.age",
            disk_id=f"disk-{(day.toordinal() // 7) % 2}",
            disk_label=f"HDD-PIAK-{(day.toordinal() // 7) % 2 + 1}",
            size_bytes=400_000_000,
            sha256=f"{rng.getrandbits(256):064x}",
            compressed=True,
            encrypted=True,
        )
        soplog.record_step(
            run_date=day,
            step_number=11,
            actor_id=KASI,
            actor_role="kasi",
            started_at=copy_at,
            finished_at=copy_at + timedelta(minutes=3),
        )
        soplog.close_instruction(
            instruction_id=kasi.id,
            closed_by=KASI,
            roles=[Role.KASI],
            note="bukti salinan",
            at=copy_at + timedelta(minutes=3),
        )
        counts["copies"] += 1
        counts["steps"] += 2
    for n in range(10):
        sent_at = morning + timedelta(minutes=n)
        item = outbox.add(
            chat_id=(KABID, ADB, KASI, GROUP)[n % 4],
            text=f"Laporan {day} #{n}",
            reply_markup="",
            ref="",
            at=sent_at,
        )
        outbox.mark(item, status="sent", at=sent_at, message_id=n + 1)
        counts["outbox"] += 1


def _drill(drilllog: DrillLog, day: date, run: int, rng: random.Random) -> None:
    at = datetime(day.year, day.month, day.day, 2, 0, tzinfo=WITA)
    drill = drilllog.start(
        copy_id=None,
        dump_run_id=run,
        file_name=f"SIAK_{day:%Y%m%d}_0100.dmp.zst.age",
        disk_label="HDD-PIAK-1",
        backend="expdp",
        level=2,
        trigger="schedule",
        requested_by=None,
        started_at=at,
    )
    seconds = 600 + rng.randrange(300)
    drilllog.finish(
        drill,
        finished_at=at + timedelta(seconds=seconds),
        outcome="passed",
        compared=112,
        restore_seconds=float(seconds),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--years", type=int, required=True)
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    started = time.monotonic()
    counts = seed(args.database_url, args.years, datetime.now(WITA).date())
    took = time.monotonic() - started
    print(", ".join(f"{name} {value}" for name, value in counts.items()) + f" in {took:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
