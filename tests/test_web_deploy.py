"""What deploy/ ships for the web view: the systemd unit verifies, and the Prometheus rules and
the Grafana dashboard ask only for metrics the web view exposes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from storage.central.fleet import FleetRow, QueueHealth
from storage.central.view import OfficeState, judge
from web.metrics import exposition

ROOT = Path(__file__).parents[1]
DEPLOY = ROOT / "deploy"


def exposed_names() -> set[str]:
    now = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    hour = timedelta(hours=1)
    state = judge(
        OfficeState("5108", "Kantor", now - hour, now - hour, True, now - hour, now, 0), now
    )
    row = FleetRow(state, 3, 20, 21, True, now - 2 * hour, "HDD-1")  # a disk in for an hour
    body, _ = exposition([row], QueueHealth(1, 0, now), "text/plain")
    names = set()
    for family in text_string_to_metric_families(body.decode()):
        names.update(sample.name for sample in family.samples)
    return names


def test_alert_rules_and_dashboard_use_exposed_metrics_only() -> None:
    names = exposed_names()
    rules = (DEPLOY / "prometheus" / "sopbot-alerts.yml").read_text(encoding="utf-8")
    dashboard = (DEPLOY / "grafana" / "sopbot-fleet.json").read_text(encoding="utf-8")
    json.loads(dashboard)
    used = set(re.findall(r"\bsopbot_[a-z_]+", rules + dashboard)) - {"sopbot_pusat"}
    assert used, "no metric named"
    assert used <= names, used - names
    # Every rule has an expression, a duration and a summary.
    assert rules.count("- alert:") == rules.count("expr:") == rules.count("summary:") >= 8


CENTRAL_UNITS = {
    # unit file -> (its command, its environment file)
    "sopbot-web.service": ("pusat web --host 127.0.0.1", "/etc/sopbot/web.env"),
    "sopbot-saksi.service": ("pusat saksi --terus --kunci", "/etc/sopbot/pusat-admin.env"),
    "sopbot-penjaga.service": ("pusat penjaga", "/etc/sopbot/pusat-admin.env"),
}


@pytest.mark.parametrize("name", sorted(CENTRAL_UNITS))
def test_the_central_units_verify(tmp_path: Path, name: str) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here (the unit is checked where it is)")
    command, env_file = CENTRAL_UNITS[name]
    program = Path(sys.executable).with_name("sopbot")
    unit = (DEPLOY / name).read_text(encoding="utf-8")
    assert f"ExecStart=/opt/sopbot/.venv/bin/sopbot {command}" in unit
    env = tmp_path / "central.env"
    env.write_text("CENTRAL_DATABASE_URL=postgresql+psycopg://x@127.0.0.1/x\n")
    here = (
        unit.replace("/opt/sopbot/.venv/bin/sopbot", str(program))
        .replace("WorkingDirectory=/opt/sopbot", f"WorkingDirectory={tmp_path}")
        .replace(f"EnvironmentFile={env_file}", f"EnvironmentFile={env}")
    )
    (tmp_path / name).write_text(here, encoding="utf-8")
    timer = DEPLOY / name.replace(".service", ".timer")
    if timer.exists():
        (tmp_path / timer.name).write_text(timer.read_text(encoding="utf-8"), encoding="utf-8")
    units = [str(tmp_path / name)] + ([str(tmp_path / timer.name)] if timer.exists() else [])
    done = subprocess.run(
        [analyze, "verify", *units],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Unknown" not in done.stderr and "ignoring" not in done.stderr, done.stderr


def test_the_guard_runs_every_minute() -> None:
    timer = (DEPLOY / "sopbot-penjaga.timer").read_text(encoding="utf-8")
    assert "OnCalendar=*-*-* *:*:00" in timer
    service = (DEPLOY / "sopbot-penjaga.service").read_text(encoding="utf-8")
    assert "Type=oneshot" in service


def test_the_dockerfile_has_a_web_target_and_the_bot_stays_the_default() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    stages = re.findall(r"^FROM \S+ AS (\w+)$", text, flags=re.MULTILINE)
    assert stages[-1] == "bot" and "web" in stages
    assert "COPY web ./web" in text and '".[web]"' in text


def test_the_web_view_and_its_words_do_not_load_the_chat_library() -> None:
    """The web view shares the chat's words (texts) but runs without python-telegram-bot
    loaded, nor APScheduler or matplotlib (the PNG download imports it when asked)."""
    probe = (
        "import sys, texts.web, web.app, web.metrics; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'telegram', 'apscheduler', 'matplotlib'}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=ROOT,
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr
