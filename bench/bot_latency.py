#!/usr/bin/env python3
"""Benchmark: /status latency of sopbot on ten years of SOP log, against a bare bot.

    python bench/bot_latency.py [--commands 300] [--years 10]

Both bots run in this process against the same loopback Bot API server. The SOP log holds one
run per day for `--years` years (about 40,000 step rows for ten). Commands go out one at a time
at a steady pace (a person's pace, below Telegram's limits), alternating between the bots in
blocks; the latency is from the update being available to the reply arriving. Prints p50/p99 per
bot, their ratio (target: sopbot's p99 within 1.5x of the bare bot's), and the query plans of
the queries /status runs.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bare_bot import build as build_bare
from sqlalchemy import event, insert

from bot.app import build_application, running
from bot.context import Services
from core.clock import ManualClock
from core.settings import Settings
from devtools.botapi import BotApiServer
from sopbot.runtime import open_runtime
from storage.models import Instruction, SopRun, StepEvent

SOP_TOKEN, BARE_TOKEN = "111111:BENCH-sopbot", "222222:BENCH-bare"
KABID = 1001
STEPS_PER_DAY = (1, 8, 9, 10, 11, 1, 8, 9, 10, 11, 9)  # ~11 rows a day, as in a busy office


def seed(settings: Settings, years: int, today: date) -> int:
    services = Services.from_runtime(open_runtime(settings, ManualClock(datetime.now(UTC))))
    engine = services.log.engine
    days = [today - timedelta(days=n) for n in range(years * 365)]
    with engine.begin() as connection:
        connection.execute(
            insert(SopRun),
            [
                {
                    "id": i + 1,
                    "run_date": d,
                    "created_at": datetime(d.year, d.month, d.day, tzinfo=UTC),
                }
                for i, d in enumerate(days)
            ],
        )
        connection.execute(
            insert(Instruction),
            [
                {
                    "run_id": i + 1,
                    "target_role": role,
                    "issued_by": KABID,
                    "issued_at": datetime(d.year, d.month, d.day, 8, tzinfo=UTC),
                    "note": "",
                    "status": "done",
                    "close_note": "",
                }
                for i, d in enumerate(days)
                for role in ("adb", "kasi")
            ],
        )
        rows = [
            {
                "run_id": i + 1,
                "step_number": step,
                "actor_id": KABID,
                "actor_role": "kabid",
                "started_at": datetime(d.year, d.month, d.day, 8, tzinfo=UTC),
                "finished_at": datetime(d.year, d.month, d.day, 8, 10, tzinfo=UTC),
                "outcome": "done",
                "note": "",
            }
            for i, d in enumerate(days)
            for step in STEPS_PER_DAY
        ]
        connection.execute(insert(StepEvent), rows)
    return len(rows)


async def measure(server: BotApiServer, chat_id: int, count: int, pace: float) -> list[float]:
    latencies = []
    for _ in range(count):
        start = time.perf_counter()
        await server.send_text(chat_id, "/status")
        await server.next_message(chat_id, timeout=30)
        latencies.append(time.perf_counter() - start)
        await asyncio.sleep(pace)
    return latencies


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def query_plans(settings: Settings, statements: list[tuple[str, Any]]) -> None:
    services = Services.from_runtime(open_runtime(settings))
    with services.log.engine.connect() as connection:
        for sql, params in statements:
            print(f"  {' '.join(sql.split())[:110]}")
            for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params):
                print(f"      {row[-1]}")


async def main_async(args: argparse.Namespace) -> None:
    sop_server, bare_server = BotApiServer(SOP_TOKEN), BotApiServer(BARE_TOKEN)
    for server in (sop_server, bare_server):
        server.add_person(KABID, "Kabid")
        await server.start()
    with tempfile.TemporaryDirectory(prefix="sopbot-latency-") as scratch:
        settings = Settings(
            _env_file=None,
            telegram_bot_token=SOP_TOKEN,
            telegram_api_base_url=sop_server.base_url,
            kabid_ids=[KABID],
            kasi_ids=[2],
            adb_ids=[3],
            data_dir=Path(scratch),
        )
        today = datetime.now(settings.tz).date()
        rows = seed(settings, args.years, today)
        print(f"SOP log: {args.years * 365} days, {rows} step rows ({settings.database_url})")
        services = Services.from_runtime(open_runtime(settings))
        services.run_watch_loop = False
        statements: list[tuple[str, Any]] = []
        app = build_application(services, rate_limit=not args.no_rate_limit)
        bare = build_bare(BARE_TOKEN, bare_server.base_url)
        async with running(app, poll_timeout=10):
            await bare.initialize()
            assert bare.updater is not None
            await bare.updater.start_polling(timeout=10)
            await bare.start()
            await measure(sop_server, KABID, 5, 0)  # warm up both
            await measure(bare_server, KABID, 5, 0)

            def capture(conn: Any, cursor: Any, sql: str, params: Any, *rest: Any) -> None:
                if sql.lstrip().upper().startswith("SELECT"):
                    statements.append((sql, params))

            event.listen(services.log.engine, "before_cursor_execute", capture)
            await measure(sop_server, KABID, 1, 0)
            event.remove(services.log.engine, "before_cursor_execute", capture)
            sop: list[float] = []
            plain: list[float] = []
            block = max(1, args.commands // 10)
            for _ in range(10):  # alternate in blocks so both see the same machine noise
                sop += await measure(sop_server, KABID, block, args.pace)
                plain += await measure(bare_server, KABID, block, args.pace)
            await bare.updater.stop()
            await bare.stop()
            await bare.shutdown()
        for server in (sop_server, bare_server):
            await server.stop()
        print(f"{len(sop)} /status commands each, one at a time, {args.pace * 1000:.0f} ms apart")
        print(f"  {'':10} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8}")
        for label, values in (("bare bot", plain), ("sopbot", sop)):
            print(
                f"  {label:10} {percentile(values, 0.5) * 1000:8.1f} "
                f"{percentile(values, 0.99) * 1000:8.1f} {statistics.mean(values) * 1000:8.1f}"
            )
        print(
            f"  ratio p50 {percentile(sop, 0.5) / percentile(plain, 0.5):.2f}, "
            f"p99 {percentile(sop, 0.99) / percentile(plain, 0.99):.2f} (target p99 <= 1.5)"
        )
        print("Query plans of /status (SQLite EXPLAIN QUERY PLAN):")
        query_plans(settings, statements)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--commands", type=int, default=300)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--pace", type=float, default=0.05, help="seconds between commands")
    parser.add_argument(
        "--no-rate-limit",
        action="store_true",
        help="run sopbot without its Telegram rate limiter (to see its cost)",
    )
    asyncio.run(main_async(parser.parse_args()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
