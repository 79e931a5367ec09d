"""`sopbot pusat`: the central database many offices report to. Set-up for its administrator
(`init`, `kantor add`, `pengawas add`) and the supervisor's view (`sopbot pusat`)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn
from zoneinfo import ZoneInfo

import click

from sopbot.click_id import Group
from texts import terminal as words

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from core.signednote import Signer
    from storage.central.admin import Login

URL_HELP = words.CENTRAL_URL_HELP
database_url_option = click.option(
    "--database-url", envvar="CENTRAL_DATABASE_URL", required=True, help=URL_HELP
)


def _engine(url: str) -> Engine:
    from sqlalchemy.exc import ArgumentError

    from storage.central.admin import CentralSetupError, central_engine

    try:
        return central_engine(url)
    except (CentralSetupError, ImportError, ValueError, ArgumentError) as error:
        click.echo(words.central_unusable(_clean(error)), err=True)
        sys.exit(2)


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (KeyError, ValueError):
        raise click.BadParameter(words.unknown_zone(name)) from None
    return name


def _clean(error: BaseException) -> str:
    from sqlalchemy.exc import SQLAlchemyError

    from central.link import describe

    return describe(error) if isinstance(error, SQLAlchemyError) else str(error).splitlines()[0]


CANNOT_READ = 2  # apart from 1 (an office unsafe): a monitor tells "unsafe" from "unknown"


def _fail(what: str, error: BaseException) -> NoReturn:
    click.echo(words.failed_because(what, _clean(error)), err=True)
    sys.exit(CANNOT_READ)


@click.group(cls=Group, invoke_without_command=True)
@click.option("--database-url", envvar="CENTRAL_DATABASE_URL", help=URL_HELP)
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help=words.CSV_HELP,
)
@click.option(
    "--chart",
    type=click.Path(dir_okay=False, path_type=Path),
    help=words.GRID_HELP,
)
@click.option("--days", default=30, show_default=True, help=words.DAYS_HELP)
@click.option(
    "--timezone",
    default="Asia/Makassar",
    show_default=True,
    callback=lambda _ctx, _param, value: _zone(value),
    help=words.TIMEZONE_HELP,
)
@click.pass_context
def pusat(
    ctx: click.Context,
    database_url: str | None,
    csv_path: Path | None,
    chart: Path | None,
    days: int,
    timezone: str,
) -> None:
    """Database pusat: bukti back up semua kantor (pengawas provinsi/Dukcapil).

    Tanpa subperintah: satu baris per kantor, yang paling tidak aman di atas. Kode keluar: 0
    semua kantor aman, 1 ada yang tidak aman (atau tidak ada kantor yang terlihat), 2 database
    pusat tidak dapat dibaca atau perintah salah."""
    if ctx.invoked_subcommand is not None:
        return
    if not database_url:
        click.echo(words.NEEDS_DATABASE_URL, err=True)
        sys.exit(2)
    from sqlalchemy.exc import SQLAlchemyError

    import texts
    from central.export import states_csv
    from storage.central.view import central_view, daily_grid

    tz = ZoneInfo(timezone)
    now = datetime.now(UTC)
    last = now.astimezone(tz).date()
    first = last - timedelta(days=max(1, days) - 1)
    engine = _engine(database_url)
    try:
        view = central_view(engine, now)
        grid = daily_grid(engine, first, last, tz) if chart is not None else None
    except SQLAlchemyError as error:
        _fail(words.CENTRAL_UNREADABLE, error)
    states = view.states
    click.echo(texts.plain(texts.office_table(states, now, tz, supervisor=view.supervisor)))
    if csv_path is not None:
        try:
            csv_path.write_bytes(states_csv(states, now, tz))
        except OSError as error:
            _fail(words.csv_not_written(csv_path), error)
        click.echo(words.csv_written(csv_path))
    if chart is not None and grid is not None:
        from central.chart import render_grid

        try:
            chart.write_bytes(
                render_grid([(s.office_id, s.name) for s in states], grid, first, last)
            )
        except OSError as error:
            _fail(words.grid_not_written(chart), error)
        click.echo(words.grid_written(chart))
    # Nothing seen is nothing known: only offices seen and all safe make a 0.
    sys.exit(0 if states and all(s.safe for s in states) else 1)


@pusat.command("init")
@database_url_option
def pusat_init(database_url: str) -> None:
    """Buat atau perbarui skema, peran dan aturan akses (row-level security) database pusat."""
    from sqlalchemy.exc import SQLAlchemyError

    import texts
    from storage.central.admin import current_revision, upgrade

    engine = _engine(database_url)
    try:
        done = upgrade(engine)
        revision = current_revision(engine)
    except SQLAlchemyError as error:
        _fail(words.CENTRAL_NOT_PREPARED, error)
    click.echo(texts.pusat_ready(revision, done.logins, done.legacy, done.unlimited_temp))


@pusat.group("kantor")
def kantor() -> None:
    """Kantor yang melapor ke database pusat."""


@kantor.command("add")
@database_url_option
@click.argument("office_id")
@click.argument("name")
@click.option("--host", help=words.OFFICE_HOST_HELP)
@click.option("--port", type=int, help=words.OFFICE_PORT_HELP)
@click.option(
    "--kunci",
    default="",
    help=words.OFFICE_KEY_HELP,
)
def kantor_add(
    database_url: str, office_id: str, name: str, host: str | None, port: int | None, kunci: str
) -> None:
    """Buat login kantor OFFICE_ID (kode wilayah, mis. 5108) lalu cetak pengaturannya."""
    from core.signednote import NoteError, Verifier
    from storage.central.admin import add_office, register_key

    if kunci:
        try:
            Verifier.parse(kunci)
        except NoteError:
            click.echo(words.NOT_AN_OFFICE_KEY, err=True)
            sys.exit(2)

    def make(engine: Engine) -> Login:
        login = add_office(engine, office_id, name)
        if kunci:
            register_key(engine, office_id, kunci.strip())
        return login

    _print_login(
        database_url,
        (host, port),
        make,
        [f"OFFICE_ID={office_id}", f"OFFICE_NAME={name}"],
    )


@pusat.command("saksi")
@database_url_option
@click.option(
    "--kunci",
    "key_file",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help=words.WITNESS_KEY_HELP,
)
@click.option(
    "--terus",
    is_flag=True,
    help=words.WITNESS_KEEP_GOING_HELP,
)
def pusat_saksi(database_url: str, key_file: Path, terus: bool) -> None:
    """Saksikan rantai bukti kantor: periksa tanda tangan setiap checkpoint baru dengan kunci
    kantornya, tandatangani bersama (cosignature), dan tampilkan alarm (cabang, rantai lebih
    pendek, tanda tangan palsu). Jalankan dengan --terus sebagai layanan, atau berkala
    (cron/Task Scheduler).

    Kode keluar: 0 tanpa alarm baru, 1 ada alarm, 2 database pusat tidak dapat dipakai.
    """
    from datetime import UTC, datetime

    from sqlalchemy.exc import SQLAlchemyError

    from central.chain_witness import witness_round
    from jobs.evidence import KeyProblem, read_signer
    from storage.central.witness import alarms
    from texts.evidence import chain_alarm_line

    if not key_file.exists():
        _make_witness_key(key_file)
    try:
        signer = read_signer(key_file)
    except KeyProblem as problem:
        click.echo(words.witness_key_refused(str(problem)), err=True)
        sys.exit(2)
    engine = _engine(database_url)
    if terus:
        _witness_forever(engine, signer)
    now = datetime.now(UTC)
    try:
        with engine.connect() as connection:
            done = witness_round(connection, signer, now)
            with connection.begin():
                found = alarms(connection)
    except SQLAlchemyError as error:
        _fail(words.CENTRAL_UNREADABLE, error)
    for line in words.witness_done(signer.verifier.vkey(), done.cosigned, done.refused):
        click.echo(line)
    for alarm in found:
        when = f"{alarm.at:%Y-%m-%d %H:%M} UTC"
        click.echo(chain_alarm_line(alarm.office_id, alarm.reason, alarm.seq, when))
    sys.exit(1 if found else 0)


@pusat.command("penjaga")
@database_url_option
def pusat_penjaga(database_url: str) -> None:
    """Akhiri sesi login kantor, pengawas atau web yang berjalan melewati batas waktu loginnya
    (batas itu dapat dimatikan sendiri oleh login dengan SET). Jalankan tiap menit (cron/Task
    Scheduler) dengan URL administrator.

    Kode keluar: 0 tidak ada yang diakhiri, 1 ada sesi diakhiri, 2 database pusat tidak dapat
    dipakai.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from storage.central.guard import end_overrunning_sessions
    from texts.central import guard_ended_line, guard_summary

    engine = _engine(database_url)
    try:
        ended = end_overrunning_sessions(engine)
    except SQLAlchemyError as error:
        _fail(words.CENTRAL_UNUSABLE, error)
    for session in ended:
        seconds = int(session.overrun.total_seconds())
        click.echo(guard_ended_line(session.role, session.group, session.state, seconds))
    click.echo(guard_summary(len(ended)))
    sys.exit(1 if ended else 0)


def _witness_forever(engine: Engine, signer: Signer) -> NoReturn:
    from sqlalchemy.exc import SQLAlchemyError

    from central.chain_witness import WitnessStatus, watch

    def said(done: WitnessStatus) -> None:
        if done.cosigned or done.refused:
            click.echo(words.witness_counts(done.cosigned, done.refused))

    click.echo(words.witness_public_key(signer.verifier.vkey()))
    click.echo(words.WITNESS_WAITING)
    try:
        watch(engine, signer, lambda: False, said)
    except KeyboardInterrupt:
        sys.exit(0)
    except SQLAlchemyError as error:
        _fail(words.CENTRAL_UNREADABLE, error)
    sys.exit(0)


def _make_witness_key(path: Path) -> None:
    import os

    from core.signednote import Signer

    signer = Signer.generate("sopbot-saksi-pusat")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(f"# sopbot central witness key\n{signer.secret_string()}\n")


@pusat.group("pengawas")
def pengawas() -> None:
    """Login pengawas: membaca semua kantor, tidak menulis apa pun."""


@pengawas.command("add")
@database_url_option
@click.argument("name")
@click.option("--host", help=words.SUPERVISOR_HOST_HELP)
@click.option("--port", type=int, help=words.SUPERVISOR_PORT_HELP)
@click.option(
    "--wilayah",
    help=words.SUPERVISOR_REGION_HELP,
)
def pengawas_add(
    database_url: str, name: str, host: str | None, port: int | None, wilayah: str | None
) -> None:
    """Buat login pengawas NAME (huruf kecil, mis. bali) lalu cetak pengaturannya dan token
    untuk tampilan web."""
    from storage.central.admin import add_supervisor
    from storage.central.webaccess import WEB, add_token, region_scope, set_region

    tokens: list[str] = []

    def make(engine: Engine) -> Login:
        region_scope(wilayah)  # a wrong region is refused before anything is made
        tokens.append(add_token(engine, WEB, name, wilayah))
        login = add_supervisor(engine, name)
        set_region(engine, login.role, wilayah)
        return login

    _print_login(database_url, (host, port), make, ["PUSAT_IDS=…"])
    if wilayah:
        click.echo(words.supervisor_region(wilayah))
    click.echo(words.web_token_once(tokens[0]))


def _print_login(
    database_url: str,
    server: tuple[str | None, int | None],
    make: Callable[[Engine], Login],
    lines: list[str],
) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from storage.central.admin import CentralSetupError, with_host

    engine = _engine(database_url)
    try:
        # The server's name is checked before a login is made (its password is shown once).
        with_host(engine.url.render_as_string(hide_password=False), *server)
        login = make(engine)
        url = with_host(login.url, *server)
    except CentralSetupError as error:
        click.echo(str(error), err=True)
        sys.exit(2)
    except SQLAlchemyError as error:
        _fail(words.LOGIN_NOT_MADE, error)
    if login.replaced:
        import texts

        click.echo(texts.login_replaced(login.replaced), err=True)
    if login.existed:
        click.echo(words.login_password_changed(login.role), err=True)
    for line in [*words.login_ready(login.role), *lines]:
        click.echo(line)
    click.echo(f"CENTRAL_DATABASE_URL={url}")
