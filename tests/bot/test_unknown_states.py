"""Rows in states this version does not know (written by a newer version, or by hand): the chat
still answers, shows them as unknown, and neither counts them done nor calls them failed."""

from __future__ import annotations

from conftest import ADB, KABID, Chat, until
from sqlalchemy import text

from storage.states import Trigger


async def test_status_shows_a_step_and_a_drill_in_unknown_states_without_a_verdict(
    chat: Chat,
) -> None:
    await chat.send(ADB, "/backup")
    await until(chat, KABID, "Laporan back up database")
    await chat.idle()
    svc = chat.services
    drill_id = svc.drilllog.start(
        copy_id=None, dump_run_id=None, file_name="a.dmp", disk_label="HDD-PIAK-1",
        backend="sqlite", level=1, trigger=Trigger.CHAT, requested_by=None,
        started_at=chat.clock.now(),
    )  # fmt: skip
    with svc.dumplog.engine.begin() as connection:
        connection.execute(text("UPDATE step_events SET outcome = 'delegated'"))
        connection.execute(
            text("UPDATE restore_drills SET outcome = 'queued' WHERE id = :id"), {"id": drill_id}
        )

    await chat.send(KABID, "/status")
    status = await until(chat, KABID, "Status SOP")
    assert "Uji pulih terakhir: keadaan tidak dikenal" in status.text
    assert "GAGAL" not in status.text and "❌" not in status.text  # no verdict it cannot know
    assert "• 8. " in status.text and "✅ 8. " not in status.text  # shown, not counted done
    assert "0 dari" in status.text


async def test_status_shows_a_drill_under_way_as_running_not_failed(chat: Chat) -> None:
    """A drill still running (a long Oracle import, or /status asked meanwhile) has no verdict
    yet: /status says it runs, never ❌ GAGAL."""
    svc = chat.services
    svc.drilllog.start(
        copy_id=None, dump_run_id=None, file_name="a.dmp", disk_label="HDD-PIAK-1",
        backend="sqlite", level=1, trigger=Trigger.CHAT, requested_by=None,
        started_at=chat.clock.now(),
    )  # fmt: skip
    await chat.send(KABID, "/status")
    status = await until(chat, KABID, "Status SOP")
    assert "Uji pulih sedang berjalan" in status.text
    assert "GAGAL" not in status.text
