"""`sopbot ujipulih`: the restore drill now, from the terminal."""

from __future__ import annotations

from pathlib import Path

import click

from sopbot.click_id import Command
from sopbot.commands.common import env_file_option, run_alone
from texts import terminal as words


@click.command(cls=Command)
@env_file_option
@click.option("--verbose", is_flag=True, help=words.VERBOSE_HELP)
def ujipulih(env_file: Path, verbose: bool) -> None:
    """Uji pulih: baca salinan terbaru dari hard disk eksternal, pulihkan dan periksa.

    Kode keluar: 0 lulus, 1 gagal (salinan tidak dapat dipulihkan), 3 tidak dapat diuji (hard
    disk tidak terpasang, kunci/impdp/login Oracle bermasalah: perbaiki lalu ulangi), 75 bot
    sedang berjalan (pakai /ujipulih di chat).
    """
    from sopbot.drill_cli import run_drill

    run_alone(env_file, verbose, run_drill)
