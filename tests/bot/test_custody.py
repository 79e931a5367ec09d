"""Disk custody through the chat, on real small file systems: the office's disks take turns, a
disk left plugged in is told to come off, and a lost disk is recorded with what it held."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ADB, KABID, KASI, Chat, until
from disks import TmpfsDisk, external_disk, needs_mount

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


async def test_a_lost_disk_with_plain_copies_starts_the_notice_clock(
    chat: Chat, drive: TmpfsDisk
) -> None:
    await copy_now(chat)  # not encrypted
    chat.drain(KABID)
    await chat.send(KABID, "/hilang HDD-1")
    report = await until(chat, KABID, "dilaporkan HILANG")
    assert "1 TIDAK terenkripsi" in report.text and "UU 27/2022" in report.text
    draft = await chat.server.wait_for_call(lambda c: c.method == "sendDocument")
    assert "draf-pemberitahuan" in str(draft.params) or draft.files
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
    await chat.send(KASI, "/hilang HDD-1")
    report = await until(chat, KABID, "dilaporkan HILANG")
    assert "1 terenkripsi, 0 TIDAK terenkripsi" in report.text
    assert "Semua salinan terenkripsi" in report.text
    await chat.settle(KASI)
    assert not [c for c in chat.server.calls if c.method == "sendDocument"]  # no notice due
