"""Logging set-up: English log lines, no secrets, quiet HTTP libraries."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from logging.handlers import RotatingFileHandler
from pathlib import Path

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


def file_handler(folder: Path) -> logging.Handler:
    """A rotating log file in `folder` (5 MB each, the last 10 kept)."""
    folder.mkdir(parents=True, exist_ok=True)
    return RotatingFileHandler(
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
