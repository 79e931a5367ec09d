"""Another program holding the SOP log's lock (a backup tool, an antivirus, a second process)
freezes no chat: while a subprocess holds the write lock for 20 s, other chats' /status and
/bantuan are answered within 2 s (with the day, or "log sibuk"), a /selesai is either recorded or
its sender told to send it again, and once the lock goes nothing is lost.

SQLite: `BEGIN IMMEDIATE` on the file from another process (in WAL mode EXCLUSIVE is the same
lock: readers go on, writers wait). PostgreSQL: another connection holds `LOCK TABLE instructions
IN ACCESS EXCLUSIVE MODE` (no one may even read the instructions)."""

from __future__ import annotations

import asyncio
import time

from conftest import ADB, KABID, KASI, STRANGER, Chat, until
from locks import ANSWER_WITHIN, answered, lock_held

import texts
from core.sop import Role

LOCK_SECONDS = 20
BUSY = "Log sibuk"


async def test_a_locked_log_freezes_no_chat_and_loses_nothing(
    chat: Chat, database_url: str
) -> None:
    await chat.ask(KABID, "/instruksi adb Mohon back up harian")
    order = await chat.receive(ADB)
    await chat.send(ADB, "/backup")  # the dump step 9 rests on
    await until(chat, KABID, "Laporan back up database")
    await chat.idle()
    await chat.quiet()
    for user_id in (KABID, ADB, KASI):
        chat.drain(user_id)
    chat.advance(minutes=10)

    loop = asyncio.get_running_loop()
    with lock_held(database_url, LOCK_SECONDS, "instructions") as holder:
        closing = loop.create_task(answered(chat, ADB, "/selesai 1"))
        tick = loop.create_task(chat.tick())  # the watchdog's marks wait for the lock
        refused = await answered(chat, STRANGER, "/status")  # its row is written later
        assert "belum terdaftar" in refused
        rounds = 0
        while holder.poll() is None and rounds < 30:
            rounds += 1
            for user_id, command in ((KABID, "/status"), (KASI, "/bantuan"), (KASI, "/status")):
                reply = await answered(chat, user_id, command)
                if command == "/bantuan":
                    assert "Perintah yang dapat Anda gunakan" in reply or BUSY in reply
                else:
                    assert "langkah wajib" in reply or BUSY in reply
            await asyncio.sleep(0.5)
        assert rounds >= 3  # the answers above came while the lock was held
        first_answer = await asyncio.wait_for(closing, ANSWER_WITHIN)
        assert holder.wait(timeout=LOCK_SECONDS + 10) == 0

    await asyncio.wait_for(tick, 30)
    # Closing writes (and on PostgreSQL reads) what the lock holds: the ADB is told to resend.
    assert first_answer == texts.plain(texts.LOG_BUSY)
    await chat.send(ADB, "/selesai 1")
    await until(chat, ADB, "ditutup")
    await until(chat, KABID, "Laporan ADB")
    assert "Selesai oleh" in order.text  # the delivered instruction was updated

    svc = chat.services
    await chat.quiet(timeout=30)
    await asyncio.wait_for(svc.db.drain(30), 35)
    day = svc.soplog.day_status(svc.today())
    assert [i.status for i in day.instructions] == ["done"]
    assert len(day.events_for(9)) == 1
    assert not svc.soplog.open_instructions(Role)
    # The refusal during the lock is recorded once it could be.
    assert any(user == STRANGER for user, _, _ in svc.soplog.denials())
    # Every reply went out; none is left waiting in the outbox.
    assert not svc.outbox.pending(limit=1)


def test_the_holder_really_holds_the_lock(tmp_path: object) -> None:
    """The test above proves something only if the child's lock stops a writer."""
    import sqlite3
    from pathlib import Path

    path = Path(str(tmp_path)) / "log.db"
    connection = sqlite3.connect(path, timeout=0.2)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    with lock_held(f"sqlite:///{path.as_posix()}", 5, "instructions"):
        began = time.monotonic()
        try:
            connection.execute("INSERT INTO t VALUES (1)")
            connection.commit()
            locked = False
        except sqlite3.OperationalError as error:
            locked = "locked" in str(error)
        assert locked, f"a writer was not stopped ({time.monotonic() - began:.1f} s)"
    connection.close()
