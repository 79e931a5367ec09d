"""Disk custody through the chat, on real small file systems: the office's disks take turns, a
disk left plugged in is told to come off, and a lost disk is recorded with what it held."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import ADB, KABID, KASI, Chat, until
from disks import TmpfsDisk, external_disk, needs_mount

from devtools.botapi import SentMessage
from jobs.external.copy import read_manifest
from jobs.external.disk import init_disk
from sopbot.keys import create_keys

pytestmark = needs_mount  # swapping disks at one mount point needs real mounts


@pytest.fixture
def drive(tmp_path: Path) -> Iterator[TmpfsDisk]:
    """The office's one external-disk slot (a drive letter, a mount point)."""
    with external_disk(tmp_path / "drive", "32m") as disk:
        init_disk(disk.path, "HDD-1")
        yield disk


@pytest.fixture
def settings_overrides(
    drive: TmpfsDisk, tmp_path: Path, request: pytest.FixtureRequest
) -> dict[str, Any]:
    overrides: dict[str, Any] = {"external_disk_path": drive.path, "external_auto_copy": False}
    if "encrypted" in request.fixturenames:
        keys = create_keys(tmp_path / "keys")
        overrides |= {
            "external_encryption": "age",
            "external_age_recipients": [keys.office_public, keys.escrow_public],
        }
    return overrides


@pytest.fixture
def encrypted() -> bool:
    return True


async def copy_now(chat: Chat) -> None:
    await chat.send(ADB, "/backup")
    await until(chat, KABID, "Laporan back up database")
    await chat.idle()
    await chat.send(KASI, "/salin")
    await until(chat, KASI, "Salinan sudah terverifikasi")
    await chat.idle()


def swap(drive: TmpfsDisk, label: str) -> None:
    """Take the disk out and put another one in the same slot."""
    drive.unplug()
    drive.mount()
    init_disk(drive.path, label)


async def test_two_disks_take_turns(chat: Chat, drive: TmpfsDisk) -> None:
    await copy_now(chat)
    swap(drive, "HDD-2")
    chat.advance(days=1)
    await copy_now(chat)
    await chat.tick()  # the watchdog notes which disk is in the slot
    chat.drain(KABID)
    await chat.send(KABID, "/daftar")
    listing = await until(chat, KABID, "Hard disk kantor")
    assert "HDD-1 — 🗄️ disimpan" in listing.text
    assert "HDD-2 — 🔌 terpasang" in listing.text
    assert "Giliran berikutnya: HDD-1" in listing.text  # the one with the older copy
    report = [m.text for m in chat.server.sent_to(KABID) if "Giliran hard disk" in m.text]
    assert report and "HDD-1" in report[-1]


async def test_a_disk_left_plugged_in_is_told_to_come_off_until_it_does(
    chat: Chat, drive: TmpfsDisk
) -> None:
    await copy_now(chat)
    chat.drain(KASI)
    await chat.tick()  # registers the disk as plugged in
    chat.advance(minutes=31)
    await chat.tick()
    assert "Cabut hard disk HDD-1" in (await until(chat, KASI, "Cabut")).text
    chat.advance(minutes=31)
    await chat.tick()
    await until(chat, KASI, "Cabut hard disk HDD-1")  # repeated while it stays in
    chat.advance(hours=24)
    chat.drain(KABID)
    await chat.tick()
    assert "terpasang di server sejak" in (await until(chat, KABID, "terpasang di server")).text
    drive.unplug()
    chat.drain(KASI)
    chat.advance(minutes=31)
    await chat.tick()
    await chat.settle(KASI)
    assert not [m for m in chat.drain(KASI) if "Cabut" in m.text]  # gone: no more reminders


async def report_lost(chat: Chat, user: int, label: str = "HDD-1") -> SentMessage:
    """/hilang, then the confirmation button: the report everyone gets."""
    await chat.send(user, f"/hilang {label}")
    asked = await until(chat, user, f"Laporkan hard disk {label} HILANG?")
    await chat.press(user, asked, "Ya, hard disk ini hilang")
    report: SentMessage = await until(chat, user, "dilaporkan HILANG")
    return report


async def test_a_lost_disk_with_plain_copies_starts_the_notice_clock(
    chat: Chat, drive: TmpfsDisk
) -> None:
    await copy_now(chat)  # not encrypted
    chat.drain(KABID)
    asked = await chat.ask(KABID, "/hilang HDD-1")
    assert "1 TIDAK terenkripsi" in asked.text and "UU 27/2022" in asked.text
    await chat.settle(KABID)
    assert not [c for c in chat.server.calls if c.method == "sendDocument"]  # not before "Ya"
    await chat.press(KABID, asked, "Ya, hard disk ini hilang")
    report = await until(chat, KABID, "dilaporkan HILANG")
    assert "1 TIDAK terenkripsi" in report.text and "UU 27/2022" in report.text
    draft = await chat.server.wait_for_call(lambda c: c.method == "sendDocument")
    notice = next(iter(draft.files.values())).decode("utf-8")
    assert "draf-pemberitahuan" in str(draft.params) or draft.files
    # EXTERNAL_ENCRYPTION=none: the notice must not promise encrypted copies.
    assert "Salinan berikutnya dienkripsi" not in notice
    assert "BELUM dienkripsi" in notice
    chat.advance(hours=12, minutes=1)
    await chat.tick()
    assert "Pemberitahuan kebocoran data pribadi" in (await until(chat, KABID, "kebocoran")).text
    await chat.send(KASI, "/salin")  # the lost disk, plugged back in, is never written again
    assert "dilaporkan hilang" in (await until(chat, KASI, "belum disalin")).text


async def test_an_unknown_disk_label_is_answered_with_the_known_ones(chat: Chat) -> None:
    await chat.tick()  # the plugged-in disk is registered
    chat.drain(KASI)
    await chat.send(KASI, "/hilang HDD-9")
    reply = await until(chat, KASI, "tidak terdaftar")
    assert "HDD-1" in reply.text


async def test_a_lost_disk_holding_only_encrypted_copies_leaks_nothing(
    chat: Chat, drive: TmpfsDisk, encrypted: bool
) -> None:
    await copy_now(chat)
    chat.drain(KABID)
    await report_lost(chat, KASI)
    report = await until(chat, KABID, "dilaporkan HILANG")
    assert "1 terenkripsi, 0 TIDAK terenkripsi" in report.text
    assert "Semua salinan terenkripsi" in report.text
    await chat.settle(KASI)
    assert not [c for c in chat.server.calls if c.method == "sendDocument"]  # no notice due


# --- a lost disk is out of evidence at once; /hilang is confirmed; /ketemu brings it back ------


async def test_hilang_changes_nothing_until_confirmed_and_can_be_cancelled(
    chat: Chat, drive: TmpfsDisk
) -> None:
    await copy_now(chat)
    chat.drain(KASI)
    asked = await chat.ask(KASI, "/hilang HDD-1")
    assert [t for t, _ in asked.buttons] == ["🚨 Ya, hard disk ini hilang", "Batal"]
    disk = chat.services.disks.by_label("HDD-1")
    assert disk is not None and disk.in_service  # asking records nothing
    await chat.press(KASI, asked, "Batal")
    assert "Dibatalkan" in (await until(chat, KASI, "Dibatalkan")).text
    await chat.settle(KASI)
    disk = chat.services.disks.by_label("HDD-1")
    assert disk is not None and disk.in_service
    assert not [m for m in chat.server.sent_to(KABID) if "dilaporkan HILANG" in m.text]


async def test_forged_expired_or_foreign_confirmations_change_nothing(
    chat: Chat, drive: TmpfsDisk
) -> None:
    await copy_now(chat)
    chat.drain(KABID)
    asked = await chat.ask(KABID, "/hilang HDD-1")
    real = next(d for t, d in asked.buttons if "Ya" in t)
    token, stamp = real.removeprefix("hilang:ya:").split(":")
    old = str(int(stamp) - 31 * 60)
    forged = [
        f"hilang:ya:{'0' * 16}:{stamp}",  # a disk that is not registered
        f"hilang:ya:{token}:{old}",  # asked more than half an hour before
        f"hilang:ya:{token}:{int(stamp) + 3600}",  # "asked" in the future
        f"hilang:ya:{token}:999999999999",  # past any calendar
        f"hilang:ya:{token.upper()}:{stamp}",
        f"hilang:ya:{token}:{stamp}:x",
        "hilang:ya:",
        "hilang:",
        "hilang:" + "9" * 57,
    ]
    for data in forged:
        await chat.server.press_button(KABID, asked, data)
    own = await chat.ask(ADB, "/bantuan")  # the ADB may not report a disk lost at all
    await chat.server.press_button(ADB, own, real)
    await chat.settle(KABID)
    await chat.settle(ADB)
    disk = chat.services.disks.by_label("HDD-1")
    assert disk is not None and disk.in_service
    assert not [m for m in chat.server.sent_to(KABID) if "dilaporkan HILANG" in m.text]
    for user in (KABID, ADB):
        assert not [m for m in chat.server.sent_to(user) if "kesalahan di bot" in m.text]
    await chat.press(KABID, asked, "Ya, hard disk ini hilang")  # the real one still works
    await until(chat, KABID, "dilaporkan HILANG")
    assert asked.buttons == []  # the confirmation's buttons are gone once used
    await chat.server.press_button(KABID, asked, real)  # pressed again: recorded once
    assert "sudah dilaporkan hilang" in (await until(chat, KABID, "sudah dilaporkan")).text
    lost = [a for _, a, _ in chat.services.audit.trail() if a == "disk_lost"]
    assert lost == ["disk_lost"]


async def test_a_lost_disk_is_out_of_evidence_at_once(chat: Chat, drive: TmpfsDisk) -> None:
    await copy_now(chat)
    await chat.send(KABID, "/status")
    status = await until(chat, KABID, "Status SOP")
    assert "❌ 11." not in status.text
    await report_lost(chat, KABID)
    await chat.idle()
    # The Kasi's instruction is not closed on the lost disk's copy: step 11 is to be done again.
    chat.drain(KASI)
    await chat.send(KABID, "/instruksi kasi")
    reply = await until(chat, KABID, "Instruksi #")
    assert "sudah terlaksana" not in reply.text
    order = await until(chat, KASI, "Instruksi #")
    assert any("selesai:" in d for _, d in order.buttons)
    await chat.send(KASI, "/selesai")
    refusal = await until(chat, KASI, "belum ditutup")
    assert "dilaporkan hilang" in refusal.text
    await chat.send(KABID, "/status")
    status = await until(chat, KABID, "Status SOP")
    assert "❌ 11." in status.text and "dilaporkan hilang" in status.text
    assert "Lengkap" not in status.text
    # The morning summary and the alarm say so too, at once (not 36 hours later).
    chat.drain(KABID)
    await chat.tick()
    alarm = await until(chat, KABID, "SALINAN HARD DISK EKSTERNAL")
    assert "Tidak ada salinan terverifikasi yang masih berlaku" in alarm.text
    chat.advance(days=1)  # the next morning's summary (REPORT_TIME) after the loss
    chat.services.settings.report_time = (
        (chat.clock.now() - timedelta(minutes=1)).astimezone(chat.services.settings.tz).time()
    )
    chat.drain(KABID)
    await chat.tick()
    summary = await until(chat, KABID, "Ringkasan back up")
    assert "✅ terverifikasi" not in summary.text
    assert "❌ hanya di hard disk HDD-1 yang dilaporkan hilang" in summary.text


async def test_a_found_disk_comes_back_only_after_a_full_verification(
    chat: Chat, drive: TmpfsDisk
) -> None:
    await copy_now(chat)  # not encrypted: the notice clock starts
    await report_lost(chat, KABID)
    chat.drain(KASI)
    refused = await chat.ask(KASI, "/ketemu HDD-1 ketemu")
    assert "/ketemu" in refused.text and "Kabid" in refused.text  # the Kabid's command only
    await chat.idle()
    await chat.settle(KABID)
    chat.drain(KABID)
    no_reason = await chat.ask(KABID, "/ketemu HDD-1")
    assert "alasan" in no_reason.text and "Cara pakai: /ketemu" in no_reason.text
    disk = chat.services.disks.by_label("HDD-1")
    assert disk is not None and not disk.in_service
    chat.drain(KABID)
    await chat.send(KABID, "/ketemu HDD-1 ditemukan di laci meja Kasi, segel utuh")
    await until(chat, KABID, "Memverifikasi penuh")
    back = await until(chat, KABID, "ditemukan dan dipakai lagi")
    assert "Verifikasi penuh lulus: 1 file" in back.text
    assert "ditemukan di laci meja Kasi" in back.text and "UU 27/2022" in back.text
    await until(chat, KASI, "ditemukan dan dipakai lagi")
    disk = chat.services.disks.by_label("HDD-1")
    assert disk is not None and disk.in_service
    trail = [(a, d) for _, a, d in chat.services.audit.trail()]
    assert [a for a, _ in trail][:2] == ["breach_cancelled", "disk_found"]
    assert "laci meja" in trail[0][1]
    # Its copy counts again, and the notice's reminders stop.
    reply = await chat.ask(KABID, "/instruksi kasi")
    assert "sudah terlaksana sebelum diberikan" in reply.text
    chat.advance(hours=12, minutes=1)
    chat.drain(KABID)
    await chat.tick()
    await chat.settle(KABID)
    assert not [m for m in chat.drain(KABID) if "kebocoran" in m.text]


async def test_a_found_disk_whose_files_were_rewritten_stays_lost(
    chat: Chat, drive: TmpfsDisk
) -> None:
    import hashlib

    from jobs.external.copy import write_manifest

    await copy_now(chat)
    await report_lost(chat, KABID)
    folder = drive.path / "sopbot-backups"
    name = "SIAK_20261125_0800.dmp"
    tampered = (folder / name).read_bytes() + b"x"
    (folder / name).write_bytes(tampered)  # whoever had it rewrote a copy and SHA256SUMS both
    manifest = read_manifest(folder)
    manifest[name] = hashlib.sha256(tampered).hexdigest()
    write_manifest(folder, manifest)
    await chat.send(KABID, "/ketemu HDD-1 dikembalikan petugas kebersihan")
    refused = await until(chat, KABID, "TIDAK dikembalikan")
    assert name in refused.text and "SHA256SUMS di hard disk diubah" in refused.text
    disk = chat.services.disks.by_label("HDD-1")
    assert disk is not None and not disk.in_service
    await chat.send(KABID, "/instruksi kasi")
    reply = await until(chat, KABID, "Instruksi #")
    assert "sudah terlaksana" not in reply.text  # still no evidence


async def test_ketemu_needs_the_disk_itself_plugged_in(chat: Chat, drive: TmpfsDisk) -> None:
    await copy_now(chat)
    await report_lost(chat, KABID)
    drive.unplug()
    await chat.send(KABID, "/ketemu HDD-1 ditemukan")
    reply = await until(chat, KABID, "Pasang hard disk")
    assert "Pasang hard disk HDD-1 di server dulu" in reply.text
    disk = chat.services.disks.by_label("HDD-1")
    assert disk is not None and not disk.in_service
