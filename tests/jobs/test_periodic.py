"""Periodic work is one registry: lanes that never hold each other up, one task's failure that
stops no other, typed marks that keep the keys an earlier release stored, and a housekeeping
that forgets old marks of every registered kind (the central link's too)."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

import pytest
from conftest import Chat

from bot.central import CENTRAL_DOWN, PUSAT_SUMMARY
from core.clock import ManualClock
from jobs.periodic import MarkKind, Periodic, PeriodicTask
from jobs.watchdog import AUTOCOPY, STALE_EXTERNAL, SUMMARY

FAST = timedelta(milliseconds=10)


def test_typed_marks_keep_the_stored_keys() -> None:
    assert SUMMARY.at("2026-11-25").key == "summary:2026-11-25"
    assert AUTOCOPY.at("HDD-1", 7).key == "autocopy:HDD-1:7"
    assert STALE_EXTERNAL.at().key == "alert:stale_external"
    assert CENTRAL_DOWN.at("2026-11-25").key == "central-down:2026-11-25"
    assert PUSAT_SUMMARY.dated and not STALE_EXTERNAL.dated


async def test_a_slow_lane_holds_up_no_other_and_a_failure_stops_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = ManualClock(datetime(2026, 11, 25, 8, 0).astimezone())
    periodic = Periodic(clock)
    release = asyncio.Event()
    ran: list[str] = []
    in_lane_at_once = 0
    most_at_once = 0

    async def slow(_now: datetime) -> None:
        ran.append("slow")
        await release.wait()  # a central database that does not answer

    async def failing(_now: datetime) -> None:
        ran.append("failing")
        raise RuntimeError("broken check")

    async def quick(_now: datetime) -> None:
        nonlocal in_lane_at_once, most_at_once
        in_lane_at_once += 1
        most_at_once = max(most_at_once, in_lane_at_once)
        ran.append("quick")
        await asyncio.sleep(0)
        in_lane_at_once -= 1

    periodic.register(
        PeriodicTask("slow", FAST, slow),
        PeriodicTask("failing", FAST, failing, lane="checks"),
        PeriodicTask("quick", FAST, quick, lane="checks"),
    )
    with caplog.at_level(logging.WARNING, logger="jobs.periodic"):
        periodic.start()
        try:
            async with asyncio.timeout(10):
                while ran.count("quick") < 5:
                    await asyncio.sleep(0.01)
        finally:
            release.set()
            await periodic.stop()
    assert ran.count("slow") == 1  # still waiting all along: the other lane went on
    assert ran.count("failing") >= 5  # it failed each time, and the next task still ran
    assert most_at_once == 1
    # The whole story once, then a line a time.
    tracebacks = [r for r in caplog.records if r.exc_info and "failing" in r.getMessage()]
    assert len(tracebacks) == 1
    assert any(r.getMessage() == "Periodic task failing failed again" for r in caplog.records)


def test_the_registry_knows_every_kind_of_mark_its_tasks_set() -> None:
    periodic = Periodic(ManualClock(datetime(2026, 11, 25, 8, 0).astimezone()))
    first, second = MarkKind("first"), MarkKind("second", dated=False)

    async def nothing(_now: datetime) -> None:
        return None

    periodic.register(PeriodicTask("a", FAST, nothing, (first,)))
    periodic.register(PeriodicTask("b", FAST, nothing, (second, first)))
    assert periodic.marks() == (first, second)
    assert set(periodic.lanes()) == {"a", "b"}


async def test_housekeeping_forgets_old_marks_of_the_central_link_too(chat: Chat) -> None:
    svc = chat.services
    long_ago = chat.clock.now() - timedelta(days=120)
    for key in ("central-down:2026-07-01", "pusat-summary:2026-07-01", "central-prune:2026-07-01"):
        svc.state.set(key, long_ago.isoformat(), long_ago)
    svc.state.set("central-down:2026-11-24", chat.clock.now().isoformat(), chat.clock.now())

    await chat.tick()

    assert svc.state.get("central-down:2026-07-01") is None
    assert svc.state.get("pusat-summary:2026-07-01") is None
    assert svc.state.get("central-prune:2026-07-01") is None
    assert svc.state.get("central-down:2026-11-24") is not None
