"""Ctrl+C on `sopbot backup` in a console (Task Scheduler's or a person's): the first one stops the
export through its contract, on the server too, and a second one does not interrupt that."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FAKE_EXPDP

from core.problems import Code
from storage.database import make_engine
from storage.dumps import DumpLog

POSIX = os.name == "posix"


def wait_until(condition: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_ctrl_c_on_sopbot_backup_stops_the_server_job_and_a_second_one_waits(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": "1:abc",
        "KABID_IDS": "1",
        "DATA_DIR": str(data),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'sop.db'}",
        "DUMP_BACKEND": "expdp",
        "EXPDP_PATH": str(FAKE_EXPDP),
        "ORACLE_USER": "system",
        "ORACLE_PASSWORD": "pw-123456",
        "ORACLE_DSN": "siak",
        "FAKE_EXPDP_DIR": str(data / "dumps"),
        "FAKE_EXPDP_MODE": "hang",
        "FAKE_EXPDP_RECORD": str(tmp_path / "rec.json"),
    }
    group: dict[str, object] = (
        {"start_new_session": True}
        if POSIX
        else {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0x200)}
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "sopbot.cli", "backup", "--env-file", str(tmp_path / "none")],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        **group,  # type: ignore[call-overload]
    )
    try:
        state = lambda: list((data / "dumps").glob("*.state"))  # noqa: E731
        wait_until(lambda: state() and (tmp_path / "rec.json").exists())
        # A console's Ctrl+C reaches the whole foreground group: here the bot's group (expdp has
        # its own). On Windows a test can send only Ctrl+Break to a group.
        interrupt = signal.SIGINT if POSIX else signal.CTRL_BREAK_EVENT  # type: ignore[attr-defined,unused-ignore]
        if POSIX:
            os.killpg(process.pid, interrupt)
        else:
            os.kill(process.pid, interrupt)
        time.sleep(0.3)
        if process.poll() is None:  # impatient: a second Ctrl+C while the job is being stopped
            if POSIX:
                os.killpg(process.pid, interrupt)
            else:
                os.kill(process.pid, interrupt)
        output, _ = process.communicate(timeout=200)
    finally:
        if process.poll() is None:
            process.kill()
    text = output.decode("utf-8", errors="replace")
    assert process.returncode == 130, text
    assert "Traceback" not in text and "KeyboardInterrupt" not in text
    [job] = state()
    assert job.read_text() == "STOPPED"  # expdp attach + KILL_JOB ran to its end
    record = DumpLog(make_engine(env["DATABASE_URL"])).latest(1)[0]
    assert record.outcome == "interrupted" and [e.code for e in record.errors] == [Code.STOPPED]
    expdp = json.loads((tmp_path / "rec.json").read_text())["pid"]
    if POSIX:
        with pytest.raises(ProcessLookupError):
            os.kill(expdp, 0)
