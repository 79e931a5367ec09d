"""Setting up the central database: its schema (Alembic), an office's login, a supervisor's
login. Run by the central database's administrator (`sopbot pusat init`, `… kantor add`)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
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
HEAD_REVISION = "c0004"
OFFICE_CONNECTION_LIMIT = 4  # one office cannot take the server's connections from the others


class CentralSetupError(Exception):
    """The central database cannot be set up as asked; the message says why, in Indonesian (the
    administrator reads it)."""


@dataclass(frozen=True)
class Login:
    role: str
    password: str = field(repr=False)
    url: str = field(repr=False)  # the administrator's server with this login
    existed: bool = False  # the login was there already (on this server): its password is new


# Every wait on the central server is bounded: a lock held there or a link that dies mid-query
# must not hang an office's link (nor /kantor) for the minutes TCP would wait.
SESSION_LIMITS = (
    "-c statement_timeout=30000 -c lock_timeout=5000 -c idle_in_transaction_session_timeout=60000"
)
CONNECT_ARGS = {
    "connect_timeout": 10,
    "options": SESSION_LIMITS,
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
    "tcp_user_timeout": 60000,
}


def central_engine(url: str) -> Engine:
    """An engine for the central database. No pool: an office connects briefly every half
    minute at most, and 514 offices must not each hold a connection open."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise CentralSetupError("database pusat harus PostgreSQL (postgresql+psycopg://…)")
    return create_engine(parsed, poolclass=NullPool, connect_args=CONNECT_ARGS)


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
        raise CentralSetupError(
            f"{office_id!r} bukan kode wilayah (regional code): angka, mis. 5108"
        )
    return OFFICE_ROLE_PREFIX + office_id


def add_office(engine: Engine, office_id: str, name: str, password: str | None = None) -> Login:
    """Create the office's login role (or set a new password) and its row in `offices`."""
    role = office_role(office_id)
    if not name.strip():
        raise CentralSetupError("kantor perlu nama")
    password = _password(password)
    with engine.begin() as connection:
        existed = _login_role(connection, role, password, OFFICE_GROUP, OFFICE_CONNECTION_LIMIT)
        connection.execute(
            text(
                "INSERT INTO public.offices (office_id, name, role_name) "
                "VALUES (:id, :name, :role) "
                "ON CONFLICT (office_id) DO UPDATE SET name = excluded.name"
            ),
            {"id": office_id, "name": name.strip(), "role": role},
        )
    return Login(role, password, _url_for(engine.url, role, password), existed)


def register_key(engine: Engine, office_id: str, vkey: str) -> None:
    """The office's public signing key, against which the witness checks its checkpoints."""
    from storage.central.witness import register_key as store

    office_role(office_id)
    with engine.begin() as connection:
        store(connection, office_id, vkey)


def add_supervisor(engine: Engine, name: str, password: str | None = None) -> Login:
    """A supervisor's login: reads every office's rows, writes none."""
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,40}", name):
        raise CentralSetupError(f"{name!r}: pakai huruf kecil, angka dan _ (mis. bali)")
    role = SUPERVISOR_ROLE_PREFIX + name
    password = _password(password)
    with engine.begin() as connection:
        existed = _login_role(connection, role, password, SUPERVISOR_GROUP, None)
    return Login(role, password, _url_for(engine.url, role, password), existed)


def _password(given: str | None) -> str:
    """A new random password, or the given one if it is long and URL-safe (it goes into a
    connection URL as it is)."""
    if given is None:
        return secrets.token_urlsafe(24)
    if not re.fullmatch(r"[A-Za-z0-9_.~-]{16,128}", given):
        raise CentralSetupError(
            "kata sandi minimal 16 huruf, angka atau _.~- (atau kosongkan: dibuatkan acak)"
        )
    return given


def _login_role(
    connection: Connection, role: str, password: str, group: str, limit: int | None
) -> bool:
    """Create the login (or give it a new password); True when it existed already."""
    # Only the system catalog's functions and operators are found while the administrator's
    # statements are built: nothing anyone created elsewhere runs with its rights.
    connection.exec_driver_sql("SET LOCAL search_path = pg_catalog")
    exists = connection.scalar(
        text("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = :r"), {"r": role}
    )
    verb = "ALTER" if exists else "CREATE"
    limit_sql = f" CONNECTION LIMIT {int(limit)}" if limit else ""
    # The server is sent the password's SCRAM verifier, never the password itself: it cannot
    # end up in the server's statement log.
    verifier = _scram_verifier(connection, role, password)
    # The statements are quoted by the server (format's %I and %L), not by us.
    for template, values in (
        (f"{verb} ROLE %I LOGIN PASSWORD %L{limit_sql}", (role, verifier)),
        ("GRANT %I TO %I", (group, role)),
    ):
        statement = connection.scalar(
            text(f"SELECT pg_catalog.format('{template}', CAST(:a AS text), CAST(:b AS text))"),
            {"a": values[0], "b": values[1]},
        )
        # Role names are [a-z0-9_] and a verifier is base64 with $ and ':': no % or :name in
        # them for a driver or SQLAlchemy to read as a parameter.
        connection.exec_driver_sql(str(statement))
    return bool(exists)


def _scram_verifier(connection: Connection, role: str, password: str) -> str:
    """The SCRAM-SHA-256 verifier libpq computes on this side (psycopg's encrypt_password)."""
    raw = connection.connection.driver_connection
    pgconn = getattr(raw, "pgconn", None)
    if pgconn is None:
        raise CentralSetupError(
            'database pusat memerlukan driver psycopg: pip install ".[postgres]"'
        )
    verifier: bytes = pgconn.encrypt_password(password.encode(), role.encode(), b"scram-sha-256")
    return verifier.decode("ascii")


def _url_for(admin: URL, role: str, password: str) -> str:
    # The administrator's own client settings (certificate paths…) are not the office's; TLS
    # requirements are.
    query = {k: v for k, v in admin.query.items() if k in ("sslmode", "sslrootcert")}
    office = admin.set(username=role, password=password, query=query)
    return office.render_as_string(hide_password=False)


def with_host(url: str, host: str | None, port: int | None) -> str:
    """The same login on the server's name (and port) as the offices reach it."""
    changed = make_url(url)
    if host:
        if not re.fullmatch(r"[A-Za-z0-9.-]+", host):
            raise CentralSetupError(f"{host!r}: tulis nama server saja (port: --port)")
        changed = changed.set(host=host)
    if port:
        changed = changed.set(port=port)
    if not changed.host:
        raise CentralSetupError(
            "URL tidak menyebut server: tulis namanya seperti dilihat kantor (--host)"
        )
    return changed.render_as_string(hide_password=False)
