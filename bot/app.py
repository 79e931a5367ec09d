"""Wiring: the PTB application with its handlers, its start-up, and how it is run."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, NoReturn

from telegram import BotCommand, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackContext,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
    MessageHandler,
    filters,
)

import texts
from bot import backup, delivery, drill, external, handlers
from bot.access import guard
from bot.commands import BUTTONS, COMMAND_BY_NAME, COMMANDS
from bot.context import BotData, Context, Services
from bot.periodic import periodic_work
from bot.updates import PerChatUpdateProcessor
from core.sop import SOP_ROLES, Role
from core.stop_signals import console_signals, stop_once_on
from jobs.healthcheck import HealthcheckPinger
from jobs.runtime import Runtime
from jobs.watchdog import mark_installed

log = logging.getLogger(__name__)

STOP_FLUSH_SECONDS = 5.0
BOOTSTRAP_RETRIES = 10

# Only new messages typed by the sender act: an edited or forwarded command could otherwise
# carry out an action someone else wrote.
COMMAND_MESSAGES = filters.UpdateType.MESSAGE & ~filters.FORWARDED

# The application as this bot builds it: its handlers' context carries the typed services.
# (PTB's own JobQueue is not used: the schedule is APScheduler's, kept in the log.)
BotApp = Application[ExtBot[None], Context, dict[Any, Any], dict[Any, Any], BotData, Any]


def build_application(
    runtime: Runtime, *, watch_loop: bool = True, rate_limit: bool = True
) -> BotApp:
    """The PTB application on `runtime`, with the chat's services made once and bound to it
    (called by `sopbot.compose.build_app`, the composition root)."""
    settings = runtime.settings
    builder = (
        ApplicationBuilder()
        .context_types(ContextTypes(context=CallbackContext, bot_data=BotData))
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.file_base_url)
        .post_init(on_startup)
        .post_stop(on_stop)
        .concurrent_updates(PerChatUpdateProcessor())
    )
    if rate_limit:
        # The overall limit only: a group's 20 a minute and a 429's wait are the outbox's business,
        # per chat, so that one busy group never holds the others.
        limiter = AIORateLimiter(max_retries=0, group_max_rate=0)
        builder = builder.rate_limiter(limiter)  # type: ignore[arg-type]
    app = builder.build()
    svc = Services.from_runtime(runtime, app.bot, COMMANDS, watch_loop=watch_loop)
    app.bot_data.bind(svc)
    svc.dump.observers.append(backup.ChatDumpObserver(svc, app.bot))
    svc.copier.observers.append(external.ChatCopyObserver(svc, app.bot))
    svc.drill.observers.append(drill.ChatDrillObserver(svc, app.bot))
    if settings.healthcheck_url:
        pinger = HealthcheckPinger(settings.healthcheck_url)
        svc.dump.observers.append(pinger)
        svc.copier.observers.append(pinger)

    for command in COMMANDS:
        app.add_handler(
            CommandHandler(command.name, guard(command, command.handler), filters=COMMAND_MESSAGES)
        )
    for button in BUTTONS:
        allowed_as = COMMAND_BY_NAME[button.command]
        app.add_handler(
            CallbackQueryHandler(guard(allowed_as, button.handler), pattern=f"^{button.prefix}")
        )
    app.add_handler(CallbackQueryHandler(handlers.unknown_button))
    app.add_handler(MessageHandler(filters.COMMAND & COMMAND_MESSAGES, handlers.unknown_command))
    app.add_error_handler(handlers.on_error)
    return app


def services_of(app: BotApp) -> Services:
    return app.bot_data.services


async def on_startup(app: BotApp) -> None:
    """Publish the command menu, start the outbox, report runs a stop interrupted, start the
    schedule and the watchdog."""
    svc = services_of(app)
    await app.bot.set_my_commands([BotCommand(c.name, c.description) for c in COMMANDS])
    for role in SOP_ROLES:
        if not svc.roster.ids_of(role):
            log.warning(
                "No Telegram user holds the role %s: set %s_IDS in .env",
                role.value,
                role.value.upper(),
            )
    if svc.sender is not None:
        svc.sender.start()  # also delivers what an earlier run could not
    if await svc.db.keep(mark_installed, svc.state, svc.clock.now()):  # the first start: a welcome
        text = texts.first_start(svc.describe_schedule())
        await delivery.to_roles(svc, app.bot, list(SOP_ROLES), text, also_group=text)
    lost = await svc.db.keep(svc.dump.recover)
    if lost:
        alert = texts.dump_interrupted(lost)
        await delivery.to_roles(svc, app.bot, [Role.ADB, Role.KABID], alert, also_group=alert)
    lost_copies = await svc.db.keep(svc.copier.recover)
    if lost_copies:
        await delivery.to_roles(
            svc, app.bot, [Role.KASI, Role.KABID], texts.copy_interrupted(lost_copies)
        )
    await svc.db.keep(svc.drill.recover)
    # APScheduler's job store is the log: started on a worker thread, its jobs run on this loop.
    await asyncio.to_thread(svc.scheduler.start, asyncio.get_running_loop())
    periodic = periodic_work(svc.clock, svc.watchdog, svc.central) if svc.watchdog else None
    if svc.watch_loop and periodic is not None:
        periodic.start()
        svc.running.periodic = periodic
    log.info("Bot @%s is up", app.bot.username)


async def on_stop(app: BotApp) -> None:
    """Stop the periodic work, the schedule, a running dump or copy (recorded as interrupted),
    and the outbox (what is still pending goes out after the next start)."""
    svc = services_of(app)
    running = svc.running
    if running.periodic is not None:
        await running.periodic.stop()
        running.periodic = None
    # The jobs first, through their stop contract (Data Pump's job stopped on the server too):
    # shutting the scheduler down would cancel a scheduled dump outright.
    await svc.dump.stop()
    await svc.copier.stop()
    await svc.drill.stop()
    if running.drill_after_copy is not None:  # its unplug request goes to the outbox first
        await asyncio.wait({running.drill_after_copy}, timeout=5)
        running.drill_after_copy = None
    await asyncio.to_thread(svc.scheduler.shutdown)  # it may be waiting on a locked job store
    if svc.sender is not None:
        # A stop is often a service stop during a job: its verdict goes out now if Telegram
        # answers within a few seconds, otherwise at the next start (the outbox keeps it).
        await svc.sender.stop(flush_seconds=STOP_FLUSH_SECONDS)
    await svc.db.drain(STOP_FLUSH_SECONDS)  # background writes a busy log held back


@asynccontextmanager
async def running(app: BotApp, poll_timeout: int = 10) -> AsyncIterator[None]:
    """Run the application inside an event loop someone else owns (tests, the demo)."""
    await app.initialize()
    await on_startup(app)
    assert app.updater is not None
    await app.updater.start_polling(timeout=poll_timeout, allowed_updates=Update.ALL_TYPES)
    await app.start()
    try:
        yield
    finally:
        await app.updater.stop()
        await on_stop(app)
        await app.stop()
        await app.shutdown()


def _leave_the_loop() -> NoReturn:
    """What python-telegram-bot's own stop-signal handler does: SystemExit raised from a loop
    callback (never inside a task) ends run_polling's loop at whatever phase it is in, and
    run_polling then stops the application in order (post_stop: the jobs' stop contract)."""
    raise SystemExit


def stop_signals() -> list[signal.Signals]:
    """SIGINT (Ctrl+C, WinSW's stop), SIGTERM (systemd, docker stop), SIGABRT where PTB takes it,
    SIGBREAK on Windows (Ctrl+Break, the console closed)."""
    found = [signal.SIGINT, signal.SIGTERM]
    if os.name != "nt":
        found.append(signal.SIGABRT)
    return found + [s for s in console_signals() if s not in found]


def run_forever(app: BotApp) -> None:
    """Poll Telegram until stopped (Ctrl+C, SIGTERM, or the service manager).

    The bot handles the stop signals itself rather than through python-telegram-bot, the same
    way on every OS: PTB installs none on Windows (a Ctrl+C, i.e. WinSW's stop, would raise
    KeyboardInterrupt in whatever task runs), and its POSIX handlers raise again at a second
    signal, cutting the stop short. Here the first one leaves the loop, and the stop (a running
    export stopped on the server too) then runs to its end, deaf to further signals."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)  # the loop run_polling takes up
    restore = stop_once_on(loop, _leave_the_loop, stop_signals())
    try:
        # Telegram was reached just before (getMe); a blip during the polling's own start
        # (deleteWebhook) is retried a few times, one second apart, instead of ending the bot.
        app.run_polling(
            allowed_updates=Update.ALL_TYPES,
            stop_signals=None,
            bootstrap_retries=BOOTSTRAP_RETRIES,
        )
    finally:
        restore()
