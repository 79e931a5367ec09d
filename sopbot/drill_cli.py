"""`sopbot ujipulih`: the restore drill from a terminal or Task Scheduler, with the same report
as in the chat (Indonesian): exit 0 when it passed, 1 when the copy failed, 3 when the drill could
not run (disk away, no key, no impdp, login refused: a set-up to fix), 75 when one is running."""

from __future__ import annotations

from core.settings import Settings
from jobs.drill.result import DrillResult
from jobs.job import JobStarted, Outcome
from sopbot.compose import open_runtime
from sopbot.terminal import TerminalJobObserver, run_observed

PASSED, FAILED, UNTESTABLE, BUSY = 0, 1, 3, 75


class TerminalDrillObserver(TerminalJobObserver[DrillResult]):
    """The drill's stages as they come, then its verdict in the chat's words."""

    def header(self, started: JobStarted) -> str:
        import texts

        return texts.drill_started(started, None)

    def stage(self, state: str) -> str:
        import texts

        return texts.drill_stage(state)

    def report(self, started: JobStarted | None, result: DrillResult) -> str:
        import texts

        return texts.drill_report(result, self.settings.tz)


async def run_drill(settings: Settings) -> int:
    runtime = open_runtime(settings)
    runtime.drill.recover()
    result = await run_observed(runtime.drill, TerminalDrillObserver(settings))
    if result is None:
        return BUSY
    if result.passed:
        return PASSED
    return UNTESTABLE if result.outcome is Outcome.UNTESTABLE else FAILED
