"""`sopbot check` on Windows (simulated: the Windows branch taken, icacls answering with samples
of its own output) fails when DATA_DIR, the office key or .env grant anything to Users,
Authenticated Users or Everyone, or when they may change .venv."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from icacls_samples import INHERITED_FROM_C, PRIVATE

from bot.checklist import Verdict, check_windows_privacy
from core import private
from core.settings import Settings

TOKEN = "987654:TEST-token-AbCdEfGhIjKlMnOp"
VENV_READABLE = """\
C:\\sopbot\\.venv BUILTIN\\Administrators:(OI)(CI)(F)
                BUILTIN\\Users:(OI)(CI)(RX)
"""
VENV_WRITABLE = """\
C:\\sopbot\\.venv BUILTIN\\Administrators:(OI)(CI)(F)
                NT AUTHORITY\\Authenticated Users:(I)(OI)(CI)(IO)(M)
"""


def settings(tmp_path: Path) -> Settings:
    data = tmp_path / "data"
    data.mkdir()
    key = tmp_path / "office-age-key.txt"
    key.write_text("AGE-SECRET-KEY-1X\n")
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        telegram_bot_token=TOKEN,
        kabid_ids=[1],
        data_dir=data,
        external_age_identity_file=key,
    )


def windows(monkeypatch: pytest.MonkeyPatch, answers: dict[Path, str], default: str) -> None:
    monkeypatch.setattr(private, "is_windows", lambda: True)
    monkeypatch.setattr(private, "broad_names", lambda: dict(private.BROAD_SIDS))
    monkeypatch.setattr(private, "icacls_of", lambda path: answers.get(Path(path), default))


def test_a_data_folder_open_to_users_fails_the_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configured = settings(tmp_path)
    windows(monkeypatch, {configured.data_dir: INHERITED_FROM_C}, PRIVATE)
    [item] = check_windows_privacy(configured, None)
    assert item.verdict is Verdict.FAIL
    assert "BUILTIN\\Users:(I)(OI)(CI)(RX)" in item.detail and "Authenticated Users" in item.detail
    assert "icacls" in item.detail


def test_a_key_file_or_env_open_to_everyone_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configured = settings(tmp_path)
    env = tmp_path / ".env"
    env.write_text("KABID_IDS=1\n")
    key = configured.external_age_identity_file
    assert key is not None
    windows(monkeypatch, {key: "C:\\k Everyone:(R)\n", env: "C:\\.env Everyone:(R)\n"}, PRIVATE)
    [item] = check_windows_privacy(configured, env)
    assert item.verdict is Verdict.FAIL
    assert str(key) in item.detail and str(env) in item.detail


def test_a_venv_users_may_read_passes_and_one_they_may_change_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    configured = settings(tmp_path)
    venv = Path(sys.prefix)
    windows(monkeypatch, {venv: VENV_READABLE}, PRIVATE)
    [item] = check_windows_privacy(configured, None)
    assert item.verdict is Verdict.OK
    windows(monkeypatch, {venv: VENV_WRITABLE}, PRIVATE)
    [item] = check_windows_privacy(configured, None)
    assert item.verdict is Verdict.FAIL and "dapat mengubah kode bot" in item.detail


def test_off_windows_the_acl_check_is_not_shown(tmp_path: Path) -> None:
    if private.is_windows():
        pytest.skip("this is Windows")
    assert check_windows_privacy(settings(tmp_path), None) == []
