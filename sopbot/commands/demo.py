"""`sopbot demo`: one SOP day against a local Bot API server."""

from __future__ import annotations

import asyncio
import logging

import click

from sopbot.click_id import Command


@click.command(cls=Command)
def demo() -> None:
    """Mainkan satu hari SOP dengan server Bot API lokal (tanpa akun Telegram)."""
    from core.logs import configure_logging
    from sopbot.demo import run_demo

    configure_logging([], verbose=False)
    # The demo plays warnings on purpose (a missing copy): the chat shows them, not the log.
    logging.getLogger().setLevel(logging.ERROR)
    asyncio.run(run_demo())
