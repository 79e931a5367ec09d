"""The monthly audit report (PDF): built from the runtime with the chat's words for problems and
for the chain's verification, with its CSV annex, drawn in a child process. `/laporan audit` and
`sopbot laporan --pdf` both start here."""

from __future__ import annotations

import hashlib
from datetime import date

from jobs.audit import AuditReport, build_audit
from jobs.runtime import Runtime
from reports.month_csv import report_csv
from storage.chain_check import ChainReport
from texts.evidence import chain_summary
from texts.problems import say


def _chain_words(report: object) -> str:
    assert isinstance(report, ChainReport)
    return chain_summary(report)


def build_for(runtime: Runtime, month: date) -> tuple[AuditReport, bytes]:
    """The month's audit report and its CSV annex (whose SHA-256 the report prints); a
    checkpoint is signed first (when there is a key), so the report carries the chain as it is
    now."""
    now = runtime.clock.now()
    runtime.evidence.checkpoint_if_due(now)
    report, monthly = build_audit(
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
    annex = report_csv(monthly)
    report.csv_sha256 = hashlib.sha256(annex).hexdigest()
    report.csv_name = f"laporan-sop-{month:%Y-%m}.csv"
    return report, annex
