"""Pings to an outside watchdog (healthchecks.io or compatible) for every dump and copy, so a
dead bot or a dead server is noticed by someone outside too: `<url>/start` when a job starts,
`<url>` when it succeeds, `<url>/fail` when it fails. A failed ping never breaks a backup."""

from __future__ import annotations

import logging

import httpx

from jobs.job import JobResult, JobStarted, Outcome, Progress

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0


class HealthcheckPinger:
    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    async def ping(self, suffix: str = "", body: str = "") -> bool:
        target = f"{self.url}/{suffix}" if suffix else self.url
        try:
            async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
                response = await client.post(target, content=body.encode("utf-8"))
            if response.status_code >= 400:
                log.warning(
                    "Healthcheck ping %s answered %s", suffix or "success", response.status_code
                )
                return False
            return True
        except httpx.HTTPError as exc:
            log.warning("Healthcheck ping %s failed: %s", suffix or "success", type(exc).__name__)
            return False

    # A JobObserver of every job
    async def job_started(self, started: JobStarted) -> None:
        await self.ping("start", f"{started.kind.value} {started.subject.name}")

    async def job_progress(self, started: JobStarted, progress: Progress) -> None:
        return None

    async def job_finished(self, started: JobStarted | None, result: JobResult) -> None:
        if result.outcome is Outcome.NOTHING:
            return
        subject = f" {started.subject.name}" if started else ""
        lines = [f"{result.kind.value}{subject}: {result.outcome.value}"]
        lines += [found.english() for found in result.errors + result.warnings]
        await self.ping("" if result.ok else "fail", "\n".join(lines))
