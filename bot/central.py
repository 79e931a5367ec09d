"""Many offices, one view, in the chat: the office's link to the central database (periodic work
beside the watchdog's), /kantor for PUSAT, and the supervisor's morning summary of unsafe
offices."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot, Update

import texts
from bot import delivery
from bot.arguments import UsageError, parse_page
from bot.command_types import Caller
from bot.context import Context, Services, services
from bot.handlers import command_rest, respond
from central.link import CentralLink, LinkStatus, describe, link_for
from core.sop import Role
from jobs.periodic import MarkKind, Marks, PeriodicTask
from jobs.watchdog import last_slot
from storage.central.admin import central_engine
from storage.central.view import CentralView, central_view
from storage.central.witness import Alarm
from storage.central.witness import alarms as chain_alarms

log = logging.getLogger(__name__)

PUSH_SECONDS = 30.0
KEEP_SENT_FOR = timedelta(days=90)
TELL_ADB_AFTER = timedelta(hours=24)  # a longer outage of the link is the ADB's to look at
# What the reporter has done, one day at a time (forgotten with the watchdog's old marks).
CENTRAL_DOWN = MarkKind("central-down")
CENTRAL_PRUNE = MarkKind("central-prune")
PUSAT_SUMMARY = MarkKind("pusat-summary")
CENTRAL_MARKS = (CENTRAL_DOWN, CENTRAL_PRUNE, PUSAT_SUMMARY)


@dataclass
class CentralReporter:
    """Runs the link every PUSH_SECONDS in a worker thread (it blocks on databases), sends the
    supervisors' summary once a day, and tells the ADB about a link down for a day."""

    svc: Services
    bot: Bot
    link: CentralLink | None
    status: LinkStatus = field(default_factory=LinkStatus)

    def tasks(self, every: timedelta = timedelta(seconds=PUSH_SECONDS)) -> list[PeriodicTask]:
        """Its periodic work: a lane of its own, so a slow central database holds up nothing
        else."""
        return [PeriodicTask("central", every, self._tick, CENTRAL_MARKS)]

    async def _tick(self, _now: datetime) -> None:
        await self.tick()

    @property
    def marks(self) -> Marks:
        return Marks(self.svc.state)

    async def tick(self) -> None:
        now = self.svc.clock.now()
        if self.link is not None:
            self.status = await asyncio.to_thread(self.link.cycle)
            await self._set_aside(self.status.set_aside)
            await self._link_down(now)
            await asyncio.to_thread(self._prune, now)
        if self.svc.roster.ids_of(Role.PUSAT) and central_url(self.svc):
            await self._pusat_summary(now)

    async def _set_aside(self, keys: tuple[str, ...]) -> None:
        """Records the central database refused for good: the ADB and the Kabid are told once,
        when they are set aside (a daily retry refused again says nothing new)."""
        if not keys:
            return
        kept = await asyncio.to_thread(self.svc.central_queue.kept_aside)
        records = [r for r in kept if r.key in keys]
        if records:
            text = texts.central_set_aside(records, self.svc.settings.tz)
            await delivery.to_roles(self.svc, self.bot, [Role.ADB, Role.KABID], text)

    async def _link_down(self, now: datetime) -> None:
        """A record waiting for more than a day: the ADB is told, once a day. Read from the
        queue itself, so restarts (an office PC switched off each night) do not hide it."""
        queued, oldest = await asyncio.to_thread(self.svc.central_queue.waiting)
        if not queued or oldest is None or now - oldest < TELL_ADB_AFTER:
            return
        mark = CENTRAL_DOWN.at(now.astimezone(self.svc.settings.tz).date().isoformat())
        if await self.svc.db.run(self.marks.done, mark):
            return
        await self.svc.db.keep(self.marks.set, mark, now)
        text = texts.central_down(oldest, queued, self.status.error, self.svc.settings.tz)
        await delivery.to_roles(self.svc, self.bot, [Role.ADB], text)

    def _prune(self, now: datetime) -> None:
        mark = CENTRAL_PRUNE.at(now.astimezone(self.svc.settings.tz).date().isoformat())
        if self.marks.done(mark):
            return
        self.marks.set(mark, now)
        forgotten = self.svc.central_queue.prune(now - KEEP_SENT_FOR)
        if forgotten:
            log.info("Central queue: %d records delivered long ago forgotten", forgotten)

    async def _pusat_summary(self, now: datetime) -> None:
        report = self.svc.settings.report_time
        slot = last_slot(now, report.hour, report.minute, self.svc.settings.tz)
        mark = PUSAT_SUMMARY.at(slot.date().isoformat())
        done = await self.svc.db.run(self.marks.done, mark)
        if now - slot > timedelta(hours=12) or done:
            return
        try:
            view = await asyncio.to_thread(read_states, self.svc, now)
        except SQLAlchemyError as error:
            log.warning("Supervisor summary not made: %s", describe(error))
            return  # tried again at the next tick
        await self.svc.db.keep(self.marks.set, mark, now)
        if not view.supervisor:  # an office's login sees itself only: no "all offices are safe"
            log.warning("PUSAT_IDS is set but CENTRAL_DATABASE_URL is not a supervisor's login")
            return
        text = texts.pusat_summary(view.states, now, self.svc.settings.tz)
        alarms = await asyncio.to_thread(read_chain_alarms, self.svc, now - timedelta(days=1))
        tz = self.svc.settings.tz
        text += "".join(
            "\n"
            + texts.chain_alarm_line(
                a.office_id, a.reason, a.seq, f"{a.at.astimezone(tz):%d/%m %H:%M}"
            )
            for a in alarms
        )
        for part in texts.pages(text):
            await delivery.to_roles(self.svc, self.bot, [Role.PUSAT], part)


def reporter_for(svc: Services, bot: Bot) -> CentralReporter | None:
    """The reporter this bot needs: a link when OFFICE_ID is set, the supervisors' summary when
    PUSAT_IDS is; none when neither."""
    settings = svc.settings
    link = None
    if settings.pushes_evidence:
        link = link_for(svc, version=package_version())
    if link is None and not (settings.pusat_ids and central_url(svc)):
        return None
    return CentralReporter(svc, bot, link)


def central_url(svc: Services) -> str:
    return svc.settings.central_database_url.get_secret_value()


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sopbot")
    except PackageNotFoundError:
        return "dev"


def read_chain_alarms(svc: Services, since: datetime) -> list[Alarm]:
    """The witness's alarms of the last day, for the supervisors; none when the central
    database cannot say (not yet upgraded, or unreachable: the summary goes out anyway)."""
    engine = central_engine(central_url(svc))
    try:
        with engine.connect() as connection, connection.begin():
            return chain_alarms(connection, since)
    except SQLAlchemyError as error:
        log.warning("Chain alarms not read: %s", describe(error))
        return []
    finally:
        engine.dispose()


def read_states(svc: Services, now: datetime) -> CentralView:
    engine = central_engine(central_url(svc))
    try:
        return central_view(engine, now)
    finally:
        engine.dispose()


async def kantor(update: Update, context: Context, caller: Caller) -> None:
    """/kantor [halaman]: every office's evidence, worst first (what this login may see)."""
    svc = services(context)
    if not central_url(svc):
        await respond(update, context, texts.NO_CENTRAL)
        return
    try:
        page = parse_page(command_rest(update))
    except UsageError as error:
        await respond(update, context, texts.usage(caller.command, str(error)))
        return
    now = svc.clock.now()
    try:
        view = await asyncio.to_thread(read_states, svc, now)
    except SQLAlchemyError as error:
        log.warning("/kantor: central database: %s", describe(error))
        await respond(update, context, texts.central_unreachable())
        return
    states = view.states
    last_page = max(1, -(-len(states) // texts.KANTOR_PAGE))
    if page > last_page:
        await respond(
            update, context, texts.usage(caller.command, f"Hanya ada {last_page} halaman.")
        )
        return
    table = texts.office_table(
        states, now, svc.settings.tz, page, texts.KANTOR_PAGE, supervisor=view.supervisor
    )
    await respond(update, context, table)
