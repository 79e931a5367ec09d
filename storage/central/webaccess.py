"""Who may look through the web view, and what each one may see.

A viewer's scope is a LIKE pattern over office ids: '%' every office, '51%' a province, '5108%'
a regency, '5108' one office. The web service connects with its own login (group `sopbot_web`)
and sets the viewer's scope for each transaction; row-level security applies it (migration
c0003). Tokens are random, shown once, and stored only as their SHA-256.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from storage.central.admin import (
    CONNECT_ARGS,
    WEB_LIMITS,
    CentralSetupError,
    Login,
    _login_role,
    _password,
    _url_for,
    central_engine,
)
from storage.central.view import login_identity

WEB_GROUP = "sopbot_web"
WEB_ROLE_PREFIX = "sopbot_web_"
WEB, METRICS = "web", "metrics"
EVERY_OFFICE = "%"
SCOPE_RE = re.compile(r"([0-9]{2,6}%?|%)")
REGION_RE = re.compile(r"[0-9]{2,6}")
NAME_RE = re.compile(r"[a-z][a-z0-9_-]{0,40}")
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,100}")  # what a token may look like before it is hashed
ROLE_RE = re.compile(r"[a-z_][a-z0-9_]{0,62}")  # a PostgreSQL role as `pusat … add` names them


@dataclass(frozen=True)
class Viewer:
    """Someone looking: their name (a login or a token's name) and what they may see."""

    name: str
    scope: str  # a LIKE pattern over office ids
    office_id: str | None = None  # an office's own login: that office only

    @property
    def supervisor(self) -> bool:
        return self.office_id is None


def web_engine(url: str) -> Engine:
    """The web service's engine: unlike an office's, a few kept connections (checked before use),
    since every page view reads and records."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise CentralSetupError("database pusat harus PostgreSQL (postgresql+psycopg://…)")
    return create_engine(
        parsed,
        pool_size=4,
        max_overflow=8,
        pool_timeout=10,
        pool_pre_ping=True,
        pool_recycle=600,
        connect_args=CONNECT_ARGS,
    )


def region_scope(region: str | None) -> str:
    if region is None:
        return EVERY_OFFICE
    if not REGION_RE.fullmatch(region):
        raise CentralSetupError(f"{region!r} bukan kode wilayah: 2 sampai 6 angka, mis. 51")
    return region + "%"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def add_token(engine: Engine, purpose: str, name: str, region: str | None = None) -> str:
    """A new token for `name` (replacing its old one): returned once, stored as its hash."""
    if purpose not in (WEB, METRICS):
        raise ValueError(purpose)
    if not NAME_RE.fullmatch(name):
        raise CentralSetupError(f"{name!r}: pakai huruf kecil, angka, _ dan - (mis. grafana)")
    token = secrets.token_urlsafe(32)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO public.access_tokens (name, purpose, token_sha256, scope) "
                "VALUES (:name, :purpose, :digest, :scope) "
                "ON CONFLICT (purpose, name) DO UPDATE SET token_sha256 = excluded.token_sha256, "
                "scope = excluded.scope, created_at = now(), revoked_at = NULL"
            ),
            {
                "name": name,
                "purpose": purpose,
                "digest": _digest(token),
                "scope": region_scope(region),
            },
        )
    return token


def revoke_token(engine: Engine, purpose: str, name: str) -> bool:
    with engine.begin() as connection:
        done = connection.execute(
            text(
                "UPDATE public.access_tokens SET revoked_at = now() "
                "WHERE purpose = :purpose AND name = :name AND revoked_at IS NULL"
            ),
            {"purpose": purpose, "name": name},
        )
    return bool(done.rowcount)


def token_viewer(connection: Connection, purpose: str, token: str) -> Viewer | None:
    """The viewer a token stands for; None for anything not a live token of that purpose."""
    if not TOKEN_RE.fullmatch(token):
        return None
    row = connection.execute(
        text(
            "SELECT name, scope FROM access_tokens WHERE token_sha256 = :digest "
            "AND purpose = :purpose AND revoked_at IS NULL"
        ),
        {"digest": _digest(token), "purpose": purpose},
    ).one_or_none()
    if row is None:
        return None
    office = row.scope if re.fullmatch(r"[0-9]{2,6}", row.scope) else None
    return Viewer(f"token:{row.name}", row.scope, office)


def set_region(engine: Engine, role: str, region: str | None) -> None:
    """Limit a supervisor's login to a region (None: every office)."""
    scope = region_scope(region)
    with engine.begin() as connection:
        if scope == EVERY_OFFICE:
            connection.execute(
                text("DELETE FROM public.supervisor_regions WHERE role_name = :r"), {"r": role}
            )
        else:
            connection.execute(
                text(
                    "INSERT INTO public.supervisor_regions (role_name, region) VALUES (:r, :g) "
                    "ON CONFLICT (role_name) DO UPDATE SET region = excluded.region"
                ),
                {"r": role, "g": region},
            )


def add_web_login(engine: Engine, name: str, password: str | None = None) -> Login:
    """The web service's own login: reads what its viewer may see, records page views."""
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,40}", name):
        raise CentralSetupError(f"{name!r}: pakai huruf kecil, angka dan _ (mis. provinsi)")
    role = WEB_ROLE_PREFIX + name
    password = _password(password)
    with engine.begin() as connection:
        existed = _login_role(connection, role, password, WEB_GROUP, WEB_LIMITS)
    return Login(role, password, _url_for(engine.url, role, password), existed)


class LoginRefused(Exception):
    """The central server refused these credentials (or they are not a viewer's)."""


def credentials_viewer(web_url: str, role: str, password: str) -> Viewer:
    """Check a supervisor's or an office's own central login by connecting with it to the same
    server and database as the web service: the server judges the password (its pg_hba.conf must
    ask for one: scram-sha-256). Nothing of the password is kept."""
    if not ROLE_RE.fullmatch(role) or not 0 < len(password) <= 200:
        raise LoginRefused
    url = make_url(web_url).set(username=role, password=password)
    engine = central_engine(url.render_as_string(hide_password=False))
    try:
        with engine.connect() as connection:
            identity = login_identity(connection)
            if identity.supervisor:
                scope = connection.scalar(text("SELECT sopbot_supervisor_scope()"))
                return Viewer(role, str(scope))
            if identity.office_id:
                return Viewer(role, identity.office_id, identity.office_id)
    except (OperationalError, DBAPIError) as error:
        raise LoginRefused from error
    finally:
        engine.dispose()
    raise LoginRefused


def passwords_checked(web_url: str) -> bool:
    """Whether the central server asks for a password: the web service's own login tried with a
    wrong one. A server that lets it in (`trust` in pg_hba.conf) would let anyone in as any
    supervisor through the login form."""
    url = make_url(web_url).set(password=secrets.token_urlsafe(24))
    engine = central_engine(url.render_as_string(hide_password=False))
    try:
        with engine.connect():
            return False
    except (OperationalError, DBAPIError):
        return True
    finally:
        engine.dispose()


@contextmanager
def viewing(engine: Engine, viewer: Viewer) -> Iterator[Connection]:
    """One read-only transaction that sees what `viewer` may see (row-level security)."""
    if not SCOPE_RE.fullmatch(viewer.scope):
        raise ValueError("scope")
    with engine.begin() as connection:
        connection.execute(text("SET TRANSACTION READ ONLY"))
        connection.execute(
            text("SELECT set_config('sopbot.viewer', :scope, true)"), {"scope": viewer.scope}
        )
        yield connection


def record_view(engine: Engine, viewer: str, path: str, status: int, address: str) -> None:
    """Every page viewed (and every refused look) is recorded: who, what, when, from where."""
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO public.page_views (viewer, path, status, address) "
                "VALUES (:viewer, :path, :status, :address)"
            ),
            {"viewer": viewer[:80], "path": path[:200], "status": status, "address": address[:64]},
        )
