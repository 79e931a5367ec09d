"""Pings to an outside watchdog (healthchecks.io or compatible) for every dump and copy, so a
dead bot or a dead server is noticed by someone outside too: `<url>/start` when a job starts,
`<url>` when it succeeds, `<url>/fail` when it fails. A failed ping never breaks a backup."""

from __future__ import annotations

import logging

import httpx

from jobs.dump.result import DumpResult, Progress
from jobs.dump.service import DumpStarted
from jobs.external.service import CopyResult, CopyStarted

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

    # DumpObserver
    async def dump_started(self, started: DumpStarted) -> None:
        await self.ping("start", f"dump {started.dump_path.name}")

    async def dump_progress(self, started: DumpStarted, progress: Progress) -> None:
        return None

    async def dump_finished(self, started: DumpStarted, result: DumpResult) -> None:
        detail = f"dump {result.dump_path.name}: {result.outcome.value}"
        await self.ping("" if result.ok else "fail", "\n".join([detail, *result.errors]))

    # CopyObserver
    async def copy_started(self, started: CopyStarted) -> None:
        await self.ping("start", f"copy {started.source.name}")

    async def copy_progress(self, started: CopyStarted, done: int) -> None:
        return None

    async def copy_finished(self, started: CopyStarted | None, result: CopyResult) -> None:
        if result.outcome == "nothing":
            return
        await self.ping(
            "" if result.verified else "fail", f"copy: {result.outcome} {result.error}".strip()
        )
