"""On Windows python-telegram-bot installs no stop-signal handlers and WinSW stops a service with
Ctrl+C: the bot takes SIGINT itself, once, and stops the application from the loop; a second
Ctrl+C neither raises KeyboardInterrupt into a task nor interrupts the stop. Simulated here: the
Windows branch of `run_forever` taken, with an application that runs a loop as run_polling does."""

from __future__ import annotations

import asyncio
import os
import signal
from typing import Any

import pytest

from bot import app as app_module


class PollingApp:
    """What run_forever relies on: run_polling(stop_signals=None) runs the current loop until a
    SystemExit from a loop callback, then stops in order (PTB 22's Application.__run)."""

    def __init__(self) -> None:
        self.options: dict[str, Any] = {}
        self.stopped_in_order = False
        self.work_survived = False

    def run_polling(self, **options: Any) -> None:
        self.options = options
        loop = asyncio.get_event_loop()

        async def work() -> None:  # a task that follows expdp: must not be interrupted
            await asyncio.sleep(3600)

        task = loop.create_task(work())
        # Two Ctrl+C, as an impatient person or WinSW then a person would send.
        loop.call_later(0.05, signal.raise_signal, signal.SIGINT)
        loop.call_later(0.10, signal.raise_signal, signal.SIGINT)
        try:
            loop.run_forever()
        except SystemExit:
            # PTB: the orderly stop (post_stop) runs after the loop has been left.
            loop.run_until_complete(asyncio.sleep(0.2))  # the second Ctrl+C lands here
            self.work_survived = not task.done()
            task.cancel()
            self.stopped_in_order = True
        finally:
            loop.close()


def test_on_windows_the_first_ctrl_c_stops_the_app_from_the_loop_and_the_second_is_ignored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(app_module.os, "name", "nt")
    before = signal.getsignal(signal.SIGINT)
    app = PollingApp()
    try:
        app_module.run_forever(app)  # type: ignore[arg-type]
        assert app.options["stop_signals"] is None  # PTB's own handlers (none on Windows) off
        assert app.stopped_in_order and app.work_survived
        # Until the process ends a Ctrl+C cannot cut the rest of the stop short.
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)


@pytest.mark.skipif(os.name != "posix", reason="SIGTERM from a service manager is POSIX")
def test_on_posix_the_same_handling_takes_sigterm_and_sigint_once() -> None:
    """The same path on POSIX: systemd's SIGTERM, then an impatient Ctrl+C during the stop."""
    stops = app_module.stop_signals()
    assert {signal.SIGINT, signal.SIGTERM} <= set(stops)
    before = {number: signal.getsignal(number) for number in stops}
    app = PollingApp()
    try:
        app_module.run_forever(app)  # type: ignore[arg-type]
        assert app.options["stop_signals"] is None
        assert app.stopped_in_order and app.work_survived
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)
