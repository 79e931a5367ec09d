"""Setting up the central database: its schema (Alembic), an office's login, a supervisor's
login. Run by the central database's administrator (`sopbot pusat init`, `… kantor add`)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from storage.central.schema import (
    OFFICE_GROUP,
    OFFICE_ROLE_PREFIX,
    SUPERVISOR_GROUP,
    SUPERVISOR_ROLE_PREFIX,
    VERSION_TABLE,
)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
HEAD_REVISION = "c0001"
OFFICE_CONNECTION_LIMIT = 4  # one office cannot take the server's connections from the others


class CentralSetupError(Exception):
    """The central database cannot be set up as asked; the message says why."""


@dataclass(frozen=True)
class Login:
    role: str
    password: str
    url: str  # the administrator's URL with this login, for the office's CENTRAL_DATABASE_URL


def central_engine(url: str) -> Engine:
    """An engine for the central database. No pool: an office connects briefly every few
    minutes, and 514 offices must not each hold a connection open."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise CentralSetupError("the central database must be PostgreSQL")
    return create_engine(parsed, poolclass=NullPool, connect_args={"connect_timeout": 10})


def upgrade(engine: Engine) -> None:
    """Create or bring up to date the schema, the group roles and the policies."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    command.upgrade(config, "head")


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()  # noqa: S608


def office_role(office_id: str) -> str:
    if not re.fullmatch(r"[0-9]{2,6}", office_id):
        raise CentralSetupError(f"{office_id!r} is not a regional code (digits, e.g. 5108)")
    return OFFICE_ROLE_PREFIX + office_id


def add_office(engine: Engine, office_id: str, name: str, password: str | None = None) -> Login:
    """Create the office's login role (or set a new password) and its row in `offices`."""
    role = office_role(office_id)
    if not name.strip():
        raise CentralSetupError("the office needs a name")
    password = _password(password)
    with engine.begin() as connection:
        _login_role(connection, role, password, OFFICE_GROUP, OFFICE_CONNECTION_LIMIT)
        connection.execute(
            text(
                "INSERT INTO offices (office_id, name, role_name) VALUES (:id, :name, :role) "
                "ON CONFLICT (office_id) DO UPDATE SET name = excluded.name"
            ),
            {"id": office_id, "name": name.strip(), "role": role},
        )
    return Login(role, password, _url_for(engine.url, role, password))


def add_supervisor(engine: Engine, name: str, password: str | None = None) -> Login:
    """A supervisor's login: reads every office's rows, writes none."""
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,40}", name):
        raise CentralSetupError(f"{name!r}: use lower-case letters, digits and _ (e.g. bali)")
    role = SUPERVISOR_ROLE_PREFIX + name
    password = _password(password)
    with engine.begin() as connection:
        _login_role(connection, role, password, SUPERVISOR_GROUP, None)
    return Login(role, password, _url_for(engine.url, role, password))


def _password(given: str | None) -> str:
    """A new random password, or the given one if it is long and URL-safe (it goes into a
    connection URL as it is)."""
    if given is None:
        return secrets.token_urlsafe(24)
    if not re.fullmatch(r"[A-Za-z0-9_.~-]{16,128}", given):
        raise CentralSetupError(
            "the password must be 16 or more letters, digits or _.~- (or leave it out: "
            "a random one is made)"
        )
    return given


def _login_role(
    connection: Connection, role: str, password: str, group: str, limit: int | None
) -> None:
    exists = connection.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
    verb = "ALTER" if exists else "CREATE"
    limit_sql = f" CONNECTION LIMIT {int(limit)}" if limit else ""
    # The statements are quoted by the server (format's %I and %L), not by us.
    for template, values in (
        (f"{verb} ROLE %I LOGIN PASSWORD %L{limit_sql}", (role, password)),
        ("GRANT %I TO %I", (group, role)),
    ):
        statement = connection.scalar(
            text(f"SELECT format('{template}', CAST(:a AS text), CAST(:b AS text))"),
            {"a": values[0], "b": values[1]},
        )
        connection.execute(text(str(statement)))


def _url_for(admin: URL, role: str, password: str) -> str:
    return admin.set(username=role, password=password).render_as_string(hide_password=False)


def with_host(url: str, host: str) -> str:
    """The same login on the server's name as the offices reach it."""
    return make_url(url).set(host=host).render_as_string(hide_password=False)
