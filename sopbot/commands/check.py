"""`sopbot check`: every setting and connection, one verdict a line."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import click

from core.settings import Settings, SettingsError, load_settings
from sopbot.click_id import Command
from sopbot.commands.common import env_file_option
from texts import terminal as words


@click.command(cls=Command)
@env_file_option
def check(env_file: Path) -> None:
    """Periksa pengaturan, Telegram, database, dump dan hard disk; keluar 1 bila ada masalah."""
    from bot.checklist import ICONS, Verdict, check_env_lines, passed, run_checks

    if not env_file.is_file():
        where = env_file.resolve()
        click.echo(words.check_no_env_file(ICONS[Verdict.FAIL], where))
        if "TELEGRAM_BOT_TOKEN" not in os.environ:
            sys.exit(1)
    try:
        settings = load_settings(env_file)
    except SettingsError as error:
        for item in check_env_lines(env_file):
            click.echo(item.line())
        from texts.configuration import settings_error

        click.echo(f"{ICONS[Verdict.FAIL]} {settings_error(error)}")
        sys.exit(1)
    items = asyncio.run(
        run_checks(
            settings,
            env_file=env_file,
            last_dump_bytes=_last_dump_bytes(settings),
            setup=True,
            selftest_passed=_selftest_passed(settings),
        )
    )
    for item in items:
        click.echo(item.line())
    ok = passed(items)
    click.echo(words.check_result(ok))
    sys.exit(0 if ok else 1)


def _last_dump_bytes(settings: Settings) -> int | None:
    """Size of the last good dump, if the log exists already (read only, never migrated)."""
    from sqlalchemy.exc import SQLAlchemyError

    from storage.database import make_engine
    from storage.dumps import DumpLog

    try:
        last = DumpLog(make_engine(settings.database_url)).last_good()
    except SQLAlchemyError:
        return None
    return last.size_bytes if last else None


def _selftest_passed(settings: Settings) -> str | None:
    """When `sopbot uji-oracle` last passed, if the log exists already (read only)."""
    from sqlalchemy.exc import SQLAlchemyError

    from jobs.drill.selftest import PASSED_KEY
    from storage.database import make_engine
    from storage.state import StateStore

    try:
        return StateStore(make_engine(settings.database_url)).get(PASSED_KEY)
    except SQLAlchemyError:
        return None
