"""A small fleet in a fresh central database for the web view's tests: five offices in two
provinces, each in another state, written as the administrator (who bypasses row-level
security), and the web view served by uvicorn on a free loopback port."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import uvicorn
from centraldb import BULELENG, DENPASAR, Central
from conftest import WITA
from sqlalchemy import Engine, text

from storage.central import admin
from storage.central.webaccess import (
    METRICS,
    WEB,
    add_token,
    add_web_login,
    set_region,
    web_engine,
)
from web.app import WebConfig, create_app

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=WITA)
BADUNG, LOMBOK_BARAT, MATARAM = "5103", "5201", "5271"
NAMES = {
    BADUNG: "Disdukcapil Kabupaten Badung",
    LOMBOK_BARAT: "Disdukcapil Kabupaten Lombok Barat",
    MATARAM: "Disdukcapil Kota Mataram",
}
# Worst first, as the supervisor must see them: Mataram never reported (4 problems), Denpasar's
# last copy is 6 days old and not encrypted, Badung's bot is silent, Lombok Barat's last passed
# drill is 20 days old, Buleleng is safe.
ORDER = [MATARAM, DENPASAR, BADUNG, LOMBOK_BARAT, BULELENG]
# The external disk at each bot's last heartbeat: Denpasar's HDD-A left in for 3 days and 8
# hours (by its heartbeat 2 minutes ago), Lombok Barat's HDD-1 in for 2 hours, Buleleng's out;
# Badung's bot says nothing of a disk.
DISKS = {
    DENPASAR: (NOW - timedelta(minutes=2) - timedelta(days=3, hours=8), "HDD-A"),
    LOMBOK_BARAT: (NOW - timedelta(minutes=4) - timedelta(hours=2), "HDD-1"),
    BULELENG: (None, None),
}
DENPASAR_PLUGGED_DAYS = 3 + 8 / 24
BULELENG_BREACHES = 2  # SOP days of November not complete
BULELENG_DRILL_LEVEL = 3


def day_at(days_ago: int, hour: int = 1, minute: int = 30) -> datetime:
    day = NOW.date() - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=WITA)


@dataclass
class Fleet:
    central: Central
    web_url: str  # the web service's own login
    metrics_token: str
    web_token: str  # a supervisor's web token (every office)
    ntb_login: admin.Login  # a supervisor limited to NTB (52)


def _evidence(
    rows: list[dict[str, object]], office: str, kind: str, n: int, **values: object
) -> None:
    detail = values.pop("detail", {})
    rows.append(
        {
            "office_id": office,
            "key": f"t/{kind}:{n}",
            "seq": len(rows) + 1,
            "kind": kind,
            "ok": values.get("ok", True),
            "encrypted": values.get("encrypted"),
            "happened_at": values["at"],
            "detail": json.dumps(detail),
        }
    )


def _history(
    office: str,
    *,
    last_copy_days_ago: int = 0,
    encrypted: bool = True,
    drill_days_ago: int = 3,
    drill_level: int = 3,
    incomplete_days: tuple[int, ...] = (),
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for ago in range(25):  # 1 to 25 November
        _evidence(
            rows,
            office,
            "dump",
            ago,
            at=day_at(ago),
            detail={
                "outcome": "success",
                "size_bytes": 52_428_800,
                "total_rows": 120_000,
                "backend": "oracle",
            },
        )
        if ago >= last_copy_days_ago:
            _evidence(
                rows,
                office,
                "copy",
                ago,
                at=day_at(ago),
                encrypted=encrypted,
                detail={
                    "outcome": "verified",
                    "disk": "HDD-A" if ago % 2 else "HDD-B",
                    "size_bytes": 10_485_760,
                },
            )
        if ago >= 1:
            _evidence(
                rows,
                office,
                "day",
                ago,
                at=day_at(ago, 0, 0),
                ok=ago not in incomplete_days,
                detail={
                    "steps_done": 11 if ago not in incomplete_days else 8,
                    "steps_required": 11,
                    "late_steps": [],
                },
            )
    _evidence(
        rows,
        office,
        "drill",
        1,
        at=day_at(drill_days_ago, 14),
        detail={
            "outcome": "passed",
            "level": drill_level,
            "restore_seconds": 42.5,
            "disk": "HDD-A",
        },
    )
    _evidence(
        rows,
        office,
        "drill",
        0,
        at=day_at(22, 14),
        ok=False,
        detail={"outcome": "failed", "level": 2, "restore_seconds": None, "disk": "HDD-B"},
    )
    return rows


def seed_fleet(central: Central) -> Fleet:
    engine = admin.central_engine(central.admin_url)
    for office_id, name in NAMES.items():
        admin.add_office(engine, office_id, name)
    rows = (
        _history(BULELENG, incomplete_days=(3, 10))
        + _history(DENPASAR, last_copy_days_ago=6, encrypted=False, drill_days_ago=2, drill_level=2)
        + _history(BADUNG)
        + _history(LOMBOK_BARAT, drill_days_ago=20, drill_level=1)
    )
    # Yesterday's copy at Buleleng (on HDD-A), re-read today and found damaged: no longer evidence.
    _evidence(
        rows,
        BULELENG,
        "check",
        1,
        at=day_at(0, 9),
        ok=False,
        encrypted=True,
        detail={"copy": "t/copy:1", "disk": "HDD-A"},
    )
    heartbeats = {
        BULELENG: NOW - timedelta(minutes=5),
        DENPASAR: NOW - timedelta(minutes=2),
        BADUNG: NOW - timedelta(hours=3),
        LOMBOK_BARAT: NOW - timedelta(minutes=4),
    }
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO evidence (office_id, key, seq, kind, happened_at, ok, encrypted, "
                "detail) VALUES (:office_id, :key, :seq, :kind, :happened_at, :ok, :encrypted, "
                "CAST(:detail AS jsonb))"
            ),
            rows,
        )
        # Every office was added before November (a later one would be "no data yet" till then).
        connection.execute(text("UPDATE offices SET created_at = '2026-10-01T00:00:00+08:00'"))
        # The server stamps a heartbeat with its own clock; these are made at a fixed time.
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        connection.execute(
            text(
                "INSERT INTO heartbeats (office_id, seen_at, version, queued, note, "
                "disk_watched, disk_plugged_since, disk_label) "
                "VALUES (:o, :at, 'test', :q, '', :watched, :since, :label)"
            ),
            [
                {
                    "o": o,
                    "at": at,
                    "q": 3 if o == DENPASAR else 0,
                    "watched": o in DISKS,
                    "since": DISKS.get(o, (None, None))[0],
                    "label": DISKS.get(o, (None, None))[1],
                }
                for o, at in heartbeats.items()
            ],
        )
    ntb = admin.add_supervisor(engine, "ntb")
    set_region(engine, ntb.role, "52")
    fleet = Fleet(
        central,
        add_web_login(engine, "uji").url,
        add_token(engine, METRICS, "grafana"),
        add_token(engine, WEB, "bali"),
        ntb,
    )
    engine.dispose()
    return fleet


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(web_url: str, *, secure_cookies: bool = True) -> Iterator[str]:
    """The web view on a free loopback port, its clock at NOW; yields its base URL."""
    engine: Engine = web_engine(web_url)
    config = WebConfig(database_url=web_url, tz=WITA, secure_cookies=secure_cookies)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(engine, config, clock=lambda: NOW),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="off",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web view did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()
