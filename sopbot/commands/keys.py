"""`sopbot keys`: the age keys and the evidence signing key."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sopbot.click_id import Group
from texts import terminal as words


@click.group(cls=Group)
def keys() -> None:
    """Kunci age yang mengenkripsi salinan di hard disk eksternal."""


@keys.command("init")
@click.option(
    "--folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data") / "keys",
    show_default=True,
    help=words.KEYS_FOLDER_HELP,
)
@click.option(
    "--nama",
    default="sopbot-kantor",
    show_default=True,
    help=words.KEYS_NAME_HELP,
)
def keys_init(folder: Path, nama: str) -> None:
    """Buat kunci kantor, kunci cadangan (escrow), kunci tanda tangan rantai bukti dan lembarnya
    untuk brankas. Bila kunci age sudah ada, hanya kunci tanda tangan yang dibuat."""
    from core.signednote import NAME_PATTERN
    from sopbot.keys import KeysExist, create_keys

    if not NAME_PATTERN.fullmatch(nama):
        click.echo(words.BAD_KEY_NAME, err=True)
        sys.exit(2)
    try:
        made = create_keys(folder, nama)
    except KeysExist as exists:
        click.echo(words.keys_exist(str(exists)), err=True)
        sys.exit(1)
    if not made.escrow_public:  # the age keys were there already
        for line in words.signing_key_made(
            made.signing_key_file, made.sheet_text, made.signing_public
        ):
            click.echo(line)
        return
    for line in words.keys_made(
        made.office_key_file,
        made.sheet_text,
        made.sheet_png,
        f"{made.office_public},{made.escrow_public}",
        made.signing_key_file,
        made.signing_public,
    ):
        click.echo(line)
