"""`sopbot salin`: the verified copy to the external disk now, from the terminal."""

from __future__ import annotations

from pathlib import Path

import click

from sopbot.click_id import Command
from sopbot.commands.common import env_file_option, run_alone
from texts import terminal as words


@click.command(cls=Command)
@env_file_option
@click.option("--verbose", is_flag=True, help=words.VERBOSE_HELP)
def salin(env_file: Path, verbose: bool) -> None:
    """Salin back up terbaru ke hard disk eksternal dan verifikasi (SOP langkah 11).

    Kode keluar: 0 salinan terverifikasi ada (baru dibuat atau sudah ada), 1 gagal (hard disk
    tidak ada, penuh, tidak terverifikasi), 75 bot sedang berjalan (pakai /salin di chat).
    """
    from sopbot.copy_cli import run_copy

    run_alone(env_file, verbose, run_copy)
