"""The drill meets the disk while it is plugged in: after a verified copy, before the unplug
request, when the last passed drill is older than DRILL_EVERY_DAYS; /ujipulih with the disk away
says to plug it in, and records nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import ADB, KABID, KASI, Chat, until


@pytest.fixture
def settings_overrides(disk_path: Path) -> dict[str, Any]:
    return {"external_disk_path": disk_path, "external_auto_copy": False, "drill_every_days": 7}


async def copied(chat: Chat) -> None:
    await chat.send(ADB, "/backup")
    await until(chat, KABID, "Laporan back up database")
    await chat.send(KASI, "/salin")
    await until(chat, KABID, "terverifikasi")


async def test_the_due_drill_runs_after_the_copy_and_the_unplug_request_waits_for_it(
    chat: Chat,
) -> None:
    await copied(chat)

    keep = await until(chat, KASI, "Jangan cabut hard disk dulu")
    assert "Cabut (lepas) hard disk sekarang" not in keep.text
    started = await until(chat, ADB, "Uji pulih back up dimulai")
    assert "setelah salinan, sebelum hard disk dicabut" in started.text
    await until(chat, KABID, "Uji pulih LULUS")
    unplug = await until(chat, KASI, "Uji pulih selesai")
    assert "Cabut (lepas) hard disk sekarang" in unplug.text
    await chat.idle()
    drills = chat.services.drilllog.latest()
    assert [(d.trigger, d.outcome) for d in drills] == [("copy", "passed")]

    # The next copy within DRILL_EVERY_DAYS: no drill, the unplug request at once.
    chat.advance(days=1)
    await copied(chat)
    now = await until(chat, KASI, "Cabut (lepas) hard disk sekarang")
    assert "Jangan cabut" not in now.text
    await chat.idle()
    assert len(chat.services.drilllog.latest()) == 1

    # A week after the last pass, the copy is drilled again.
    chat.advance(days=7)
    await copied(chat)
    await until(chat, KASI, "Jangan cabut hard disk dulu")
    await until(chat, KASI, "Uji pulih selesai")
    await chat.idle()
    assert len(chat.services.drilllog.latest()) == 2


async def test_ujipulih_with_the_disk_away_says_to_plug_it_in(chat: Chat, disk_path: Path) -> None:
    chat.services.settings.external_disk_path = disk_path / "not-plugged-in"

    await chat.send(ADB, "/ujipulih")

    reply = await until(chat, ADB, "Pasang hard disk back up")
    assert "/ujipulih" in reply.text and "GAGAL" not in reply.text
    assert chat.services.drilllog.latest() == []
