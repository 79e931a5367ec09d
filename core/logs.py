"""Logging set-up: English log lines, no secrets, quiet HTTP libraries."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterable
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

from core.secrets import mask


class SecretMaskFilter(logging.Filter):
    """Replace every known secret in a log record's final text with ***.

    The HTTP client logs request URLs, and the Bot API puts the token in the URL path: masking at
    the handler is the one place that catches every such line, whoever wrote it.
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg, record.args = mask(message, self.secrets), None
        if record.exc_text:
            record.exc_text = mask(record.exc_text, self.secrets)
        return True


LOG_FILE_BYTES = 5 * 1024 * 1024
LOG_FILES_KEPT = 10


ROLLOVER_RETRY_SECONDS = 60.0


class HeldLogTolerantHandler(RotatingFileHandler):
    """A rotating log file whose rollover waits while another program holds the file.

    On Windows a file open in another program without delete sharing (PowerShell's
    `Get-Content -Wait`, an editor) cannot be renamed: RotatingFileHandler's rollover then fails on
    every record and each one is lost with a traceback on stderr. Here the bot keeps writing to
    the current file and tries the rollover again a minute later."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._retry_at = 0.0
        self._told = False

    def doRollover(self) -> None:
        if time.monotonic() < self._retry_at:
            return
        try:
            super().doRollover()
            self._told = False
        except OSError as exc:
            self._retry_at = time.monotonic() + ROLLOVER_RETRY_SECONDS
            if self.stream is None:
                self.stream = self._open()  # go on writing where we were
            if not self._told:  # once per incident; a log record here would recurse
                self._told = True
                sys.stderr.write(
                    f"Log rollover postponed: {self.baseFilename} is in use ({exc.strerror})\n"
                )

    def shouldRollover(self, record: logging.LogRecord) -> bool:
        return time.monotonic() >= self._retry_at and bool(super().shouldRollover(record))


def file_handler(folder: Path) -> logging.Handler:
    """A rotating log file in `folder` (5 MB each, the last 10 kept)."""
    folder.mkdir(parents=True, exist_ok=True)
    return HeldLogTolerantHandler(
        folder / "sopbot.log", maxBytes=LOG_FILE_BYTES, backupCount=LOG_FILES_KEPT, encoding="utf-8"
    )


def configure_logging(
    secrets: Iterable[str],
    *,
    verbose: bool = False,
    handlers: Iterable[logging.Handler] = (),
    log_dir: Path | None = None,
) -> None:
    mask = SecretMaskFilter(secrets)
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    all_handlers = [logging.StreamHandler(), *handlers]
    if log_dir is not None:
        all_handlers.append(file_handler(log_dir))
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in root.handlers[:]:
        root.removeHandler(handler)
    for handler in all_handlers:
        handler.setFormatter(formatter)
        handler.addFilter(mask)
        root.addHandler(handler)
    # httpx logs every request URL, which holds the bot token; keep it to warnings.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING if not verbose else logging.INFO)
