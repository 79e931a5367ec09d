"""The monthly audit report (PDF): built from the runtime with the chat's words for problems and
for the chain's verification, drawn in a child process. `/laporan audit` and `sopbot laporan
--pdf` both start here."""

from __future__ import annotations

from datetime import date

from jobs.audit import AuditReport, build_audit
from jobs.runtime import Runtime
from storage.chain_check import ChainReport
from texts.evidence import chain_summary
from texts.problems import say


def _chain_words(report: object) -> str:
    assert isinstance(report, ChainReport)
    return chain_summary(report)


def build_for(runtime: Runtime, month: date) -> tuple[AuditReport, bytes]:
    """The month's audit report and its CSV annex; a checkpoint is signed first (when there is
    a key), so the report carries the chain as it is now."""
    now = runtime.clock.now()
    runtime.evidence.checkpoint_if_due(now)
    return build_audit(
        month,
        settings=runtime.settings,
        today=runtime.today(),
        now=now,
        soplog=runtime.soplog,
        dumplog=runtime.dumplog,
        copylog=runtime.copylog,
        drilllog=runtime.drilllog,
        disks=runtime.disks,
        state=runtime.state,
        evidence=runtime.evidence,
        say=say,
        chain_words=_chain_words,
    )
