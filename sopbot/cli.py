"""The `sopbot` command line."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

import click

from sopbot.settings import Settings, SettingsError, load_settings

log = logging.getLogger("sopbot")


def _settings(env_file: Path) -> Settings:
    try:
        return load_settings(env_file)
    except SettingsError as error:
        click.echo(str(error), err=True)
        sys.exit(2)


@click.group()
def main() -> None:
    """Telegram bot for SOP-PIAK-02, the population-database backup procedure."""


@main.command()
@click.option(
    "--env-file",
    type=click.Path(path_type=Path),
    default=Path(".env"),
    show_default=True,
    help="Settings file.",
)
@click.option("--verbose", is_flag=True, help="Log debug details.")
def run(env_file: Path, verbose: bool) -> None:
    """Run the bot until stopped."""
    from bot.app import build_application, open_services, run_forever
    from sopbot.logs import configure_logging

    settings = _settings(env_file)
    configure_logging([settings.telegram_bot_token.get_secret_value()], verbose=verbose)
    app = build_application(open_services(settings))
    run_forever(app)


@main.command()
def demo() -> None:
    """Play one SOP day against a local Bot API server (no Telegram account needed)."""
    from sopbot.demo import run_demo
    from sopbot.logs import configure_logging

    configure_logging([], verbose=False)
    logging.getLogger().setLevel(logging.WARNING)
    asyncio.run(run_demo())


if __name__ == "__main__":
    main()
