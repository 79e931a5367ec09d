"""The composition root. `open_runtime` builds what the bot and the command line share: the SOP
log (migrated), the dump, copy and drill services and the schedule; `build_app` builds the bot on
it: the chat's services (the log's async face, the outbox sender, the watchdog, the central link)
and the PTB application, each once, frozen, handed to the handlers typed. The bot, the demo and
the tests start at `build_app`; `sopbot backup`, `sopbot disk list`, `sopbot report` at
`open_runtime`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.clock import Clock, SystemClock
from core.settings import Settings
from jobs.drill.service import DrillService
from jobs.dump.result import DumpBackend
from jobs.dump.service import DumpService
from jobs.evidence import Evidence
from jobs.external.service import CopyService
from jobs.runtime import Runtime
from jobs.schedule import BackupScheduler, backup_time_on_start
from storage.audit import AuditLog
from storage.central_queue import CentralQueue
from storage.copies import CopyLog
from storage.database import make_engine, upgrade
from storage.disks import DiskRegistry
from storage.drills import DrillLog
from storage.dumps import DumpLog
from storage.members import MemberLog, Roster
from storage.outbox import Outbox
from storage.soplog import SopLog
from storage.state import StateStore

if TYPE_CHECKING:
    from bot.app import BotApp


def counted_settings(settings: Settings) -> dict[str, object]:
    """The settings that change what counts as evidence, recorded in the chain when changed."""
    return {
        "dump_backend": settings.dump_backend,
        "encryption": settings.external_encryption,
        "age_recipients": sorted(settings.age_recipients),
        "compression": settings.external_compression,
        "drill_level": settings.drill_level,
    }


def open_runtime(
    settings: Settings, clock: Clock | None = None, backend: DumpBackend | None = None
) -> Runtime:
    """Open (and migrate) the SOP log and build the services on it."""
    engine = make_engine(settings.database_url)
    upgrade(engine)
    soplog, dumplog, copylog = SopLog(engine), DumpLog(engine), CopyLog(engine)
    state = StateStore(engine)
    disks = DiskRegistry(engine)
    clock = clock or SystemClock()
    dump = DumpService(settings, dumplog, soplog, clock, backend)
    copier = CopyService(settings, dumplog, copylog, soplog, clock, disks)
    drilllog = DrillLog(engine)
    drill = DrillService(settings, dumplog, copylog, drilllog, copier, clock)
    backup_time = backup_time_on_start(settings, state, clock.now())
    evidence = Evidence(settings, engine)
    evidence.chain.record_setting(clock.now(), counted_settings(settings))
    return Runtime(
        settings=settings,
        soplog=soplog,
        clock=clock,
        dumplog=dumplog,
        dump=dump,
        scheduler=BackupScheduler(engine, dump, backup_time, drill),
        copylog=copylog,
        copier=copier,
        outbox=Outbox(engine),
        state=state,
        audit=AuditLog(engine),
        disks=disks,
        drilllog=drilllog,
        drill=drill,
        roster=Roster(settings, MemberLog(engine)),
        central_queue=CentralQueue(engine),
        evidence=evidence,
    )


def build_app(
    settings: Settings,
    clock: Clock | None = None,
    backend: DumpBackend | None = None,
    *,
    watch_loop: bool = True,
    rate_limit: bool = True,
) -> BotApp:
    """The bot, built once: `watch_loop=False` leaves the minute watchdog to the caller (tests,
    the demo), `rate_limit=False` drops Telegram's overall limit (a local Bot API server)."""
    from bot.app import build_application  # the command line's other commands need no chat

    runtime = open_runtime(settings, clock, backend)
    return build_application(runtime, watch_loop=watch_loop, rate_limit=rate_limit)
