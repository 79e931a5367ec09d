"""The service definitions give the bot the first word and enough time to stop an export on the
server: the WinSW XML as WinSW 2.12 reads it, the systemd unit as systemd does."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from bot.app import STOP_FLUSH_SECONDS
from jobs.dump.expdp import ExpdpBackend

ROOT = Path(__file__).resolve().parents[1]
WINSW = ROOT / "deploy" / "windows" / "sopbot-service.xml"
UNIT = ROOT / "deploy" / "sopbot.service"
# The longest stop of a running export: the client's wait for the stop, expdp ended, attach and
# KILL_JOB, a hung attach ended; then the verdict's flush to Telegram.
LONGEST_STOP = ExpdpBackend.stop_seconds + STOP_FLUSH_SECONDS

# WinSW 2.12, src/WinSW.Core/Util/ConfigHelper.cs ParseTimeSpan: the first suffix (in this order)
# the trimmed value ends with, the number before it trimmed; no suffix means milliseconds.
WINSW_SUFFIXES = (
    ("ms", 0.001),
    ("sec", 1),
    ("secs", 1),
    ("min", 60),
    ("mins", 60),
    ("hr", 3600),
    ("hrs", 3600),
    ("hour", 3600),
    ("hours", 3600),
    ("day", 86400),
    ("days", 86400),
)


def winsw_seconds(value: str) -> float:
    value = value.strip()
    for suffix, seconds in WINSW_SUFFIXES:
        if value.endswith(suffix):
            return int(value[: -len(suffix)].strip()) * seconds
    return int(value) / 1000


def winsw_bool(value: str | None) -> bool | None:
    """XmlServiceConfig.StopParentProcessFirst: bool.TryParse (case-insensitive true/false)."""
    if value is None or value.strip().lower() not in ("true", "false"):
        return None
    return value.strip().lower() == "true"


def test_the_winsw_parser_reads_durations_as_winsw_does() -> None:
    assert winsw_seconds("180 sec") == 180
    assert winsw_seconds("10sec") == 10
    assert winsw_seconds("3 min") == 180
    assert winsw_seconds("15000") == 15  # no suffix: milliseconds


def test_winsw_stops_the_bot_first_with_time_for_kill_job() -> None:
    service = ET.parse(WINSW).getroot()
    assert service.tag == "service"
    # Explicit: WinSW before 2.10 defaulted to false (children first, expdp.exe terminated).
    assert winsw_bool(service.findtext("stopparentprocessfirst")) is True
    timeout = service.findtext("stoptimeout")
    assert timeout is not None and winsw_seconds(timeout) >= LONGEST_STOP
    # A hidden window leaves no console to send Ctrl+C to: WinSW would terminate the bot at once.
    assert winsw_bool(service.findtext("hidewindow")) is not True
    # No stop program: the stop is WinSW's Ctrl+C to the bot, which the bot handles.
    assert service.find("stopargument") is None and service.find("stopexecutable") is None
    executable = service.findtext("executable") or ""
    assert executable.endswith("sopbot.exe")
    assert (service.findtext("arguments") or "").split()[0] == "run"


def test_systemd_sends_the_stop_to_the_bot_alone_with_time_for_kill_job() -> None:
    unit = UNIT.read_text(encoding="utf-8")
    settings = dict(
        re.findall(r"^([A-Za-z]+)=(.*)$", unit, flags=re.MULTILINE)  # last one wins, as systemd
    )
    assert settings["KillMode"] == "mixed"
    assert int(settings["TimeoutStopSec"]) >= LONGEST_STOP
    assert settings.get("KillSignal", "SIGTERM") == "SIGTERM"


def test_the_docker_notes_give_the_same_stop_time() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    docker = readme.split("### Docker", 1)[1].split("\n## ", 1)[0]
    found = [int(n) for n in re.findall(r"--stop-timeout[ =](\d+)", docker)]
    assert found and min(found) >= LONGEST_STOP
    grace = re.findall(r"stop_grace_period: (\d+)s", docker)
    assert grace and int(grace[0]) >= LONGEST_STOP
