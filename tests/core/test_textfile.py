"""Settings, secret and key files written the Windows way (Notepad's BOM, PowerShell 5.1's
UTF-16LE from `'pw' > file`) read as the person meant; a file that is no text is one clear line."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.settings import SettingsError, load_settings
from core.textfile import TextFileError, read_text
from sopbot.cli import main

TOKEN = "987654:TEST-token-AbCdEfGhIjKlMnOp"
PASSWORD = "Rahasia#Oracle-2026"

WINDOWS_WAYS = {
    "notepad-utf8-bom": lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    # PowerShell 5.1 `>` (Out-File default "Unicode"): UTF-16LE with a BOM, CRLF line ends.
    "powershell-utf16le": lambda text: (
        codecs.BOM_UTF16_LE + text.replace("\n", "\r\n").encode("utf-16-le")
    ),
    "utf16be": lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
    "plain-utf8": lambda text: text.encode("utf-8"),
}


@pytest.mark.parametrize("way", WINDOWS_WAYS)
def test_a_secret_file_gives_the_secret_without_its_bom(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, way: str
) -> None:
    secret = tmp_path / "oracle.txt"
    secret.write_bytes(WINDOWS_WAYS[way](PASSWORD + "\n"))
    token = tmp_path / "token.txt"
    token.write_bytes(WINDOWS_WAYS[way](TOKEN + "\n"))
    for name in ("TELEGRAM_BOT_TOKEN", "ORACLE_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ORACLE_PASSWORD_FILE", str(secret))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN_FILE", str(token))
    settings = load_settings(None, kabid_ids=[1])
    assert settings.oracle_password.get_secret_value() == PASSWORD
    assert settings.telegram_bot_token.get_secret_value() == TOKEN


@pytest.mark.parametrize("way", WINDOWS_WAYS)
def test_an_env_file_saved_the_windows_way_is_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, way: str
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    env = tmp_path / ".env"
    env.write_bytes(WINDOWS_WAYS[way](f"TELEGRAM_BOT_TOKEN={TOKEN}\nKABID_IDS=42\n"))
    settings = load_settings(env)
    # The first key carries the BOM when read naively: it would be unknown, and the token lost.
    assert settings.telegram_bot_token.get_secret_value() == TOKEN
    assert settings.kabid_ids == [42]


def test_a_secret_file_that_is_not_text_is_a_settings_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "oracle.txt"
    secret.write_bytes(b"\xff\xfe\x00\xd8")  # UTF-16LE BOM, then half a surrogate pair
    monkeypatch.setenv("ORACLE_PASSWORD_FILE", str(secret))
    with pytest.raises(SettingsError) as raised:
        load_settings(None, kabid_ids=[1], telegram_bot_token=TOKEN)
    assert "ORACLE_PASSWORD_FILE" in str(raised.value) and "UTF-8" in str(raised.value)
    secret.write_bytes(b"pass\xe9word")  # cp1252, no BOM: not UTF-8
    with pytest.raises(SettingsError):
        load_settings(None, kabid_ids=[1], telegram_bot_token=TOKEN)


def test_an_env_file_that_is_not_text_stops_the_start_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_bytes(b"TELEGRAM_BOT_TOKEN=\xe9\xe9\n")
    result = CliRunner().invoke(main, ["run"])
    assert result.exit_code == 2
    assert ".env" in result.output and "UTF-8" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("way", WINDOWS_WAYS)
def test_an_escrow_key_file_with_a_bom_opens_the_copy(tmp_path: Path, way: str) -> None:
    import pyrage

    escrow = pyrage.x25519.Identity.generate()
    sealed = tmp_path / "SIAK_20261125_0100.dmp.age"
    sealed.write_bytes(pyrage.encrypt(b"dump bytes", [escrow.to_public()]))
    key = tmp_path / "kunci.txt"
    key.write_bytes(WINDOWS_WAYS[way](f"{escrow}\n"))
    out = tmp_path / "SIAK.dmp"
    result = CliRunner().invoke(
        main, ["restore-file", str(sealed), "--out", str(out), "--identity", str(key)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == b"dump bytes"


def test_read_text_refuses_what_is_no_settings_file(tmp_path: Path) -> None:
    big = tmp_path / "image.bin"
    big.write_bytes(b"a" * (1024 * 1024 + 1))
    with pytest.raises(TextFileError):
        read_text(big)
