#!/usr/bin/env python3
"""Benchmark: how fast sopbot answers people on a long history, with its watchdog on, against a
bare python-telegram-bot bot on the same loopback Bot API server.

    python bench/latency.py --years 10 30 --repeat 5

For each history length the SOP log is filled through the project's storage API
(`bench/seed_history.py`). Then, repeated and interleaved (bare, sopbot, sopbot, bare, ...), each
bot runs in its own process with the Bot API stand-in (`bench/office.py`); this client, in this
process, sends /status, /riwayat, /daftar and /laporan one at a time and times each from sending
to the reply (for /laporan: to its last part, the CSV), while sopbot's watchdog ticks every
`--tick` seconds (the full minute's work, more often; every run lasts at least two ticks).
Prints p50/p99/max per command and bot, the sopbot/bare ratios as median and min over the repeats,
and each bot's resident memory after its /laporan. The targets (issue: benchmarks that cannot
flatter us): /status p99 <= 3x the bare bot at 10 years, no answer over 100 ms at 30 years.

`--baseline-tree DIR` makes the baseline sopbot itself as another checkout has it (e.g. the
commit before a change, from `git archive`), so a change is measured before and after, the two
interleaved in the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from seed_history import seed  # noqa: E402

KABID = 1001
# What each command's reply looks like, in order (the bare bot answers every one with BARE);
# anything else the bot says meanwhile (a watchdog alert) is read and skipped.
COMMANDS: dict[str, tuple[str, ...]] = {
    "/status": ("Status SOP-PIAK-02",),
    "/riwayat": ("Riwayat SOP-PIAK-02",),
    "/daftar": ("Daftar back up",),
    "/laporan": ("photo", "Laporan SOP-PIAK-02", "document"),  # its last part: the CSV
}
BARE = ("Status: semua baik.",)


def call(base: str, path: str, body: dict[str, object] | None = None) -> dict[str, object]:
    url = base.removesuffix("/bot") + path
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 - the loopback stand-in
        url, data=data, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        answer: dict[str, object] = json.loads(response.read())
        return answer


def ask(base: str, text: str, expected: tuple[str, ...]) -> float:
    started = time.perf_counter()
    call(base, "/control/send", {"user_id": KABID, "text": text})
    for marker in expected:
        while True:
            reply = call(base, f"/control/next?chat_id={KABID}&timeout=60")
            if reply["kind"] == marker or marker in str(reply["text"]):
                break
    return time.perf_counter() - started


def resident_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def one_run(kind: str, url: str, data_dir: Path, args: argparse.Namespace) -> dict[str, object]:
    data_dir.mkdir(parents=True, exist_ok=True)
    ready = data_dir / f"ready-{kind}"
    ready.unlink(missing_ok=True)
    script, run_as = HERE / "office.py", kind
    if kind == "bare" and args.baseline_tree is not None:
        script, run_as = args.baseline_tree / "bench" / "office.py", "sopbot"
    office = subprocess.Popen(
        [
            sys.executable,
            str(script),
            "--kind",
            run_as,
            "--database-url",
            url,
            "--data-dir",
            str(data_dir),
            "--tick",
            str(args.tick),
            "--ready",
            str(ready),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not (ready.exists() and ready.read_text().startswith("http")):
            if time.monotonic() > deadline or office.poll() is not None:
                raise RuntimeError(f"{kind} did not start")
            time.sleep(0.05)
        base = ready.read_text()
        started = time.monotonic()
        bare = kind == "bare" and args.baseline_tree is None
        for command, replies in COMMANDS.items():  # warm up: first imports, first queries
            ask(base, command, BARE if bare else replies)
        times: dict[str, list[float]] = {c: [] for c in COMMANDS}
        while True:
            for command, replies in COMMANDS.items():
                count = args.laporan if command == "/laporan" else args.count
                if len(times[command]) < count:
                    times[command].append(ask(base, command, BARE if bare else replies))
                    time.sleep(args.pace)
            done = all(
                len(v) >= (args.laporan if c == "/laporan" else args.count)
                for c, v in times.items()
            )
            if done and time.monotonic() - started >= 2 * args.tick + 1:
                break
            if done:
                time.sleep(args.pace)
        rss = resident_mb(office.pid)
        return {"times": times, "rss": rss}
    finally:
        office.terminate()
        office.wait(timeout=60)


def pct(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(years: int, runs: dict[str, list[dict[str, object]]]) -> None:
    print(f"\n== {years} years of history ==")
    print(f"{'command':10} {'bot':7} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for command in COMMANDS:
        for kind in ("bare", "sopbot"):
            values = [t for run in runs[kind] for t in run["times"][command]]  # type: ignore[index]
            print(
                f"{command:10} {kind:7} {pct(values, 0.5) * 1e3:8.1f} "
                f"{pct(values, 0.99) * 1e3:8.1f} {max(values) * 1e3:8.1f}"
            )
        ratios = [
            pct(s["times"][command], 0.99) / pct(b["times"][command], 0.99)  # type: ignore[index]
            for s, b in zip(runs["sopbot"], runs["bare"], strict=True)
        ]
        print(
            f"{'':10} p99 sopbot/bare per repeat: median {statistics.median(ratios):.2f}, "
            f"min {min(ratios):.2f}"
        )
    for kind in ("bare", "sopbot"):
        rss = [r["rss"] for r in runs[kind] if r["rss"] is not None]
        if rss:
            middle = statistics.median(rss)  # type: ignore[type-var]
            print(f"resident memory after /laporan, {kind}: median {middle:.0f} MB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--years", type=int, nargs="+", default=[10, 30])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--count", type=int, default=30, help="each of /status /riwayat /daftar")
    parser.add_argument("--laporan", type=int, default=4)
    parser.add_argument("--pace", type=float, default=0.1)
    parser.add_argument("--tick", type=float, default=5.0)
    parser.add_argument("--baseline-tree", type=Path, help="sopbot of this checkout as baseline")
    args = parser.parse_args()
    if args.baseline_tree is not None:
        print(f"baseline ('bare' below): sopbot from {args.baseline_tree}")
    print(f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print("command: " + " ".join([Path(sys.executable).name, *sys.argv]))
    scratch = Path(tempfile.mkdtemp(prefix="sopbot-latency-"))
    try:
        for years in args.years:
            url = f"sqlite:///{(scratch / f'{years}y.db').as_posix()}"
            took = time.monotonic()
            counts = seed(url, years, date.today(), progress=False)
            print(f"seeded {years} years in {time.monotonic() - took:.0f} s: {counts}")
            runs: dict[str, list[dict[str, object]]] = {"bare": [], "sopbot": []}
            for repeat in range(args.repeat):
                order = ("bare", "sopbot") if repeat % 2 == 0 else ("sopbot", "bare")
                for kind in order:
                    runs[kind].append(one_run(kind, url, scratch / f"data-{years}", args))
            report(years, runs)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
