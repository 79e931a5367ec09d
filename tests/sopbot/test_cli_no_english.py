"""Every command speaks Indonesian only on its error paths too: no English beside the Indonesian
(the English goes to the log). Each case runs the real command and reads stdout and stderr."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from jobs.external.copy import copy_verified, write_manifest
from sopbot.cli import main

# Common English words that no Indonesian sentence of ours uses. Quoted Oracle output
# ("successfully completed") is part of the recovery steps, not of an error path.
ENGLISH = re.compile(
    r"\b(the|is|are|not|cannot|does|with|and|of|to|for|was|has|could|exists|missing|failed"
    r"|error|restored|stopped|damaged|encrypted|give|choose|overwritten|matches)\b",
    re.IGNORECASE,
)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in (
        "DUMP_BACKEND",
        "SQLITE_SOURCE_PATH",
        "DATA_DIR",
        "DUMP_DIR",
        "DATABASE_URL",
        "TELEGRAM_BOT_TOKEN",
        "CENTRAL_DATABASE_URL",
        "CENTRAL_WEB_DATABASE_URL",
        "EXTERNAL_DISK_PATH",
    ):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def _said(workdir: Path, arguments: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(main, arguments, prog_name="sopbot")
    # Paths are the person's own; only the sentences around them are judged.
    return result.exit_code, result.output.replace(str(workdir), "<folder>")


def _copy_on_a_disk(
    workdir: Path, disk: str = "disk", damaged: bool = False, listed: bool = True
) -> Path:
    dump = workdir / "SIAK_20261125_0100.dmp"
    dump.write_bytes(b"dump" * 1000)
    folder = workdir / disk / "sopbot-backups"
    folder.mkdir(parents=True)
    copied = copy_verified(dump, folder / dump.name, compress=False)
    if listed:
        write_manifest(copied.path.parent, {copied.path.name: copied.sha256})
    if damaged:
        copied.path.write_bytes(b"broken")
    return copied.path


def _env(workdir: Path, text: str = "TELEGRAM_BOT_TOKEN=1:abc\n") -> None:
    (workdir / ".env").write_text(text, encoding="utf-8")


CASES = {
    "no .env": (lambda w: None, ["backup"], 2),
    "run without .env": (lambda w: None, ["run"], 2),
    "ujipulih without .env": (lambda w: None, ["ujipulih"], 2),
    "uji-oracle without .env": (lambda w: None, ["uji-oracle"], 2),
    "sample-db without .env": (lambda w: None, ["sample-db"], 2),
    "disk init without .env": (lambda w: None, ["disk", "init", "--label", "HDD-1"], 2),
    "a bad setting": (lambda w: _env(w, "TELEGRAM_BOT_TOKEN=1:abc\nBACKUP_TIME=x\n"), ["salin"], 2),
    "check without .env": (lambda w: None, ["check"], 1),
    "disk init without a disk": (_env, ["disk", "init", "--label", "HDD-1"], 1),
    "disk pensiun of an unknown disk": (_env, ["disk", "pensiun", "HDD-9"], 1),
    "disk list without a disk": (_env, ["disk", "list"], 1),
    "laporan without --pdf": (_env, ["laporan"], 2),
    "laporan with a bad month": (_env, ["laporan", "--pdf", "--bulan", "bulan"], 2),
    "report with a bad month": (_env, ["report", "--month", "x", "--out", "a.png"], 2),
    "verifikasi-log with a bad key": (_env, ["verifikasi-log", "--kunci-publik", "x"], 2),
    "verifikasi-log without a log": (_env, ["verifikasi-log"], 2),
    "keys init with a bad name": (lambda w: None, ["keys", "init", "--nama", "a b"], 2),
    "pusat without a database": (lambda w: None, ["pusat"], 2),
    "pusat on another database": (lambda w: None, ["pusat", "--database-url", "mysql://x/y"], 2),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_an_error_path_is_indonesian_only(workdir: Path, case: str) -> None:
    prepare, arguments, code = CASES[case]
    prepare(workdir)
    exit_code, output = _said(workdir, arguments)
    assert exit_code == code, output
    assert output.strip(), "an error path says what went wrong"
    assert not ENGLISH.search(output), output


def test_restore_file_refusals_are_indonesian_only(workdir: Path) -> None:
    copy = _copy_on_a_disk(workdir)
    damaged = _copy_on_a_disk(workdir, "disk2", damaged=True)
    (workdir / "ada.dmp").write_bytes(b"x")
    cases = [
        (["restore-file", str(copy), "--out", "ada.dmp"], 1),  # never overwrites
        (["restore-file", str(copy), "--out", "x.dmp", "--directory", "a b"], 2),
        (["restore-file", str(damaged), "--out", "y.dmp"], 1),
    ]
    encrypted = copy.with_name(copy.name + ".age")
    encrypted.write_bytes(b"age")
    cases.append((["restore-file", str(encrypted), "--out", "z.dmp"], 1))  # no --identity
    key = workdir / "kunci.txt"
    key.write_text("bukan kunci\n", encoding="utf-8")
    cases.append((["restore-file", str(encrypted), "--out", "z.dmp", "--identity", str(key)], 1))
    for arguments, code in cases:
        exit_code, output = _said(workdir, arguments)
        assert exit_code == code, (arguments, output)
        assert output.strip() and not ENGLISH.search(output), (arguments, output)


def test_restore_file_success_is_indonesian_only(workdir: Path) -> None:
    copy = _copy_on_a_disk(workdir, listed=False)
    exit_code, output = _said(workdir, ["restore-file", str(copy), "--out", "back.dmp"])
    assert exit_code == 0, output
    assert "tidak ada di SHA256SUMS" in output and "Langkah pemulihan:" in output
    # The recovery steps quote what impdp writes; every other line is Indonesian only.
    before_steps = output.split("Langkah pemulihan:")[0]
    assert not ENGLISH.search(before_steps), output
    assert "Recovery steps" not in output
