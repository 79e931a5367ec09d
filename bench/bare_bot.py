#!/usr/bin/env python3
"""The baseline for the latency and footprint benchmarks: a bare python-telegram-bot bot that
answers /status with a fixed text. Configured by TELEGRAM_BOT_TOKEN and TELEGRAM_API_BASE_URL."""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, CommandHandler, ContextTypes


async def status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text("Status: semua baik.")


def build(token: str, base_url: str) -> Application:  # type: ignore[type-arg]
    app = ApplicationBuilder().token(token).base_url(base_url).build()
    # The same commands the latency benchmark sends to sopbot, each answered with a fixed text.
    for command in ("status", "riwayat", "daftar", "laporan"):
        app.add_handler(CommandHandler(command, status))
    return app


if __name__ == "__main__":
    build(os.environ["TELEGRAM_BOT_TOKEN"], os.environ["TELEGRAM_API_BASE_URL"]).run_polling()
