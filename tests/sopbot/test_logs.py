"""Secrets never reach a log line, whoever logs them."""

from __future__ import annotations

import io
import logging

from sopbot.logs import SecretMaskFilter


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
