"""deploy/windows/uji-layanan.ps1 cannot run here (no PowerShell); what it relies on in the bot
is held to the code: the check line it reads, the exit code of a Ctrl+C, the chat's words for a
service stop, the WinSW stop time it accepts; and it stays ASCII (PowerShell 5.1 reads a .ps1
without a BOM in the ANSI code page)."""

from __future__ import annotations

import re
from pathlib import Path

from test_service_stop_settings import LONGEST_STOP

from bot.checklist import check_external
from core.problems import Code, problem
from core.settings import Settings
from sopbot.cli import INTERRUPTED_EXIT
from texts.problems import say

SCRIPT = Path(__file__).resolve().parents[1] / "deploy" / "windows" / "uji-layanan.ps1"


def test_the_script_is_ascii_and_its_brackets_balance() -> None:
    raw = SCRIPT.read_bytes()
    assert raw.isascii()
    text = raw.decode("ascii")
    code = re.sub(r"#.*", "", re.sub(r"'[^'\n]*'", "''", text))  # comments and '...' out
    for opening, closing in ("{}", "()", "[]"):
        assert code.count(opening) == code.count(closing), opening


def test_what_the_script_reads_from_the_bot_is_what_the_bot_says() -> None:
    text = SCRIPT.read_text(encoding="ascii")
    settings = Settings(_env_file=None, telegram_bot_token="1:abc", kabid_ids=[1])  # type: ignore[call-arg]
    assert f'"{check_external(settings).name}:"' in text.replace("\\", "")  # the check's line
    assert f"-ne {INTERRUPTED_EXIT}" in text  # the exit code of a Ctrl+C'd `sopbot backup`
    quoted = re.search(r"'(terputus karena [^']+)'", text)
    assert quoted is not None and quoted.group(1) in say(problem(Code.STOPPED))
    threshold = re.search(r"\$seconds -ge (\d+)", text)
    assert threshold is not None and int(threshold.group(1)) >= LONGEST_STOP
    assert "KILL_JOB`r`nyes`r`n" in text  # what the bot pipes to `expdp attach`
