"""The SOP log's async face: the one way async code (the chat, the watchdog, the jobs' event-loop
parts) reaches the synchronous storage objects.

Every call runs on a worker thread (`asyncio.to_thread`), so the event loop never waits on the
database, and with a short lock wait (`storage.database.SHORT_WAIT_SECONDS`): when another
process holds the log's write lock, the call raises `LogBusy` after that wait instead of freezing
every chat. Two kinds of call:

- `run`: someone waits for the answer (a command): `LogBusy` goes up, and the chat says
  "log sibuk, coba lagi";
- `keep`: a write that must not be lost (a delivery's record, a watchdog mark): retried while the
  log is busy until it lands; `later` does the same in the background, for a write nobody waits
  for (the name of a caller).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ParamSpec, TypeVar

from sqlalchemy.exc import OperationalError

from storage.database import is_busy, set_short_waits

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")


class LogBusy(Exception):
    """Another connection or process holds a lock on the log; the call changed nothing."""


def _short(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    set_short_waits(True)
    try:
        return fn(*args, **kwargs)
    except OperationalError as exc:
        if is_busy(exc):
            raise LogBusy(str(exc.orig)) from exc
        raise
    finally:
        set_short_waits(False)  # the pool's threads also serve long-waiting work


@dataclass(frozen=True)
class AsyncLog:
    """Run storage calls off the event loop. `retry_seconds` bounds the pause between two tries
    of a write that must land."""

    retry_seconds: float = 5.0
    _background: set[asyncio.Task[object]] = field(default_factory=set, compare=False)

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """`fn(*args, **kwargs)` on a worker thread; `LogBusy` when the log stays locked."""

        def call() -> T:
            return _short(fn, *args, **kwargs)

        return await asyncio.to_thread(call)

    async def keep(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Like `run`, retried while the log is busy: for writes that must not be lost."""
        pause, tries = 0.2, 0
        while True:
            try:
                done = await self.run(fn, *args, **kwargs)
            except LogBusy as exc:
                if tries == 0:  # once per write, not every few seconds of a long lock
                    log.warning("The log is busy (%s); %s is tried again", exc, _name(fn))
                tries += 1
                await asyncio.sleep(pause)
                pause = min(pause * 2, self.retry_seconds)
                continue
            if tries:
                log.info("%s written after %d tries", _name(fn), tries + 1)
            return done

    async def soon(self, fn: Callable[P, object], *args: P.args, **kwargs: P.kwargs) -> None:
        """`run` when the log takes it now, else `later`: written before the caller goes on
        in the usual case, never lost and never waited for when the log is busy."""
        try:
            await self.run(fn, *args, **kwargs)
        except LogBusy:
            self.later(fn, *args, **kwargs)

    def later(self, fn: Callable[P, object], *args: P.args, **kwargs: P.kwargs) -> None:
        """`keep` in the background: nobody waits, the write still lands once the lock goes."""
        task: asyncio.Task[object] = asyncio.get_running_loop().create_task(
            self.keep(fn, *args, **kwargs)
        )
        self._background.add(task)
        task.add_done_callback(self._landed)

    def _landed(self, task: asyncio.Task[object]) -> None:
        self._background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("A background write to the log failed", exc_info=task.exception())

    async def drain(self, seconds: float) -> None:
        """Wait (bounded) for the background writes, at a stop."""
        if self._background:
            await asyncio.wait(set(self._background), timeout=seconds)


def _name(fn: Callable[..., object]) -> str:
    return getattr(fn, "__qualname__", repr(fn))
