"""The one place that builds the runtime: the SOP log (migrated), the dump and copy services and
the schedule. The bot, `sopbot backup`, `sopbot disk list`, `sopbot report` and the demo all
start here."""

from __future__ import annotations

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
        log=soplog,
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
