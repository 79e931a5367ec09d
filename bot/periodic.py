"""The bot's periodic work, in one place. A new periodic task is one `PeriodicTask` (its name,
how often, what it runs, the marks it sets: `jobs/periodic.py`) registered below; it then runs in
the bot's registry, isolated from the others' failures, and its dated marks are forgotten in
time."""

from __future__ import annotations

from bot.central import CENTRAL_MARKS, CentralReporter
from core.clock import Clock
from jobs.periodic import Periodic
from jobs.watchdog import Watchdog


def periodic_work(clock: Clock, watchdog: Watchdog, central: CentralReporter | None) -> Periodic:
    periodic = Periodic(clock)
    periodic.register(*watchdog.tasks())  # the minute checks (one lane, in order)
    if central is not None:
        periodic.register(*central.tasks())  # the central link and the supervisors' summary
    # The housekeeping forgets old marks of every kind, also of work not running this time (an
    # office that stopped reporting still has its old marks).
    watchdog.known_marks = lambda: (*periodic.marks(), *CENTRAL_MARKS)
    return periodic
