"""Private folders and files: 0700/0600 on POSIX; on Windows an explicit ACL when the bot makes
them, and a check that reads `icacls` output (samples as icacls prints them)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from icacls_samples import (
    DENIED_AND_UNRESOLVED,
    EVERYONE_READS_THE_KEY,
    INHERITED_FROM_C,
    PRIVATE,
    SPECIFIC_RIGHTS,
)

from core import private
from core.private import broad_grants, icacls_private_arguments


def test_inherited_defaults_under_c_are_named_with_their_rights() -> None:
    found = broad_grants(INHERITED_FROM_C)
    assert [(g.principal, g.rights, g.writes) for g in found] == [
        ("BUILTIN\\Users", "(I)(OI)(CI)(RX)", False),
        ("NT AUTHORITY\\Authenticated Users", "(I)(M)", True),
        ("NT AUTHORITY\\Authenticated Users", "(I)(OI)(CI)(IO)(M)", True),
    ]


def test_a_private_acl_has_no_broad_grant_even_under_a_path_with_spaces() -> None:
    assert broad_grants(PRIVATE) == []


def test_everyone_is_found_and_a_name_ending_alike_is_not() -> None:
    found = broad_grants(EVERYONE_READS_THE_KEY)
    assert [(g.principal, g.writes) for g in found] == [("Everyone", False)]


def test_a_deny_entry_is_no_grant_and_an_unresolved_sid_still_counts() -> None:
    found = broad_grants(DENIED_AND_UNRESOLVED)
    assert [g.principal for g in found] == ["*S-1-1-0"]


def test_a_specific_right_that_deletes_is_write_access_wherever_it_stands() -> None:
    found = broad_grants(SPECIFIC_RIGHTS)
    assert [(g.principal, g.writes) for g in found] == [
        ("BUILTIN\\Users", True),
        ("Everyone", False),
    ]


def test_a_localized_group_name_is_recognised() -> None:
    german = "C:\\sopbot\\data VORDEFINIERT\\Benutzer:(I)(OI)(CI)(RX)\n"
    names = {"S-1-5-32-545": "VORDEFINIERT\\Benutzer"}
    assert [g.principal for g in broad_grants(german, names)] == ["VORDEFINIERT\\Benutzer"]


def test_the_private_acl_replaces_inheritance_and_grants_by_sid() -> None:
    folder = icacls_private_arguments(Path("C:/sopbot/data"), "S-1-5-80-1234", folder=True)
    assert folder[1:] == [
        "/inheritance:r",
        "/grant:r",
        "*S-1-5-32-544:(OI)(CI)F",
        "*S-1-5-18:(OI)(CI)F",
        "*S-1-5-80-1234:(OI)(CI)F",
    ]
    # Running as LocalSystem: SYSTEM once; a file takes no inheritance flags.
    file = icacls_private_arguments(Path("C:/k.txt"), "S-1-5-18", folder=False)
    assert file[1:] == ["/inheritance:r", "/grant:r", "*S-1-5-32-544:F", "*S-1-5-18:F"]


def test_on_windows_a_private_folder_gets_its_acl_from_icacls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[str]] = []

    def fake_run(argv: list[str], **_: Any) -> subprocess.CompletedProcess[str]:
        calls.append(argv)
        if argv[0] == "whoami":  # `whoami /user /fo csv /nh`
            return subprocess.CompletedProcess(argv, 0, '"nt service\\sopbot","S-1-5-80-42"\n')
        return subprocess.CompletedProcess(argv, 0, "Successfully processed 1 files\n")

    monkeypatch.setattr(private, "is_windows", lambda: True)
    monkeypatch.setattr(private.subprocess, "run", fake_run)
    folder = private.private_dir(tmp_path / "data" / "private")
    assert folder.is_dir()
    assert calls[0] == ["whoami", "/user", "/fo", "csv", "/nh"]
    assert calls[1][:4] == ["icacls", str(folder), "/inheritance:r", "/grant:r"]
    assert "*S-1-5-80-42:(OI)(CI)F" in calls[1]


def test_on_windows_a_failed_acl_is_an_error_not_a_silent_open_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fake_run(argv: list[str], **_: Any) -> subprocess.CompletedProcess[str]:
        if argv[0] == "whoami":
            return subprocess.CompletedProcess(argv, 0, '"a\\b","S-1-5-21-1-2-3-1001"\n')
        return subprocess.CompletedProcess(argv, 5, "Access is denied.\n")

    monkeypatch.setattr(private, "is_windows", lambda: True)
    monkeypatch.setattr(private.subprocess, "run", fake_run)
    with pytest.raises(private.PrivacyError):
        private.private_dir(tmp_path / "p")


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_on_posix_private_means_modes(tmp_path: Path) -> None:
    folder = private.private_dir(tmp_path / "p")
    assert folder.stat().st_mode & 0o777 == 0o700
    file = folder / "k"
    file.write_text("x")
    assert private.private_file(file).stat().st_mode & 0o777 == 0o600
