"""`sopbot sample-db`: the SIAK-like sample database of invented residents."""

from __future__ import annotations

from pathlib import Path

import click

from sopbot.click_id import Command
from sopbot.commands.common import env_file_option, settings_or_exit
from texts import terminal as words


@click.command("sample-db", cls=Command)
@env_file_option
@click.option("--residents", default=3000, show_default=True, help=words.RESIDENTS_HELP)
def sample_db(env_file: Path, residents: int) -> None:
    """Buat database contoh mirip SIAK (data rekaan) di SQLITE_SOURCE_PATH."""
    from sopbot.sample_db import create_sample_database

    settings = settings_or_exit(env_file)
    assert settings.sqlite_source_path is not None
    path = create_sample_database(settings.sqlite_source_path, residents=residents)
    click.echo(words.sample_written(residents, path))
