#!/usr/bin/env python3
"""Benchmark: resident memory of the idle bot and the time from process start to its first
getUpdates, for `sopbot run` and for a bare python-telegram-bot bot, in the same run.

    python bench/footprint.py [--repeat 3]

Each bot is started as its own process against a loopback Bot API server in this process.
Targets: sopbot under 100 MB resident and under 2 s to the first getUpdates. Linux only (reads
/proc/<pid>/status for the resident set).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devtools.botapi import BotApiServer  # noqa: E402

TOKEN = "333333:BENCH-footprint"
IDLE_SECONDS = 3.0


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def one_run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    server = BotApiServer(TOKEN)
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
    finally:
        process.terminate()
        await process.wait()
        await server.stop()
    return to_first_poll, memory


async def main_async(repeat: int) -> None:
    with tempfile.TemporaryDirectory(prefix="sopbot-footprint-") as scratch:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "KABID_IDS": "1",
            "KASI_IDS": "2",
            "ADB_IDS": "3",
            "DATA_DIR": scratch,
            "HOME_DIR": scratch,
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
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in bots}
        for _ in range(repeat):  # alternate, so both see the same machine
            for name, command in bots.items():
                results[name].append(await one_run(command, env))
        print(f"{repeat} starts each; memory {IDLE_SECONDS:.0f} s after the first getUpdates")
        print(f"  {'':10} {'start s':>8} {'RSS MB':>8}")
        summary = {}
        for name, runs in results.items():
            start = statistics.median(r[0] for r in runs)
            memory = statistics.median(r[1] for r in runs)
            summary[name] = (start, memory)
            print(f"  {name:10} {start:8.2f} {memory:8.1f}")
        (bare_start, bare_mem), (sop_start, sop_mem) = summary["bare bot"], summary["sopbot"]
        print(f"  ratio     {sop_start / bare_start:8.2f} {sop_mem / bare_mem:8.2f}")
        print(
            f"Targets: RSS < 100 MB ({'met' if sop_mem < 100 else 'NOT met'}), "
            f"start < 2 s ({'met' if sop_start < 2 else 'NOT met'})"
        )


def main() -> int:
    if not Path("/proc/self/status").exists():
        print("This benchmark reads /proc (Linux).")
        return 2
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    asyncio.run(main_async(parser.parse_args().repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
