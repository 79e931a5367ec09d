"""deploy/windows/uji-layanan.ps1, the field test run once on the office's Windows server.

It parses: with PowerShell's own parser (and PSScriptAnalyzer's error rules, where installed) when
`pwsh` is on PATH, and always with the tree-sitter PowerShell grammar (a dev dependency; a
grammar written after PowerShell's, not Microsoft's parser, so it catches structure - brackets,
blocks, strings, param() - rather than every rule). What it relies on in the bot is held to the
code: the check line it reads, the exit code of a Ctrl+C, the chat's words for a service stop, the
WinSW stop time it accepts, the rights it counts as write access; and it stays ASCII (PowerShell
5.1 reads a .ps1 without a BOM in the ANSI code page)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from test_service_stop_settings import LONGEST_STOP

from bot.checklist import check_external
from core.problems import Code, problem
from core.settings import Settings
from sopbot.cli import INTERRUPTED_EXIT
from texts.problems import say

SCRIPT = Path(__file__).resolve().parents[1] / "deploy" / "windows" / "uji-layanan.ps1"
PWSH_SECONDS = 120
# PowerShell's parser, then PSScriptAnalyzer's error-severity rules when the module is there;
# one line per finding, the exit code their count.
PWSH_PARSE = """
$tokens = $null; $errors = $null
$parser = [System.Management.Automation.Language.Parser]
[void]$parser::ParseFile('{path}', [ref]$tokens, [ref]$errors)
$found = @($errors | ForEach-Object {{ "parse: line $($_.Extent.StartLineNumber): $($_.Message)" }})
if (Get-Module -ListAvailable -Name PSScriptAnalyzer) {{
    $found += @(Invoke-ScriptAnalyzer -Path '{path}' -Severity Error |
        ForEach-Object {{ "analyzer: line $($_.Line): $($_.RuleName): $($_.Message)" }})
}}
$found | ForEach-Object {{ Write-Output $_ }}
exit $found.Count
"""


def tree_sitter_errors(source: bytes) -> list[str]:
    """Where the tree-sitter PowerShell grammar finds no valid structure (ERROR or MISSING)."""
    tree_sitter = pytest.importorskip("tree_sitter", reason="dev dependency tree-sitter missing")
    grammar = pytest.importorskip(
        "tree_sitter_powershell", reason="dev dependency tree-sitter-powershell missing"
    )
    parser = tree_sitter.Parser(tree_sitter.Language(grammar.language()))
    found: list[str] = []
    pending = [parser.parse(source).root_node]
    while pending:
        node = pending.pop()
        if node.type == "ERROR" or node.is_missing:
            found.append(f"line {node.start_point[0] + 1}: {node.type}")
        pending.extend(node.children)
    return found


def test_the_script_parses_with_the_powershell_grammar() -> None:
    assert tree_sitter_errors(SCRIPT.read_bytes()) == []


def test_the_grammar_check_finds_a_broken_script() -> None:
    """The check above can fail: an unclosed block, a missing comma in param(), a try with
    neither catch nor finally."""
    text = SCRIPT.read_text(encoding="ascii")
    broken = [
        text.replace(
            "function Job-Names($jobs) { return", "function Job-Names($jobs) { return (", 1
        ),
        text.replace('[string]$ServiceName = "sopbot",', '[string]$ServiceName = "sopbot"', 1),
        text.replace("} catch {\n", "} {\n", 1),
    ]
    for variant in broken:
        assert variant != text
        assert tree_sitter_errors(variant.encode("ascii")) != []


@pytest.mark.skipif(
    shutil.which("pwsh") is None,
    reason="pwsh (PowerShell 7) not on PATH: install it to run PowerShell's own parser on the "
    "field test (README, 'Tests')",
)
def test_the_script_parses_with_powershells_own_parser() -> None:
    pwsh = shutil.which("pwsh")
    assert pwsh is not None
    command = PWSH_PARSE.format(path=str(SCRIPT).replace("'", "''"))
    result = subprocess.run(
        [pwsh, "-NoLogo", "-NoProfile", "-NonInteractive", "-Command", command],
        capture_output=True,
        text=True,
        timeout=PWSH_SECONDS,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_script_is_ascii() -> None:
    assert SCRIPT.read_bytes().isascii()


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


def test_the_script_counts_as_write_access_what_sopbot_check_does() -> None:
    """Step 5 reads icacls as core/private.py does: the same rights mean "may change"."""
    from core.private import WRITE_RIGHTS

    text = SCRIPT.read_text(encoding="ascii")
    found = re.search(r'\$writes = "\[\(,\]\(([A-Z|]+)\)', text)
    assert found is not None
    assert set(found.group(1).split("|")) == set(WRITE_RIGHTS)
