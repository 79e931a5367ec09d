"""Periodic work, in one registry: every check or task that is looked at again and again (the
watchdog's minute checks, the link to the central database, …) is one `PeriodicTask`
registered with the bot's `Periodic` (listed in `bot/periodic.py`), and says what it has done
with typed marks instead of string keys of its own.

A task's `lane` says what it must not overlap with: the tasks of one lane run one after another
in the order they were registered (the watchdog's checks, database check first), each lane on its
own, so a central database that is slow to answer never holds up the minute checks. One task's
failure is logged and the others still run.

Calendar jobs that must survive a restart and run once when missed (the nightly dump, a
DRILL_SCHEDULE) are not periodic work: they are APScheduler jobs stored in the log's database
(`jobs/schedule.py`).

Marks are kept in the state table (`storage/state.py`) under keys `<prefix>:<subject>`, the
same keys as ever, so an upgrade remembers what was already done. A dated mark (one day's
summary, one instruction's reminder) is forgotten after KEEP_MARKS_FOR by the watchdog's daily
housekeeping, whichever task declared it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core.clock import Clock
from storage.state import StateStore

log = logging.getLogger(__name__)

KEEP_MARKS_FOR = timedelta(days=60)


@dataclass(frozen=True)
class MarkKind:
    """One kind of "already done" mark, declared once by the task that sets it."""

    prefix: str
    dated: bool = True  # False: kept whatever its age (a repeat timer, a since-when)

    def at(self, *subject: object) -> Mark:
        """The mark of one subject: a day, a disk, an instruction (parts joined by ':')."""
        return Mark(self, ":".join(str(part) for part in subject))


@dataclass(frozen=True)
class Mark:
    kind: MarkKind
    subject: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind.prefix}:{self.subject}" if self.subject else self.kind.prefix


class Marks:
    """What periodic work has already done, kept in the state table."""

    def __init__(self, state: StateStore) -> None:
        self.state = state

    def when(self, mark: Mark) -> datetime | None:
        stored = self.state.get(mark.key)
        return datetime.fromisoformat(stored) if stored else None

    def done(self, mark: Mark) -> bool:
        return bool(self.state.get(mark.key))

    def due(self, mark: Mark, now: datetime, every: timedelta | None) -> bool:
        """Never set, or set at least `every` ago (None: once is enough)."""
        last = self.state.get(mark.key)
        if last is None:
            return True
        return every is not None and now - datetime.fromisoformat(last) >= every

    def set(self, mark: Mark, now: datetime) -> None:
        self.state.set(mark.key, now.isoformat(), now)

    def forget_dated(self, kinds: Iterable[MarkKind], before: datetime) -> int:
        """Forget the dated marks of these kinds last set before `before`."""
        prefixes = sorted({f"{kind.prefix}:" for kind in kinds if kind.dated})
        return self.state.prune(prefixes, before)


@dataclass(frozen=True)
class PeriodicTask:
    name: str
    every: timedelta
    run: Callable[[datetime], Awaitable[None]]  # given the SOP clock's now
    marks: tuple[MarkKind, ...] = ()  # the marks it sets (its dated ones are forgotten in time)
    lane: str = ""  # tasks of one lane never overlap; "": a lane of its own


@dataclass
class Periodic:
    """The registry, and what runs it: one asyncio task a lane."""

    clock: Clock
    tasks: list[PeriodicTask] = field(default_factory=list)
    _running: list[asyncio.Task[None]] = field(default_factory=list)
    _failing: set[str] = field(default_factory=set)

    def register(self, *tasks: PeriodicTask) -> None:
        self.tasks.extend(tasks)

    def marks(self) -> tuple[MarkKind, ...]:
        """Every kind of mark the registered tasks set."""
        return tuple(dict.fromkeys(kind for task in self.tasks for kind in task.marks))

    def lanes(self) -> dict[str, list[PeriodicTask]]:
        lanes: dict[str, list[PeriodicTask]] = {}
        for task in self.tasks:
            lanes.setdefault(task.lane or task.name, []).append(task)
        return lanes

    async def run(self, tasks: Sequence[PeriodicTask]) -> None:
        """Run these now, one after another; a failure is logged and the next still runs (the
        whole story once, then a line a time until the task works again)."""
        for task in tasks:
            try:
                await task.run(self.clock.now())
            except Exception:
                if task.name in self._failing:
                    log.warning("Periodic task %s failed again", task.name)
                else:
                    log.exception("Periodic task %s failed", task.name)
                    self._failing.add(task.name)
            else:
                self._failing.discard(task.name)

    async def _lane(self, tasks: list[PeriodicTask]) -> None:
        loop = asyncio.get_running_loop()
        next_at = [loop.time()] * len(tasks)
        while True:
            now = loop.time()
            due = [i for i, at in enumerate(next_at) if at <= now]
            for i in due:
                next_at[i] = now + tasks[i].every.total_seconds()
            await self.run([tasks[i] for i in due])
            await asyncio.sleep(max(min(next_at) - loop.time(), 0.0))

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        for name, tasks in self.lanes().items():
            self._running.append(loop.create_task(self._lane(tasks), name=f"periodic:{name}"))

    async def stop(self) -> None:
        running, self._running = self._running, []
        for task in running:
            task.cancel()
        for task in running:
            with contextlib.suppress(asyncio.CancelledError):
                await task
