"""`sopbot pusat web` (the province's read-only web view and /metrics), its login
(`sopbot pusat web-login add`) and the read-only tokens (`sopbot pusat token add|revoke`)."""

from __future__ import annotations

import sys
from zoneinfo import ZoneInfo

import click

from sopbot.central_cli import _engine, _fail, _print_login, _zone, database_url_option, pusat

WEB_URL_HELP = (
    "URL login layanan web (dari sopbot pusat web-login add). Tulis tanpa kata sandi (pakai "
    "PGPASSWORD atau ~/.pgpass); bisa juga lewat CENTRAL_WEB_DATABASE_URL."
)


@pusat.command("web")
@click.option("--database-url", envvar="CENTRAL_WEB_DATABASE_URL", required=True, help=WEB_URL_HELP)
@click.option("--host", default="127.0.0.1", show_default=True, help="Alamat yang didengar.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--timezone",
    default="Asia/Makassar",
    show_default=True,
    callback=lambda _ctx, _param, value: _zone(value),
    help="Zona waktu tampilan.",
)
@click.option(
    "--sesi-menit",
    default=30,
    show_default=True,
    type=click.IntRange(5, 480),
    help="Sesi berakhir setelah sekian menit tidak dipakai.",
)
@click.option(
    "--tanpa-https",
    is_flag=True,
    help="Cookie tanpa tanda Secure: hanya untuk mencoba di komputer ini, tanpa proxy TLS.",
)
@click.option(
    "--di-balik-proxy",
    is_flag=True,
    help="Alamat pengunjung dari X-Forwarded-For (hanya bila proxy TLS di depan layanan ini).",
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
        click.echo('Tampilan web memerlukan paket tambahan: pip install ".[web]"', err=True)
        sys.exit(2)
    import uvicorn
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from storage.central.admin import CentralSetupError
    from storage.central.webaccess import web_engine
    from web.app import WebConfig, create_app

    try:
        engine = web_engine(database_url)
    except (CentralSetupError, ArgumentError, ValueError) as error:
        click.echo(f"Database pusat tidak dapat dipakai: {error}", err=True)
        sys.exit(2)
    try:
        with engine.connect() as connection:  # fail now, not at the first visitor
            connection.exec_driver_sql("SELECT 1 FROM access_tokens LIMIT 1")
    except SQLAlchemyError as error:
        _fail("Database pusat tidak dapat dibaca (sudah sopbot pusat init?)", error)
    from storage.central.webaccess import passwords_checked

    checked = passwords_checked(database_url)
    if not checked:
        click.echo(
            "⚠️ Server database pusat tidak memeriksa kata sandi (pg_hba.conf: trust): masuk "
            "dengan nama login dan kata sandi DIMATIKAN, hanya token web. Atur scram-sha-256.",
            err=True,
        )
    config = WebConfig(
        database_url=database_url,
        tz=ZoneInfo(timezone),
        session_minutes=sesi_menit,
        secure_cookies=not tanpa_https,
        trust_proxy=di_balik_proxy,
        password_login=checked,
    )
    click.echo(f"Tampilan web: http://{host}:{port}/ (hentikan dengan Ctrl+C)")
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
@click.option("--host", help="Nama server pusat seperti dilihat dari layanan web (bila berbeda).")
@click.option("--port", type=int, help="Port server pusat seperti dilihat dari layanan web.")
def web_login_add(database_url: str, name: str, host: str | None, port: int | None) -> None:
    """Buat login layanan web NAME (huruf kecil, mis. provinsi) lalu cetak URL-nya."""
    from storage.central.webaccess import add_web_login

    _print_login(
        database_url,
        (host, port),
        lambda engine: add_web_login(engine, name),
        ["(untuk sopbot pusat web: CENTRAL_WEB_DATABASE_URL)"],
    )


@pusat.group("token")
def token() -> None:
    """Token hanya-baca untuk /metrics (Prometheus): Authorization: Bearer <token>."""


@token.command("add")
@database_url_option
@click.argument("name")
@click.option("--wilayah", help="Hanya kantor wilayah ini: kode provinsi atau kabupaten/kota.")
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
        _fail("Token tidak dapat dibuat", error)
    click.echo(f"Token {name} siap (ditampilkan sekali, simpan di Prometheus):")
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
        _fail("Token tidak dapat dicabut", error)
    click.echo(f"Token {name} dicabut." if done else f"Tidak ada token aktif bernama {name}.")
    sys.exit(0 if done else 1)
