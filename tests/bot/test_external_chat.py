"""SOP step 11 and the warnings through the chat, on a real (tmpfs when root) external disk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ADB, KABID, KASI, Chat, until
from disks import TmpfsDisk, external_disk, needs_mount

from core.sop import Role
from jobs.external.copy import read_manifest
from jobs.external.disk import init_disk


@pytest.fixture
def settings_overrides(
    disk_path: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> dict[str, Any]:
    overrides: dict[str, Any] = {"external_disk_path": disk_path, "external_auto_copy": False}
    if "dump_disk" in request.fixturenames:
        overrides["dump_dir"] = tmp_path / "server-dumps"
    return overrides


@pytest.fixture
def dump_disk(tmp_path: Path) -> Iterator[TmpfsDisk]:
    """The server's dump folder on its own small file system, to make it read-only later."""
    with external_disk(tmp_path / "server-dumps", "64m") as disk:
        yield disk


async def test_kasi_copies_from_the_instruction_and_confirms(chat: Chat, disk_path: Path) -> None:
    await chat.send(ADB, "/backup")
    await until(chat, KABID, "Laporan back up database")
    await chat.ask(KABID, "/instruksi kasi salin ke HDD")
    order = await until(chat, KASI, "Instruksi #1")
    assert [d for _, d in order.buttons] == ["salin:1", "selesai:1"]

    chat.advance(minutes=3)
    await chat.press(KASI, order, "Salin sekarang")
    progress = await until(chat, KASI, "Menyalin back up ke hard disk eksternal")
    assert "dari instruksi" in progress.text
    assert "instruksi #1 ditutup otomatis" in (await until(chat, KASI, "terverifikasi")).text
    kabid = await until(chat, KABID, "Salinan ke hard disk eksternal terverifikasi")
    assert "HDD-PIAK-1" in kabid.text and "SHA-256" in kabid.text
    await chat.server.wait_until(lambda: "terverifikasi" in progress.text)
    report = await until(chat, KABID, "Laporan Kasi")  # the copy is the Kasi's report
    assert "Bukti: SIAK_20261125_0800.dmp di hard disk HDD-PIAK-1" in report.text
    manifest = read_manifest(disk_path / "sopbot-backups")
    assert {"SIAK_20261125_0800.dmp", "SIAK_20261125_0800.log"} <= set(manifest)  # with its log

    chat.advance(minutes=1)
    again = await chat.ask(KASI, "/selesai 1")
    assert "sudah ditutup" in again.text
    day = chat.services.log.day_status(chat.services.today())
    copy_events = day.events_for(11)
    assert len(copy_events) == 1 and copy_events[0].actor_id == KASI  # recorded by the copy
    assert day.complete is False  # step 1 and 9 never happened in this test
    listing = await chat.ask(KABID, "/daftar")
    assert "HDD-PIAK-1" in listing.text and "✅ SIAK_20261125_0800.dmp" in listing.text
    assert "Ruang kosong" in listing.text and "hari lagi" in listing.text
    await chat.send(ADB, "/verifikasi")
    await until(chat, ADB, "Memeriksa ulang")
    result = await chat.receive(ADB)
    assert "1 file cocok" in result.text and "utuh" in result.text


async def test_salin_with_nothing_new_says_so(chat: Chat) -> None:
    await chat.send(ADB, "/backup")
    await until(chat, KABID, "Laporan back up database")
    await chat.send(KASI, "/salin")
    await until(chat, KASI, "terverifikasi")
    await chat.idle()
    await chat.send(KASI, "/salin")
    assert "Tidak ada back up baru" in (await until(chat, KASI, "Tidak ada")).text


@pytest.mark.parametrize("settings_overrides", [{"external_disk_path": Path("/nonexistent/disk")}])
async def test_missing_disk_tells_kasi_and_kabid_and_writes_nothing(chat: Chat) -> None:
    await chat.send(ADB, "/backup")
    await until(chat, KABID, "Laporan back up database")
    await chat.send(KASI, "/salin")
    kasi = await until(chat, KASI, "belum disalin")
    assert "tidak terpasang" in kasi.text and "tetap aman di server" in kasi.text
    assert "tidak terpasang" in (await until(chat, KABID, "belum disalin")).text
    await chat.send(KABID, "/daftar")
    assert "tidak terpasang" in (await until(chat, KABID, "Hard disk eksternal")).text


@needs_mount
async def test_a_retention_failure_after_a_verified_copy_is_a_warning_and_the_job_reports(
    chat: Chat, dump_disk: TmpfsDisk
) -> None:
    await chat.send(ADB, "/backup")
    await until(chat, KABID, "Laporan back up database")
    await chat.send(KASI, "/salin")
    await until(chat, KASI, "Salinan sudah terverifikasi")
    await chat.idle()
    chat.advance(days=8)  # the first dump is now past RETENTION_SERVER_DAYS (7)
    await chat.send(ADB, "/backup")
    await until(chat, KABID, "Laporan back up database")
    await chat.idle()
    dump_disk.read_only()  # retention cannot remove the old dump now
    await chat.send(KASI, "/salin")
    progress = await until(chat, KASI, "Menyalin back up")
    await until(chat, KASI, "Salinan sudah terverifikasi")
    kabid = await until(chat, KABID, "Salinan ke hard disk eksternal terverifikasi")
    assert "tidak dapat dihapus oleh retensi" in kabid.text
    # The Kasi's progress message ends with the verdict: nothing stays frozen at a percentage.
    await chat.server.wait_until(lambda: "terverifikasi" in progress.text)
    assert "tidak dapat dihapus oleh retensi" in progress.text
    [latest, first] = chat.services.copylog.latest(2)
    assert latest.outcome == first.outcome == "verified"
    assert len(list(dump_disk.path.glob("*.dmp"))) == 2  # nothing was lost


@pytest.fixture
def shared_fs(tmp_path: Path) -> Iterator[Path]:
    """One small file system holding both the dump folder and the would-be external disk."""
    with external_disk(tmp_path / "one-disk", "64m") as disk:
        (disk.path / "dumps").mkdir()
        init_disk(disk.path / "not-external", "HDD-PALSU")
        yield disk.path


@needs_mount
@pytest.mark.parametrize("settings_overrides", [{}])
async def test_a_folder_on_the_same_device_as_the_dumps_is_refused_and_nothing_written(
    chat: Chat, shared_fs: Path
) -> None:
    settings = chat.services.settings
    settings.dump_dir = shared_fs / "dumps"
    settings.external_disk_path = shared_fs / "not-external"
    settings.external_auto_copy = False
    await chat.send(ADB, "/backup")
    await until(chat, KABID, "Laporan back up database")
    await chat.send(KASI, "/salin")
    refusal = await until(chat, KASI, "belum disalin")
    assert "disk yang sama dengan server" in refusal.text
    assert list((shared_fs / "not-external" / "sopbot-backups").iterdir()) == []
    assert chat.services.copylog.verified() == []
    await chat.send(ADB, "/cek")
    check = await until(chat, ADB, "Pemeriksaan bot")
    assert "❌ Hard disk eksternal: lokasi EXTERNAL_DISK_PATH berada pada disk yang sama" in (
        check.text
    )


async def test_an_instruction_after_the_copy_says_it_is_done_and_shows_the_evidence(
    chat: Chat,
) -> None:
    await chat.send(ADB, "/backup")
    await until(chat, KABID, "Laporan back up database")
    await chat.send(KASI, "/salin")  # e.g. the copy made at night, before anyone asked
    await until(chat, KASI, "Salinan sudah terverifikasi")
    await chat.idle()
    chat.drain(KABID)
    chat.drain(KASI)
    reply = await chat.ask(KABID, "/instruksi kasi")
    assert "sudah terlaksana sebelum diberikan" in reply.text
    assert "Bukti: SIAK_20261125_0800.dmp di hard disk HDD-PIAK-1" in reply.text
    told = await until(chat, KASI, "sudah terlaksana")
    assert told.buttons == []  # nothing left to press
    assert chat.services.log.open_instructions([Role.KASI]) == []


async def test_a_copy_deleted_from_the_disk_is_copied_again_not_believed(
    chat: Chat, disk_path: Path
) -> None:
    await chat.send(ADB, "/backup")
    await until(chat, KABID, "Laporan back up database")
    await chat.send(KASI, "/salin")
    await until(chat, KASI, "Salinan sudah terverifikasi")
    await chat.idle()
    (disk_path / "sopbot-backups" / "SIAK_20261125_0800.dmp").unlink()
    await chat.send(KASI, "/salin")
    await until(chat, KASI, "Menyalin back up")  # not "already on the disk"
    await until(chat, KASI, "Salinan sudah terverifikasi")
    assert (disk_path / "sopbot-backups" / "SIAK_20261125_0800.dmp").is_file()


async def test_a_damaged_copy_found_by_verifikasi_stops_counting_and_is_replaced(
    chat: Chat, disk_path: Path
) -> None:
    await chat.send(ADB, "/backup")
    await until(chat, KABID, "Laporan back up database")
    await chat.send(KASI, "/salin")
    await until(chat, KASI, "Salinan sudah terverifikasi")
    await chat.idle()
    copy = disk_path / "sopbot-backups" / "SIAK_20261125_0800.dmp"
    data = bytearray(copy.read_bytes())
    data[100] ^= 0xFF  # one flipped byte: the size stays, the hash does not
    copy.write_bytes(bytes(data))
    await chat.send(KASI, "/verifikasi")
    assert "tidak cocok" in (await until(chat, KASI, "Verifikasi hard disk")).text
    chat.drain(KABID)
    await chat.send(KABID, "/daftar")
    listing = await until(chat, KABID, "Daftar back up")
    assert "❌ rusak" in listing.text and "✅ SIAK" not in listing.text
    await chat.tick()  # the only copy is damaged: none counts, the warning speaks
    await until(chat, KABID, "SALINAN HARD DISK EKSTERNAL")
    await chat.ask(KABID, "/instruksi kasi")
    chat.drain(KASI)
    await chat.send(KASI, "/selesai")
    assert "ditemukan rusak" in (await until(chat, KASI, "belum ditutup")).text
    await chat.send(KASI, "/salin")  # copies it again, and that closes the instruction
    await until(chat, KASI, "ditutup otomatis")
    await chat.idle()
    chat.drain(KABID)
    await chat.send(KABID, "/daftar")
    assert "✅ SIAK_20261125_0800.dmp" in (await until(chat, KABID, "Daftar back up")).text


async def test_a_disk_only_the_adb_can_fix_is_told_to_the_adb_and_whoever_asked(
    chat: Chat, disk_path: Path
) -> None:
    from jobs.external.disk import IDENTITY_FILE

    (disk_path / IDENTITY_FILE).unlink()  # a new disk, never registered
    await chat.send(ADB, "/backup")
    await until(chat, KABID, "Laporan back up database")
    chat.drain(ADB)
    await chat.send(KASI, "/salin")
    for person in (ADB, KABID, KASI):
        told = await until(chat, person, "belum disalin")
        assert "sopbot disk init" in told.text

    await chat.quiet()
    chat.drain(KASI)
    await chat.services.copier.run("auto")  # nobody asked: the Kasi has nothing to do here
    await until(chat, ADB, "belum disalin")
    await chat.quiet()
    assert not [m for m in chat.drain(KASI) if "belum disalin" in m.text]
