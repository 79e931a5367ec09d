"""Secrets never leak: a day with a known token and Oracle password, then everything is searched."""

from __future__ import annotations

import io
import json
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from conftest import ADB, FAKE_EXPDP, KABID, KASI, TOKEN, Chat

from core.logs import configure_logging

PASSWORD = "Sup3r-Secret_Oracle!pw"


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    configure_logging([TOKEN, PASSWORD], verbose=True, handlers=[logging.StreamHandler(stream)])
    # httpx logs every request URL, token included: let it, to prove the mask catches it.
    logging.getLogger("httpx").setLevel(logging.INFO)
    yield stream
    logging.getLogger("httpx").setLevel(logging.WARNING)
    root.handlers[:] = saved
    root.setLevel(level)


@pytest.fixture
def settings_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("FAKE_EXPDP_DIR", str(tmp_path / "data" / "dumps"))
    monkeypatch.setenv("FAKE_EXPDP_RECORD", str(tmp_path / "record.json"))
    return {
        "dump_backend": "expdp",
        "expdp_path": str(FAKE_EXPDP),
        "oracle_user": "system",
        "oracle_password": PASSWORD,
        "oracle_dsn": "siakdb:1521/SIAK",
        "oracle_schemas": "SIAK",
    }


async def until(chat: Chat, chat_id: int, contains: str) -> None:
    while contains not in (await chat.receive(chat_id)).text:
        pass


async def test_a_full_day_leaks_neither_token_nor_password(
    log_stream: io.StringIO, chat: Chat, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await chat.ask(KABID, "/instruksi adb")
    monkeypatch.setenv("FAKE_EXPDP_MODE", "success")
    await chat.send(ADB, "/backup")
    await until(chat, KABID, "Laporan back up database")
    await chat.idle()  # the report goes out before the job has ended
    argv = json.loads((tmp_path / "record.json").read_text())["argv"]
    monkeypatch.setenv("FAKE_EXPDP_MODE", "no_directory")
    chat.advance(minutes=1)
    await chat.send(ADB, "/backup")
    await until(chat, KASI, "GAGAL")
    await chat.ask(ADB, "/selesai")
    await chat.ask(KABID, "/status")
    await chat.ask(KABID, "/jadwal")

    sent = json.dumps([call.params for call in chat.server.calls])
    assert "Laporan back up" in sent and "GAGAL" in sent  # the day really happened
    database = tmp_path / "data" / "sopbot.db"
    with closing(sqlite3.connect(database)) as db:
        rows = "\n".join(db.iterdump())
    files = "".join(
        p.read_text(errors="replace") for p in (tmp_path / "data" / "dumps").glob("*.log")
    )
    logs = log_stream.getvalue()
    assert "/bot***/sendMessage" in logs  # request URLs were logged, with the token masked
    for secret in (TOKEN, PASSWORD):
        assert secret not in sent
        assert secret not in logs
        assert secret not in rows
        assert secret not in files
        assert secret not in " ".join(argv)
