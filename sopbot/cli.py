"""The `sopbot` command line: the group and its list of commands (one module each in
`sopbot/commands/`)."""

from __future__ import annotations

import sys

import click

from sopbot.central_cli import pusat
from sopbot.click_id import Group
from sopbot.commands import (
    backup,
    check,
    disk,
    keys,
    laporan,
    report,
    restore_file,
    run,
    salin,
    sample_db,
    uji_oracle,
    ujipulih,
    verifikasi_log,
)
from sopbot.commands.common import INTERRUPTED_EXIT as INTERRUPTED_EXIT
from sopbot.web_cli import web as _web  # noqa: F401 (registers `sopbot pusat web`)
from texts import terminal as words


@click.group(cls=Group, help=words.MAIN_HELP)
@click.version_option(package_name="sopbot", message="sopbot %(version)s", help=words.VERSION_HELP)
@click.help_option(help=words.HELP_OPTION)
def main() -> None:
    _safe_console()


def _safe_console() -> None:
    """Output that never crashes on a console or file in a legacy code page (cp1252 on an old
    Windows Server, `sopbot check > cek.txt`): a file or pipe gets UTF-8; a console that cannot
    show a character gets a replacement instead of a UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None or (stream.encoding or "").lower().replace("-", "") == "utf8":
            continue
        if stream.isatty():
            reconfigure(errors="replace")
        else:
            reconfigure(encoding="utf-8", errors="replace")


# Every command of the tree: a new one is its module in sopbot/commands/ and one line here.
COMMANDS: tuple[click.Command, ...] = (
    run.run,
    backup.backup,
    salin.salin,
    ujipulih.ujipulih,
    uji_oracle.uji_oracle,
    sample_db.sample_db,
    check.check,
    disk.disk,
    restore_file.restore_file,
    verifikasi_log.verifikasi_log,
    keys.keys,
    report.report,
    laporan.laporan,
    pusat,
)
for _command in COMMANDS:
    main.add_command(_command)

if __name__ == "__main__":
    main()
