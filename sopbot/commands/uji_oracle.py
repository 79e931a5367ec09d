"""`sopbot uji-oracle`: the field self-test of the Oracle server."""

from __future__ import annotations

from pathlib import Path

import click

from sopbot.click_id import Command
from sopbot.commands.common import env_file_option, run_alone
from texts import terminal as words


@click.command("uji-oracle", cls=Command)
@env_file_option
@click.option("--verbose", is_flag=True, help=words.VERBOSE_HELP)
def uji_oracle(env_file: Path, verbose: bool) -> None:
    """Uji Oracle: periksa setiap anggapan bot tentang server Oracle ini (hari pertama dan
    setelah upgrade Oracle). Tidak mengubah data produksi: satu tabel kecil diekspor ke dump
    sementara, dibaca ulang seperti uji pulih, lalu dihapus. Laporan ada di DATA_DIR/reports/.

    Kode keluar: 0 semua anggapan terbukti, 1 ada yang tidak terbukti, 75 bot sedang berjalan.
    """
    from sopbot.selftest_cli import run_selftest

    run_alone(env_file, verbose, run_selftest)
