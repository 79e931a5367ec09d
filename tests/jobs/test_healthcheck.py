"""Healthcheck pings (jobs/healthcheck.py) for every job, through a real HTTP endpoint."""

from __future__ import annotations

import asyncio

from aiohttp import web
from conftest import ADB, KABID, Chat, until
from conftest import with_external_disk as settings_overrides  # noqa: F401


async def test_healthcheck_gets_start_and_success_pings_and_a_dead_one_breaks_nothing(
    chat: Chat,
) -> None:
    pings: list[str] = []

    async def record(request: web.Request) -> web.Response:
        pings.append(request.path)
        return web.Response(text="OK")

    app = web.Application()
    app.router.add_route("POST", "/{tail:.*}", record)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    from jobs.healthcheck import HealthcheckPinger

    pinger = HealthcheckPinger(f"http://127.0.0.1:{port}/ping/abc")
    chat.services.dump.observers.append(pinger)
    try:
        await chat.send(ADB, "/backup")
        await until(chat, KABID, "Laporan back up database")
        for _ in range(200):  # the success ping follows the report: wait up to 10 s
            if len(pings) >= 2:
                break
            await asyncio.sleep(0.05)
        assert pings == ["/ping/abc/start", "/ping/abc"]
    finally:
        await runner.cleanup()
    dead = HealthcheckPinger("http://127.0.0.1:9/ping/abc")  # nothing listens there
    assert await dead.ping("start") is False
