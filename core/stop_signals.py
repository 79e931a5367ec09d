"""A stop asked from outside (Ctrl+C, a service stop) handled once, from the event loop.

Python's default SIGINT handler raises KeyboardInterrupt wherever the main thread happens to be:
inside whatever task the loop is running (it can end the task that follows expdp before it stops
the job on the server), and a second Ctrl+C aborts the orderly stop itself. On Windows
python-telegram-bot installs no stop-signal handlers at all, and WinSW stops a service by sending
Ctrl+C to its console. So the first SIGINT (or SIGBREAK: Ctrl+Break, the console closed) only
schedules `stop` on the loop; later ones are ignored while the stop runs.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from types import FrameType

log = logging.getLogger(__name__)


def console_signals() -> list[signal.Signals]:
    """SIGINT everywhere; SIGBREAK where it exists (Windows)."""
    found = [signal.SIGINT]
    if hasattr(signal, "SIGBREAK"):
        found.append(signal.SIGBREAK)
    return found


def stop_once_on(
    loop: asyncio.AbstractEventLoop,
    stop: Callable[[], None],
    signals: list[signal.Signals] | None = None,
) -> Callable[[], None]:
    """Install handlers (main thread only) that call `stop` once, from `loop`; return a function
    that restores the previous handlers if none fired. Once one has fired, the signals stay
    ignored until the process ends: its last steps (the verdict, releasing the log's lock) are
    part of the stop too."""
    wanted = signals if signals is not None else console_signals()
    previous = {number: signal.getsignal(number) for number in wanted}
    fired = False

    def handler(number: int, _frame: FrameType | None) -> None:
        nonlocal fired
        if fired:
            log.warning("%s again while stopping: ignored", signal.Signals(number).name)
            return
        fired = True
        for each in wanted:  # from now on the stop may not be interrupted
            signal.signal(each, signal.SIG_IGN)
        log.warning("%s received: stopping", signal.Signals(number).name)
        loop.call_soon_threadsafe(stop)

    for number in wanted:
        signal.signal(number, handler)

    def restore() -> None:
        if fired:
            return
        for number, old in previous.items():
            signal.signal(number, old)

    return restore
