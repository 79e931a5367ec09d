#!/usr/bin/env python3
"""Benchmark: 514 offices reporting to one central PostgreSQL on this machine, and the
supervisor's query on a year of their evidence.

    python bench/central_load.py --database-url postgresql+psycopg://postgres@127.0.0.1:54329/postgres

The URL is an administrator's (it creates the database `sopbot_central_bench`, the 514 office
logins and a supervisor login; give the password through PGPASSWORD, not the URL).

1. Push: every office sends a month of history the way its bot does (storage.central.push, its
   own login, row-level security, a new connection per cycle): per day a dump, a copy and the SOP
   day in one transaction, a drill every week, and a heartbeat. `--clients` offices at a time, in
   `--processes` client processes (not this one). Side by side: the same login over a kept
   connection (row-level security alone), and the baseline, the same rows sent by one superuser
   with kept connections and no row-level security (the best this server does). Interleaved,
   `--repeat` times each, into an emptied table; prints records/s (median and min over the
   repeats), p50/p99 of one cycle (connect, deliver, heartbeat), and the ratios.
2. Supervisor: `office_states` (what `sopbot pusat` and /kantor run) as the supervisor login on
   one month and on one year of evidence for 514 offices (the year bulk-loaded by the server),
   repeated; the year/month ratio shows whether the query grows with history.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from storage.central import admin  # noqa: E402
from storage.central.push import beat, deliver  # noqa: E402
from storage.central.record import EvidenceRecord  # noqa: E402
from storage.central.view import office_states  # noqa: E402

DATABASE = "sopbot_central_bench"
OFFICES = [f"{5100 + n // 100:04d}{n % 100:02d}" for n in range(514)]  # 6-digit codes
DAYS = 30
START = datetime(2026, 10, 1, 1, 0, tzinfo=UTC)


def month_of(office_index: int, day: int) -> list[EvidenceRecord]:
    at = START + timedelta(days=day, minutes=office_index % 60)
    seq = day * 4
    tables = {f"SIAK.T{n}": 1000 * n + office_index for n in range(20)}
    records = [
        EvidenceRecord(seq + 1, f"dump:{day}", "dump", at, True, None, {"tables": tables}),
        EvidenceRecord(
            seq + 2,
            f"copy:{day}",
            "copy",
            at + timedelta(hours=7),
            True,
            True,
            {"disk": "HDD-1", "sha256": "ab" * 32, "size_bytes": 3 * 10**9},
        ),
        EvidenceRecord(
            seq + 3,
            f"day:{day}",
            "day",
            at + timedelta(hours=16),
            True,
            None,
            {"steps_done": 11, "steps_required": 11, "late_steps": []},
        ),
    ]
    if day % 7 == 6:
        records.append(
            EvidenceRecord(seq + 4, f"drill:{day}", "drill", at, True, None, {"level": 2})
        )
    return records


# How a client sends: as the bot does (its own login, row-level security, one new connection per
# cycle for the day's records and its heartbeat), the same login over a kept connection (row-level
# security alone), and the baseline (one superuser, kept connections, no row-level security).
AS_THE_BOT, KEPT, BASELINE = "offices, as the bot", "offices, kept conn.", "baseline"
BASELINE_BEAT = text(
    "INSERT INTO heartbeats (office_id, seen_at, version, queued, note) "
    "VALUES (:office, now(), 'bench', 0, '') ON CONFLICT (office_id) DO UPDATE "
    "SET seen_at = excluded.seen_at"
)
MODES = (AS_THE_BOT, KEPT, BASELINE)


def push_offices(args: tuple[str, list[tuple[int, str]], int, str]) -> list[float]:
    """One client process: its offices, `threads` at a time, each a month. Returns the time of
    each cycle (connect if new, deliver the day's records, heartbeat), in seconds."""
    base_url, offices, threads, mode = args
    timings: list[float] = []
    shared = create_engine(base_url, pool_size=threads) if mode == BASELINE else None

    def one_office(item: tuple[int, str]) -> list[float]:
        index, url = item
        office_id = OFFICES[index]
        if shared is not None:
            engine = shared
        elif mode == KEPT:
            engine = create_engine(url, pool_size=1)
        else:
            engine = admin.central_engine(url)  # no pool: what the bot uses
        times = []
        for day in range(DAYS):
            started = time.perf_counter()
            with engine.connect() as connection:
                deliver(connection, office_id, month_of(index, day))
                if mode == BASELINE:  # a superuser is no office: the row itself, as sopbot_beat
                    with connection.begin():
                        connection.execute(BASELINE_BEAT, {"office": office_id})
                else:
                    beat(connection, office_id, START + timedelta(days=day), "bench", 0, "")
            times.append(time.perf_counter() - started)
        if shared is None:
            engine.dispose()
        return times

    with ThreadPoolExecutor(threads) as pool:
        for times in pool.map(one_office, offices):
            timings.extend(times)
    return timings


def run_push(
    admin_url: str, logins: list[str], processes: int, clients: int, mode: str
) -> tuple[float, list[float], int]:
    engine = create_engine(admin_url)
    with engine.begin() as connection:
        connection.execute(text("TRUNCATE evidence, heartbeats, office_usage"))
    engine.dispose()
    items = list(enumerate(logins))
    shares = [
        (
            admin_url if mode == BASELINE else "",
            items[n::processes],
            max(1, clients // processes),
            mode,
        )
        for n in range(processes)
    ]
    started = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        timings = [t for part in pool.map(push_offices, shares) for t in part]
    elapsed = time.perf_counter() - started
    records = sum(len(month_of(i, d)) for i in range(len(logins)) for d in range(DAYS))
    return elapsed, timings, records


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


YEAR_SQL = text(
    """
    INSERT INTO evidence (office_id, key, seq, kind, happened_at, ok, encrypted, detail)
    SELECT o.office_id, k.kind || '-y' || d, d * 4 + k.n, k.kind,
           timestamptz '2025-10-01 01:00+00' + d * interval '1 day', true,
           CASE WHEN k.kind = 'copy' THEN true END, '{"bench": true}'::jsonb
    FROM offices o, generate_series(0, 364) d,
         (VALUES (1, 'dump'), (2, 'copy'), (3, 'day')) AS k(n, kind)
    ON CONFLICT DO NOTHING
    """
)


def vacuum(url: str) -> None:
    """What autovacuum does after a while: the visibility map lets the index answer alone."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("VACUUM ANALYZE evidence"))
    engine.dispose()


def time_states(url: str, repeat: int) -> list[float]:
    engine = admin.central_engine(url)
    office_states(engine, datetime.now(UTC))  # connect once before timing
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        states = office_states(engine, datetime.now(UTC))
        times.append(time.perf_counter() - started)
    assert len(states) == len(OFFICES), len(states)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--clients", type=int, default=32, help="offices pushing at once")
    parser.add_argument("--query-repeat", type=int, default=9)
    options = parser.parse_args()
    print(f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(
        "command: python bench/central_load.py "
        + " ".join(sys.argv[1:]).replace(options.database_url, "URL")
    )

    root = create_engine(options.database_url, isolation_level="AUTOCOMMIT")
    with root.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{DATABASE}"'))
        version = connection.execute(text("SHOW server_version")).scalar()
    print(f"PostgreSQL {version}")
    admin_url = (
        make_url(options.database_url).set(database=DATABASE).render_as_string(hide_password=False)
    )
    engine = admin.central_engine(admin_url)
    admin.upgrade(engine)
    started = time.perf_counter()
    logins = [admin.add_office(engine, office, f"Kantor {office}").url for office in OFFICES]
    supervisor = admin.add_supervisor(engine, "bench").url
    print(f"{len(OFFICES)} office logins created in {time.perf_counter() - started:.1f} s")

    runs: dict[str, list[tuple[float, list[float], int]]] = {mode: [] for mode in MODES}
    for repeat in range(options.repeat):
        for mode in MODES[:: 1 if repeat % 2 == 0 else -1]:  # interleaved
            runs[mode].append(run_push(admin_url, logins, options.processes, options.clients, mode))
    print(
        f"\n1. Push: {len(OFFICES)} offices x {DAYS} days, {options.clients} at a time in "
        f"{options.processes} client processes; {options.repeat} interleaved repeats"
    )
    print(f"  {'':20} {'records/s med':>14} {'min':>8} {'cycle p50 ms':>13} {'p99 ms':>8}")
    rates = {}
    for name, results in runs.items():
        per_second = [records / elapsed for elapsed, _, records in results]
        all_times = [t for _, timings, _ in results for t in timings]
        rates[name] = statistics.median(per_second)
        print(
            f"  {name:20} {statistics.median(per_second):14.0f} {min(per_second):8.0f} "
            f"{p(all_times, 0.5) * 1000:8.1f} {p(all_times, 0.99) * 1000:8.1f}"
        )
    for mode in (AS_THE_BOT, KEPT):
        print(f"  ratio baseline / {mode}: {rates[BASELINE] / rates[mode]:.2f}")

    # The last push left one month; its query time, then the year's.
    vacuum(admin_url)
    month = time_states(supervisor, options.query_repeat)
    with engine.begin() as connection:
        connection.execute(YEAR_SQL)
        rows = connection.execute(text("SELECT count(*) FROM evidence")).scalar()
    vacuum(admin_url)
    year = time_states(supervisor, options.query_repeat)
    runs_text = f"{options.query_repeat} runs"
    print(f"\n2. Supervisor query (office_states, {len(OFFICES)} offices), {runs_text}")
    for label, times in (("one month", month), (f"one year ({rows} rows)", year)):
        median, fastest = statistics.median(times) * 1000, min(times) * 1000
        print(f"  {label:26} median {median:7.1f} ms, min {fastest:7.1f} ms")
    print(f"  ratio year/month: {statistics.median(year) / statistics.median(month):.2f}")
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
