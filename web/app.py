"""The web application: server-rendered pages (no JavaScript needed), read-only, in Indonesian.

Starlette: small, typed, well kept, and served by uvicorn on Linux and Windows alike. The
database work is synchronous (SQLAlchemy with psycopg), so every page handler is a plain
function that Starlette runs in its worker threads: the event loop never waits on the database.
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storage.central import fleet as reads
from storage.central.fleet import STANDING_ORDER, FleetRow, Standing
from storage.central.webaccess import (
    METRICS,
    WEB,
    LoginRefused,
    Viewer,
    credentials_viewer,
    record_view,
    token_viewer,
    viewing,
)
from texts import web as texts
from web.regions import Place, places, province_name
from web.sessions import LoginLimiter, SessionStore

log = logging.getLogger(__name__)

SESSION_COOKIE = "sopbot_sesi"
CSRF_COOKIE = "sopbot_csrf"
MAX_FORM_BYTES = 4096
OFFICE_ID_RE = re.compile(r"[0-9]{2,6}")
REGION_RE = re.compile(r"[0-9]{2,6}")

SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        b"frame-ancestors 'none'; base-uri 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cache-control", b"no-store"),
]


@dataclass(frozen=True)
class WebConfig:
    database_url: str  # the web service's own login (group sopbot_web)
    tz: tzinfo
    session_minutes: int = 30
    session_max_hours: int = 8
    secure_cookies: bool = True  # behind the TLS proxy; off only for a trial on this machine
    trust_proxy: bool = False  # take the client's address from X-Forwarded-For
    password_login: bool = True  # off when the central server does not check passwords


class SecurityHeaders:
    """The same headers on every answer, errors and static files included."""

    def __init__(self, app: ASGIApp, hsts: bool) -> None:
        self.app = app
        self.headers = list(SECURITY_HEADERS)
        if hsts:
            self.headers.append((b"strict-transport-security", b"max-age=31536000"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (n, v) for n, v in self.headers if n not in names
                ]
            await send(message)

        await self.app(scope, receive, with_headers)


class WebView:
    """The pages, over one engine (the web service's login) and one session store."""

    def __init__(self, engine: Engine, config: WebConfig, clock: Callable[[], datetime]) -> None:
        self.engine = engine
        self.config = config
        self.clock = clock
        self.sessions = SessionStore(
            config.session_minutes * 60.0, config.session_max_hours * 3600.0
        )
        self.limiter = LoginLimiter()
        self.templates = Environment(
            loader=PackageLoader("web", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
        )
        self.templates.globals.update(
            texts=texts, standings=STANDING_ORDER, province_name=province_name, config=config
        )

    # -- helpers -------------------------------------------------------------------------

    def address(self, request: Request) -> str:
        if self.config.trust_proxy:
            forwarded = request.headers.get("x-forwarded-for", "")
            if forwarded:
                return forwarded.split(",")[-1].strip()[:64]
        return request.client.host if request.client else "?"

    def record(self, viewer: str, request: Request, status: int) -> None:
        try:
            record_view(self.engine, viewer, request.url.path, status, self.address(request))
        except SQLAlchemyError as error:  # a page is not refused for its record; it is logged
            log.warning("page view not recorded: %s", type(error).__name__)

    def render(self, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        values.setdefault("tz", self.config.tz)
        return HTMLResponse(self.templates.get_template(name).render(**values), status)

    def session(self, request: Request) -> tuple[str, Viewer, str] | None:
        sid = request.cookies.get(SESSION_COOKIE)
        found = self.sessions.get(sid)
        return None if found is None or sid is None else (sid, found.viewer, found.csrf)

    def today(self) -> tuple[datetime, date]:
        now = self.clock()
        return now, now.astimezone(self.config.tz).date()

    def month(self, today: date) -> tuple[date, datetime, datetime]:
        first = today.replace(day=1)
        start = datetime.combine(first, datetime.min.time(), self.config.tz)
        return (
            first,
            start,
            datetime.combine(today + timedelta(days=1), datetime.min.time(), self.config.tz),
        )

    def to_login(self, request: Request, expired: bool) -> Response:
        if expired:
            self.record("?", request, 401)
        response = RedirectResponse("/masuk" + ("?habis=1" if expired else ""), 303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    def read(self, viewer: Viewer, work: Callable[[Connection], Any]) -> Any:
        with viewing(self.engine, viewer) as connection:
            return work(connection)

    def central_down(self, error: SQLAlchemyError) -> HTMLResponse:
        log.warning("central database not readable: %s", type(error).__name__)
        return self.render("error.html", 503, message=texts.CENTRAL_DOWN)

    # -- login -----------------------------------------------------------------------------

    def login_form(self, request: Request) -> Response:
        csrf = secrets.token_urlsafe(16)
        message = texts.SESSION_ENDED if request.query_params.get("habis") else None
        response = self.render(
            "login.html", csrf=csrf, message=message, password_login=self.config.password_login
        )
        self._set_cookie(response, CSRF_COOKIE, csrf, max_age=3600)
        return response

    def _set_cookie(self, response: Response, name: str, value: str, max_age: int) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            httponly=True,
            secure=self.config.secure_cookies,
            samesite="strict",
            path="/",
        )

    async def login(self, request: Request) -> Response:
        form = await _form(request)
        if form is None:
            return self.render("error.html", 400, message=texts.BAD_REQUEST)
        return await run_in_threadpool(self._login, request, form)

    def _login(self, request: Request, form: dict[str, str]) -> Response:
        csrf = request.cookies.get(CSRF_COOKIE, "")
        if not csrf or not hmac.compare_digest(csrf, form.get("csrf", "")):
            return self._refuse(request, texts.LOGIN_EXPIRED_FORM, 400, "?")
        name, password, token = (form.get(k, "").strip() for k in ("pengguna", "sandi", "token"))
        address = self.address(request)
        keys = ("addr:" + address, "name:" + (name[:63] or "token"))
        if self.limiter.blocked(*keys):
            return self._refuse(request, texts.LOGIN_SLOW_DOWN, 429, name[:63] or "token")
        if not token and not self.config.password_login:
            return self._refuse(request, texts.CREDENTIALS_LOGIN_OFF, 400, name[:63] or "?")
        if not token and not (name and password):
            return self._refuse(request, texts.LOGIN_EMPTY, 400, name[:63] or "?")
        viewer: Viewer | None
        try:
            if token:
                with self.engine.connect() as connection:
                    viewer = token_viewer(connection, WEB, token)
            else:
                try:
                    viewer = credentials_viewer(self.config.database_url, name, password)
                except LoginRefused:
                    viewer = None
            if viewer is None:
                # A refused login is only a wrong password if the server itself is there: an
                # outage must not read as one (nor count against the person).
                with self.engine.connect() as connection:
                    connection.exec_driver_sql("SELECT 1")
        except SQLAlchemyError as error:
            return self.central_down(error)
        if viewer is None:
            self.limiter.failed(*keys)
            return self._refuse(request, texts.LOGIN_REFUSED, 401, name[:63] or "token")
        sid = self.sessions.start(viewer)
        self.record(viewer.name, request, 303)
        target = f"/kantor/{viewer.office_id}" if viewer.office_id else "/"
        response = RedirectResponse(target, 303)
        self._set_cookie(
            response, SESSION_COOKIE, sid, max_age=self.config.session_max_hours * 3600
        )
        response.delete_cookie(CSRF_COOKIE)
        return response

    def _refuse(self, request: Request, message: str, status: int, who: str) -> Response:
        self.record(who, request, status)
        csrf = secrets.token_urlsafe(16)
        response = self.render(
            "login.html",
            status,
            csrf=csrf,
            message=message,
            password_login=self.config.password_login,
        )
        self._set_cookie(response, CSRF_COOKIE, csrf, max_age=3600)
        return response

    async def logout(self, request: Request) -> Response:
        form = await _form(request)
        found = self.session(request)
        if found is not None and form is not None:
            sid, viewer, csrf = found
            if hmac.compare_digest(csrf, form.get("csrf", "")):
                self.sessions.end(sid)
                await run_in_threadpool(self.record, viewer.name, request, 303)
        response = RedirectResponse("/masuk", 303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    # -- pages -----------------------------------------------------------------------------

    def fleet_page(self, request: Request) -> Response:
        found = self.session(request)
        if found is None:
            return self.to_login(request, SESSION_COOKIE in request.cookies)
        _, viewer, csrf = found
        if viewer.office_id:
            return RedirectResponse(f"/kantor/{viewer.office_id}", 303)
        wanted_state = request.query_params.get("keadaan", "")
        state = next((s for s in Standing if s.value == wanted_state), None)
        region = request.query_params.get("wilayah", "")
        region = region if REGION_RE.fullmatch(region) else ""
        now, today = self.today()
        first, start, _ = self.month(today)
        try:
            rows, grid = self.read(
                viewer,
                lambda c: (
                    reads.fleet(c, now, start),
                    reads.month_grid(c, first, today, self.config.tz),
                ),
            )
        except SQLAlchemyError as error:
            return self.central_down(error)
        where = places((r.state.office_id, r.state.name) for r in rows)
        in_region = [r for r in rows if not region or r.state.office_id.startswith(region)]
        counts = _counts(in_region)  # the region's, whatever state is chosen
        shown = [r for r in in_region if state is None or r.standing is state]
        days = [first + timedelta(days=n) for n in range((today - first).days + 1)]
        self.record(viewer.name, request, 200)
        return self.render(
            "fleet.html",
            viewer=viewer,
            csrf=csrf,
            now=now,
            total=len(rows),
            in_region=len(in_region),
            counts=counts,
            groups=_groups(shown, where),
            shown=shown,
            regions=_regions(where),
            region_name=_region_name(region, where),
            state=state,
            region=region,
            days=days,
            cells={r.state.office_id: _cells(grid.get(r.state.office_id, {}), days) for r in shown},
        )

    def office_page(self, request: Request) -> Response:
        found = self.session(request)
        if found is None:
            return self.to_login(request, SESSION_COOKIE in request.cookies)
        _, viewer, csrf = found
        office_id = request.path_params["office_id"]
        now, today = self.today()
        first, start, end = self.month(today)
        row = None
        if OFFICE_ID_RE.fullmatch(office_id):
            try:
                rows, evidence, drills, disks, grid, (checkpoints, alarms) = self.read(
                    viewer,
                    lambda c: (
                        reads.fleet(c, now, start),
                        reads.month_evidence(c, office_id, start, end),
                        reads.drills(c, office_id),
                        reads.disks(c, office_id),
                        reads.month_grid(c, first, today, self.config.tz),
                        reads.chain(c, office_id),
                    ),
                )
            except SQLAlchemyError as error:
                return self.central_down(error)
            row = next((r for r in rows if r.state.office_id == office_id), None)
        if row is None:
            self.record(viewer.name, request, 404)
            return self.render("error.html", 404, message=texts.NOT_FOUND, viewer=viewer, csrf=csrf)
        self.record(viewer.name, request, 200)
        days = [first + timedelta(days=n) for n in range((today - first).days + 1)]
        return self.render(
            "office.html",
            viewer=viewer,
            csrf=csrf,
            now=now,
            row=row,
            evidence=evidence,
            drills=drills,
            disks=disks,
            checkpoints=checkpoints,
            chain_alarms=alarms,
            days=days,
            cells=_cells(grid.get(office_id, {}), days),
            place=places((r.state.office_id, r.state.name) for r in rows)[office_id],
        )

    def download(self, request: Request) -> Response:
        """The CLI's CSV and PNG: of the whole fleet this viewer sees, or of one office."""
        found = self.session(request)
        if found is None:
            return self.to_login(request, SESSION_COOKIE in request.cookies)
        _, viewer, _ = found
        office_id = request.path_params.get("office_id")
        kind = request.path_params["kind"]
        if office_id is None and viewer.office_id:
            office_id = viewer.office_id
        if office_id is not None and not OFFICE_ID_RE.fullmatch(office_id):
            return self.render("error.html", 404, message=texts.NOT_FOUND)
        now, today = self.today()
        first, start, _ = self.month(today)
        try:
            rows, grid = self.read(
                viewer,
                lambda c: (
                    reads.fleet(c, now, start),
                    reads.month_grid(c, first, today, self.config.tz) if kind == "png" else {},
                ),
            )
        except SQLAlchemyError as error:
            return self.central_down(error)
        if office_id is not None:
            rows = [r for r in rows if r.state.office_id == office_id]
            if not rows:
                self.record(viewer.name, request, 404)
                return self.render("error.html", 404, message=texts.NOT_FOUND)
        self.record(viewer.name, request, 200)
        name = f"kantor-{office_id or 'semua'}-{today:%Y-%m-%d}.{kind}"
        headers = {"content-disposition": f'attachment; filename="{name}"'}
        states = [r.state for r in rows]
        if kind == "csv":
            from central.export import states_csv

            body = states_csv(states, now, self.config.tz)
            return Response(body, 200, headers, media_type="text/csv; charset=utf-8")
        from central.chart import render_grid

        png = render_grid([(s.office_id, s.name) for s in states], grid, first, today)
        return Response(png, 200, headers, media_type="image/png")

    def metrics(self, request: Request) -> Response:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        try:
            viewer = None
            if scheme.lower() == "bearer" and token:
                with self.engine.connect() as connection:
                    viewer = token_viewer(connection, METRICS, token.strip())
            if viewer is None:
                self.record("?", request, 401)
                return PlainTextResponse(texts.METRICS_REFUSED, 401, {"www-authenticate": "Bearer"})
            now, today = self.today()
            _, start, _ = self.month(today)

            def work(c: Connection) -> tuple[list[FleetRow], reads.QueueHealth]:
                rows = reads.fleet(c, now, start)
                return rows, reads.queue_health(c, rows, now)

            rows, health = self.read(viewer, work)
        except SQLAlchemyError as error:
            log.warning("central database not readable: %s", type(error).__name__)
            return PlainTextResponse(texts.METRICS_CENTRAL_DOWN, 503)
        from web.metrics import exposition

        body, content_type = exposition(rows, health, request.headers.get("accept", ""))
        self.record(viewer.name, request, 200)
        return Response(body, 200, media_type=content_type)

    async def no_such_page(self, request: Request, error: Exception) -> Response:
        """A path the web view does not have (or a method it does not take): said in words, with
        the way back, not the framework's English "Not Found"."""
        status = getattr(error, "status_code", 404)
        return self.render("error.html", status, message=texts.PAGE_NOT_FOUND)

    def health(self, request: Request) -> Response:
        return PlainTextResponse("ok\n")


@dataclass(frozen=True)
class Kabupaten:
    code: str  # empty: the province's own offices
    name: str
    rows: list[FleetRow]
    counts: dict[Standing, int]
    # A heading of its own only when it holds more than the kabupaten's own office (the usual
    # case, one Disdukcapil per regency or city, needs none: the office is the kabupaten/kota).
    heading: bool


@dataclass(frozen=True)
class Group:
    code: str
    name: str
    kabupaten: list[Kabupaten]
    rows: list[FleetRow]
    counts: dict[Standing, int]


def _counts(rows: list[FleetRow]) -> dict[Standing, int]:
    return {s: sum(1 for r in rows if r.standing is s) for s in STANDING_ORDER}


def _groups(rows: list[FleetRow], where: dict[str, Place]) -> list[Group]:
    """Offices by province, then by kabupaten/kota; the rows come worst first, so the province
    (and within it the kabupaten/kota) of the worst office comes first, and so on."""
    provinces: dict[str, dict[str, list[FleetRow]]] = {}
    for row in rows:
        place = where[row.state.office_id]
        provinces.setdefault(place.province_code, {}).setdefault(place.kabupaten_code, []).append(
            row
        )
    groups = []
    for code, by_kabupaten in provinces.items():
        members = []
        for kabupaten, kab_rows in by_kabupaten.items():
            name = where[kab_rows[0].state.office_id].kabupaten
            heading = len(kab_rows) > 1 or kab_rows[0].state.office_id != kabupaten
            members.append(Kabupaten(kabupaten, name, kab_rows, _counts(kab_rows), heading))
        rows = [row for k in members for row in k.rows]
        groups.append(Group(code, province_name(code), members, rows, _counts(rows)))
    return groups


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    kabupaten: list[tuple[str, str]]  # (code, name), by code


def _regions(where: dict[str, Place]) -> list[Region]:
    """The filter's choices: every province this viewer sees, each with its kabupaten/kota."""
    provinces: dict[str, dict[str, str]] = {}
    for place in where.values():
        kabupaten = provinces.setdefault(place.province_code, {})
        if place.kabupaten_code:
            kabupaten[place.kabupaten_code] = place.kabupaten
    return [
        Region(code, province_name(code), sorted(provinces[code].items()))
        for code in sorted(provinces)
    ]


def _region_name(region: str, where: dict[str, Place]) -> str:
    if not region:
        return ""
    if len(region) == 2:
        return province_name(region)
    for place in where.values():
        if place.kabupaten_code == region:
            return place.kabupaten
    return region


def _cells(grid: dict[date, str], days: list[date]) -> Markup:
    """One office's row of the grid, built here: 514 offices x 31 days is 16,000 cells, too many
    for a template call each. Each cell is a constant (colour class and letter)."""
    return Markup("".join(texts.CELL_HTML[grid.get(day, "")] for day in days))  # noqa: S704


async def _form(request: Request) -> dict[str, str] | None:
    """A small urlencoded form, read up to MAX_FORM_BYTES: nothing larger is read at all."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    try:
        fields = parse_qs(body.decode("utf-8"), max_num_fields=10, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        return None
    return {k: v[0][:500] for k, v in fields.items() if v}


def create_app(
    engine: Engine, config: WebConfig, clock: Callable[[], datetime] | None = None
) -> ASGIApp:
    view = WebView(engine, config, clock or (lambda: datetime.now(UTC)))
    static = Path(__file__).with_name("static")
    routes = [
        Route("/", view.fleet_page),
        Route("/masuk", view.login_form, methods=["GET"]),
        Route("/masuk", view.login, methods=["POST"]),
        Route("/keluar", view.logout, methods=["POST"]),
        Route("/kantor/{office_id}", view.office_page),
        Route("/unduh/semua.{kind:str}", _only_kinds(view.download)),
        Route("/unduh/{office_id}.{kind:str}", _only_kinds(view.download)),
        Route("/metrics", view.metrics),
        Route("/sehat", view.health),
        Mount("/static", StaticFiles(directory=static), name="static"),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={404: view.no_such_page, 405: view.no_such_page},
    )
    app.state.view = view
    return SecurityHeaders(app, hsts=config.secure_cookies)


def _only_kinds(
    endpoint: Callable[[Request], Response],
) -> Callable[[Request], Awaitable[Response] | Response]:
    def guarded(request: Request) -> Response:
        if request.path_params.get("kind") not in ("csv", "png"):
            return PlainTextResponse("404\n", 404)
        return endpoint(request)

    return guarded
