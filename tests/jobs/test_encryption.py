"""Encrypted external copies (age): a lost disk leaks no NIK; the standard `age` program opens a
copy with the escrow key; the bot restores it and proves it opens."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import ADB, KABID, KASI, Chat, make_settings, until
from disks import external_disk

from jobs.external.copy import copy_verified, read_manifest
from jobs.external.disk import check_disk, init_disk
from jobs.external.listing import verify_disk
from sopbot.cli import main
from sopbot.keys import KeysExist, MadeKeys, create_keys
from sopbot.sample_db import create_sample_database


@pytest.fixture
def keys(tmp_path: Path) -> MadeKeys:
    return create_keys(tmp_path / "keys")


@pytest.fixture
def disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "external"
    with external_disk(path, "64m", monkeypatch):
        init_disk(path, "HDD-1")
        yield path


def escrow_secret(keys: MadeKeys) -> str:
    return next(
        line.strip()
        for line in keys.sheet_text.read_text().splitlines()
        if line.startswith("AGE-SECRET-KEY-")
    )


def encrypted_copy(tmp_path: Path, disk: Path, keys: MadeKeys, compress: bool = False) -> Any:
    dump = create_sample_database(tmp_path / "SIAK_20261125_0100.dmp", residents=3000)
    folder = disk / "sopbot-backups"
    copied = copy_verified(
        dump,
        folder / dump.name,
        compress=compress,
        recipients=[keys.office_public, keys.escrow_public],
    )
    from jobs.external.copy import write_manifest

    write_manifest(folder, {copied.path.name: copied.sha256})
    return dump, copied


@pytest.mark.parametrize("compress", [False, True])
def test_the_copy_on_the_disk_holds_no_plaintext(
    tmp_path: Path, disk: Path, keys: MadeKeys, compress: bool
) -> None:
    dump, copied = encrypted_copy(tmp_path, disk, keys, compress)
    plain, on_disk = dump.read_bytes(), copied.path.read_bytes()
    niks = re.findall(rb"99\d{14}", plain)  # the invented residents' NIK
    assert plain.startswith(b"SQLite format 3") and len(niks) >= 3000
    assert on_disk.startswith(b"age-encryption.org/v1")
    assert b"SQLite format 3" not in on_disk
    assert not re.search(rb"99\d{14}", on_disk)  # not one NIK readable on a lost disk
    assert copied.encrypted and copied.path.name.endswith(".age")
    # The manifest lists the encrypted bytes: `sha256sum -c SHA256SUMS` still works.
    assert (
        read_manifest(copied.path.parent)[copied.path.name] == hashlib.sha256(on_disk).hexdigest()
    )


@pytest.mark.skipif(shutil.which("age") is None, reason="the age program is not installed")
def test_the_standard_age_program_opens_it_with_the_escrow_key(
    tmp_path: Path, disk: Path, keys: MadeKeys
) -> None:
    dump, copied = encrypted_copy(tmp_path, disk, keys)
    key_file = tmp_path / "kunci.txt"
    key_file.write_text(escrow_secret(keys) + "\n")
    out = tmp_path / "opened.dmp"
    subprocess.run(["age", "-d", "-i", str(key_file), "-o", str(out), str(copied.path)], check=True)
    assert out.read_bytes() == dump.read_bytes()  # byte for byte


def test_restore_file_gives_the_dump_back_and_refuses_a_wrong_key(
    tmp_path: Path, disk: Path, keys: MadeKeys
) -> None:
    dump, copied = encrypted_copy(tmp_path, disk, keys, compress=True)
    key_file = tmp_path / "kunci.txt"
    key_file.write_text(escrow_secret(keys) + "\n")
    runner = CliRunner()
    out = tmp_path / "back.dmp"
    result = runner.invoke(
        main, ["restore-file", str(copied.path), "--out", str(out), "--identity", str(key_file)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == dump.read_bytes()
    stranger = create_keys(tmp_path / "other")
    wrong = runner.invoke(
        main,
        ["restore-file", str(copied.path), "--out", str(tmp_path / "x.dmp"),
         "--identity", str(stranger.office_key_file)],
    )  # fmt: skip
    assert wrong.exit_code == 1 and "kunci salah" in wrong.output
    assert not (tmp_path / "x.dmp").exists()


def test_verification_opens_copies_with_the_office_key_and_catches_damage(
    tmp_path: Path, disk: Path, keys: MadeKeys
) -> None:
    _, copied = encrypted_copy(tmp_path, disk, keys)
    settings = make_settings(
        "http://127.0.0.1:9/bot",
        tmp_path / "data",
        external_encryption="age",
        external_age_recipients=[keys.office_public, keys.escrow_public],
        external_age_identity_file=keys.office_key_file,
    )
    found = check_disk(disk, settings.dumps, [], writing=False)
    report = verify_disk(found, None, settings.age_identities())
    assert report.ok and report.opened == [copied.path.name]
    unproven = verify_disk(found, None, [])  # without the office key: honest about it
    assert unproven.ok and unproven.sealed == [copied.path.name] and not unproven.opened
    data = bytearray(copied.path.read_bytes())
    data[-100] ^= 0xFF
    copied.path.write_bytes(bytes(data))
    damaged = verify_disk(found, None, settings.age_identities())
    assert not damaged.ok and damaged.mismatched == [copied.path.name]


def test_keys_are_private_and_never_overwritten(tmp_path: Path, keys: MadeKeys) -> None:
    for secret in (keys.office_key_file, keys.sheet_text, keys.sheet_png):  # the QR holds it too
        if os.name == "posix":
            assert secret.stat().st_mode & 0o077 == 0
        else:  # an explicit ACL: nothing for Users, Authenticated Users, Everyone
            from core.private import broad_grants, icacls_of

            assert broad_grants(icacls_of(secret)) == []
    assert keys.office_public.startswith("age1") and keys.escrow_public != keys.office_public
    with pytest.raises(KeysExist):
        create_keys(keys.office_key_file.parent)


@pytest.fixture
def settings_overrides(disk: Path, keys: MadeKeys) -> dict[str, Any]:
    return {
        "external_disk_path": disk,
        "external_auto_copy": False,
        "external_encryption": "age",
        "external_age_recipients": [keys.office_public, keys.escrow_public],
        "external_age_identity_file": keys.office_key_file,
    }


async def test_through_the_chat_the_copy_is_encrypted_and_verified_openable(
    chat: Chat, disk: Path
) -> None:
    await chat.send(ADB, "/backup")
    await until(chat, KABID, "Laporan back up database")
    await chat.send(KASI, "/salin")
    report = await until(chat, KABID, "Salinan ke hard disk eksternal terverifikasi")
    assert "🔒 terenkripsi (age)" in report.text and ".dmp.age" in report.text
    await chat.idle()
    assert chat.services.copylog.verified()[0].encrypted
    await chat.send(KASI, "/verifikasi")
    checked = await until(chat, KASI, "Verifikasi hard disk")
    assert "1 salinan terenkripsi dibuka utuh dengan kunci kantor" in checked.text


def test_a_copy_cut_short_never_restores_successfully(tmp_path: Path, disk: Path) -> None:
    from jobs.external.copy import CopyError, restore

    dump = create_sample_database(tmp_path / "D.dmp", residents=3000)
    copied = copy_verified(dump, disk / "sopbot-backups" / dump.name, compress=True)
    copied.path.write_bytes(copied.path.read_bytes()[: copied.size // 2])
    with pytest.raises(CopyError):
        restore(copied.path, tmp_path / "back.dmp")
    assert not (tmp_path / "back.dmp").exists() and not list(tmp_path.glob("*.partial"))


def test_an_encrypted_copy_told_to_stop_leaves_nothing(
    tmp_path: Path, disk: Path, keys: MadeKeys
) -> None:
    from jobs.external.copy import CopyStopped

    dump = create_sample_database(tmp_path / "D.dmp", residents=3000)
    with pytest.raises(CopyStopped):
        copy_verified(
            dump,
            disk / "sopbot-backups" / dump.name,
            recipients=[keys.office_public],
            should_stop=lambda: True,
        )
    assert list((disk / "sopbot-backups").iterdir()) == []


def test_check_says_when_the_office_key_cannot_open_the_copies(
    tmp_path: Path, keys: MadeKeys
) -> None:
    from bot.checklist import Verdict, check_encryption

    def settings(recipients: list[str]) -> Any:
        return make_settings(
            "http://127.0.0.1:9/bot",
            tmp_path / "data",
            external_encryption="age",
            external_age_recipients=recipients,
            external_age_identity_file=keys.office_key_file,
        )

    assert check_encryption(settings([keys.office_public, keys.escrow_public])).verdict is (
        Verdict.OK
    )
    assert check_encryption(settings([keys.escrow_public])).verdict is Verdict.FAIL
    assert check_encryption(settings([keys.office_public])).verdict is Verdict.WARN  # no escrow


# --- a key problem is never a copy problem --------------------------------------------------


def mistype(key_file: Path, tmp_path: Path) -> Path:
    """The office key with one character changed, as a person retyping it might."""
    secret = next(
        line for line in key_file.read_text().splitlines() if line.startswith("AGE-SECRET-KEY-")
    )
    wrong = secret[:-8] + ("Q" if secret[-8] != "Q" else "P") + secret[-7:]
    typo = tmp_path / "typo-key.txt"
    typo.write_text(f"# created by hand\n{wrong}\n")
    typo.chmod(0o600)
    return typo


async def verified_copy_in_chat(chat: Chat) -> None:
    await chat.send(ADB, "/backup")
    await until(chat, KABID, "Laporan back up database")
    await chat.send(KASI, "/salin")
    await until(chat, KASI, "Salinan sudah terverifikasi")
    await chat.idle()


async def test_a_wrong_office_key_is_a_key_problem_and_marks_no_copy(
    chat: Chat, tmp_path: Path
) -> None:
    await verified_copy_in_chat(chat)
    settings = chat.services.settings
    stranger = create_keys(tmp_path / "someone-elses")  # a valid key, but not this office's
    settings.external_age_identity_file = stranger.office_key_file
    chat.drain(KASI)
    await chat.send(KASI, "/verifikasi")
    reply = await until(chat, KASI, "kunci salah")
    assert "bukan salinan rusak" in reply.text and "Tidak ada catatan salinan yang diubah" in (
        reply.text
    )
    [copy] = chat.services.copylog.verified()
    assert copy.checked_at is None and copy.check_ok is None  # untouched
    assert chat.services.copylog.newest_intact() is not None  # still evidence
    chat.drain(KABID)
    await chat.send(KABID, "/daftar")
    listing = await until(chat, KABID, "Daftar back up")
    assert "rusak" not in listing.text and "✅ SIAK" in listing.text


async def test_a_mistyped_office_key_is_named_in_one_line_everywhere(
    chat: Chat, tmp_path: Path, keys: MadeKeys
) -> None:
    await verified_copy_in_chat(chat)
    settings = chat.services.settings
    settings.external_age_identity_file = mistype(keys.office_key_file, tmp_path)
    chat.drain(KASI)
    await chat.send(KASI, "/verifikasi")
    reply = await until(chat, KASI, "kunci")
    assert "baris 2 file kunci age" in reply.text and "salah ketik" in reply.text
    assert "Memeriksa ulang" not in reply.text  # stopped before any copy was read
    [copy] = chat.services.copylog.verified()
    assert copy.checked_at is None
    await chat.send(ADB, "/cek")
    check = await until(chat, ADB, "Pemeriksaan bot")
    line = next(x for x in check.text.splitlines() if x.startswith("❌ Enkripsi salinan"))
    assert "baris 2 file kunci age" in line
    assert "kesalahan di bot" not in check.text and "Traceback" not in check.text


async def test_a_key_typed_in_lower_case_or_with_spaces_still_opens_the_copies(
    chat: Chat, tmp_path: Path, keys: MadeKeys
) -> None:
    await verified_copy_in_chat(chat)
    secret = next(
        line
        for line in keys.office_key_file.read_text().splitlines()
        if line.startswith("AGE-SECRET-KEY-")
    )
    typed = tmp_path / "typed.txt"
    typed.write_bytes(b"\xef\xbb\xbf  " + secret.lower().encode() + b"  \r\n")  # Notepad's BOM
    typed.chmod(0o600)
    chat.services.settings.external_age_identity_file = typed
    chat.drain(KASI)
    await chat.send(KASI, "/verifikasi")
    checked = await until(chat, KASI, "Verifikasi hard disk")
    assert "1 salinan terenkripsi dibuka utuh dengan kunci kantor" in checked.text


def test_sopbot_check_explains_a_mistyped_key_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keys: MadeKeys
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    typo = mistype(keys.office_key_file, tmp_path)
    env = tmp_path / ".env"
    env.write_text(
        "TELEGRAM_BOT_TOKEN=987654:TEST-token-AbCdEfGhIjKlMnOp\n"
        "TELEGRAM_API_BASE_URL=http://127.0.0.1:9/bot\nKABID_IDS=1\nKASI_IDS=2\nADB_IDS=3\n"
        "EXTERNAL_ENCRYPTION=age\n"
        f"EXTERNAL_AGE_RECIPIENTS={keys.office_public},{keys.escrow_public}\n"
        f"EXTERNAL_AGE_IDENTITY_FILE={typo}\n",
        encoding="utf-8",
    )
    env.chmod(0o600)
    result = CliRunner().invoke(main, ["check"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 1
    lines = [x for x in result.output.splitlines() if "Enkripsi salinan" in x]
    assert len(lines) == 1 and lines[0].startswith("❌") and "baris 2" in lines[0]
    assert str(typo) in lines[0] and "Traceback" not in result.output


def test_restore_file_reads_a_key_as_a_person_typed_it_and_names_its_own_option(
    tmp_path: Path, disk: Path, keys: MadeKeys
) -> None:
    dump, copied = encrypted_copy(tmp_path, disk, keys, compress=True)
    runner = CliRunner()
    typed = tmp_path / "kunci.txt"
    typed.write_text(" " + escrow_secret(keys).lower() + "\n")  # a leading space, lower case
    out = tmp_path / "back.dmp"
    args = ["restore-file", str(copied.path), "--out", str(out)]
    result = runner.invoke(main, [*args, "--identity", str(typed)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == dump.read_bytes()
    no_key = runner.invoke(main, ["restore-file", str(copied.path), "--out", str(tmp_path / "n")])
    assert no_key.exit_code == 1 and "--identity" in no_key.output
    assert "EXTERNAL_AGE_IDENTITY_FILE" not in no_key.output  # restore-file does not read it
    typo = mistype(keys.office_key_file, tmp_path)
    bad = runner.invoke(
        main, ["restore-file", str(copied.path), "--out", str(tmp_path / "b"), "--identity",
               str(typo)],
    )  # fmt: skip
    assert bad.exit_code == 1 and "--identity" in bad.output and "baris 2" in bad.output
    assert "Traceback" not in bad.output and not (tmp_path / "b").exists()


def test_restore_file_never_overwrites_without_being_told(
    tmp_path: Path, disk: Path, keys: MadeKeys
) -> None:
    dump, copied = encrypted_copy(tmp_path, disk, keys)
    key_file = tmp_path / "kunci.txt"
    key_file.write_text(escrow_secret(keys) + "\n")
    out = tmp_path / "penting.dmp"
    out.write_bytes(b"the only copy of something else")
    args = ["restore-file", str(copied.path), "--out", str(out), "--identity", str(key_file)]
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 1 and "--timpa" in refused.output
    assert out.read_bytes() == b"the only copy of something else"
    allowed = CliRunner().invoke(main, [*args, "--timpa"])
    assert allowed.exit_code == 0, allowed.output
    assert out.read_bytes() == dump.read_bytes()


def test_a_wrong_key_is_known_from_the_headers_without_reading_the_whole_disk(
    tmp_path: Path, disk: Path, keys: MadeKeys, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jobs.external.listing as listing
    from jobs.external.copy import write_manifest

    folder = disk / "sopbot-backups"
    manifest: dict[str, str] = {}
    for day in (23, 24, 25):
        dump = create_sample_database(tmp_path / f"SIAK_202611{day}_0100.dmp", residents=300)
        copied = copy_verified(dump, folder / dump.name, recipients=[keys.office_public])
        manifest[copied.path.name] = copied.sha256
    write_manifest(folder, manifest)
    found = check_disk(disk, tmp_path / "dumps", [], writing=False)
    stranger = create_keys(tmp_path / "other")
    hashed: list[str] = []
    real_hash = listing.hash_file

    def counting(path: Path, *args: Any, **kwargs: Any) -> str:
        hashed.append(path.name)
        return real_hash(path, *args, **kwargs)

    monkeypatch.setattr(listing, "hash_file", counting)
    wrong = verify_disk(found, None, [escrow_secret(stranger)])
    assert wrong.key_wrong == 3 and not wrong.ok and wrong.results() == {}
    assert hashed == ["SIAK_20261125_0100.dmp.age"]  # one whole copy read, the newest
    hashed.clear()
    from jobs.external.keys import load_identities

    right = verify_disk(found, None, load_identities(keys.office_key_file))
    assert right.ok and len(right.opened) == 3 and not right.key_wrong
