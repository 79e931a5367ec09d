"""`sopbot verifikasi-log`: the evidence chain, checked."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sopbot.click_id import Command
from sopbot.commands.common import env_file_option, settings_or_exit
from texts import terminal as words


@click.command("verifikasi-log", cls=Command)
@env_file_option
@click.option(
    "--kunci-publik",
    "public_key",
    default="",
    help=words.PUBLIC_KEY_HELP,
)
def verifikasi_log(env_file: Path, public_key: str) -> None:
    """Periksa rantai bukti: hitung ulang setiap hash, periksa tanda tangan setiap checkpoint dan
    cocokkan setiap catatan dump, salinan dan uji pulih dengan rantainya.

    Kode keluar: 0 utuh, 1 rusak (entri pertama yang rusak disebut), 2 tidak dapat diperiksa.
    """
    from core.signednote import NoteError, Verifier
    from jobs.evidence import Evidence, KeyProblem, read_verifier
    from storage.chain_check import Verdict as ChainVerdict
    from storage.database import make_engine, schema_is_current
    from texts.evidence import chain_report_lines

    settings = settings_or_exit(env_file)
    verifier: Verifier | None = None
    if public_key:
        given = Path(public_key)
        try:
            text = given.read_text(encoding="utf-8-sig") if given.is_file() else public_key
            verifier = read_verifier(text)
        except (OSError, NoteError):
            click.echo(words.NOT_A_PUBLIC_KEY, err=True)
            sys.exit(2)
    engine = make_engine(settings.database_url)
    try:
        current = schema_is_current(engine)
    except Exception:  # any failure to read the log means it cannot be checked
        current = False
    if not current:
        click.echo(words.CHAIN_CANNOT_BE_CHECKED)
        sys.exit(2)
    evidence = Evidence(settings, engine)
    if verifier is None and settings.evidence_key_file is not None:
        try:
            verifier = evidence.verifier()
        except KeyProblem:
            click.echo(words.EVIDENCE_KEY_UNREADABLE, err=True)
    report = evidence.verify(verifier)
    for line in chain_report_lines(report):
        click.echo(line)
    sys.exit(
        {ChainVerdict.INTACT: 0, ChainVerdict.BROKEN: 1, ChainVerdict.CANNOT: 2}[report.verdict]
    )
