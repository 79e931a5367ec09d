"""`sopbot restore-file`: a copy from the disk back to a .dmp, with the steps to restore it."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from sopbot.click_id import Command
from texts import terminal as words

log = logging.getLogger("sopbot")


@click.command("restore-file", cls=Command)
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help=words.OUT_HELP,
)
@click.option(
    "--identity",
    "identity_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help=words.IDENTITY_HELP,
)
@click.option(
    "--directory",
    default="DATA_PUMP_DIR",
    show_default=True,
    help=words.DIRECTORY_HELP,
)
@click.option("--timpa", "overwrite", is_flag=True, help=words.OVERWRITE_HELP)
def restore_file(
    source: Path, out: Path, identity_file: Path | None, directory: str, overwrite: bool
) -> None:
    """Pulihkan salinan dari hard disk (.dmp, .dmp.zst, .dmp.age, .dmp.zst.age) menjadi .dmp,
    diperiksa dengan SHA256SUMS dulu, lalu tampilkan langkah mengembalikan database (file
    parameter impdp untuk dump Oracle)."""
    import hashlib
    import shutil

    from core.problems import Code
    from jobs.external.copy import CopyError, hash_file, read_manifest, restore
    from jobs.external.foreign import EXPORT_LOG_LIMIT, UnsafeFile, plain_name, read_regular
    from jobs.external.keys import KeyFileError, load_identities
    from sopbot.disaster import ORACLE_NAME, plan_recovery, recovery_steps
    from texts.problems import say

    if not ORACLE_NAME.fullmatch(directory) or not plain_name(out.name):
        click.echo(words.restore_bad_names(directory[:40], out.name[:40]), err=True)
        sys.exit(2)
    if out.exists() and not overwrite:  # on the day it is needed, never lose a file by a typo
        click.echo(words.restore_out_exists(out), err=True)
        sys.exit(1)
    identities: list[str] = []
    if identity_file is not None:
        try:  # checked before anything is read: a key problem is never a copy problem
            identities = load_identities(identity_file)
        except KeyFileError as bad_key:
            log.warning("restore-file: key file refused: %s", bad_key.problem.english())
            click.echo(words.restore_bad_key(say(bad_key.problem)), err=True)
            sys.exit(1)
    elif source.name.endswith(".age"):
        click.echo(words.restore_needs_key(source.name), err=True)
        sys.exit(1)
    # Everything on the disk is foreign input: the manifest and the export log are read only as
    # bounded regular files, the copy only as a regular file (never a link, FIFO or device).
    manifest = read_manifest(source.parent)
    expected = manifest.get(source.name)
    try:
        matches = expected is not None and hash_file(source, foreign=True) == expected
    except UnsafeFile as unsafe:
        click.echo(words.restore_not_regular(source.name, unsafe.why), err=True)
        sys.exit(1)
    if expected is None:
        click.echo(words.restore_not_listed(source.name))
    elif not matches:
        click.echo(words.restore_damaged(source.name), err=True)
        sys.exit(1)
    else:
        click.echo(words.restore_matches(source.name))
    # What the copy unpacks to may not fill the server's disk (a crafted copy decompresses to
    # terabytes): it stops short of the folder's last 5 % (at least 1 GiB).
    usage = shutil.disk_usage(out.parent if str(out.parent) else Path("."))
    room = usage.free - max(1024**3, usage.total // 20)
    try:
        digest = restore(source, out, identities, max_output=max(room, 0))
    except CopyError as error:
        if error.problem.code is Code.COPY_TOO_LARGE:
            click.echo(words.restore_too_large(source.name, out.parent, max(room, 0)), err=True)
            sys.exit(1)
        log.warning("restore-file: cannot restore: %s", error.problem.english())
        click.echo(words.restore_failed(say(error.problem)), err=True)
        sys.exit(1)
    mark = "✅" if expected is not None else "⚠️"  # unchecked against SHA256SUMS: no ✅
    click.echo(words.restored(mark, out, digest))
    name = source.name.removesuffix(".age").removesuffix(".zst")
    log_name = name.rsplit(".", 1)[0] + ".log"
    log_text: str | None = None
    # The export log decides the impdp scope: used only as listed in SHA256SUMS, and the bytes
    # checked are the bytes read.
    if plain_name(log_name) and manifest.get(log_name):
        try:
            data = read_regular(source.parent / log_name, EXPORT_LOG_LIMIT)
        except OSError:
            data = b""
        if hashlib.sha256(data).hexdigest() == manifest[log_name]:
            log_text = data.decode("utf-8", errors="replace")
    if log_text is None:
        click.echo(words.export_log_unused(log_name))
    plan = plan_recovery(out, directory.upper(), log_text)
    if plan.parameter_file is not None:
        click.echo(words.parameter_file(plan.parameter_file))
    click.echo(words.RECOVERY_HEADING)
    for number, step in enumerate(recovery_steps(plan), 1):
        click.echo(f"  {number}. {step}")
