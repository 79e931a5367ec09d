"""`sopbot run` that cannot start ends with one clear line naming what to fix, exit 2, and never a
traceback carrying a secret (the service log would keep it)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TOKEN

from devtools.botapi import BotApiServer

WRONG_TOKEN = "987654:WRONG-token-ZyXwVuTsRqPoNm"


async def start(tmp_path: Path, **env: str) -> tuple[int, str]:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))},
        "DATA_DIR": str(tmp_path / "data"),
        "KABID_IDS": "111",
        **env,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "sopbot", "run", "--env-file", str(tmp_path / "none"),
        env=environment,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await asyncio.wait_for(process.communicate(), 90)
    assert process.returncode is not None
    return process.returncode, err.decode("utf-8", errors="replace")


async def test_a_token_telegram_rejects_is_one_line_without_the_token(
    server: BotApiServer, tmp_path: Path
) -> None:
    code, err = await start(
        tmp_path, TELEGRAM_BOT_TOKEN=WRONG_TOKEN, TELEGRAM_API_BASE_URL=server.base_url
    )
    assert code == 2
    assert "TELEGRAM_BOT_TOKEN: Telegram menolak token bot ini" in err
    assert "Traceback" not in err and WRONG_TOKEN not in err and "WRONG-token" not in err
    logs = "".join(p.read_text() for p in (tmp_path / "data" / "logs").glob("*.log*"))
    assert WRONG_TOKEN not in logs


async def test_an_unreachable_bot_api_names_the_setting(tmp_path: Path) -> None:
    code, err = await start(
        tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL="http://127.0.0.1:9/bot"
    )
    assert code == 2 and "TELEGRAM_API_BASE_URL: Telegram tidak dapat dihubungi" in err
    assert "Traceback" not in err and TOKEN not in err


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("nonsense", "DATABASE_URL: harus URL database"),
        ("postgresql+psycopg://sopbot:Rahasia-DB-9@127.0.0.1:9/sopbot", "DATABASE_URL:"),
    ],
)
async def test_a_database_that_cannot_be_used_names_the_setting(
    server: BotApiServer, tmp_path: Path, url: str, words: str
) -> None:
    code, err = await start(
        tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=server.base_url,
        DATABASE_URL=url,
    )
    assert code == 2 and words in err, err
    assert "Traceback" not in err and "Rahasia-DB-9" not in err


def test_output_to_a_file_under_a_legacy_code_page_does_not_crash(tmp_path: Path) -> None:
    """`sopbot check > cek.txt` on a Windows Server whose code page is cp1252."""
    (tmp_path / ".env").write_text(
        "TELEGRAM_BOT_TOKEN=1:abc\nTELEGRAM_API_BASE_URL=http://127.0.0.1:9/bot\nKABID_IDS=1\n",
        encoding="utf-8",
    )
    out = tmp_path / "cek.txt"
    with out.open("wb") as stream:
        done = subprocess.run(
            [sys.executable, "-m", "sopbot", "check"],
            cwd=tmp_path,
            stdout=stream,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONIOENCODING": "cp1252", "PYTHONUTF8": "0"},
            timeout=120,
            check=False,
        )
    assert "UnicodeEncodeError" not in done.stderr.decode("utf-8", "replace")
    text = out.read_text(encoding="utf-8")
    assert "❌ Token bot Telegram" in text and "Hasil: ada yang harus diperbaiki." in text
