"""What the dump and copy services share: telling their observers, and stopping their task."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

log = logging.getLogger(__name__)


async def notify(observers: Sequence[object], event: str, *args: object) -> None:
    """Call `event` on every observer; one that fails is logged and never breaks the job."""
    for observer in observers:
        try:
            await getattr(observer, event)(*args)
        except Exception:
            log.exception("Observer %s failed on %s", type(observer).__name__, event)


async def cancel(task: asyncio.Task[object] | None) -> None:
    """Cancel a running job task (the bot is shutting down) and wait until it has ended."""
    if task is not None and not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
