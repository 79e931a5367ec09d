"""`sopbot run`: the bot, until it is stopped."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import click

from core.settings import Settings
from sopbot.click_id import Command
from sopbot.commands.common import (
    env_file_option,
    make_data_dir,
    settings_or_exit,
    single_instance,
    startup_failures,
)
from texts import terminal as words

log = logging.getLogger("sopbot")


@click.command(cls=Command)
@env_file_option
@click.option("--verbose", is_flag=True, help=words.VERBOSE_HELP)
def run(env_file: Path, verbose: bool) -> None:
    """Jalankan bot sampai dihentikan."""
    from bot.app import run_forever
    from core.logs import configure_logging
    from sopbot.compose import build_app

    settings = settings_or_exit(env_file)
    make_data_dir(settings)
    configure_logging(settings.secrets, verbose=verbose, log_dir=settings.data_dir / "logs")
    _warn_if_env_is_readable(env_file)
    with startup_failures(settings):
        lock = single_instance(settings)
        try:
            asyncio.run(_reach_telegram(settings))  # a refused token or no network: one line
            app = build_app(settings)
            run_forever(app)
        finally:
            lock.release()


async def _reach_telegram(settings: Settings) -> None:
    from telegram import Bot

    bot = Bot(
        settings.telegram_bot_token.get_secret_value(),
        base_url=settings.telegram_api_base_url,
        base_file_url=settings.file_base_url,
    )
    async with bot:  # getMe: raises InvalidToken or NetworkError
        pass


def _warn_if_env_is_readable(env_file: Path) -> None:
    from bot.checklist import Verdict, check_env_file

    item = check_env_file(env_file)
    if item is not None and item.verdict is Verdict.WARN:
        log.warning("%s is readable by other users: run chmod 600 %s", env_file, env_file)
