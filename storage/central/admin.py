"""Setting up the central database: its schema (Alembic), an office's login, a supervisor's
login. Run by the central database's administrator (`sopbot pusat init`, `… kantor add`)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from storage.central.schema import (
    LEGACY_OFFICE_PREFIX,
    LEGACY_SUPERVISOR_PREFIX,
    OFFICE_GROUP,
    OFFICE_ROLE_PREFIX,
    SUPERVISOR_GROUP,
    SUPERVISOR_ROLE_PREFIX,
    VERSION_TABLE,
)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
HEAD_REVISION = "c0008"


@dataclass(frozen=True)
class Limits:
    """What one login may take of the central server, set on its role (ALTER ROLE): every
    session of it starts with these, whatever client it uses."""

    connections: int  # at once; one login cannot take the server's connections from the others
    statement_timeout: str
    lock_timeout: str
    idle_in_transaction_session_timeout: str
    temp_file_limit: str  # disk for sorts and hashes; only a superuser can change it for a session

    def settings(self) -> dict[str, str]:
        return {
            "statement_timeout": self.statement_timeout,
            "lock_timeout": self.lock_timeout,
            "idle_in_transaction_session_timeout": self.idle_in_transaction_session_timeout,
            "temp_file_limit": self.temp_file_limit,
        }


# An office sends a few small inserts every half minute; a supervisor reads every office.
OFFICE_LIMITS = Limits(4, "30s", "5s", "60s", "16MB")
SUPERVISOR_LIMITS = Limits(8, "60s", "5s", "60s", "256MB")
# The web view's own login serves every page and /metrics scrape through a small pool.
WEB_LIMITS = Limits(16, "60s", "5s", "60s", "256MB")
OPAQUE_LENGTH = 16  # hex digits after the prefix: not guessable, says nothing


class CentralSetupError(Exception):
    """The central database cannot be set up as asked; the message says why, in Indonesian (the
    administrator reads it)."""


@dataclass(frozen=True)
class Login:
    role: str
    password: str = field(repr=False)
    url: str = field(repr=False)  # the administrator's server with this login
    existed: bool = False  # the login was there already (on this server): its password is new
    replaced: str = ""  # an older login of the same office or supervisor, now removed


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


@dataclass(frozen=True)
class Upgrade:
    """What `sopbot pusat init` did beyond the schema, for its administrator."""

    logins: int  # this database's logins, each now with today's limits
    legacy: list[str] = field(default_factory=list)  # logins whose names still reveal who
    unlimited_temp: bool = False  # temp_file_limit could not be set (not a superuser)


def upgrade(engine: Engine) -> Upgrade:
    """Create or bring up to date the schema, the group roles and the policies, then apply
    today's limits to every existing login."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    command.upgrade(config, "head")
    applied, legacy, unlimited = 0, [], False
    with engine.begin() as connection:
        connection.exec_driver_sql("SET LOCAL search_path = pg_catalog")
        # This database's logins (roles are server-wide: another database's are not ours), with
        # what is set on them now; only those that differ from today's limits are changed.
        rows = connection.execute(
            text(
                "SELECT r.rolname, r.rolconnlimit, s.setconfig, l.supervisor "
                "FROM (SELECT role_name, false AS supervisor FROM public.offices "
                "      UNION ALL SELECT role_name, true FROM public.supervisors) l "
                "JOIN pg_catalog.pg_roles r ON r.rolname = l.role_name "
                "LEFT JOIN pg_catalog.pg_db_role_setting s "
                "  ON s.setrole = r.oid AND s.setdatabase = 0 "
                "ORDER BY r.rolname"
            )
        ).all()
        for row in rows:
            limits = SUPERVISOR_LIMITS if row.supervisor else OFFICE_LIMITS
            wanted = {f"{name}={value}" for name, value in limits.settings().items()}
            if row.rolconnlimit != limits.connections or not wanted <= set(row.setconfig or ()):
                unlimited = not apply_limits(connection, row.rolname, limits) or unlimited
            applied += 1
            if row.rolname.startswith((LEGACY_OFFICE_PREFIX, LEGACY_SUPERVISOR_PREFIX)):
                legacy.append(row.rolname)
    return Upgrade(applied, legacy, unlimited)


def apply_limits(connection: Connection, role: str, limits: Limits) -> bool:
    """Set `limits` on `role`. False when temp_file_limit could not be set (it needs a
    superuser, or on PostgreSQL 15 and newer GRANT SET ON PARAMETER temp_file_limit)."""
    _run(connection, f"ALTER ROLE %I CONNECTION LIMIT {int(limits.connections)}", role)
    complete = True
    for name, value in limits.settings().items():
        savepoint = connection.begin_nested()
        try:
            _run(connection, f"ALTER ROLE %I SET {name} = %L", role, value)
        except DBAPIError as error:
            savepoint.rollback()
            if name != "temp_file_limit" or _sqlstate(error) != "42501":
                raise
            complete = False
        else:
            savepoint.commit()
    return complete


def _sqlstate(error: DBAPIError) -> str:
    return str(getattr(error.orig, "sqlstate", "") or "")


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()  # noqa: S608


def check_office_id(office_id: str) -> str:
    if not re.fullmatch(r"[0-9]{2,6}", office_id):
        raise CentralSetupError(
            f"{office_id!r} bukan kode wilayah (regional code): angka, mis. 5108"
        )
    return office_id


def opaque_role(prefix: str) -> str:
    """A login name that says nothing about whose it is (every login sees every role name)."""
    return prefix + secrets.token_hex(OPAQUE_LENGTH // 2)


def add_office(engine: Engine, office_id: str, name: str, password: str | None = None) -> Login:
    """Create the office's login role (or set a new password) and its row in `offices`. A login
    with an old, telling name (sopbot_kantor_<id>) is replaced by an opaque one."""
    check_office_id(office_id)
    if not name.strip():
        raise CentralSetupError("kantor perlu nama")
    password = _password(password)
    with engine.begin() as connection:
        connection.exec_driver_sql("SET LOCAL search_path = pg_catalog")
        known = connection.scalar(
            text("SELECT role_name FROM public.offices WHERE office_id = :id"), {"id": office_id}
        )
        role, replaced = _role_for(connection, known, OFFICE_ROLE_PREFIX, LEGACY_OFFICE_PREFIX)
        existed = _login_role(connection, role, password, OFFICE_GROUP, OFFICE_LIMITS)
        connection.execute(
            text(
                "INSERT INTO public.offices (office_id, name, role_name) "
                "VALUES (:id, :name, :role) "
                "ON CONFLICT (office_id) DO UPDATE SET name = excluded.name, "
                "role_name = excluded.role_name"
            ),
            {"id": office_id, "name": name.strip(), "role": role},
        )
        _drop_login(connection, replaced)
    return Login(role, password, _url_for(engine.url, role, password), existed, replaced)


def register_key(engine: Engine, office_id: str, vkey: str) -> None:
    """The office's public signing key, against which the witness checks its checkpoints."""
    from storage.central.witness import register_key as store

    check_office_id(office_id)
    with engine.begin() as connection:
        store(connection, office_id, vkey)


def add_supervisor(engine: Engine, name: str, password: str | None = None) -> Login:
    """A supervisor's login: reads every office's rows, writes none."""
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,40}", name):
        raise CentralSetupError(f"{name!r}: pakai huruf kecil, angka dan _ (mis. bali)")
    password = _password(password)
    with engine.begin() as connection:
        connection.exec_driver_sql("SET LOCAL search_path = pg_catalog")
        known = connection.scalar(
            text("SELECT role_name FROM public.supervisors WHERE name = :n"), {"n": name}
        )
        role, replaced = _role_for(
            connection, known, SUPERVISOR_ROLE_PREFIX, LEGACY_SUPERVISOR_PREFIX
        )
        existed = _login_role(connection, role, password, SUPERVISOR_GROUP, SUPERVISOR_LIMITS)
        connection.execute(
            text(
                "INSERT INTO public.supervisors (name, role_name) VALUES (:n, :role) "
                "ON CONFLICT (name) DO UPDATE SET role_name = excluded.role_name"
            ),
            {"n": name, "role": role},
        )
        _drop_login(connection, replaced)
    return Login(role, password, _url_for(engine.url, role, password), existed, replaced)


def _role_for(
    connection: Connection, known: str | None, prefix: str, legacy: str
) -> tuple[str, str]:
    """The login to use (the known one if it is opaque and still there, else a new one), and
    an old telling login to remove."""
    there = known is not None and _role_exists(connection, known)
    if known is not None and there and not known.startswith(legacy):
        return known, ""
    return opaque_role(prefix), known if there and known else ""


def _role_exists(connection: Connection, role: str) -> bool:
    return bool(
        connection.scalar(text("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = :r"), {"r": role})
    )


def _drop_login(connection: Connection, role: str) -> None:
    """Remove an old login (it owns nothing: every privilege is its group's). One still
    connected cannot be dropped: it can no longer log in, and a later run removes it."""
    if not role:
        return
    savepoint = connection.begin_nested()
    try:
        _run(connection, "DROP ROLE %I", role)
    except DBAPIError:
        savepoint.rollback()
        _run(connection, "ALTER ROLE %I NOLOGIN", role)
    else:
        savepoint.commit()


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


def _run(connection: Connection, template: str, *values: str) -> None:
    """Run an administrator's statement quoted by the server (format's %I and %L), not by us.
    Role names are [a-z0-9_] and a verifier is base64 with $ and ':': no % or :name in them for
    a driver or SQLAlchemy to read as a parameter."""
    arguments = ", ".join(f"CAST(:v{n} AS text)" for n in range(len(values)))
    statement = connection.scalar(
        text(f"SELECT pg_catalog.format('{template}', {arguments})"),
        {f"v{n}": value for n, value in enumerate(values)},
    )
    connection.exec_driver_sql(str(statement))


def _login_role(
    connection: Connection, role: str, password: str, group: str, limits: Limits
) -> bool:
    """Create the login (or give it a new password) with its limits; True when it existed."""
    # Only the system catalog's functions and operators are found while the administrator's
    # statements are built: nothing anyone created elsewhere runs with its rights.
    connection.exec_driver_sql("SET LOCAL search_path = pg_catalog")
    exists = _role_exists(connection, role)
    verb = "ALTER" if exists else "CREATE"
    # The server is sent the password's SCRAM verifier, never the password itself: it cannot
    # end up in the server's statement log.
    verifier = _scram_verifier(connection, role, password)
    _run(connection, f"{verb} ROLE %I LOGIN PASSWORD %L", role, verifier)
    _run(connection, "GRANT %I TO %I", group, role)
    apply_limits(connection, role, limits)
    return exists


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
