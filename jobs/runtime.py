"""Everything the bot, the CLI and the scheduler share at run time, built in one place
(`sopbot.compose.open_runtime`) and handed down."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from core.clock import Clock, office_date
from core.settings import Settings
from jobs.drill.service import DrillService
from jobs.dump.service import DumpService
from jobs.evidence import Evidence
from jobs.external.service import CopyService
from jobs.schedule import BackupScheduler
from storage.aio import AsyncLog
from storage.audit import AuditLog
from storage.central_queue import CentralQueue
from storage.copies import CopyLog
from storage.disks import DiskRegistry
from storage.drills import DrillLog
from storage.dumps import DumpLog
from storage.members import Roster
from storage.outbox import Outbox
from storage.soplog import SopLog
from storage.state import StateStore


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    soplog: SopLog
    clock: Clock
    dumplog: DumpLog
    dump: DumpService
    scheduler: BackupScheduler
    copylog: CopyLog
    copier: CopyService
    outbox: Outbox
    state: StateStore
    audit: AuditLog
    disks: DiskRegistry
    drilllog: DrillLog
    drill: DrillService
    roster: Roster
    central_queue: CentralQueue
    evidence: Evidence
    db: AsyncLog = field(default_factory=AsyncLog)  # the log's async face, for async code

    def today(self) -> date:
        return office_date(self.clock.now(), self.settings.tz)
