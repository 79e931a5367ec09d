"""The log's async face against a real SQLite lock held by another connection: a call someone
waits for says "busy" after the short wait, a write that must land waits for the lock to go,
and work outside the face keeps the long wait (the short one is per call, not per thread)."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.aio import AsyncLog, LogBusy
from storage.database import make_engine, upgrade
from storage.state import StateStore

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


@pytest.fixture
def log_file(tmp_path: Path) -> Path:
    path = tmp_path / "sopbot.db"
    upgrade(make_engine(f"sqlite:///{path.as_posix()}"))
    return path


def hold_write_lock(path: Path) -> sqlite3.Connection:
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    return holder


async def test_a_waited_call_is_told_busy_and_a_kept_write_lands_after_the_lock(
    log_file: Path,
) -> None:
    state = StateStore(make_engine(f"sqlite:///{log_file.as_posix()}"))
    face = AsyncLog(retry_seconds=0.2)
    holder = hold_write_lock(log_file)
    try:
        with pytest.raises(LogBusy):
            await asyncio.wait_for(face.run(state.set, "k", "asked", NOW), 10)
        assert await asyncio.wait_for(face.run(state.get, "k"), 10) is None  # reads go on (WAL)
        kept = asyncio.get_running_loop().create_task(face.keep(state.set, "k", "kept", NOW))
        face.later(state.set, "later", "too", NOW)
        await asyncio.sleep(1.5)
        assert not kept.done()  # still trying while the lock is held
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    await asyncio.wait_for(kept, 10)
    await asyncio.wait_for(face.drain(10), 15)
    assert state.get("k") == "kept"
    assert state.get("later") == "too"


async def test_work_outside_the_face_keeps_the_long_wait(log_file: Path) -> None:
    state = StateStore(make_engine(f"sqlite:///{log_file.as_posix()}"))
    face = AsyncLog()
    await face.run(state.get, "k")  # the pool's connection has served a short-waiting call
    holder = hold_write_lock(log_file)
    loop = asyncio.get_running_loop()
    loop.call_later(2.0, holder.execute, "ROLLBACK")  # longer than the short wait
    try:
        await asyncio.wait_for(asyncio.to_thread(state.set, "k", "waited", NOW), 20)
    finally:
        holder.close()
    assert state.get("k") == "waited"
