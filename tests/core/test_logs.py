"""Secrets never reach a log line, whoever logs them."""

from __future__ import annotations

import io
import logging
import logging.handlers

from core.logs import SecretMaskFilter


def test_token_in_a_message_or_a_traceback_is_masked() -> None:
    token = "4242:SECRET-token-value"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(SecretMaskFilter([token]))
    logger = logging.getLogger("test.mask")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("POST https://api.telegram.org/bot%s/getMe", token)
        try:
            raise RuntimeError(f"failed calling bot{token}")
        except RuntimeError:
            logger.exception("boom")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert token not in output
    assert output.count("***") >= 2


def test_log_file_rotates_and_never_holds_the_token(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from core import logs

    token = "5555:ROTATING-secret-token"
    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    try:
        logs.configure_logging([token], log_dir=tmp_path / "logs")
        handler = root.handlers[-1]
        assert isinstance(handler, logging.handlers.RotatingFileHandler)
        handler.maxBytes = 2000
        for n in range(100):
            logging.getLogger("sopbot.test").info("request %d to /bot%s/getMe", n, token)
        handler.flush()
    finally:
        root.handlers[:] = saved
        root.setLevel(level)
    files = sorted((tmp_path / "logs").glob("sopbot.log*"))
    assert len(files) > 2  # rotated
    text = "".join(f.read_text(encoding="utf-8") for f in files)
    assert "request 99" in text and token not in text
