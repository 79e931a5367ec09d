#!/usr/bin/env python3
"""Benchmark: resident memory of the idle bot, and again after the Kabid's /laporan (the
monthly chart, CSV and summary), and the time from process start to its first getUpdates, for
`sopbot run` and for a bare python-telegram-bot bot, in the same run.

    python bench/footprint.py [--repeat 3] [--years 10]

With --years, sopbot runs on that many years of history (bench/seed_history.py), so /laporan
reads a real month.

Each bot is started as its own process against a loopback Bot API server in this process (so the
server's memory is not counted). Runs alternate between the two bots. Targets (the issue on cost
that does not grow): sopbot under 100 MB resident, also after /laporan, and under 1 s to the
first getUpdates. Linux only (reads /proc/<pid>/status for the resident set).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "bench"))

from seed_history import KABID  # noqa: E402

from devtools.botapi import BotApiServer  # noqa: E402

TOKEN = "333333:BENCH-footprint"
IDLE_SECONDS = 3.0


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def one_run(command: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    server = BotApiServer(TOKEN)
    server.add_person(KABID, "Kadek")
    base_url = await server.start()
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        *command,
        env={**env, "TELEGRAM_API_BASE_URL": base_url},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
        cwd=env["HOME_DIR"],
    )
    try:
        polled = asyncio.Event()
        original = server._api_getupdates

        async def first_poll(params: dict, files: dict) -> list:  # type: ignore[type-arg]
            polled.set()
            return await original(params, files)

        server._api_getupdates = first_poll  # type: ignore[method-assign]
        await asyncio.wait_for(polled.wait(), 60)
        to_first_poll = time.perf_counter() - started
        await asyncio.sleep(IDLE_SECONDS)
        memory = resident_mb(process.pid)
        server.unread(KABID).clear()
        await server.send_text(KABID, "/laporan")
        async with asyncio.timeout(120):  # its last part: the CSV (the bare bot: one text)
            while True:
                reply = await server.next_message(KABID, timeout=120)
                if reply.document is not None or "semua baik" in (reply.text or ""):
                    break
        await asyncio.sleep(IDLE_SECONDS)
        after_report = resident_mb(process.pid)
    finally:
        process.terminate()
        await process.wait()
        await server.stop()
    return to_first_poll, memory, after_report


async def main_async(repeat: int, years: int) -> None:
    with tempfile.TemporaryDirectory(prefix="sopbot-footprint-") as scratch:
        database = f"sqlite:///{(Path(scratch) / 'sopbot.db').as_posix()}"
        if years:
            from datetime import date

            from seed_history import seed

            seed(database, years, date.today(), progress=False)
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "KABID_IDS": str(KABID),
            "KASI_IDS": "2",
            "ADB_IDS": "3",
            "DATA_DIR": scratch,
            "HOME_DIR": scratch,
            "DATABASE_URL": database,
            "PYTHONPATH": str(ROOT),
        }
        bots = {
            "bare bot": [sys.executable, str(ROOT / "bench" / "bare_bot.py")],
            "sopbot": [
                sys.executable,
                "-m",
                "sopbot.cli",
                "run",
                "--env-file",
                str(Path(scratch) / "none"),
            ],
        }
        results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in bots}
        for _ in range(repeat):  # alternate, so both see the same machine
            for name, command in bots.items():
                results[name].append(await one_run(command, env))
        print(f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
        print(f"command: python bench/footprint.py --repeat {repeat} --years {years}")
        print(
            f"{repeat} starts each, alternating; memory {IDLE_SECONDS:.0f} s after the first "
            "getUpdates and after the reply to /laporan; median (min)"
        )
        print(f"  {'':10} {'start s':>13} {'RSS idle MB':>15} {'RSS /laporan MB':>17}")
        summary = {}
        for name, runs in results.items():
            columns = [[r[n] for r in runs] for n in range(3)]
            summary[name] = [statistics.median(c) for c in columns]
            cells = [f"{statistics.median(c):6.2f} ({min(c):5.2f})" for c in columns]
            print(f"  {name:10} {cells[0]:>13} {cells[1]:>15} {cells[2]:>17}")
        bare, sop = summary["bare bot"], summary["sopbot"]
        ratios = [f"{s / b:.2f}" for s, b in zip(sop, bare, strict=True)]
        print(f"  ratio      {ratios[0]:>13} {ratios[1]:>15} {ratios[2]:>17}")
        verdict = {True: "met", False: "NOT met"}
        print(
            f"Targets: RSS < 100 MB idle ({verdict[sop[1] < 100]}) and after /laporan "
            f"({verdict[sop[2] < 100]}), start < 1 s ({verdict[sop[0] < 1]})"
        )


def main() -> int:
    if not Path("/proc/self/status").exists():
        print("This benchmark reads /proc (Linux).")
        return 2
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--years", type=int, default=0, help="years of history for sopbot")
    options = parser.parse_args()
    asyncio.run(main_async(options.repeat, options.years))
    return 0


if __name__ == "__main__":
    sys.exit(main())
