"""`sopbot pusat web` (the province's read-only web view and /metrics), its login
(`sopbot pusat web-login add`) and the read-only tokens (`sopbot pusat token add|revoke`)."""

from __future__ import annotations

import sys
from zoneinfo import ZoneInfo

import click

from sopbot.central_cli import _engine, _fail, _print_login, _zone, database_url_option, pusat
from texts import terminal as words

WEB_URL_HELP = words.WEB_URL_HELP


@pusat.command("web")
@click.option("--database-url", envvar="CENTRAL_WEB_DATABASE_URL", required=True, help=WEB_URL_HELP)
@click.option("--host", default="127.0.0.1", show_default=True, help=words.WEB_HOST_HELP)
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--timezone",
    default="Asia/Makassar",
    show_default=True,
    callback=lambda _ctx, _param, value: _zone(value),
    help=words.TIMEZONE_HELP,
)
@click.option(
    "--sesi-menit",
    default=30,
    show_default=True,
    type=click.IntRange(5, 480),
    help=words.SESSION_MINUTES_HELP,
)
@click.option(
    "--tanpa-https",
    is_flag=True,
    help=words.NO_HTTPS_HELP,
)
@click.option(
    "--di-balik-proxy",
    is_flag=True,
    help=words.BEHIND_PROXY_HELP,
)
def web(
    database_url: str,
    host: str,
    port: int,
    timezone: str,
    sesi_menit: int,
    tanpa_https: bool,
    di_balik_proxy: bool,
) -> None:
    """Tampilan web hanya-baca untuk pengawas, dan /metrics (OpenMetrics) untuk Prometheus."""
    from importlib.util import find_spec

    if any(find_spec(m) is None for m in ("uvicorn", "starlette", "jinja2", "prometheus_client")):
        click.echo(words.WEB_NEEDS_EXTRAS, err=True)
        sys.exit(2)
    import uvicorn
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from storage.central.admin import CentralSetupError
    from storage.central.webaccess import web_engine
    from web.app import WebConfig, create_app

    try:
        engine = web_engine(database_url)
    except (CentralSetupError, ArgumentError, ValueError) as error:
        click.echo(words.central_unusable(str(error)), err=True)
        sys.exit(2)
    try:
        with engine.connect() as connection:  # fail now, not at the first visitor
            connection.exec_driver_sql("SELECT 1 FROM access_tokens LIMIT 1")
    except SQLAlchemyError as error:
        _fail(words.CENTRAL_UNREADABLE_INIT, error)
    from storage.central.webaccess import passwords_checked

    checked = passwords_checked(database_url)
    if not checked:
        click.echo(words.PASSWORDS_UNCHECKED, err=True)
    config = WebConfig(
        database_url=database_url,
        tz=ZoneInfo(timezone),
        session_minutes=sesi_menit,
        secure_cookies=not tanpa_https,
        trust_proxy=di_balik_proxy,
        password_login=checked,
    )
    click.echo(words.web_serving(host, port))
    uvicorn.run(
        create_app(engine, config),
        host=host,
        port=port,
        proxy_headers=False,
        server_header=False,
        access_log=False,  # page views are recorded in the central database, with the viewer
        log_level="warning",
    )


@pusat.group("web-login")
def web_login() -> None:
    """Login layanan web: membaca untuk pengunjungnya dan mencatat halaman yang dibuka."""


@web_login.command("add")
@database_url_option
@click.argument("name")
@click.option("--host", help=words.WEB_LOGIN_HOST_HELP)
@click.option("--port", type=int, help=words.WEB_LOGIN_PORT_HELP)
def web_login_add(database_url: str, name: str, host: str | None, port: int | None) -> None:
    """Buat login layanan web NAME (huruf kecil, mis. provinsi) lalu cetak URL-nya."""
    from storage.central.webaccess import add_web_login

    _print_login(
        database_url,
        (host, port),
        lambda engine: add_web_login(engine, name),
        [words.WEB_LOGIN_SETTING],
    )


@pusat.group("token")
def token() -> None:
    """Token hanya-baca untuk /metrics (Prometheus): Authorization: Bearer <token>."""


@token.command("add")
@database_url_option
@click.argument("name")
@click.option("--wilayah", help=words.TOKEN_REGION_HELP)
def token_add(database_url: str, name: str, wilayah: str | None) -> None:
    """Buat (atau ganti) token /metrics NAME lalu cetak sekali."""
    from sqlalchemy.exc import SQLAlchemyError

    from storage.central.admin import CentralSetupError
    from storage.central.webaccess import METRICS, add_token

    engine = _engine(database_url)
    try:
        value = add_token(engine, METRICS, name, wilayah)
    except CentralSetupError as error:
        click.echo(str(error), err=True)
        sys.exit(2)
    except SQLAlchemyError as error:
        _fail(words.TOKEN_NOT_MADE, error)
    click.echo(words.metrics_token_ready(name))
    click.echo(value)


@token.command("revoke")
@database_url_option
@click.argument("name")
def token_revoke(database_url: str, name: str) -> None:
    """Cabut token /metrics NAME."""
    from sqlalchemy.exc import SQLAlchemyError

    from storage.central.webaccess import METRICS, revoke_token

    engine = _engine(database_url)
    try:
        done = revoke_token(engine, METRICS, name)
    except SQLAlchemyError as error:
        _fail(words.TOKEN_NOT_REVOKED, error)
    click.echo(words.token_revoked(name, done))
    sys.exit(0 if done else 1)
