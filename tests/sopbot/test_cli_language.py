"""The command line speaks Indonesian to the end: every command's --help and every usage error,
click's own words included (usage line, headings, the help option, "missing option")."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from sopbot.cli import main

# Click's own English, as it would print it.
ENGLISH = re.compile(
    r"Usage:|Options:|Commands:|Error:|Show this message|Missing (option|argument|parameter)"
    r"|No such (option|command)|Try '|Invalid value|default:|required\]|requires an argument"
    r"|Got unexpected|\[OPTIONS\]|COMMAND \[ARGS\]"
)


def _every_command(group: click.Group, path: list[str]) -> list[list[str]]:
    found = [path]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += _every_command(command, [*path, name])
        else:
            found.append([*path, name])
    return found


@pytest.mark.parametrize("path", _every_command(main, []), ids=lambda p: " ".join(p) or "sopbot")
def test_every_help_is_indonesian(path: list[str]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"], prog_name="sopbot")
    assert result.exit_code == 0, result.output
    assert "Penggunaan:" in result.output and "Tampilkan bantuan ini" in result.output
    assert not ENGLISH.search(result.output), result.output


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (["lapor"], "Perintah 'lapor' tidak dikenal"),  # `laporan` exists (the audit PDF)
        (["--bogus"], "Opsi --bogus tidak dikenal"),
        (["disk", "init"], "'--label' wajib diisi"),
        (["report", "--month"], "Opsi --month perlu diberi nilai"),
        (["sample-db", "--residents", "banyak"], "Nilai '--residents' tidak valid"),
        (["backup", "lebih"], "Argumen tidak dikenal: lebih"),
        (["disk"], "Penggunaan: sopbot disk"),
    ],
)
def test_usage_errors_are_indonesian(arguments: list[str], said: str) -> None:
    result = CliRunner().invoke(main, arguments, prog_name="sopbot")
    assert result.exit_code in (0, 2), result.output
    assert said in result.output
    assert not ENGLISH.search(result.output), result.output


def test_a_month_out_of_range_is_refused_in_indonesian(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("TELEGRAM_BOT_TOKEN=1:abc\n", encoding="utf-8")
    for month in ("0001-01", "2026-13", "bulan"):
        result = CliRunner().invoke(main, ["report", "--month", month, "--out", "x.png"])
        assert result.exit_code == 2, result.output
        assert "Bulan harus berformat TTTT-BB" in result.output
        assert not ENGLISH.search(result.output) and "month must" not in result.output
