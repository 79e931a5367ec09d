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
@click.option(
    "--env-file",
    type=click.Path(path_type=Path),
    default=Path(".env"),
    show_default=True,
    help="Settings file.",
)
@click.option("--verbose", is_flag=True, help="Log debug details.")
def backup(env_file: Path, verbose: bool) -> None:
    """Run the database dump now, with a progress bar (for cron or Task Scheduler).

    Exits 0 on success, 1 when the dump failed, 3 when it finished with warnings.
    """
    from sopbot.backup_cli import run_backup
    from sopbot.logs import configure_logging

    settings = _settings(env_file)
    configure_logging(settings.secrets, verbose=verbose)
    logging.getLogger().setLevel(logging.DEBUG if verbose else logging.WARNING)
    sys.exit(asyncio.run(run_backup(settings)))


@main.command("sample-db")
@click.option(
    "--env-file",
    type=click.Path(path_type=Path),
    default=Path(".env"),
    show_default=True,
    help="Settings file.",
)
@click.option("--residents", default=3000, show_default=True, help="How many invented people.")
def sample_db(env_file: Path, residents: int) -> None:
    """Create the invented SIAK-like sample database at SQLITE_SOURCE_PATH."""
    from jobs.sample_db import create_sample_database

    settings = _settings(env_file)
    assert settings.sqlite_source_path is not None
    path = create_sample_database(settings.sqlite_source_path, residents=residents)
    click.echo(f"Sample database with {residents} invented residents: {path}")


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
