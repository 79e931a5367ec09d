#!/usr/bin/env python3
"""Benchmark: `sopbot backup` (the sqlite backend) against the `sqlite3` program's `.backup`
followed by a SHA-256 of the result (`openssl dgst -sha256`), on the same sample database.

    python bench/dump.py --residents 2000000 --repeat 5

Both make a consistent copy of a live SQLite database and a hash of it; sopbot also counts the
rows of every table and records the run. Interleaved, repeated; prints the machine, the command,
median and min per variant and the ratio (target: sopbot <= 1.3x).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sopbot.sample_db import create_sample_database  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--residents", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    for tool in ("sqlite3", "openssl"):
        if shutil.which(tool) is None:
            print(f"{tool} not found: this benchmark needs it for the baseline")
            return 2
    print(f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    with tempfile.TemporaryDirectory(prefix="sopbot-dump-") as scratch:
        folder = Path(scratch)
        source = create_sample_database(folder / "siak.db", residents=args.residents)
        size_mb = source.stat().st_size / 1024 / 1024
        print(f"source {size_mb:.0f} MB ({args.residents} invented residents)")
        (folder / ".env").write_text(
            f"TELEGRAM_BOT_TOKEN=1:bench\nSQLITE_SOURCE_PATH={source}\n"
            f"DATA_DIR={folder / 'data'}\nRETENTION_SERVER_DAYS=0\n",
            encoding="utf-8",
        )
        sopbot = Path(sys.executable).with_name("sopbot")

        def baseline() -> None:
            target = folder / "baseline.db"
            target.unlink(missing_ok=True)
            subprocess.run(["sqlite3", str(source), f".backup '{target}'"], check=True)
            subprocess.run(
                ["openssl", "dgst", "-sha256", str(target)], check=True, capture_output=True
            )

        def project() -> None:
            for old in (folder / "data" / "dumps").glob("*"):
                old.unlink()
            done = subprocess.run(
                [str(sopbot), "backup", "--env-file", str(folder / ".env")],
                cwd=folder,
                capture_output=True,
                check=False,
            )
            if done.returncode != 0:
                raise RuntimeError(done.stderr.decode(errors="replace"))

        variants = {"sqlite3 .backup + openssl": baseline, "sopbot backup": project}
        times: dict[str, list[float]] = {name: [] for name in variants}
        for repeat in range(args.repeat):
            for name in list(variants)[:: 1 if repeat % 2 == 0 else -1]:
                started = time.perf_counter()
                variants[name]()
                times[name].append(time.perf_counter() - started)
        for name, values in times.items():
            print(f"{name:28} median {statistics.median(values):6.2f} s, min {min(values):6.2f} s")
        ratios = [
            s / b
            for s, b in zip(times["sopbot backup"], times["sqlite3 .backup + openssl"], strict=True)
        ]
        print(
            f"sopbot / baseline: median {statistics.median(ratios):.2f}, min {min(ratios):.2f} "
            "(target <= 1.3; sopbot's figure includes starting its process and its log)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
