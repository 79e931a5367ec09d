"""`sopbot disk`: register, list and retire the external disks."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from core.settings import Settings
from sopbot.click_id import Group
from sopbot.commands.common import env_file_option, settings_or_exit, startup_failures
from texts import terminal as words

if TYPE_CHECKING:
    from datetime import datetime

    from storage.disks import DiskRecord


@click.group(cls=Group)
def disk() -> None:
    """Hard disk eksternal: daftarkan sekali, lihat daftar back up-nya, pensiunkan."""


@disk.command("init")
@env_file_option
@click.option("--label", required=True, help=words.LABEL_HELP)
@click.option(
    "--path",
    "root",
    type=click.Path(path_type=Path),
    default=None,
    help=words.PATH_HELP,
)
@click.option(
    "--baru",
    "fresh",
    is_flag=True,
    help=words.FRESH_HELP,
)
def disk_init(env_file: Path, label: str, root: Path | None, fresh: bool) -> None:
    """Tulis file identitas hard disk (sekali); bot hanya menyalin ke hard disk terdaftar."""
    import texts
    from jobs.external.disk import LABEL_MAX, BadIdentity, DiskError, prepare_disk, read_identity

    settings = settings_or_exit(env_file)
    root = root or settings.external_disk_path
    if root is None:
        click.echo(words.NO_DISK_PATH, err=True)
        sys.exit(1)
    # A disk reported lost keeps its identity (the log knows its copies by it): the two ways out
    # are /ketemu (found and verified) or --baru (emptied, registered as a new disk).
    try:
        existing = read_identity(root) if root.is_dir() else None
    except BadIdentity:
        existing = None  # prepare_disk below refuses it with the reason
    lost = _lost_disk(settings, existing.id) if existing is not None else None
    if fresh:
        _forget_lost_identity(root, lost)
    elif lost is not None:
        _explain_lost(lost.label, lost.lost_at)
        sys.exit(1)
    # Refused here whatever the copy's check would refuse: no identity is written on the
    # server's own disk, over an unusable identity file, or beside a linked backup folder.
    try:
        identity, existed = prepare_disk(root, label, settings.dumps)
    except ValueError:
        click.echo(texts.disk_label_refused(label, LABEL_MAX), err=True)
        sys.exit(1)
    except DiskError as refused:
        click.echo(texts.disk_init_refused(str(root), refused.problem), err=True)
        sys.exit(1)
    if existed:
        click.echo(texts.disk_init_kept(identity.label, identity.id))
    else:
        click.echo(texts.disk_init_done(str(root), identity.label, identity.id))
    _register_disk(settings, identity.id, identity.label, root)
    click.echo(words.disk_ids_hint(identity.id))


@disk.command("pensiun")
@env_file_option
@click.argument("label")
def disk_pensiun(env_file: Path, label: str) -> None:
    """Pensiunkan hard disk terdaftar: tidak ditulisi lagi dan keluar dari giliran."""
    from datetime import UTC, datetime

    import texts
    from storage.audit import AuditLog
    from storage.copies import CopyLog
    from storage.database import make_engine, upgrade
    from storage.disks import DiskRegistry

    settings = settings_or_exit(env_file)
    with startup_failures(settings):
        engine = make_engine(settings.database_url)
        upgrade(engine)
        registry = DiskRegistry(engine)
        found = registry.by_label(label)
        if found is None:
            known = [d.label for d in registry.all() if d.in_service]
            click.echo(texts.disk_unknown_label(label, known), err=True)
            sys.exit(1)
        now = datetime.now(UTC)
        if not registry.retire(found.id, now):
            click.echo(texts.disk_already_out(found.label, found.lost_at is not None), err=True)
            sys.exit(1)
        AuditLog(engine).record(now, None, "disk_retired", found.label)
        copies = len(CopyLog(engine).verified(found.id))
    click.echo(texts.disk_retired(found.label, copies))


def _lost_disk(settings: Settings, disk_id: str) -> DiskRecord | None:
    """The registered disk with this id, when it is reported lost (read only)."""
    from sqlalchemy.exc import SQLAlchemyError

    from storage.database import make_engine
    from storage.disks import DiskRegistry

    try:
        known = DiskRegistry(make_engine(settings.database_url)).get(disk_id)
    except SQLAlchemyError:  # no log yet: nothing is lost
        return None
    return known if known is not None and known.lost_at is not None else None


def _explain_lost(label: str, lost_at: datetime | None) -> None:
    """A lost disk's identity is kept (it is how the log knows its copies); the two ways out."""
    click.echo(words.disk_is_lost(label, lost_at), err=True)


def _forget_lost_identity(root: Path, lost: DiskRecord | None) -> None:
    """--baru: only for a disk reported lost, and only once it holds no backup any more (the
    files on a disk that was out of the office's hands are not trusted, nor mixed with new
    ones). Its old record stays lost in the log; the disk gets a new identity."""
    from jobs.external.disk import BACKUP_FOLDER, IDENTITY_FILE

    if lost is None:
        click.echo(words.FRESH_NOT_LOST, err=True)
        sys.exit(1)
    folder = root / BACKUP_FOLDER
    left = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    if left:
        click.echo(words.fresh_folder_not_empty(folder, left), err=True)
        sys.exit(1)
    (root / IDENTITY_FILE).unlink()
    click.echo(words.old_identity_released(lost.label, lost.id))


def _register_disk(settings: Settings, disk_id: str, label: str, root: Path) -> None:
    """The office's disks are kept in the log, so /daftar can say whose turn it is."""
    import shutil
    from datetime import UTC, datetime

    from storage.database import make_engine, upgrade
    from storage.disks import DiskRegistry

    with startup_failures(settings):
        engine = make_engine(settings.database_url)
        upgrade(engine)
        DiskRegistry(engine).register(
            disk_id, label, shutil.disk_usage(root).total, datetime.now(UTC)
        )


@disk.command("list")
@env_file_option
def disk_list(env_file: Path) -> None:
    """Tampilkan back up di hard disk eksternal (sama dengan /daftar di chat)."""
    import texts
    from jobs.external.disk import DiskError
    from jobs.external.listing import list_disk
    from sopbot.compose import open_runtime
    from texts.problems import say

    settings = settings_or_exit(env_file)
    services = open_runtime(settings)
    try:
        found = services.copier.check(writing=False)
    except DiskError as problem:
        click.echo(words.disk_unusable(say(problem.problem)), err=True)
        sys.exit(1)
    # Every file on the disk, the log asked about those names only (not the disk's history).
    listing = list_disk(found, services.copylog)
    click.echo(texts.plain(texts.disk_listing(listing, services.copylog.pruned(), settings.tz)))
