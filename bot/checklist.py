"""/cek and `sopbot check`: a checklist of everything the bot needs, one verdict per line.

Each check returns a CheckItem in Bahasa Indonesia (the ADB and the Kabid read it in chat too).
Nothing here changes anything: no migration, no file left behind, no dump started.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sys
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from core import private
from core.envfile import lint_env_file
from core.problems import Code
from core.settings import Settings, known_keys
from core.sop import ROLE_TITLES, SOP_ROLES
from jobs.dump.backends import spec_for
from jobs.external.disk import DiskError, check_disk
from jobs.external.keys import KeyFileError, office_identities, public_keys
from storage.database import make_engine, schema_is_current
from texts import checklist as words
from texts.backends import words_for
from texts.problems import say


class Verdict(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


ICONS = {Verdict.OK: "✅", Verdict.WARN: "⚠️", Verdict.FAIL: "❌"}


@dataclass(frozen=True)
class CheckItem:
    name: str
    verdict: Verdict
    detail: str

    def line(self) -> str:
        return f"{ICONS[self.verdict]} {self.name}: {self.detail}"


def passed(items: list[CheckItem]) -> bool:
    return all(item.verdict is not Verdict.FAIL for item in items)


async def check_telegram(settings: Settings) -> CheckItem:
    from telegram import Bot
    from telegram.error import InvalidToken, NetworkError, TelegramError

    name = words.TELEGRAM
    bot = Bot(
        settings.telegram_bot_token.get_secret_value(),
        base_url=settings.telegram_api_base_url,
        base_file_url=settings.file_base_url,
    )
    try:
        async with bot:
            me = bot.bot
        return CheckItem(name, Verdict.OK, f"@{me.username} ({me.first_name})")
    except InvalidToken:
        return CheckItem(name, Verdict.FAIL, words.TOKEN_REFUSED)
    except NetworkError as exc:
        api = settings.telegram_api_base_url.split("/bot")[0]
        return CheckItem(name, Verdict.FAIL, words.telegram_unreachable(api, exc.message))
    except TelegramError as exc:
        return CheckItem(name, Verdict.FAIL, words.telegram_refused(exc.message))


def check_roles(settings: Settings) -> CheckItem:
    """The Kabid must be in .env (only the Kabid adds people from the chat); the others may be
    added with /tambah once the bot runs."""
    if not settings.kabid_ids:
        return CheckItem(words.ROLES, Verdict.FAIL, words.NO_KABID)
    empty = [role for role in SOP_ROLES if not settings.ids_of(role)]
    if empty:
        names = ", ".join(f"{ROLE_TITLES[r]} ({r.value.upper()}_IDS)" for r in empty)
        return CheckItem(words.ROLES, Verdict.WARN, words.roles_missing(names))
    counts = ", ".join(f"{r.value.upper()} {len(settings.ids_of(r))}" for r in SOP_ROLES)
    return CheckItem(words.ROLES, Verdict.OK, counts)


def check_database(settings: Settings) -> CheckItem:
    from sqlalchemy import inspect
    from sqlalchemy.exc import SQLAlchemyError

    name = words.LOG_DATABASE
    try:
        engine = make_engine(settings.database_url)
        with engine.connect() as connection:
            tables = inspect(connection).get_table_names()
        if "alembic_version" not in tables:
            return CheckItem(name, Verdict.WARN, words.LOG_NOT_MADE)
        if not schema_is_current(engine):
            return CheckItem(name, Verdict.WARN, words.LOG_OLD_SCHEMA)
        return CheckItem(name, Verdict.OK, words.log_connected(engine.url.get_backend_name()))
    except SQLAlchemyError as exc:
        return CheckItem(name, Verdict.FAIL, words.log_unreachable(type(exc).__name__))


async def check_backend(settings: Settings, oracle_driver: Any = None) -> CheckItem:
    """Ask the configured backend (from the registry) whether it can run."""
    spec = spec_for(settings)
    name = f"Metode dump ({spec.name})"
    found = await spec.check(settings, oracle_driver)
    if found.problems:
        return CheckItem(name, Verdict.FAIL, "; ".join(say(p) for p in found.problems))
    return CheckItem(name, Verdict.OK, ", ".join(found.facts) or "siap")


def check_drill(settings: Settings, oracle_driver: Any = None) -> CheckItem | None:
    """What the backend's restore drill needs (for Oracle: python-oracledb and its mode,
    TNS_ADMIN, impdp, the scratch schema): a drill without it is untestable, so it is said
    before a night needs it."""
    spec = spec_for(settings)
    if spec.drill_check is None:
        return None
    found = spec.drill_check(settings, oracle_driver)
    name = words_for(spec.name).drill_check
    if found.problems:
        return CheckItem(name, Verdict.FAIL, "; ".join(say(p) for p in found.problems))
    return CheckItem(name, Verdict.OK, ", ".join(found.facts))


def check_selftest(settings: Settings, passed_at: str | None) -> CheckItem | None:
    """When `sopbot uji-oracle` last passed on this server (every assumption held)."""
    if not spec_for(settings).selftest:
        return None
    from datetime import datetime

    from texts.selftest import selftest_last

    try:
        when = datetime.fromisoformat(passed_at) if passed_at else None
    except ValueError:
        when = None
    verdict = Verdict.OK if when is not None else Verdict.WARN
    return CheckItem("Uji Oracle", verdict, selftest_last(when, settings.tz))


def check_dump_dir(settings: Settings, last_dump_bytes: int | None) -> CheckItem:
    name = words.DUMP_DIR
    folder = settings.dumps
    probe = folder / f".sopbot-check-{uuid.uuid4().hex[:8]}"
    if not spec_for(settings).makes_dump_dir and not folder.is_dir():
        # For Oracle it must be the directory object's existing folder: never made up here.
        return CheckItem(name, Verdict.FAIL, words.dump_dir_missing(folder))
    if not folder.is_dir():
        # The check never creates folders: the sqlite backend makes its own at the first dump,
        # so the nearest existing folder above must be one it can write in.
        parent = next((p for p in folder.parents if p.exists()), None)
        if parent is None or not parent.is_dir() or not os.access(parent, os.W_OK):
            return CheckItem(name, Verdict.FAIL, words.dump_dir_cannot_be_made(folder, parent))
        free = shutil.disk_usage(parent).free
        return CheckItem(name, Verdict.OK, words.dump_dir_later(folder, free // (1024 * 1024)))
    try:
        probe.write_bytes(b"ok")
    except OSError as exc:
        return CheckItem(name, Verdict.FAIL, words.dump_dir_unwritable(folder, exc.strerror))
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()
    free = shutil.disk_usage(folder).free
    need = int((last_dump_bytes or 0) * 1.2)
    if need and free < need:
        return CheckItem(name, Verdict.FAIL, words.dump_dir_too_small(folder, free, need))
    return CheckItem(name, Verdict.OK, words.dump_dir_ready(folder, free // (1024 * 1024)))


def check_external(settings: Settings, setup: bool = False) -> CheckItem:
    """At set-up (`sopbot check`) the disk must be there to be checked; day to day (/cek) an
    unplugged disk is only a warning: it is meant to be stored away."""
    name = words.EXTERNAL
    if settings.external_disk_path is None:
        return CheckItem(name, Verdict.WARN, words.NO_EXTERNAL_PATH)
    root = settings.external_disk_path  # named in every verdict: the path looked at
    try:
        disk = check_disk(root, settings.dumps, settings.external_disk_ids, writing=False)
    except DiskError as trouble:
        missing = trouble.problem.code is Code.DISK_MISSING
        if missing and setup:
            detail = words.external_absent_at_setup(say(trouble.problem), root)
            return CheckItem(name, Verdict.FAIL, detail)
        verdict = Verdict.WARN if missing else Verdict.FAIL
        return CheckItem(name, verdict, words.external_trouble(say(trouble.problem), root))
    free_mb = disk.free_bytes // (1024 * 1024)
    ready = words.external_ready(disk.identity.label, disk.identity.id, root, free_mb)
    return CheckItem(name, Verdict.OK, ready)


def check_encryption(settings: Settings) -> CheckItem:
    """Encrypted copies (a lost disk leaks nothing), and the key the bot proves them with."""
    name = words.ENCRYPTION
    if settings.external_encryption != "age":
        return CheckItem(name, Verdict.WARN, words.NOT_ENCRYPTED)
    key = settings.external_age_identity_file
    try:  # a mistyped key is one line here, never a traceback
        identities = office_identities(key)
    except KeyFileError as bad_key:
        return CheckItem(name, Verdict.FAIL, say(bad_key.problem))
    if key is None or not identities:
        return CheckItem(name, Verdict.WARN, words.NO_OFFICE_KEY)
    if os.name == "posix" and key.stat().st_mode & 0o077:
        return CheckItem(name, Verdict.FAIL, words.readable_by_others(key))
    if not public_keys(identities) & set(settings.external_age_recipients):
        return CheckItem(name, Verdict.FAIL, words.KEY_NOT_A_RECIPIENT)
    keys = len(settings.external_age_recipients)
    if keys < 2:
        return CheckItem(name, Verdict.WARN, words.ONE_KEY_ONLY)
    return CheckItem(name, Verdict.OK, words.encrypted_for(keys))


def check_central(settings: Settings) -> CheckItem:
    """The central database: reachable, and the login is what the settings make of it (this
    office's for OFFICE_ID, a supervisor's for a bot that only serves /kantor)."""
    name = words.CENTRAL
    url = settings.central_database_url.get_secret_value()
    if not url:
        return CheckItem(name, Verdict.OK, words.CENTRAL_UNUSED)
    from sqlalchemy.exc import SQLAlchemyError

    from central.link import describe
    from storage.central.admin import central_engine
    from storage.central.view import login_identity

    try:
        engine = central_engine(url)
        with engine.connect() as connection:
            login = login_identity(connection)
        engine.dispose()
    except ImportError:
        return CheckItem(name, Verdict.FAIL, words.NO_POSTGRES_DRIVER)
    except SQLAlchemyError as error:
        if refused_login(error):  # the server answered: this login cannot be used as it is
            return CheckItem(name, Verdict.FAIL, words.central_login_refused(describe(error)))
        return CheckItem(name, Verdict.WARN, words.central_unreachable(describe(error)))
    office = settings.office_id
    login_office = login.office_id
    if not login.current_schema:  # an office works on (the old heartbeat); /kantor does not
        return CheckItem(
            name,
            Verdict.FAIL if login.supervisor else Verdict.WARN,
            words.CENTRAL_OLD_SCHEMA,
        )
    if login.supervisor:
        if office:
            return CheckItem(name, Verdict.FAIL, words.SUPERVISOR_WITH_OFFICE)
        return CheckItem(name, Verdict.OK, words.AS_SUPERVISOR)
    if not office:
        return CheckItem(name, Verdict.WARN, words.office_id_empty(login_office))
    if login_office != office:
        return CheckItem(name, Verdict.FAIL, words.other_office(login_office, office))
    return CheckItem(name, Verdict.OK, words.as_office(office))


# The server answered but will not have this login, or not now: only the latter may pass.
BUSY_SERVER = ("too many", "starting up", "shutting down", "in recovery")
# SQLSTATE classes of a moment, not of the login: connection (08), a transaction rolled back
# (40), insufficient resources (53), canceled or shut down (57), a lock not available (55P03).
BUSY_STATES = ("08", "40", "53", "57", "55P03")


def refused_login(error: Exception) -> bool:
    """True when the central server itself refused (a wrong password, an unknown login or
    database, no right to connect, a statement it does not allow): the login is unusable as
    configured. A link that is down, slow or busy is not that."""
    from sqlalchemy.exc import DBAPIError

    if not isinstance(error, DBAPIError):
        return False
    original = error.orig
    state = str(getattr(original, "sqlstate", "") or "")
    if state:  # connected, then a statement failed: refused, unless the moment is to blame
        return not state.startswith(BUSY_STATES)
    text = str(original)
    return "FATAL:" in text and not any(busy in text for busy in BUSY_SERVER)


def check_env_file(env_file: Path | None) -> CheckItem | None:
    """Warn when .env (holding the token) is readable by other users, where the OS tells."""
    if env_file is None or not env_file.is_file() or os.name != "posix":
        return None
    mode = env_file.stat().st_mode & 0o777
    if mode & 0o077:
        return CheckItem(words.ENV_FILE, Verdict.WARN, words.env_file_readable(env_file, oct(mode)))
    return CheckItem(words.ENV_FILE, Verdict.OK, oct(mode))


def check_windows_privacy(settings: Settings, env_file: Path | None) -> list[CheckItem]:
    """Windows: the private files grant nothing to Users, Authenticated Users or Everyone (read
    from `icacls`), and the installed code (.venv) cannot be changed by them: code that anyone
    logged on may change runs as the service's account."""
    if not private.is_windows():
        return []
    name = "Izin akses (Windows)"
    names = private.broad_names()
    private_paths = [settings.data_dir, settings.external_age_identity_file, env_file]
    found: list[str] = []
    for path in [p for p in private_paths if p is not None and p.exists()]:
        grants = private.broad_grants(private.icacls_of(path), names)
        found += [f"{path}: {g.principal}:{g.rights}" for g in grants]
    venv = Path(sys.prefix)
    grants = private.broad_grants(private.icacls_of(venv), names)
    found += [
        f"{venv}: {g.principal}:{g.rights} (dapat mengubah kode bot)" for g in grants if g.writes
    ]
    if found:
        return [
            CheckItem(
                name,
                Verdict.FAIL,
                "terbuka untuk pengguna lain: "
                + "; ".join(found[:6])
                + (f" (dan {len(found) - 6} lagi)" if len(found) > 6 else "")
                + ". Batasi dengan icacls (README, bagian Windows Server)",
            )
        ]
    return [CheckItem(name, Verdict.OK, "DATA_DIR, kunci, .env dan .venv tertutup bagi Users")]


def check_env_lines(env_file: Path | None) -> list[CheckItem]:
    """What the settings object cannot see in .env: unknown keys, placeholders, bad quoting."""
    if env_file is None or not env_file.is_file():
        return []
    return [
        CheckItem(
            words.env_setting(finding),
            Verdict.FAIL if finding.fatal else Verdict.WARN,
            words.env_finding(finding),
        )
        for finding in lint_env_file(env_file, known_keys())
    ]


def check_chain(settings: Settings) -> CheckItem:
    """The evidence chain recomputed, its checkpoints' signatures and every evidence row."""
    from sqlalchemy.exc import SQLAlchemyError

    from jobs.evidence import Evidence
    from storage.chain_check import Verdict as ChainVerdict
    from texts.evidence import CHAIN_CHECK_NAME, chain_summary

    try:
        engine = make_engine(settings.database_url)
        if not schema_is_current(engine):
            return CheckItem(CHAIN_CHECK_NAME, Verdict.WARN, words.CHAIN_LATER)
    except SQLAlchemyError:
        return CheckItem(CHAIN_CHECK_NAME, Verdict.WARN, words.CHAIN_LOG_UNREADABLE)
    report = Evidence(settings, engine).verify()
    verdict = {
        ChainVerdict.INTACT: Verdict.OK,
        ChainVerdict.BROKEN: Verdict.FAIL,
        ChainVerdict.CANNOT: Verdict.WARN,
    }[report.verdict]
    if verdict is Verdict.OK and settings.evidence_key_file is None:
        verdict = Verdict.WARN  # intact, but nothing signs it: it could be rewritten whole
    return CheckItem(CHAIN_CHECK_NAME, verdict, chain_summary(report))


async def run_checks(
    settings: Settings,
    *,
    env_file: Path | None = None,
    last_dump_bytes: int | None = None,
    oracle_driver: Any = None,
    setup: bool = False,
    selftest_passed: str | None = None,
) -> list[CheckItem]:
    # Even the .env file is read off the loop: /cek runs beside every other chat.
    items = await asyncio.to_thread(check_env_lines, env_file) or [
        CheckItem("Pengaturan", Verdict.OK, "valid")
    ]
    env_item = await asyncio.to_thread(check_env_file, env_file)
    if env_item is not None:
        items.append(env_item)
    items += await asyncio.to_thread(check_windows_privacy, settings, env_file)
    steps: list[Callable[[], Awaitable[CheckItem]]] = [
        lambda: check_telegram(settings),
        lambda: asyncio.to_thread(check_roles, settings),
        lambda: asyncio.to_thread(check_database, settings),
        lambda: check_backend(settings, oracle_driver),
        lambda: asyncio.to_thread(check_dump_dir, settings, last_dump_bytes),
        lambda: asyncio.to_thread(check_external, settings, setup),
        lambda: asyncio.to_thread(check_central, settings),
        lambda: asyncio.to_thread(check_encryption, settings),
        lambda: asyncio.to_thread(check_chain, settings),
    ]
    for step in steps:
        items.append(await step())
    drill = await asyncio.to_thread(check_drill, settings, oracle_driver)
    if drill is not None:
        items.append(drill)
    selftest = check_selftest(settings, selftest_passed)
    if selftest is not None:
        items.append(selftest)
    return items
