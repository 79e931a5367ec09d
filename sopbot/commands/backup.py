"""`sopbot backup`: a dump now, from the terminal."""

from __future__ import annotations

from pathlib import Path

import click

from sopbot.click_id import Command
from sopbot.commands.common import env_file_option, run_alone
from texts import terminal as words


@click.command(cls=Command)
@env_file_option
@click.option("--verbose", is_flag=True, help=words.VERBOSE_HELP)
def backup(env_file: Path, verbose: bool) -> None:
    """Jalankan back up database sekarang, dengan progres (untuk cron atau Task Scheduler).

    Kode keluar: 0 berhasil, 1 gagal atau tidak lengkap, 3 selesai dengan peringatan, 75 bot
    atau `sopbot backup` lain sedang berjalan pada log yang sama (coba lagi nanti).
    """
    from sopbot.backup_cli import run_backup

    run_alone(env_file, verbose, run_backup)
