"""A USB disk is foreign input: anyone can write one. Hostile disks through the chat, on a real
(tmpfs as root) file system, with real FIFOs, symbolic links and zstd bombs."""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from conftest import ADB, KABID, KASI, Chat, until
from disks import needs_mount
from portability import POSIX, needs_fifo, needs_symlinks
from zstd_bomb import peak_rss_growth, zstd_bomb

from core.problems import Code
from jobs.external.copy import read_manifest
from jobs.external.disk import IDENTITY_FILE


@pytest.fixture
def settings_overrides(disk_path: Path, request: pytest.FixtureRequest) -> dict[str, Any]:
    overrides: dict[str, Any] = {"external_disk_path": disk_path, "external_auto_copy": False}
    if "compressed" in request.fixturenames:
        overrides["external_compression"] = "zstd"
    return overrides


@pytest.fixture
def compressed() -> None:
    """Copies compressed with zstd (read by the settings above)."""


class FifoGuard:
    """Releases whoever waits to read the FIFO at `path` (by opening it for writing), after a
    grace period, and counts them: a reader that blocked would otherwise hold the test, and the
    bot's event loop, for ever."""

    def __init__(self, path: Path, grace: float = 2.0) -> None:
        self.path, self.grace = path, grace
        self.released = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> FifoGuard:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        if self._stop.wait(self.grace):
            return
        while not self._stop.is_set():
            try:  # succeeds only while someone has it open for reading
                fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                self._stop.wait(0.05)
                continue
            self.released += 1
            os.close(fd)
            self._stop.wait(0.2)


def replace_with_fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


async def backed_up(chat: Chat) -> None:
    await chat.send(ADB, "/backup")
    await until(chat, KABID, "Laporan back up database")
    await chat.idle()


async def backed_up_and_copied(chat: Chat) -> Path:
    await backed_up(chat)
    await chat.send(KASI, "/salin")
    await until(chat, KABID, "terverifikasi")
    await chat.idle()
    copy = chat.services.copylog.latest(1)[0]
    return Path(copy.dest_path)


# --- item 4: the identity file is a FIFO; read whole ------------------------------------------


@needs_fifo
async def test_a_fifo_as_the_identity_file_never_holds_the_event_loop(
    chat: Chat, disk_path: Path
) -> None:
    await backed_up(chat)
    chat.services.settings.external_auto_copy = True
    identity = disk_path / IDENTITY_FILE
    replace_with_fifo(identity)
    with FifoGuard(identity) as guard:
        await chat.tick()  # the minute's watchdog: custody and the automatic copy look at it
        reply = await chat.ask(KASI, "/status")  # the loop still answers
        assert "Status SOP" in reply.text
        await chat.send(KASI, "/salin")
        refused = await until(chat, KASI, "file identitas")
        assert "tidak sah" in refused.text
        await until(chat, ADB, "file identitas")  # only the ADB can fix it
    assert guard.released == 0, "a reader waited on the FIFO"
    assert not chat.services.copylog.verified()
    assert identity.exists() and not identity.is_file()  # nothing written over it


# --- item 6: a copy replaced by a link to the server's own dump --------------------------------


@needs_symlinks
async def test_a_copy_replaced_by_a_link_to_the_servers_dump_proves_nothing(
    chat: Chat, disk_path: Path
) -> None:
    copied = await backed_up_and_copied(chat)
    dump = chat.services.dumplog.last_good()
    assert dump is not None
    copied.unlink()
    copied.symlink_to(dump.file_path)  # the disk holds nothing; the link reads the server

    await chat.send(ADB, "/ujipulih")
    failed = await until(chat, ADB, "Uji pulih GAGAL")
    assert "bukan file biasa" in failed.text
    await chat.idle()
    assert chat.services.copylog.newest_intact() is None  # no longer evidence for step 11
    await chat.send(KASI, "/verifikasi")
    checked = await until(chat, KASI, "Verifikasi hard disk")
    assert "0 file cocok" in checked.text and "hilang dari hard disk" in checked.text


@needs_symlinks
async def test_a_backup_folder_linked_to_the_dump_folder_is_never_written(
    chat: Chat, disk_path: Path
) -> None:
    await backed_up(chat)
    dumps = chat.services.settings.dumps
    before = sorted(p.name for p in dumps.iterdir())
    folder = disk_path / "sopbot-backups"
    folder.rmdir()
    folder.symlink_to(dumps, target_is_directory=True)

    await chat.send(KASI, "/salin")
    refused = await until(chat, KASI, "sopbot-backups")
    assert "bukan folder biasa" in refused.text
    await chat.idle()
    assert sorted(p.name for p in dumps.iterdir()) == before  # nothing added on the server
    assert not chat.services.copylog.verified()


# --- item 5: a zstd bomb in the restore drill --------------------------------------------------


async def test_a_zstd_bomb_in_place_of_a_copy_stops_at_the_dumps_size(
    chat: Chat, disk_path: Path, compressed: None
) -> None:
    copied = await backed_up_and_copied(chat)
    assert copied.name.endswith(".zst")
    dump = chat.services.dumplog.last_good()
    assert dump is not None and dump.size_bytes
    bomb = zstd_bomb(1024**3)  # 32 KB that decompress to 1 GiB
    assert len(bomb) < 64 * 1024
    copied.write_bytes(bomb)

    with peak_rss_growth() as growth:
        await chat.send(ADB, "/ujipulih")
        failed = await until(chat, ADB, "Uji pulih GAGAL")
        await chat.idle()
    assert "mengembang melebihi ukuran dump yang tercatat" in failed.text
    drill = chat.services.drilllog.latest(1)[0]
    assert Code.COPY_TOO_LARGE in {p.code for p in drill.errors}
    if growth.measured:
        assert growth.bytes < 200 * 1024 * 1024, growth.bytes
    assert not list((chat.services.settings.data_dir / "drill").glob("*"))  # scratch removed


# --- item 6: SHA256SUMS naming files outside the disk's folder ---------------------------------


async def test_manifest_entries_outside_the_folder_are_never_read(
    chat: Chat, disk_path: Path, tmp_path: Path
) -> None:
    copied = await backed_up_and_copied(chat)
    outside = tmp_path / "outside.dmp"
    outside.write_bytes(b"not on the disk")
    digest = hashlib.sha256(outside.read_bytes()).hexdigest()
    folder = copied.parent
    text = (folder / "SHA256SUMS").read_text(encoding="utf-8")
    relative = os.path.relpath(outside, folder)
    assert relative.startswith("..")
    (folder / "SHA256SUMS").write_text(
        text + f"{digest}  {outside}\n{digest}  {relative}\n{digest}  *{relative}\n",
        encoding="utf-8",
    )
    assert set(read_manifest(folder)) == {copied.name, copied.with_suffix(".log").name}

    await chat.send(KASI, "/verifikasi")
    checked = await until(chat, KASI, "Verifikasi hard disk")
    assert "1 file cocok" in checked.text and "outside" not in checked.text


# --- item 7: a disk label of 70,000 characters -------------------------------------------------


@pytest.mark.parametrize("label", ["H" * 70_000, "HDD\nforged line", "H" * 40])
async def test_a_label_that_is_no_short_identifier_keeps_the_disk_out_of_use(
    chat: Chat, disk_path: Path, label: str
) -> None:
    import json

    await backed_up(chat)
    identity = disk_path / IDENTITY_FILE
    data = json.loads(identity.read_text(encoding="utf-8"))
    identity.write_text(json.dumps({**data, "label": label}), encoding="utf-8")

    await chat.send(KASI, "/salin")
    refused = await until(chat, KASI, "file identitas")
    assert "tidak sah" in refused.text and label[:20] not in refused.text
    await chat.idle()
    assert not chat.services.copylog.verified()
    assert all(len(d.label) <= 32 for d in chat.services.disks.all())


# --- what the copy writes on a disk it does not control ----------------------------------------


@needs_symlinks
async def test_a_link_left_at_the_partial_name_is_replaced_not_written_through(
    chat: Chat, disk_path: Path, tmp_path: Path
) -> None:
    await backed_up(chat)
    dump = chat.services.dumplog.last_good()
    assert dump is not None
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    name = Path(dump.file_path).name
    (disk_path / "sopbot-backups" / f"{name}.partial").symlink_to(victim)
    (disk_path / "sopbot-backups" / "SHA256SUMS.partial").symlink_to(victim)

    await chat.send(KASI, "/salin")
    await until(chat, KABID, "terverifikasi")
    await chat.idle()
    assert victim.read_text(encoding="utf-8") == "keep me"
    copied = disk_path / "sopbot-backups" / name
    assert copied.is_file() and not copied.is_symlink()
    if POSIX:  # Windows: the ACL (tests/core/test_private.py)
        assert copied.stat().st_mode & 0o777 == 0o600  # the population register: owner only


# --- the manifest itself is a FIFO, a link to /dev/zero, or huge -------------------------------


@needs_mount
@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "huge"])
async def test_a_hostile_manifest_is_not_read_and_nothing_counts_as_verified(
    chat: Chat, disk_path: Path, kind: str
) -> None:
    copied = await backed_up_and_copied(chat)
    manifest = copied.parent / "SHA256SUMS"
    manifest.unlink()
    if kind == "fifo":
        os.mkfifo(manifest)
    elif kind == "dev-zero":
        manifest.symlink_to("/dev/zero")
    else:
        with manifest.open("wb") as stream:  # sparse: costs the tmpfs nothing
            stream.truncate(512 * 1024 * 1024)
    with (
        FifoGuard(manifest) if kind == "fifo" else contextlib.nullcontext() as guard,
        peak_rss_growth() as growth,
    ):
        await chat.send(KASI, "/verifikasi")
        checked = await until(chat, KASI, "Verifikasi hard disk")
        listing = await chat.ask(KASI, "/daftar")
    if growth.measured:  # never read whole (the 512 MB file, /dev/zero)
        assert growth.bytes < 100 * 1024 * 1024, growth.bytes
    assert "0 file cocok" in checked.text
    assert "tidak pernah diverifikasi" in checked.text
    assert "Hard disk" in listing.text or "hard disk" in listing.text
    if isinstance(guard, FifoGuard):
        assert guard.released == 0
