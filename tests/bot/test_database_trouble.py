"""A state database that cannot be written is an alarm, not a footnote: replies say the action
was not recorded, the ADB and the Kabid are told directly once, backups still run into a local
journal, and the journal is merged when the log can be written again."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ADB, KABID, Chat, until
from disks import TmpfsDisk, external_disk, needs_mount

ALARM = "LOG SOP TIDAK DAPAT DITULIS"


@pytest.fixture
def database_disk(tmp_path: Path) -> Iterator[TmpfsDisk]:
    """The SOP log alone on a small file system, to fill it."""
    with external_disk(tmp_path / "db", "8m") as disk:
        yield disk


@pytest.fixture
def database_url(database_disk: TmpfsDisk) -> str:  # overrides the shared fixture
    return f"sqlite:///{(database_disk.path / 'sopbot.db').as_posix()}"


def fill(folder: Path) -> Path:
    """Fill the file system holding `folder` to the last byte."""
    filler = folder / "filler.bin"
    handle = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        for block in (65536, 1):
            with contextlib.suppress(OSError):
                while True:
                    os.write(handle, b"\0" * block)
    finally:
        os.close(handle)
    return filler


@needs_mount
async def test_a_full_database_disk_is_an_alarm_and_nothing_is_lost(
    chat: Chat, database_disk: TmpfsDisk, tmp_path: Path
) -> None:
    filler = fill(database_disk.path)
    await chat.send(KABID, "/instruksi adb tolong back up")
    seen = [(await chat.receive(KABID)).text for _ in range(2)]  # the alarm and the reply
    assert any("Perintah Anda TIDAK tercatat" in t for t in seen)  # never "nothing lost"
    assert any(ALARM in t for t in seen)
    assert ALARM in (await until(chat, ADB, ALARM)).text
    again = await chat.ask(KABID, "/instruksi adb sekali lagi")
    assert "Perintah Anda TIDAK tercatat" in again.text
    await chat.send(ADB, "/backup")  # the backup still runs, its result kept aside
    await until(chat, KABID, "Laporan back up database")
    await chat.idle()
    journal = tmp_path / "data" / "journal" / "sop-journal.jsonl"
    assert len(journal.read_text().splitlines()) == 1
    alarms = [m for m in chat.server.sent_to(KABID) if ALARM in m.text]
    assert len(alarms) == 1  # once per incident, not once per failure

    filler.unlink()  # the ADB makes room
    await chat.tick()
    back = await until(chat, KABID, "dapat ditulis lagi")
    assert "1 hasil back up" in back.text
    [run] = chat.services.dumplog.latest(5)
    assert run.outcome == "success" and run.sha256
    assert not journal.exists()
    day = chat.services.soplog.day_status(chat.services.today())
    assert [e.outcome for e in day.events_for(8)] == ["done"]


async def test_a_deleted_database_file_is_noticed(chat: Chat, tmp_path: Path) -> None:
    url = chat.services.settings.database_url
    if not url.startswith("sqlite:///"):
        pytest.skip("a file to delete exists only for SQLite")
    path = Path(url.removeprefix("sqlite:///"))
    path.unlink()
    await chat.tick()
    alarm = await until(chat, KABID, ALARM)
    assert "terhapus atau diganti" in alarm.text
