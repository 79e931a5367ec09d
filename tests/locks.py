"""Another process holding a lock on the SOP log, and a reply that must come while it does:
shared by the tests of a busy log and of a busy job store."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from conftest import Chat
from sqlalchemy.engine import make_url

ANSWER_WITHIN = 2.0  # seconds, the bound of each wait for an answer during the lock

HOLD_SQLITE = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], timeout=10, isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
connection.execute("ROLLBACK")
"""

# PostgreSQL has no file lock: the table the test is about is locked instead.
HOLD_POSTGRES = """
import sys, time
from sqlalchemy import create_engine, text
engine = create_engine(sys.argv[1])
with engine.begin() as connection:
    connection.execute(text(f"LOCK TABLE {sys.argv[3]} IN ACCESS EXCLUSIVE MODE"))
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


@contextmanager
def lock_held(database_url: str, seconds: float, table: str) -> Iterator[subprocess.Popen[str]]:
    """A separate process holding the log's lock for `seconds` (on PostgreSQL: `table`'s),
    started and locked on entry."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        args = [sys.executable, "-c", HOLD_SQLITE, str(url.database), str(seconds)]
    else:
        plain = url.render_as_string(hide_password=False)
        args = [sys.executable, "-c", HOLD_POSTGRES, plain, str(seconds), table]
    holder = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"  # ends when the child does
        yield holder
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.wait(timeout=10)


async def answered(chat: Chat, user_id: int, command: str) -> str:
    """The reply to `command` in the user's chat, failing if none comes within ANSWER_WITHIN."""
    await chat.send(user_id, command)
    message = await chat.receive(user_id, timeout=ANSWER_WITHIN)
    return str(message.text)
