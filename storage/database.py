"""Engine creation and schema migrations (Alembic) for the SOP log."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# The newest migration. Checked against the migrations folder by a test; lets a start-up with a
# current schema skip loading Alembic at all (it costs memory the bot would carry all day).
HEAD_REVISION = "0019"


# How long a statement waits for another process's lock. Work on worker threads (a dump's
# records, the command line) waits long; a call through the log's async face (storage/aio.py),
# which a person in the chat is waiting for, waits briefly and is told "busy".
LONG_WAIT_SECONDS = 30.0
SHORT_WAIT_SECONDS = 1.0
_waiting = threading.local()


def short_waits() -> bool:
    return bool(getattr(_waiting, "short", False))


def set_short_waits(short: bool) -> None:
    """Statements on this thread wait `SHORT_WAIT_SECONDS` (True) or `LONG_WAIT_SECONDS`."""
    _waiting.short = short


def _wait_milliseconds(short: bool) -> int:
    return int((SHORT_WAIT_SECONDS if short else LONG_WAIT_SECONDS) * 1000)


def make_engine(url: str) -> Engine:
    """An engine for `url`; for a SQLite file, its folder is created and WAL mode switched on.
    Each connection taken from the pool waits for locks as long as its thread asks."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": LONG_WAIT_SECONDS})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        _wait_per_thread(engine, "PRAGMA busy_timeout = {ms}")
        return engine
    engine = create_engine(url, pool_pre_ping=True)
    if parsed.get_backend_name() == "postgresql":
        _wait_per_thread(engine, "SET lock_timeout = {ms}")
    return engine


def _wait_per_thread(engine: Engine, statement: str) -> None:
    """Set the lock wait on a pooled connection when it changes hands between a long-waiting
    and a short-waiting thread (a statement only then, so the common case costs nothing)."""

    @event.listens_for(engine, "checkout")
    def _lock_wait(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        short = short_waits()
        if record.info.get("short_waits", False) == short:
            return
        cursor = dbapi_connection.cursor()
        cursor.execute(statement.format(ms=_wait_milliseconds(short)))
        cursor.close()
        # psycopg opened a transaction for the SET: commit it, or a rollback would undo it.
        dbapi_connection.commit()
        record.info["short_waits"] = short


def is_busy(error: BaseException) -> bool:
    """True when the database refused because another connection holds a lock: SQLite's
    SQLITE_BUSY/SQLITE_LOCKED, PostgreSQL's lock_not_available (55P03) after lock_timeout."""
    cause = getattr(error, "orig", None) or error
    if getattr(cause, "sqlite_errorcode", None) in (5, 6):  # SQLITE_BUSY, SQLITE_LOCKED
        return True
    if getattr(cause, "sqlstate", None) == "55P03":
        return True
    return "database is locked" in str(cause) or "database table is locked" in str(cause)


def _alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (the newest by default); existing rows are kept."""
    if revision == "head" and current_revision(engine) == HEAD_REVISION:
        return
    from alembic import command

    command.upgrade(_alembic_config(engine), revision)


def script_heads() -> set[str]:
    """The head revisions in the migrations folder, as Alembic sees them."""
    from alembic.script import ScriptDirectory

    return set(ScriptDirectory(str(MIGRATIONS_DIR)).get_heads())


def schema_is_current(engine: Engine) -> bool:
    return current_revision(engine) == HEAD_REVISION
