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
    day = chat.services.soplog.day_status(chat.services.today())
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
    assert chat.services.soplog.open_instructions([Role.KASI]) == []


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


# --- /daftar in pages: the log asked about the shown files only --------------------------------


def _put_backups(
    chat: Chat, disk_path: Path, names: list[str], logged_at: dict[str, str | None] | None = None
) -> None:
    """Backup files on the disk, oldest first a minute apart, in its SHA256SUMS, each with a
    verified copy in the log at `logged_at[name]` (its path on the disk by default; None: not
    in the log)."""
    import hashlib
    import os

    from jobs.external.copy import write_manifest
    from jobs.external.disk import read_identity

    identity = read_identity(disk_path)
    assert identity is not None
    folder = disk_path / "sopbot-backups"
    manifest = read_manifest(folder)
    base = chat.clock.now().timestamp() - 86_400
    for number, name in enumerate(names):
        data = f"backup {name}".encode()
        (folder / name).write_bytes(data)
        os.utime(folder / name, (base + 60 * number, base + 60 * number))
        digest = hashlib.sha256(data).hexdigest()
        manifest[name] = digest
        dest = (logged_at or {}).get(name, str(folder / name))
        if dest is None:
            continue
        copies, now = chat.services.copylog, chat.clock.now()
        copy_id = copies.start(
            dump_run_id=None,
            source_path=f"/dumps/{name}",
            trigger="cli",
            requested_by=None,
            started_at=now,
        )
        copies.finish(
            copy_id,
            finished_at=now,
            outcome="verified",
            dest_path=dest,
            disk_id=identity.id,
            disk_label=identity.label,
            size_bytes=len(data),
            sha256=digest,
        )
    write_manifest(folder, manifest)


DAYS = [f"SIAK_202611{day:02d}_0800.dmp" for day in range(1, 26)]  # 25 days, oldest first


async def test_daftar_shows_the_newest_page_and_counts_the_whole_disk(
    chat: Chat, disk_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _put_backups(chat, disk_path, DAYS)
    identity_id = chat.services.copylog.latest(1)[0].disk_id
    # A /verifikasi once found the oldest damaged: not on page 1, still not counted there.
    chat.services.copylog.record_checks(identity_id, {DAYS[0]: False}, chat.clock.now())

    def whole_history(*_: Any) -> None:
        raise AssertionError("/daftar must not read the disk's whole history")

    monkeypatch.setattr(chat.services.copylog, "verified", whole_history)
    first = await chat.ask(KABID, "/daftar")
    shown = [name for name in reversed(DAYS) if f"✅ {name}" in first.text]
    assert shown == list(reversed(DAYS))[:20]  # the newest 20
    positions = [first.text.index(f"✅ {name}") for name in shown]
    assert positions == sorted(positions)  # newest first
    assert "tidak ada di catatan bot" not in first.text
    assert "rusak" not in first.text  # the damaged one is on page 2
    assert f"Tertua: {DAYS[1]} · terbaru: {DAYS[-1]} (24 file terverifikasi)" in first.text
    assert "Ruang kosong" in first.text
    assert "Halaman 1 dari 2 · kirim /daftar 2 untuk berikutnya" in first.text

    second = await chat.ask(KABID, "/daftar 2")
    assert [name for name in DAYS if f"✅ {name}" in second.text] == DAYS[1:5]
    assert "❌ rusak" in second.text and DAYS[0] in second.text
    assert "Halaman 2 dari 2" in second.text and "/daftar 3" not in second.text
    assert "(24 file terverifikasi)" in second.text  # the totals are the same on every page


async def test_a_bad_daftar_page_is_refused_with_the_usage(chat: Chat, disk_path: Path) -> None:
    _put_backups(chat, disk_path, DAYS)
    for argument, why in [
        ("x", "Nomor halaman harus berupa angka."),
        ("0", "Nomor halaman dimulai dari 1."),
        ("-1", "Nomor halaman harus berupa angka."),
        ("99", "daftar ini hanya 2 halaman"),
        ("3", "daftar ini hanya 2 halaman"),
    ]:
        reply = await chat.ask(KABID, f"/daftar {argument}")
        assert why in reply.text and "Cara pakai: /daftar [halaman]" in reply.text, argument
        assert "Daftar back up" not in reply.text
    one_page = await chat.ask(KABID, "/daftar 2")  # 25 files: page 2 is the last
    assert "Halaman 2 dari 2" in one_page.text


async def test_a_copy_logged_under_another_mount_point_still_counts_as_in_the_log(
    chat: Chat, disk_path: Path
) -> None:
    moved: dict[str, str | None] = {
        "SIAK_20261101_0800.dmp": "/media/usb-lama/sopbot-backups/SIAK_20261101_0800.dmp",
        "SIAK_20261102_0800.dmp": "E:\\sopbot-backups\\SIAK_20261102_0800.dmp",
    }
    _put_backups(chat, disk_path, [*moved, "SIAK_20261103_0800.dmp"], moved)
    # On the disk and verified when copied, but never in this bot's log.
    _put_backups(chat, disk_path, ["SIAK_20261104_0800.dmp"], {"SIAK_20261104_0800.dmp": None})
    listing = await chat.ask(KABID, "/daftar")
    lines = {line.split()[1]: line for line in listing.text.splitlines() if line.startswith("✅")}
    assert set(lines) == {*moved, "SIAK_20261103_0800.dmp", "SIAK_20261104_0800.dmp"}
    assert [n for n, line in lines.items() if "tidak ada di catatan bot" in line] == [
        "SIAK_20261104_0800.dmp"
    ]
    assert "Halaman" not in listing.text  # one page: nothing to page through


def test_newest_by_name_returns_exactly_the_asked_names(database_url: str) -> None:
    from datetime import UTC, datetime, timedelta

    from storage.copies import CopyLog
    from storage.database import make_engine, upgrade

    engine = make_engine(database_url)
    upgrade(engine)
    copylog = CopyLog(engine)
    folder = Path("/mnt/hdd/sopbot-backups")
    start = datetime(2026, 11, 1, tzinfo=UTC)

    def copy(dest: str, minutes: int, disk: str = "disk-a", outcome: str = "verified") -> int:
        at = start + timedelta(minutes=minutes)
        copy_id = copylog.start(
            dump_run_id=None,
            source_path="/dumps/x",
            trigger="cli",
            requested_by=None,
            started_at=at,
        )
        copylog.finish(
            copy_id,
            finished_at=at,
            outcome=outcome,
            dest_path=dest,
            disk_id=disk,
            disk_label=disk,
            sha256="0" * 64,
        )
        return copy_id

    copy(str(folder / "a_b.dmp"), 1)
    newest_a_b = copy(str(folder / "a_b.dmp"), 5)  # copied again: the newer one counts
    copy(str(folder / "a_b.dmp"), 9, outcome="failed")  # only verified copies count
    copy(str(folder / "axb.dmp"), 2)  # what "a_b.dmp" would match if "_" were a wildcard
    copy(str(folder / "SIAK_100%.dmp"), 3)
    copy(str(folder / "SIAK_100x.dmp"), 3)
    copy(str(folder / "OTHER.dmp"), 3, disk="disk-b")  # another disk
    moved = copy("/media/old/sopbot-backups/moved.dmp", 4)  # mounted elsewhere then
    windows = copy("F:\\sopbot-backups\\win.dmp", 4)
    copy("/media/old/sopbot-backups/WIN.DMP", 6)  # another name, but for SQLite's LIKE case
    copy("/media/old/sopbot-backups/notmoved.dmp", 4)  # ends with "moved.dmp", not named so
    asked = ["a_b.dmp", "SIAK_100%.dmp", "OTHER.dmp", "moved.dmp", "win.dmp", "never.dmp"]

    found = copylog.newest_by_name("disk-a", folder, asked)

    assert set(found) == {"a_b.dmp", "SIAK_100%.dmp", "moved.dmp", "win.dmp"}
    assert found["a_b.dmp"].id == newest_a_b
    assert found["SIAK_100%.dmp"].dest_path == str(folder / "SIAK_100%.dmp")
    assert found["moved.dmp"].id == moved and found["win.dmp"].id == windows
    assert copylog.newest_by_name("disk-a", folder, []) == {}
    assert copylog.newest_by_name("disk-b", folder, ["OTHER.dmp"])["OTHER.dmp"].disk_id == "disk-b"
    engine.dispose()
