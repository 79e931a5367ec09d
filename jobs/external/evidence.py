"""Step 11's evidence: a verified copy of the newest good dump on a registered external disk,
not found damaged since and not on a disk reported lost. Without it step 11 is not done,
whatever anyone says in the chat."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.problems import Code, Problem, problem
from storage.copies import CopyLog, CopyRecord
from storage.dumps import DumpLog, DumpRecord


@dataclass(frozen=True)
class Evidence:
    dump: DumpRecord
    copy: CopyRecord

    @property
    def file_name(self) -> str:
        return Path(self.copy.dest_path).name


def copy_evidence(dumplog: DumpLog, copylog: CopyLog) -> Evidence | Problem:
    """The evidence, or why there is none."""
    latest = dumplog.last_good()
    if latest is None:
        return problem(Code.NO_GOOD_DUMP)
    name = Path(latest.file_path).name
    copy = copylog.evidence(latest.id)
    if copy is not None:
        return Evidence(latest, copy)
    on_lost = copylog.newest(dump_run_id=latest.id, intact=None, lost=True)
    if on_lost is not None:
        return problem(Code.COPY_ON_LOST_DISK, file=name, label=on_lost.disk_label)
    if copylog.newest(dump_run_id=latest.id, intact=False) is not None:
        return problem(Code.COPY_DAMAGED, file=name)
    return problem(Code.NOT_COPIED_YET, file=name)
