#!/usr/bin/env python3
"""Benchmark: the province's web view (`sopbot pusat web`) at 514 offices and a year of history.

    PGPASSWORD=… python bench/web_fleet.py --database-url postgresql+psycopg://postgres@127.0.0.1/postgres

The URL is an administrator's: it creates the database `sopbot_web_bench`, 514 offices across
Indonesia's 38 provinces, a year of their evidence (bulk-loaded by the server: a dump, a copy and
an SOP day a day, a drill a week; some offices with old copies, unencrypted copies or a silent
bot), the web service's login and a token. Then the web view is served by uvicorn on a loopback
port in this process's threads, as `sopbot pusat web` serves it, and each page is fetched over
HTTP by a supervisor's session in a client process of its own (so the client's work is not
counted against the server's interpreter), `--repeat` times, interleaved with the baseline: the
query the CLI runs (`office_states`, what `sopbot pusat` prints) on the same connection kind.
Prints the median, min and p99 of each, the page's size, and the ratio page / baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import uvicorn  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from storage.central import admin  # noqa: E402
from storage.central.view import office_states  # noqa: E402
from storage.central.webaccess import METRICS, WEB, add_token, add_web_login, web_engine  # noqa: E402
from web.app import WebConfig, create_app  # noqa: E402
from web.regions import PROVINCES  # noqa: E402

DATABASE = "sopbot_web_bench"
CODES = sorted(PROVINCES)
OFFICES = [f"{CODES[n % len(CODES)]}{1 + n // len(CODES):02d}" for n in range(514)]

YEAR_SQL = text(
    """
    INSERT INTO evidence (office_id, key, seq, kind, happened_at, ok, encrypted, detail)
    SELECT o.office_id, k.kind || ':' || d, d * 4 + k.n, k.kind,
           date_trunc('day', now()) - d * interval '1 day' + interval '1 hour' * k.n,
           CASE WHEN k.kind = 'day' THEN (d + length(o.office_id)) % 9 <> 0 ELSE true END,
           CASE WHEN k.kind = 'copy' THEN o.office_id::int % 17 <> 0 END,
           CASE k.kind
             WHEN 'dump' THEN '{"outcome": "success", "size_bytes": 3221225472,
                               "total_rows": 41000000, "backend": "oracle"}'::jsonb
             WHEN 'copy' THEN jsonb_build_object('outcome', 'verified',
                               'disk', CASE WHEN d % 2 = 0 THEN 'HDD-A' ELSE 'HDD-B' END,
                               'size_bytes', 900000000)
             WHEN 'drill' THEN '{"outcome": "passed", "level": 2, "restore_seconds": 300}'::jsonb
             ELSE '{"steps_done": 11, "steps_required": 11, "late_steps": []}'::jsonb
           END
    FROM offices o, generate_series(0, 364) d,
         (VALUES (1, 'dump'), (2, 'copy'), (3, 'day'), (4, 'drill')) AS k(n, kind)
    WHERE (k.kind <> 'drill' OR d % 7 = o.office_id::int % 7)
      AND (k.kind <> 'copy' OR o.office_id::int % 10 <> 0 OR d >= 5)
    """
)

HEARTBEATS_SQL = text(
    """
    INSERT INTO heartbeats (office_id, seen_at, version, queued, note)
    SELECT office_id,
           now() - CASE WHEN office_id::int % 13 = 0 THEN interval '3 hours'
                        ELSE interval '2 minutes' END,
           'bench', office_id::int % 3, ''
    FROM offices
    """
)


def median_min_p99(times: list[float]) -> str:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    return (
        f"median {statistics.median(times) * 1000:7.1f} ms, min {ordered[0] * 1000:7.1f} ms, "
        f"p99 {p99 * 1000:7.1f} ms"
    )


# The client: a process of its own that logs in with the token, then reads one request a line
# (JSON: path and headers) and answers with the status, the seconds it took and the body's size.
CLIENT = """
import json, sys, time
import httpx
base, token = sys.argv[1], sys.argv[2]
client = httpx.Client(base_url=base, timeout=120)
form = client.get("/masuk")
csrf = form.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
assert client.post("/masuk", data={"token": token, "csrf": csrf}).status_code == 303
print("ready", flush=True)
for line in sys.stdin:
    path, headers = json.loads(line)
    started = time.perf_counter()
    answer = client.get(path, headers=headers)
    seconds = time.perf_counter() - started
    print(json.dumps([answer.status_code, seconds, len(answer.content)]), flush=True)
"""


class Client:
    """The client process, driven one request at a time (so the repeats stay interleaved)."""

    def __init__(self, base: str, token: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", CLIENT, base, token],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        if self.process.stdout.readline().strip() != "ready":
            raise SystemExit("the client could not log in")

    def get(self, path: str, headers: dict[str, str]) -> tuple[int, float, int]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps([path, headers]) + "\n")
        self.process.stdin.flush()
        status, seconds, size = json.loads(self.process.stdout.readline())
        return int(status), float(seconds), int(size)

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    options = parser.parse_args()
    print(f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(
        "command: python bench/web_fleet.py "
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
    bulk = create_engine(admin_url)  # no statement timeout: the year is one long statement
    with bulk.begin() as connection:  # the offices' rows; their logins are not needed here
        connection.execute(
            text("INSERT INTO offices (office_id, name, role_name) VALUES (:o, :n, :r)"),
            [
                {"o": o, "n": f"Disdukcapil Kabupaten Contoh {o}", "r": f"sopbot_kantor_{o}"}
                for o in OFFICES
            ],
        )
        connection.execute(YEAR_SQL)
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        connection.execute(HEARTBEATS_SQL)
        rows = connection.execute(text("SELECT count(*) FROM evidence")).scalar()
    bulk.dispose()
    with create_engine(admin_url, isolation_level="AUTOCOMMIT").connect() as connection:
        connection.execute(text("VACUUM ANALYZE"))
    print(
        f"{len(OFFICES)} offices, {rows} evidence rows, "
        f"loaded in {time.perf_counter() - started:.0f} s"
    )
    web_url = add_web_login(engine, "bench").url
    supervisor_url = admin.add_supervisor(engine, "bench").url
    web_token = add_token(engine, WEB, "bench")
    metrics_token = add_token(engine, METRICS, "bench")

    engine_web = web_engine(web_url)
    tz = ZoneInfo("Asia/Makassar")
    config = WebConfig(web_url, tz, secure_cookies=False)
    # The web view's clock on the last day of last month, late: the month's grid at its widest.
    last_day = datetime.now(tz).date().replace(day=1) - timedelta(days=1)
    clock = datetime(last_day.year, last_day.month, last_day.day, 23, 0, tzinfo=tz)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(engine_web, config, clock=lambda: clock),
            host="127.0.0.1",
            port=0,
            log_level="warning",
            lifespan="off",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise SystemExit("the web view did not start")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    base = f"http://127.0.0.1:{port}"

    supervisor = admin.central_engine(supervisor_url)
    client = Client(base, web_token)
    worst = office_states(supervisor, clock)[0].office_id
    pages = {
        "fleet page (514 offices, grid)": ("/", {}),
        "fleet page, unsafe only": ("/?keadaan=tidak_aman", {}),
        f"office page ({worst})": (f"/kantor/{worst}", {}),
        "/metrics (OpenMetrics)": (
            "/metrics",
            {
                "Authorization": f"Bearer {metrics_token}",
                "Accept": "application/openmetrics-text; version=1.0.0",
            },
        ),
    }
    times: dict[str, list[float]] = {name: [] for name in pages}
    sizes: dict[str, int] = {}
    baseline: list[float] = []
    for path, headers in pages.values():  # warm up once
        assert client.get(path, headers)[0] == 200, path
    office_states(supervisor, clock)
    for _ in range(options.repeat):  # interleaved: the baseline between the pages
        started = time.perf_counter()
        office_states(supervisor, clock)
        baseline.append(time.perf_counter() - started)
        for name, (path, headers) in pages.items():
            status, seconds, size = client.get(path, headers)
            assert status == 200, (path, status)
            times[name].append(seconds)
            sizes[name] = size
    print(
        f"\n{options.repeat} interleaved repeats, over HTTP on loopback, one client at a time "
        "(a process of its own)"
    )
    print(f"  {'baseline: office_states (the CLI)':38} {median_min_p99(baseline)}")
    for name, values in times.items():
        ratio = statistics.median(values) / statistics.median(baseline)
        print(
            f"  {name:38} {median_min_p99(values)}, {sizes[name] / 1024:6.0f} KiB, "
            f"{ratio:4.1f}x baseline"
        )
    client.close()
    server.should_exit = True
    thread.join(timeout=10)
    for each in (engine_web, supervisor, engine):
        each.dispose()
    if not options.keep:
        with root.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
    return 0


if __name__ == "__main__":
    sys.exit(main())
