#!/usr/bin/env python3
"""One side of the latency benchmark, in its own process: the loopback Bot API server and a bot
(sopbot with its watchdog on, or the bare python-telegram-bot baseline) sharing one event loop,
as a real bot shares its machine. The client (`bench/latency.py`) runs in another process and
talks to the server's /control endpoints, so a stall in the bot cannot stop its clock.

    python bench/office.py --kind sopbot --database-url sqlite:///x.db --data-dir D --ready F
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bare_bot import build as build_bare

from devtools.botapi import BotApiServer

TOKEN = "444444:BENCH-office"
KABID, ADB, KASI = 1001, 2001, 3001


async def run(args: argparse.Namespace) -> None:
    server = BotApiServer(TOKEN)
    for user_id, name in ((KABID, "Kadek"), (ADB, "Made"), (KASI, "Nyoman")):
        server.add_person(user_id, name)
    base_url = await server.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if args.kind == "bare":
        app = build_bare(TOKEN, base_url)
        async with app:
            assert app.updater is not None
            await app.updater.start_polling(timeout=10)
            await app.start()
            await asyncio.to_thread(Path(args.ready).write_text, base_url)
            await stop.wait()
            await app.updater.stop()
            await app.stop()
    else:
        await run_sopbot(args, base_url, stop)
    await server.stop()


async def run_sopbot(args: argparse.Namespace, base_url: str, stop: asyncio.Event) -> None:
    from bot import watch
    from bot.app import running, services_of
    from core.settings import Settings
    from jobs.external.disk import init_disk
    from sopbot.compose import build_app

    # The watchdog does its whole minute's work, only more often, so a short run sees it run.
    watch.TICK_SECONDS = args.tick
    data_dir = Path(args.data_dir)
    disk = data_dir / "hdd"
    if not (disk / ".sopbot-disk.json").exists():
        disk.mkdir(parents=True, exist_ok=True)
        init_disk(disk, "HDD-PIAK-1")
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=TOKEN,
        telegram_api_base_url=base_url,
        kabid_ids=[KABID],
        adb_ids=[ADB],
        kasi_ids=[KASI],
        data_dir=data_dir,
        database_url=args.database_url,
        external_disk_path=disk,
        external_auto_copy=False,
    )
    app = build_app(settings)
    services = services_of(app)
    services.copier.separate = lambda root, _dumps: root == disk  # a folder stands in for the disk
    async with running(app, poll_timeout=10):
        await asyncio.to_thread(Path(args.ready).write_text, base_url)
        await stop.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kind", choices=("sopbot", "bare"), required=True)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--tick", type=float, default=5.0)
    parser.add_argument("--ready", required=True)
    asyncio.run(run(parser.parse_args()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
