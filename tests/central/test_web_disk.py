"""How long an office's external disk has been plugged in, end to end: the office's bot sends it
with its heartbeat (through its own login and sopbot_beat()), the central server dates it by its
own clock, and the web view shows it on the fleet page and in /metrics."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from centraldb import BULELENG, DENPASAR, Central, central_database  # noqa: F401 (fixture)
from conftest import POSTGRES_URL, WITA, make_settings, open_services
from prometheus_client.openmetrics.parser import text_string_to_metric_families
from sqlalchemy import text
from webfleet import serving

from bot.context import Services
from central.link import CentralLink, link_for
from core.clock import ManualClock
from storage.central import admin
from storage.central.webaccess import METRICS, WEB, add_token, add_web_login

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="needs PostgreSQL: set SOPBOT_TEST_POSTGRES_URL (.ci/run starts one)"
)

OFFICE_NOW = datetime(2026, 11, 25, 8, 0, tzinfo=WITA)
PLUGGED_FOR = timedelta(days=3, hours=8)
DAYS = "sopbot_office_disk_plugged_in_days"
SINCE = "sopbot_office_disk_plugged_in_since_timestamp_seconds"
HEARTBEAT = "sopbot_office_last_heartbeat_timestamp_seconds"


def office_bot(tmp_path: Path, office_id: str, url: str, disk: bool) -> Services:
    extra = {"external_disk_path": tmp_path / office_id / "disk"} if disk else {}
    settings = make_settings(
        "http://127.0.0.1:9/bot",
        tmp_path / office_id,
        office_id=office_id,
        office_name=f"Kantor {office_id}",
        central_database_url=url,
        **extra,
    )
    return open_services(settings, ManualClock(OFFICE_NOW))


def beat_once(link: CentralLink) -> None:
    status = link.cycle()
    assert not status.error, status.error


def metrics(base: str, token: str) -> dict[tuple[str, str], float]:
    with httpx.Client(base_url=base, timeout=10) as client:
        answer = client.get(
            "/metrics",
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/openmetrics-text; version=1.0.0",
            },
        )
    assert answer.status_code == 200
    return {
        (s.name, s.labels.get("office_id", "")): s.value
        for family in text_string_to_metric_families(answer.text)
        for s in family.samples
    }


def fleet_page(base: str, token: str) -> str:
    with httpx.Client(base_url=base, timeout=10) as client:
        form = client.get("/masuk").text
        csrf = form.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        assert client.post("/masuk", data={"token": token, "csrf": csrf}).status_code == 303
        return client.get("/").text


def test_the_time_a_disk_stays_plugged_in_reaches_the_supervisor(
    central: Central, tmp_path: Path
) -> None:
    engine = admin.central_engine(central.admin_url)
    web_url = add_web_login(engine, "disk").url
    metrics_token = add_token(engine, METRICS, "disk")
    web_token = add_token(engine, WEB, "disk")

    # Buleleng's bot watches its disk: HDD-PIAK-1 was plugged in 3 days and 8 hours ago (by the
    # office's clock) and is still in. Denpasar's bot has no external disk set up.
    buleleng = office_bot(tmp_path, BULELENG, central.offices[BULELENG].url, disk=True)
    buleleng.disks.register("d1", "HDD-PIAK-1", None, OFFICE_NOW - timedelta(days=30))
    buleleng.disks.register("d2", "HDD-PIAK-2", None, OFFICE_NOW - timedelta(days=30))
    buleleng.disks.seen("d1", OFFICE_NOW - PLUGGED_FOR)
    buleleng.disks.seen("d1", OFFICE_NOW)  # still in: the time it came in is kept
    denpasar = office_bot(tmp_path, DENPASAR, central.offices[DENPASAR].url, disk=False)
    link = link_for(buleleng, version="test")
    beat_once(link)
    beat_once(link_for(denpasar, version="test"))

    with engine.connect() as connection:
        row = connection.execute(
            text(
                "SELECT disk_watched, seen_at - disk_plugged_since AS plugged, disk_label "
                "FROM heartbeats WHERE office_id = :o"
            ),
            {"o": BULELENG},
        ).one()
    # The server's clock dates it: the office's clock only gave the duration.
    assert row.disk_watched and row.plugged == PLUGGED_FOR and row.disk_label == "HDD-PIAK-1"

    with serving(web_url, secure_cookies=False) as base:
        got = metrics(base, metrics_token)
        assert got[(DAYS, BULELENG)] == PLUGGED_FOR.total_seconds() / 86400
        assert got[(HEARTBEAT, BULELENG)] - got[(SINCE, BULELENG)] == pytest.approx(
            PLUGGED_FOR.total_seconds(), abs=0.01
        )
        # A bot that watches no disk says nothing: no sample, rather than a 0 that reads "out".
        assert (DAYS, DENPASAR) not in got and (SINCE, DENPASAR) not in got
        page = fleet_page(base, web_token)
        assert "⚠ HDD-PIAK-1 tercolok 3 hari" in page

        # The Kasi unplugs it; the watchdog sees it gone; the next heartbeat says so.
        buleleng.disks.seen(None, OFFICE_NOW + timedelta(minutes=1))
        buleleng.clock.advance(timedelta(minutes=buleleng.settings.central_heartbeat_minutes))  # type: ignore[attr-defined]
        beat_once(link)
        got = metrics(base, metrics_token)
        assert got[(DAYS, BULELENG)] == 0
        assert (SINCE, BULELENG) not in got
        assert "HDD-PIAK-1 tercolok" not in fleet_page(base, web_token)
    engine.dispose()
