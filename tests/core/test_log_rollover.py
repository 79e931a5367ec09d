"""A log file held open by another program (Windows: `Get-Content -Wait` keeps it from being
renamed) postpones the rollover; no record is lost and the rollover happens once it is free."""

from __future__ import annotations

import errno
import logging
from pathlib import Path

import pytest

from core import logs


def test_a_held_log_postpones_the_rollover_and_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    handler = logs.HeldLogTolerantHandler(
        tmp_path / "sopbot.log", maxBytes=2000, backupCount=3, encoding="utf-8"
    )
    held = True
    real_rotate = handler.rotate

    def windows_rotate(source: str, dest: str) -> None:
        if held:  # WinError 32: the file is in use by another process
            raise PermissionError(errno.EACCES, "used by another process", source)
        real_rotate(source, dest)

    monkeypatch.setattr(handler, "rotate", windows_rotate)
    errors: list[logging.LogRecord] = []
    monkeypatch.setattr(handler, "handleError", errors.append)
    log = logging.getLogger("test.rollover")
    log.propagate = False
    log.addHandler(handler)
    try:
        for number in range(100):  # about 5 KB: past the 2000-byte rollover
            log.warning("record %03d %s", number, "x" * 30)
        assert errors == []  # nothing lost, no traceback per record
        assert "Log rollover postponed" in capsys.readouterr().err
        assert not (tmp_path / "sopbot.log.1").exists()
        text = (tmp_path / "sopbot.log").read_text(encoding="utf-8")
        assert all(f"record {n:03d}" in text for n in range(100))
        held = False  # the other program closed it
        monkeypatch.setattr(logs, "ROLLOVER_RETRY_SECONDS", 0.0)
        handler._retry_at = 0.0  # a minute later
        log.warning("after the hold")
        assert (tmp_path / "sopbot.log.1").exists()
        assert errors == []
        everything = "".join(p.read_text(encoding="utf-8") for p in tmp_path.glob("sopbot.log*"))
        assert all(f"record {n:03d}" in everything for n in range(100))
        assert "after the hold" in everything
    finally:
        log.removeHandler(handler)
        handler.close()
