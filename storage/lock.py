"""One bot per SOP log: a second instance against the same database refuses to start.

The lock dies with its process (a crash or SIGKILL releases it at once, so a restart is never
blocked by a stale lock): on SQLite an OS file lock beside the database file, on PostgreSQL a
session advisory lock held on a connection kept open for the life of the bot.
"""

from __future__ import annotations

import logging
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import Connection, Engine, text

log = logging.getLogger(__name__)

ADVISORY_KEY = 0x50494B02  # "PIK" + SOP number 02: any constant shared by every instance


class AlreadyRunning(Exception):
    """Another instance holds the SOP log `database` (through the lock file `lock`, if any)."""

    def __init__(self, database: str, lock: str = "") -> None:
        super().__init__(f"another sopbot uses {database}" + (f" (lock {lock})" if lock else ""))
        self.database, self.lock = database, lock


class InstanceLock:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._file: FileLock | None = None
        self._connection: Connection | None = None

    def acquire(self) -> None:
        url = self.engine.url
        backend = url.get_backend_name()
        if backend == "sqlite" and url.database and url.database != ":memory:":
            # The resolved path: a symlink or a relative path to the same file is the same lock.
            path = Path(url.database).resolve().with_suffix(".lock")
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = FileLock(path, timeout=0)
            try:
                self._file.acquire()
            except Timeout:
                self._file = None
                raise AlreadyRunning(url.database, str(path)) from None
        elif backend == "postgresql":
            self._connection = self.engine.connect()
            got = self._connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}
            ).scalar()
            self._connection.commit()
            if not got:
                self._connection.close()
                self._connection = None
                raise AlreadyRunning(f"{url.database} @ {url.host}")
        else:
            log.warning("No single-instance lock for %s databases", backend)

    def release(self) -> None:
        if self._file is not None:
            self._file.release()
            self._file = None
        if self._connection is not None:
            self._connection.close()  # ends the session, which frees the advisory lock
            self._connection = None
