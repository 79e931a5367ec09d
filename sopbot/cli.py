"""The `sopbot` command line."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from core.secrets import mask
from core.settings import Settings, SettingsError, load_settings
from sopbot.central_cli import pusat
from sopbot.click_id import Group
from sopbot.web_cli import web as _web  # noqa: F401 (registers `sopbot pusat web`)

if TYPE_CHECKING:
    from datetime import datetime

    from storage.disks import DiskRecord
    from storage.lock import InstanceLock

log = logging.getLogger("sopbot")

ALREADY_RUNNING = 75  # EX_TEMPFAIL: not a failure of the dump, nor a warning; try again later


def _settings(env_file: Path) -> Settings:
    try:
        return load_settings(env_file)
    except SettingsError as error:
        click.echo(str(error), err=True)
        if not env_file.is_file():
            click.echo(f"File pengaturan {env_file.resolve()} tidak ditemukan.", err=True)
        sys.exit(2)


env_file_option = click.option(
    "--env-file",
    type=click.Path(path_type=Path),
    default=Path(".env"),
    show_default=True,
    help="File pengaturan.",
)


@click.group(cls=Group)
@click.version_option(
    package_name="sopbot", message="sopbot %(version)s", help="Tampilkan versi lalu keluar."
)
@click.help_option(help="Tampilkan bantuan ini lalu keluar.")
def main() -> None:
    """Bot Telegram SOP-PIAK-02 Back Up Data Kependudukan.

    Nama pengaturan (TELEGRAM_BOT_TOKEN, DUMP_DIR, ...) tetap dalam bahasa Inggris, seperti
    di file .env."""
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


@main.command()
@env_file_option
@click.option("--verbose", is_flag=True, help="Catat rincian debug di log.")
def run(env_file: Path, verbose: bool) -> None:
    """Jalankan bot sampai dihentikan."""
    from bot.app import build_application, run_forever
    from core.logs import configure_logging
    from sopbot.runtime import open_runtime

    settings = _settings(env_file)
    _make_data_dir(settings)
    configure_logging(settings.secrets, verbose=verbose, log_dir=settings.data_dir / "logs")
    _warn_if_env_is_readable(env_file)
    with _startup_failures(settings):
        lock = _single_instance(settings)
        try:
            asyncio.run(_reach_telegram(settings))  # a refused token or no network: one line
            app = build_application(open_runtime(settings))
            run_forever(app)
        finally:
            lock.release()


def _make_data_dir(settings: Settings) -> None:
    """DATA_DIR holds the SOP log, the keys and the parameter files: made private when the bot
    creates it (on Windows an explicit ACL, since a folder under C:\\ is open to Users)."""
    from core.private import PrivacyError, private_dir

    if settings.data_dir.is_dir():
        return  # an existing folder is the ADB's to set; `sopbot check` reports a broad one
    try:
        private_dir(settings.data_dir)
    except OSError as exc:
        detail = str(exc) if isinstance(exc, PrivacyError) else (exc.strerror or str(exc))
        _fail(f"DATA_DIR: {settings.data_dir} tidak dapat dibuat privat ({detail}).")


async def _reach_telegram(settings: Settings) -> None:
    from telegram import Bot

    bot = Bot(
        settings.telegram_bot_token.get_secret_value(),
        base_url=settings.telegram_api_base_url,
        base_file_url=settings.file_base_url,
    )
    async with bot:  # getMe: raises InvalidToken or NetworkError
        pass


@contextmanager
def _startup_failures(settings: Settings) -> Iterator[None]:
    """A failure to start ends with one clear line naming what to fix, never a traceback that
    could carry the token or a password into the service log."""
    from sqlalchemy.exc import SQLAlchemyError
    from telegram.error import InvalidToken, NetworkError, TelegramError

    api = settings.telegram_api_base_url.split("/bot")[0]
    try:
        yield
    except InvalidToken:
        _fail("TELEGRAM_BOT_TOKEN: Telegram menolak token bot ini (periksa token dari @BotFather).")
    except NetworkError as exc:
        name = type(exc).__name__
        _fail(f"TELEGRAM_API_BASE_URL: Telegram tidak dapat dihubungi di {api} ({name}).")
    except TelegramError as exc:
        _fail(f"Telegram menolak saat bot dimulai: {mask(exc.message, settings.secrets)}")
    except SQLAlchemyError as exc:
        _fail(
            "DATABASE_URL: basis data log SOP tidak dapat dibuka "
            f"({type(exc).__name__}: {mask(str(exc).splitlines()[0], settings.secrets)})."
        )
    except OSError as exc:
        _fail(f"Bot tidak dapat dimulai: {type(exc).__name__}: {exc.strerror or exc}")


def _fail(line: str) -> NoReturn:
    """One line for the person at the console (Indonesian, the setting's name in English)."""
    log.error("Start-up failed; the console got: %s", line.split(":", 1)[0])
    click.echo(line, err=True)
    sys.exit(2)


def _single_instance(settings: Settings) -> InstanceLock:
    """Refuse to run beside another bot (or `sopbot backup`) on the same SOP log."""
    from storage.database import make_engine
    from storage.lock import AlreadyRunning, InstanceLock

    lock = InstanceLock(make_engine(settings.database_url))
    try:
        lock.acquire()
    except AlreadyRunning as error:
        held = f" (kunci {error.lock})" if error.lock else ""
        click.echo(
            f"sopbot sedang berjalan: sopbot lain memakai log SOP {error.database}{held}. "
            "Hentikan dulu, atau pakai perintahnya di chat (/backup, /salin, /ujipulih).",
            err=True,
        )
        sys.exit(ALREADY_RUNNING)
    return lock


def _warn_if_env_is_readable(env_file: Path) -> None:
    from bot.checklist import Verdict, check_env_file

    item = check_env_file(env_file)
    if item is not None and item.verdict is Verdict.WARN:
        log.warning("%s is readable by other users: run chmod 600 %s", env_file, env_file)


@main.command()
@env_file_option
@click.option("--verbose", is_flag=True, help="Catat rincian debug di log.")
def backup(env_file: Path, verbose: bool) -> None:
    """Jalankan back up database sekarang, dengan progres (untuk cron atau Task Scheduler).

    Kode keluar: 0 berhasil, 1 gagal atau tidak lengkap, 3 selesai dengan peringatan, 75 bot
    atau `sopbot backup` lain sedang berjalan pada log yang sama (coba lagi nanti).
    """
    from sopbot.backup_cli import run_backup

    _run_alone(env_file, verbose, run_backup)


def _run_alone(
    env_file: Path, verbose: bool, job: Callable[[Settings], Coroutine[Any, Any, int]]
) -> NoReturn:
    """Run a job from the terminal, never beside the bot or another such run; exit its code."""
    from core.logs import configure_logging

    settings = _settings(env_file)
    _make_data_dir(settings)
    configure_logging(settings.secrets, verbose=verbose, log_dir=settings.data_dir / "logs")
    logging.getLogger().handlers[0].setLevel(logging.DEBUG if verbose else logging.WARNING)
    lock = _single_instance(settings)
    try:
        code = asyncio.run(_interruptible(job, settings))
        _checkpoint(settings)
    finally:
        lock.release()
    sys.exit(code)


INTERRUPTED_EXIT = 130  # 128 + SIGINT, as shells report a Ctrl+C


async def _interruptible(
    job: Callable[[Settings], Coroutine[Any, Any, int]], settings: Settings
) -> int:
    """The job, stopped through its contract by the first Ctrl+C (or SIGTERM, SIGBREAK): a running
    export is stopped on the server too. Later ones are ignored until that is done, and no
    traceback follows."""
    import signal

    from core.stop_signals import console_signals, stop_once_on

    task = asyncio.current_task()
    assert task is not None
    wanted = console_signals() + ([signal.SIGTERM] if os.name == "posix" else [])

    def cancel() -> None:
        task.cancel()

    restore = stop_once_on(asyncio.get_running_loop(), cancel, wanted)
    try:
        return await job(settings)
    except asyncio.CancelledError:
        click.echo("Dihentikan (Ctrl+C atau sinyal stop); pekerjaan dicatat terputus.", err=True)
        return INTERRUPTED_EXIT
    finally:
        restore()


def _checkpoint(settings: Settings) -> None:
    """After a run from the terminal, sign a checkpoint of what it recorded (with a key)."""
    from datetime import UTC, datetime

    from sqlalchemy.exc import SQLAlchemyError

    from jobs.evidence import Evidence, KeyProblem
    from storage.database import make_engine

    try:
        Evidence(settings, make_engine(settings.database_url)).checkpoint_if_due(datetime.now(UTC))
    except (KeyProblem, SQLAlchemyError) as error:
        log.warning("No checkpoint of the evidence chain: %s", error)


@main.command()
@env_file_option
@click.option("--verbose", is_flag=True, help="Catat rincian debug di log.")
def salin(env_file: Path, verbose: bool) -> None:
    """Salin back up terbaru ke hard disk eksternal dan verifikasi (SOP langkah 11).

    Kode keluar: 0 salinan terverifikasi ada (baru dibuat atau sudah ada), 1 gagal (hard disk
    tidak ada, penuh, tidak terverifikasi), 75 bot sedang berjalan (pakai /salin di chat).
    """
    from sopbot.copy_cli import run_copy

    _run_alone(env_file, verbose, run_copy)


@main.command()
@env_file_option
@click.option("--verbose", is_flag=True, help="Catat rincian debug di log.")
def ujipulih(env_file: Path, verbose: bool) -> None:
    """Uji pulih: baca salinan terbaru dari hard disk eksternal, pulihkan dan periksa.

    Kode keluar: 0 lulus, 1 gagal (salinan tidak dapat dipulihkan), 3 tidak dapat diuji (hard
    disk tidak terpasang, kunci/impdp/login Oracle bermasalah: perbaiki lalu ulangi), 75 bot
    sedang berjalan (pakai /ujipulih di chat).
    """
    from sopbot.drill_cli import run_drill

    _run_alone(env_file, verbose, run_drill)


@main.command("uji-oracle")
@env_file_option
@click.option("--verbose", is_flag=True, help="Catat rincian debug di log.")
def uji_oracle(env_file: Path, verbose: bool) -> None:
    """Uji Oracle: periksa setiap anggapan bot tentang server Oracle ini (hari pertama dan
    setelah upgrade Oracle). Tidak mengubah data produksi: satu tabel kecil diekspor ke dump
    sementara, dibaca ulang seperti uji pulih, lalu dihapus. Laporan ada di DATA_DIR/reports/.

    Kode keluar: 0 semua anggapan terbukti, 1 ada yang tidak terbukti, 75 bot sedang berjalan.
    """
    from sopbot.selftest_cli import run_selftest

    _run_alone(env_file, verbose, run_selftest)


@main.command("sample-db")
@env_file_option
@click.option("--residents", default=3000, show_default=True, help="Jumlah penduduk rekaan.")
def sample_db(env_file: Path, residents: int) -> None:
    """Buat database contoh mirip SIAK (data rekaan) di SQLITE_SOURCE_PATH."""
    from devtools.sample_db import create_sample_database

    settings = _settings(env_file)
    assert settings.sqlite_source_path is not None
    path = create_sample_database(settings.sqlite_source_path, residents=residents)
    click.echo(f"Database contoh dengan {residents} penduduk rekaan: {path}")


@main.command()
@env_file_option
def check(env_file: Path) -> None:
    """Periksa pengaturan, Telegram, database, dump dan hard disk; keluar 1 bila ada masalah."""
    from bot.checklist import ICONS, Verdict, check_env_lines, passed, run_checks
    from core.settings import SettingsError, load_settings

    if not env_file.is_file():
        where = env_file.resolve()
        click.echo(
            f"{ICONS[Verdict.FAIL]} File pengaturan: {where} tidak ditemukan (salin .env.example "
            "menjadi .env di folder ini, atau sebutkan --env-file)"
        )
        if "TELEGRAM_BOT_TOKEN" not in os.environ:
            sys.exit(1)
    try:
        settings = load_settings(env_file)
    except SettingsError as error:
        for item in check_env_lines(env_file):
            click.echo(item.line())
        click.echo(f"{ICONS[Verdict.FAIL]} {error}")
        sys.exit(1)
    items = asyncio.run(
        run_checks(
            settings,
            env_file=env_file,
            last_dump_bytes=_last_dump_bytes(settings),
            setup=True,
            selftest_passed=_selftest_passed(settings),
        )
    )
    for item in items:
        click.echo(item.line())
    ok = passed(items)
    click.echo("Hasil: semua siap." if ok else "Hasil: ada yang harus diperbaiki.")
    sys.exit(0 if ok else 1)


def _last_dump_bytes(settings: Settings) -> int | None:
    """Size of the last good dump, if the log exists already (read only, never migrated)."""
    from sqlalchemy.exc import SQLAlchemyError

    from storage.database import make_engine
    from storage.dumps import DumpLog

    try:
        last = DumpLog(make_engine(settings.database_url)).last_good()
    except SQLAlchemyError:
        return None
    return last.size_bytes if last else None


def _selftest_passed(settings: Settings) -> str | None:
    """When `sopbot uji-oracle` last passed, if the log exists already (read only)."""
    from sqlalchemy.exc import SQLAlchemyError

    from jobs.drill.selftest import PASSED_KEY
    from storage.database import make_engine
    from storage.state import StateStore

    try:
        return StateStore(make_engine(settings.database_url)).get(PASSED_KEY)
    except SQLAlchemyError:
        return None


@main.group()
def disk() -> None:
    """Hard disk eksternal: daftarkan sekali, lihat daftar back up-nya, pensiunkan."""


@disk.command("init")
@env_file_option
@click.option("--label", required=True, help="Nama yang ditulis di hard disk, mis. HDD-PIAK-1.")
@click.option(
    "--path",
    "root",
    type=click.Path(path_type=Path),
    default=None,
    help="Lokasi hard disk (bawaan: EXTERNAL_DISK_PATH).",
)
@click.option(
    "--baru",
    "fresh",
    is_flag=True,
    help="Hard disk yang tercatat hilang dan sudah dikosongkan: daftarkan sebagai hard disk baru.",
)
def disk_init(env_file: Path, label: str, root: Path | None, fresh: bool) -> None:
    """Tulis file identitas hard disk (sekali); bot hanya menyalin ke hard disk terdaftar."""
    import texts
    from jobs.external.disk import LABEL_MAX, BadIdentity, DiskError, prepare_disk, read_identity

    settings = _settings(env_file)
    root = root or settings.external_disk_path
    if root is None:
        click.echo("Hard disk tidak ada: EXTERNAL_DISK_PATH belum diatur", err=True)
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
    click.echo(
        f"Agar hanya hard disk kantor yang dipakai, tambahkan ke EXTERNAL_DISK_IDS: {identity.id}"
    )


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

    settings = _settings(env_file)
    with _startup_failures(settings):
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
    when = f" sejak {lost_at:%d/%m/%Y %H:%M} UTC" if lost_at else ""
    click.echo(
        f"Hard disk ini adalah {label}, yang tercatat HILANG{when}: bot tidak memakainya.\n"
        f"- Ditemukan dan masih utuh: Kabid mengirim /ketemu {label} <alasan> di chat; bot "
        "memverifikasi penuh isinya dulu, lalu memakainya lagi.\n"
        "- Tidak dipercaya lagi: pensiunkan, hapus isi folder sopbot-backups, lalu daftarkan "
        "sebagai hard disk baru: sopbot disk init --baru --label <label baru>.",
        err=True,
    )


def _forget_lost_identity(root: Path, lost: DiskRecord | None) -> None:
    """--baru: only for a disk reported lost, and only once it holds no backup any more (the
    files on a disk that was out of the office's hands are not trusted, nor mixed with new
    ones). Its old record stays lost in the log; the disk gets a new identity."""
    from jobs.external.disk import BACKUP_FOLDER, IDENTITY_FILE

    if lost is None:
        click.echo(
            "--baru hanya untuk hard disk yang tercatat hilang; hard disk ini tidak "
            "(identitasnya tidak diubah).",
            err=True,
        )
        sys.exit(1)
    folder = root / BACKUP_FOLDER
    left = sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []
    if left:
        shown = ", ".join(left[:5]) + (" …" if len(left) > 5 else "")
        click.echo(
            f"Folder {folder} masih berisi {len(left)} file ({shown}). Hapus dulu isinya, lalu "
            "ulangi sopbot disk init --baru.",
            err=True,
        )
        sys.exit(1)
    (root / IDENTITY_FILE).unlink()
    click.echo(f"Identitas lama {lost.label} (id {lost.id}) dilepas; tetap tercatat hilang.")


def _register_disk(settings: Settings, disk_id: str, label: str, root: Path) -> None:
    """The office's disks are kept in the log, so /daftar can say whose turn it is."""
    import shutil
    from datetime import UTC, datetime

    from storage.database import make_engine, upgrade
    from storage.disks import DiskRegistry

    with _startup_failures(settings):
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
    from sopbot.runtime import open_runtime
    from texts.problems import say

    settings = _settings(env_file)
    services = open_runtime(settings)
    try:
        found = services.copier.check(writing=False)
    except DiskError as problem:
        click.echo(f"Hard disk eksternal tidak dapat dipakai: {say(problem.problem)}", err=True)
        sys.exit(1)
    # Every file on the disk, the log asked about those names only (not the disk's history).
    listing = list_disk(found, services.copylog)
    click.echo(texts.plain(texts.disk_listing(listing, services.copylog.pruned(), settings.tz)))


@main.command("restore-file")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Tempat menulis file .dmp.",
)
@click.option(
    "--identity",
    "identity_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="File kunci age (kunci kantor, atau kunci cadangan dari brankas) untuk salinan .age.",
)
@click.option(
    "--directory",
    default="DATA_PUMP_DIR",
    show_default=True,
    help="Directory object Oracle tempat dump akan diimpor.",
)
@click.option(
    "--timpa", "overwrite", is_flag=True, help="Timpa file --out yang sudah ada (bawaan: menolak)."
)
def restore_file(
    source: Path, out: Path, identity_file: Path | None, directory: str, overwrite: bool
) -> None:
    """Pulihkan salinan dari hard disk (.dmp, .dmp.zst, .dmp.age, .dmp.zst.age) menjadi .dmp,
    diperiksa dengan SHA256SUMS dulu, lalu tampilkan langkah mengembalikan database (file
    parameter impdp untuk dump Oracle) dalam bahasa Indonesia dan Inggris."""
    import hashlib
    import shutil

    from core.problems import Code
    from jobs.external.copy import CopyError, hash_file, read_manifest, restore
    from jobs.external.foreign import EXPORT_LOG_LIMIT, UnsafeFile, plain_name, read_regular
    from jobs.external.keys import KeyFileError, load_identities
    from sopbot.disaster import ORACLE_NAME, plan_recovery
    from texts.problems import say

    if not ORACLE_NAME.fullmatch(directory) or not plain_name(out.name):
        click.echo(
            f"❌ --directory harus nama directory object Oracle (mis. DATA_PUMP_DIR) dan --out "
            f"nama file biasa: {directory[:40]!r}, {out.name[:40]!r}",
            err=True,
        )
        sys.exit(2)
    if out.exists() and not overwrite:  # on the day it is needed, never lose a file by a typo
        click.echo(
            f"❌ {out} sudah ada: tidak ditimpa. Pilih nama lain, atau tambahkan --timpa "
            f"({out} exists: not overwritten; choose another name or add --timpa).",
            err=True,
        )
        sys.exit(1)
    identities: list[str] = []
    if identity_file is not None:
        try:  # checked before anything is read: a key problem is never a copy problem
            identities = load_identities(identity_file)
        except KeyFileError as bad_key:
            click.echo(
                f"❌ --identity: {say(bad_key.problem)} ({bad_key.problem.english()})", err=True
            )
            sys.exit(1)
    elif source.name.endswith(".age"):
        click.echo(
            f"❌ {source.name} terenkripsi: sebutkan file kuncinya dengan --identity kunci.txt "
            "(kunci kantor, atau kunci cadangan dari brankas) "
            "(encrypted: give its key file with --identity).",
            err=True,
        )
        sys.exit(1)
    # Everything on the disk is foreign input: the manifest and the export log are read only as
    # bounded regular files, the copy only as a regular file (never a link, FIFO or device).
    manifest = read_manifest(source.parent)
    expected = manifest.get(source.name)
    try:
        matches = expected is not None and hash_file(source, foreign=True) == expected
    except UnsafeFile as unsafe:
        click.echo(f"❌ {source.name} bukan file biasa ({unsafe.why}): tidak dipulihkan.", err=True)
        sys.exit(1)
    if expected is None:
        click.echo(f"⚠️ {source.name} tidak ada di SHA256SUMS: keutuhannya tidak dapat dipastikan.")
    elif not matches:
        click.echo(
            f"❌ {source.name} tidak cocok dengan SHA256SUMS: salinan rusak "
            "(does not match SHA256SUMS: the copy is damaged).",
            err=True,
        )
        sys.exit(1)
    else:
        click.echo(f"✅ {source.name} cocok dengan SHA256SUMS (matches SHA256SUMS).")
    # What the copy unpacks to may not fill the server's disk (a crafted copy decompresses to
    # terabytes): it stops short of the folder's last 5 % (at least 1 GiB).
    usage = shutil.disk_usage(out.parent if str(out.parent) else Path("."))
    room = usage.free - max(1024**3, usage.total // 20)
    try:
        digest = restore(source, out, identities, max_output=max(room, 0))
    except CopyError as error:
        if error.problem.code is Code.COPY_TOO_LARGE:
            click.echo(
                f"❌ Dihentikan: {source.name} mengembang melebihi ruang aman di {out.parent} "
                f"({max(room, 0)} byte); kosongkan ruang atau pilih --out di disk lain "
                "(stopped: the copy unpacks to more than the safe free space).",
                err=True,
            )
            sys.exit(1)
        click.echo(
            f"❌ Tidak dapat dipulihkan: {say(error.problem)} "
            f"(cannot restore: {error.problem.english()})",
            err=True,
        )
        sys.exit(1)
    mark = "✅" if expected is not None else "⚠️"  # unchecked against SHA256SUMS: no ✅
    click.echo(f"{mark} Dipulihkan (restored): {out} (SHA-256 {digest})")
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
        click.echo(
            f"⚠️ Log ekspor {log_name} tidak ada atau tidak cocok dengan SHA256SUMS: tidak "
            "dipakai; file parameter mengimpor semuanya (full=y) "
            "(export log missing or not matching SHA256SUMS: not used)."
        )
    plan = plan_recovery(out, directory.upper(), log_text)
    if plan.parameter_file is not None:
        click.echo(f"File parameter impdp (impdp parameter file): {plan.parameter_file}")
    click.echo("\nLangkah pemulihan:")
    for number, step in enumerate(plan.steps_id, 1):
        click.echo(f"  {number}. {step}")
    click.echo("\nRecovery steps:")
    for number, step in enumerate(plan.steps_en, 1):
        click.echo(f"  {number}. {step}")


@main.command("verifikasi-log")
@env_file_option
@click.option(
    "--kunci-publik",
    "public_key",
    default="",
    help="Kunci publik tanda tangan kantor (nama+hash+base64) atau file berisi kunci itu; "
    "tanpa ini dipakai EVIDENCE_KEY_FILE.",
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

    settings = _settings(env_file)
    verifier: Verifier | None = None
    if public_key:
        given = Path(public_key)
        try:
            text = given.read_text(encoding="utf-8-sig") if given.is_file() else public_key
            verifier = read_verifier(text)
        except (OSError, NoteError):
            click.echo("--kunci-publik: bukan kunci publik tanda tangan.", err=True)
            sys.exit(2)
    engine = make_engine(settings.database_url)
    try:
        current = schema_is_current(engine)
    except Exception:  # any failure to read the log means it cannot be checked
        current = False
    if not current:
        click.echo("Rantai bukti tidak dapat diperiksa: log belum ada atau skemanya lama.")
        sys.exit(2)
    evidence = Evidence(settings, engine)
    if verifier is None and settings.evidence_key_file is not None:
        try:
            verifier = evidence.verifier()
        except KeyProblem:
            click.echo("EVIDENCE_KEY_FILE tidak dapat dibaca sebagai kunci tanda tangan.", err=True)
    report = evidence.verify(verifier)
    for line in chain_report_lines(report):
        click.echo(line)
    sys.exit(
        {ChainVerdict.INTACT: 0, ChainVerdict.BROKEN: 1, ChainVerdict.CANNOT: 2}[report.verdict]
    )


@main.group()
def keys() -> None:
    """Kunci age yang mengenkripsi salinan di hard disk eksternal."""


@keys.command("init")
@click.option(
    "--folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data") / "keys",
    show_default=True,
    help="Tempat kunci kantor dan lembar kunci cadangan ditulis.",
)
@click.option(
    "--nama",
    default="sopbot-kantor",
    show_default=True,
    help="Nama kunci tanda tangan (asal checkpoint), mis. disdukcapil-5108.",
)
def keys_init(folder: Path, nama: str) -> None:
    """Buat kunci kantor, kunci cadangan (escrow), kunci tanda tangan rantai bukti dan lembarnya
    untuk brankas. Bila kunci age sudah ada, hanya kunci tanda tangan yang dibuat."""
    from core.signednote import NAME_PATTERN
    from sopbot.keys import KeysExist, create_keys

    if not NAME_PATTERN.fullmatch(nama):
        click.echo("--nama: tanpa spasi dan tanpa tanda +, paling banyak 120 karakter.", err=True)
        sys.exit(2)
    try:
        made = create_keys(folder, nama)
    except KeysExist as exists:
        click.echo(f"Kunci sudah ada di {exists}: tidak ada yang ditimpa.", err=True)
        sys.exit(1)
    if not made.escrow_public:  # the age keys were there already
        click.echo(f"Kunci tanda tangan rantai bukti (rahasia): {made.signing_key_file}")
        click.echo(f"Lembarnya untuk brankas Kabid: {made.sheet_text} (cetak, lalu HAPUS).")
        click.echo(f"Kunci publik untuk auditor dan pusat: {made.signing_public}")
        click.echo("Isi di .env:")
        click.echo(f"EVIDENCE_KEY_FILE={made.signing_key_file}")
        return
    click.echo(f"Kunci kantor (rahasia, dipakai bot): {made.office_key_file}")
    click.echo(f"Lembar kunci cadangan untuk brankas Kabid: {made.sheet_text}, {made.sheet_png}")
    click.echo("Cetak, lalu HAPUS file lembar itu dari komputer ini. Isi di .env:")
    click.echo("EXTERNAL_ENCRYPTION=age")
    click.echo(f"EXTERNAL_AGE_RECIPIENTS={made.office_public},{made.escrow_public}")
    click.echo(f"EXTERNAL_AGE_IDENTITY_FILE={made.office_key_file}")
    click.echo(f"EVIDENCE_KEY_FILE={made.signing_key_file}")
    click.echo(f"Kunci publik tanda tangan (untuk auditor dan pusat): {made.signing_public}")


@main.command()
@env_file_option
@click.option("--month", required=True, help="Bulan, mis. 2026-11.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="File grafik (.png); CSV dan ringkasan ditulis di sebelahnya.",
)
def report(env_file: Path, month: str, out: Path) -> None:
    """Tulis laporan bulanan: grafik (PNG), data harian (CSV) dan ringkasan (TXT)."""
    import texts
    from bot.context import Services
    from jobs.chart import render_chart
    from jobs.report import build_report, parse_month, report_csv
    from sopbot.runtime import open_runtime

    settings = _settings(env_file)
    try:
        first = parse_month(month)
    except ValueError:
        click.echo(texts.REPORT_USAGE_PROBLEM, err=True)
        sys.exit(2)
    services = open_runtime(settings)
    built = build_report(
        first,
        services.today(),
        services.log,
        services.dumplog,
        services.copylog,
        settings.office,
        services.drilllog,
    )
    out = out.with_suffix(".png")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(render_chart(built))
    out.with_suffix(".csv").write_bytes(report_csv(built))
    out.with_suffix(".txt").write_text(
        texts.plain(texts.report_summary(built, Services.from_runtime(services).shown_names))
        + "\n",
        encoding="utf-8",
    )
    click.echo(f"Ditulis: {out}, {out.with_suffix('.csv')} dan {out.with_suffix('.txt')}")


@main.command()
@env_file_option
@click.option("--pdf", "as_pdf", is_flag=True, help="Tulis laporan audit bulanan (PDF A4).")
@click.option("--bulan", default="", help="Bulan TTTT-BB (bawaan: bulan ini).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("laporan"),
    show_default=True,
    help="Folder tempat PDF dan lampiran CSV-nya ditulis.",
)
def laporan(env_file: Path, as_pdf: bool, bulan: str, out: Path) -> None:
    """Laporan audit bulanan: PDF dengan nomor, ringkasan, tabel harian, uji pulih, insiden,
    checkpoint rantai bukti dan kode QR-nya, serta lampiran CSV."""
    from datetime import date

    from bot.audit import build_for
    from jobs.audit_pdf import render_audit_pdf
    from jobs.report import parse_month
    from sopbot.runtime import open_runtime

    if not as_pdf:
        click.echo("Sebutkan --pdf (grafik dan CSV: sopbot report).", err=True)
        sys.exit(2)
    settings = _settings(env_file)
    services = open_runtime(settings)
    today = services.today()
    try:
        month = parse_month(bulan) if bulan else date(today.year, today.month, 1)
    except ValueError:
        click.echo("--bulan: harus berformat TTTT-BB, misalnya 2026-11.", err=True)
        sys.exit(2)
    report, annex = build_for(services, month)
    out.mkdir(parents=True, exist_ok=True)
    pdf = out / f"laporan-audit-{month:%Y-%m}.pdf"
    pdf.write_bytes(render_audit_pdf(report))  # a short-lived process already: drawn here
    (out / report.csv_name).write_bytes(annex)
    click.echo(f"Ditulis: {pdf} dan {out / report.csv_name}")
    click.echo(f"Nomor laporan: {report.number}")


@main.command()
def demo() -> None:
    """Mainkan satu hari SOP dengan server Bot API lokal (tanpa akun Telegram)."""
    from core.logs import configure_logging
    from sopbot.demo import run_demo

    configure_logging([], verbose=False)
    # The demo plays warnings on purpose (a missing copy): the chat shows them, not the log.
    logging.getLogger().setLevel(logging.ERROR)
    asyncio.run(run_demo())


main.add_command(pusat)

if __name__ == "__main__":
    main()
