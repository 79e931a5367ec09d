"""/cek: the checklist of `bot/checklist.py` (the same as `sopbot check`), in the chat."""

from __future__ import annotations

import asyncio
from html import escape

from telegram import Update

from bot.checklist import passed, run_checks
from bot.command_types import Caller
from bot.context import Context, services
from bot.handlers import respond
from texts import checklist as checklist_words


async def cek(update: Update, context: Context, caller: Caller) -> None:
    svc = services(context)
    last = await svc.db.run(svc.dumplog.last_good) if svc.dumplog else None
    from jobs.drill.selftest import PASSED_KEY

    selftest = await asyncio.to_thread(svc.state.get, PASSED_KEY)
    items = await run_checks(
        svc.settings,
        last_dump_bytes=last.size_bytes if last else None,
        selftest_passed=selftest,
    )
    verdict = checklist_words.verdict(passed(items))
    lines = ["🩺 <b>Pemeriksaan bot</b>", *(escape(item.line()) for item in items), verdict]
    await respond(update, context, "\n".join(lines))
