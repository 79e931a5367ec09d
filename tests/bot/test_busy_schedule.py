"""APScheduler's job store is the SOP log's database: another program holding its lock while the
daily dump becomes due, and while /jadwal changes the schedule, freezes no chat. Other chats'
/status, /bantuan and /jadwal are answered within 2 s throughout; the change is either made or
its sender told the log is busy; once the lock goes the due dump runs, once.

SQLite: `BEGIN IMMEDIATE` from another process (in WAL mode the job store can still be read, so
the due job is found; writing its next run waits). PostgreSQL: another connection holds
`LOCK TABLE apscheduler_jobs IN ACCESS EXCLUSIVE MODE` (even finding the due job waits)."""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime
from typing import Any

import pytest
from conftest import ADB, KABID, KASI, WITA, Chat, until
from locks import answered, lock_held
from sqlalchemy.exc import OperationalError

import texts
from jobs.schedule import DUMP_JOB_ID

LOCK_SECONDS = 15
BUSY = "Log sibuk"
CHANGED = "diubah dari 01:00 menjadi 02:30"


async def answer_to_change(chat: Chat) -> str:
    """The ADB's answer to the change: the change's note or "log sibuk" (the dump's own
    messages to the ADB may come first)."""
    busy = texts.plain(texts.LOG_BUSY)
    while True:
        text = str((await chat.receive(ADB, timeout=LOCK_SECONDS + 40)).text)
        if CHANGED in text or text == busy:
            return text


async def test_a_locked_job_store_freezes_no_chat_and_the_due_dump_runs_once(
    chat: Chat, database_url: str
) -> None:
    svc = chat.services
    chat.clock.set(datetime(2026, 11, 26, 1, 0, tzinfo=WITA))  # the dump's own time
    apscheduler = svc.scheduler.scheduler
    # Due now, but nobody looks until the lock is held: APScheduler's thread only reads the
    # job store when it is not paused.
    apscheduler.pause()
    apscheduler.modify_job(DUMP_JOB_ID, next_run_time=datetime.now(WITA))
    assert not svc.dumplog.latest(1)

    loop = asyncio.get_running_loop()
    with lock_held(database_url, LOCK_SECONDS, "apscheduler_jobs") as holder:
        await asyncio.to_thread(apscheduler.resume)  # the dump is due while the lock is held
        await chat.send(ADB, "/jadwal 02:30")  # writes the job store
        changing = loop.create_task(answer_to_change(chat))
        rounds = 0
        while holder.poll() is None and rounds < 30:
            rounds += 1
            status = await answered(chat, KASI, "/status")
            assert "langkah wajib" in status or BUSY in status
            help_text = await answered(chat, KASI, "/bantuan")
            assert "Perintah yang dapat Anda gunakan" in help_text or BUSY in help_text
            view = await answered(chat, KASI, "/jadwal")
            assert "setiap hari pukul" in view
            await asyncio.sleep(0.5)
        assert rounds >= 3  # the answers above came while the lock was held
        assert holder.wait(timeout=LOCK_SECONDS + 10) == 0

    # The change was made, or its sender told to send it again; never silently lost.
    reply = await asyncio.wait_for(changing, LOCK_SECONDS + 45)
    if CHANGED in reply:
        assert svc.scheduler.backup_time.strftime("%H:%M") == "02:30"
    else:
        assert reply == texts.plain(texts.LOG_BUSY)
        assert svc.scheduler.backup_time.strftime("%H:%M") == "01:00"
        await chat.send(ADB, "/jadwal 02:30")
        await until(chat, ADB, CHANGED)
    next_run = await asyncio.to_thread(svc.scheduler.next_run)
    assert next_run is not None and next_run.astimezone(WITA).strftime("%H:%M") == "02:30"

    # The dump that became due during the lock runs once the lock goes, once.
    report = await until(chat, KABID, "Laporan back up database")
    assert "SIAK_20261126_0100.dmp" in report.text
    await chat.idle(timeout=60)
    runs = await asyncio.to_thread(svc.dumplog.latest, 5)
    assert [(run.trigger, run.outcome) for run in runs] == [("schedule", "success")]


async def test_a_next_run_that_cannot_be_written_does_not_start_the_run_again(
    chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The log locked beyond the busy timeout while APScheduler writes a started run's next
    time: its thread goes on, the round is tried again, and the run it finds due again (the
    old time is still stored) is not started a second time, even once the first has ended."""
    svc = chat.services
    chat.clock.set(datetime(2026, 11, 26, 1, 0, tzinfo=WITA))
    apscheduler = svc.scheduler.scheduler
    apscheduler.jobstore_retry_interval = 0.1
    apscheduler.pause()
    svc.scheduler.fire_now()
    store = apscheduler._lookup_jobstore("default")
    write = store.update_job
    ended = threading.Event()  # the first run has ended: the lock may go
    failed_after_the_end = 0

    def locked_until_the_run_ended(job: Any) -> None:
        nonlocal failed_after_the_end
        if not ended.is_set() or failed_after_the_end < 3:
            failed_after_the_end += ended.is_set()
            raise OperationalError("UPDATE apscheduler_jobs", {}, Exception("database is locked"))
        write(job)

    monkeypatch.setattr(store, "update_job", locked_until_the_run_ended)
    await asyncio.to_thread(apscheduler.resume)
    await until(chat, KABID, "Laporan back up database")
    await chat.idle(timeout=60)
    ended.set()
    async with asyncio.timeout(30):  # the next run is written once the "lock" has gone
        while True:
            next_run = await asyncio.to_thread(svc.scheduler.next_run)
            if next_run is not None and next_run > datetime.now(WITA):
                break
            await asyncio.sleep(0.05)
    assert failed_after_the_end == 3
    await chat.idle(timeout=60)
    runs = await asyncio.to_thread(svc.dumplog.latest, 5)
    assert [(run.trigger, run.outcome) for run in runs] == [("schedule", "success")]
