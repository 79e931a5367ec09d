"""`python3 dev.py demo`: one SOP day played between the three roles against a local Bot API
server.

Nothing leaves the machine: the real bot talks HTTP to a Bot API server running in-process on
127.0.0.1, and simulated people send the commands. The chat is printed as it happens.

A folder in the demo's scratch space stands in for the external hard disk. The real bot refuses
a folder on the server's own disk; only the demo tells its copy job to accept this one, and it
says so at the start.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.context import Services
from core.clock import ManualClock
from core.settings import Settings
from devtools.botapi import BotApiServer, SentMessage
from jobs.external.disk import init_disk
from sopbot.sample_db import create_sample_database
from texts import terminal

TOKEN = "123456:DEMO-TOKEN-not-a-real-one"  # noqa: S105 - the local server's only token
KABID, ADB, KASI = 1001, 2001, 3001
GROUP = -100500
PEOPLE = {KABID: ("Bu Kadek", "Kabid"), ADB: ("Pak Made", "ADB"), KASI: ("Pak Nyoman", "Kasi")}

Printer = Callable[[str], None]


def demo_settings(base_url: str, data_dir: Path) -> Settings:
    return Settings(
        telegram_bot_token=TOKEN,
        telegram_api_base_url=base_url,
        kabid_ids=[KABID],
        adb_ids=[ADB],
        kasi_ids=[KASI],
        notify_chat_id=GROUP,
        data_dir=data_dir,
        external_disk_path=data_dir / "hdd-eksternal",
        external_auto_copy=False,  # the Kasi copies it, as the SOP has it
        reminder_minutes=0,
        evidence_key_file=data_dir / "keys" / "office-signing-key.txt",
        office_name="Disdukcapil Kabupaten Demo",
        _env_file=None,
    )


class DemoDay:
    def __init__(
        self, server: BotApiServer, clock: ManualClock, tz: ZoneInfo, out: Printer
    ) -> None:
        self.server, self.clock, self.tz, self.out = server, clock, tz, out
        self.keep_in: Path | None = None  # where the audit report is written, if anywhere

    def _stamp(self) -> str:
        return self.clock.now().astimezone(self.tz).strftime("%H:%M")

    def show(self, message: SentMessage) -> None:
        if message.chat_id == GROUP:
            who = "grup kantor"
        else:
            name, role = PEOPLE.get(message.chat_id, (str(message.chat_id), "?"))
            who = f"{name} ({role})"
        body = message.text.replace("\n", "\n      ")
        buttons = "".join(f"  [{text}]" for text, _ in message.buttons)
        self.out(f"  🤖 → {who}:\n      {body}{buttons}")

    async def say(self, user_id: int, text: str) -> None:
        name, role = PEOPLE[user_id]
        self.out(f"\n[{self._stamp()}] 👤 {name} ({role}): {text}")
        await self.server.send_text(user_id, text)

    async def press(self, user_id: int, message: SentMessage, label_part: str) -> None:
        name, role = PEOPLE[user_id]
        label, data = next((t, d) for t, d in message.buttons if label_part in t)
        self.out(f"\n[{self._stamp()}] 👤 {name} ({role}) menekan tombol [{label}]")
        await self.server.press_button(user_id, message, data)

    async def expect(self, chat_id: int, contains: str, wait: float = 15) -> SentMessage:
        """Show the bot's messages to `chat_id` until one contains `contains`."""
        while True:
            message = await self.server.next_message(chat_id, timeout=wait)
            self.show(message)
            if contains in message.text:
                return message

    async def play(self, services: Services) -> None:
        assert services.watchdog is not None
        self.out(
            f"\n[{self._stamp()}] ⏰ Jadwal harian pukul 01:00 tiba: bot menjalankan "
            "back up database (SOP langkah 8)"
        )
        await asyncio.to_thread(services.scheduler.fire_now)
        dump_message = await self.expect(ADB, "Back up database dimulai")
        await self.expect(GROUP, "Back up database dimulai")
        await self.expect(KABID, "Laporan back up database")
        await self.server.wait_until(lambda: "Laporan back up" in dump_message.text, 15)
        self.out("  ✏️ pesan progres kepada ADB dan grup diperbarui menjadi laporan akhir")

        self.clock.set(datetime(2026, 11, 25, 7, 0, tzinfo=self.tz))
        self.out(f"\n[{self._stamp()}] ⏰ Pemeriksaan bot setiap menit: ringkasan pagi")
        await services.watchdog.tick()
        await self.expect(KABID, "Ringkasan back up")

        self.clock.set(datetime(2026, 11, 25, 7, 32, tzinfo=self.tz))
        await self.say(KABID, "/instruksi adb Mohon pastikan back up harian tadi malam lengkap")
        order = await self.expect(ADB, "Instruksi #")
        await self.expect(GROUP, "Instruksi #")
        await self.expect(KABID, "tercatat")
        self.clock.advance(timedelta(minutes=9))
        await self.press(ADB, order, "Selesai")
        await self.expect(ADB, "ditutup")
        report = await self.expect(KABID, "Laporan ADB")
        await self.expect(GROUP, "Laporan ADB")
        self.clock.advance(timedelta(minutes=3))
        await self.press(KABID, report, "Kasi")
        await self.expect(KASI, "Instruksi #")
        await self.expect(GROUP, "Instruksi #")
        await self.expect(KABID, "tercatat")
        self.clock.advance(timedelta(minutes=1))
        await self.say(KASI, "/selesai Sudah disalin")
        refused = await self.expect(KASI, "belum ditutup")
        self.clock.advance(timedelta(minutes=2))
        await self.press(KASI, refused, "Salin sekarang")
        await self.expect(KASI, "ditutup otomatis")
        await self.expect(KABID, "terverifikasi")
        await self.expect(KABID, "Laporan Kasi")
        await self.expect(GROUP, "Laporan Kasi")
        # No drill has passed yet: the copy is drilled while the disk is still plugged in,
        # and the unplug request waits for it.
        await self.expect(ADB, "Uji pulih back up dimulai")
        await self.expect(KABID, "Uji pulih LULUS")
        await self.expect(KASI, "Uji pulih selesai")
        self.out("  🔌 hard disk boleh dicabut setelah uji pulih")
        self.clock.advance(timedelta(minutes=1))
        await self.say(KABID, "/daftar")
        await self.expect(KABID, "Daftar back up")
        await self.say(KABID, "/status")
        await self.expect(KABID, "Status SOP")
        await self.say(KABID, "/laporan")
        await self.expect(KABID, "Laporan SOP-PIAK-02", wait=120)  # the chart: a child too
        self.clock.advance(timedelta(minutes=1))
        await self.say(KABID, "/laporan audit")
        audit = await self.expect(KABID, "Laporan audit", wait=120)  # drawn in a child
        annex = await self.expect(KABID, "Lampiran CSV")
        self._keep(audit, annex)

    def _keep(self, audit: SentMessage, annex: SentMessage) -> None:
        """The audit report's PDF (and its annex) written where the demo's files are."""
        if audit.document is None or annex.document is None or self.keep_in is None:
            return
        folder = self.keep_in / "laporan"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / (audit.document_name or "laporan-audit.pdf")).write_bytes(audit.document)
        (folder / (annex.document_name or "laporan.csv")).write_bytes(annex.document)
        self.out(f"  📄 {audit.document_name}: {len(audit.document) // 1024} KB, di {folder}")


async def run_demo(out: Printer = print, data_dir: Path | None = None) -> None:
    from bot.app import running, services_of
    from sopbot.compose import build_app

    server = BotApiServer(TOKEN)
    for user_id, (name, _role) in PEOPLE.items():
        server.add_person(user_id, name)
    server.add_group(GROUP, "Bidang PIAK")
    base_url = await server.start()
    with tempfile.TemporaryDirectory(prefix="sopbot-demo-") as scratch:
        settings = demo_settings(base_url, data_dir or Path(scratch))
        tz = settings.tz
        assert settings.sqlite_source_path is not None
        create_sample_database(settings.sqlite_source_path)
        _signing_key(settings)
        clock = ManualClock(datetime(2026, 11, 25, 1, 0, tzinfo=tz))
        out(
            f"Demo SOP-PIAK-02: Bot API lokal di {base_url.removesuffix('/bot')}, "
            f"basis data {settings.database_url}"
        )
        app = build_app(settings, clock, watch_loop=False)  # the demo ticks the watchdog
        services = services_of(app)
        disk = settings.external_disk_path
        assert disk is not None
        disk.mkdir(parents=True, exist_ok=True)
        init_disk(disk, "HDD-DEMO-1")
        services.copier.separate = lambda root, _dumps: root == disk
        out(f"Hard disk eksternal tiruan (folder, hanya untuk demo): {disk}")
        day = DemoDay(server, clock, tz, out)
        day.keep_in = data_dir
        try:
            async with running(app, poll_timeout=1):
                await day.play(services)
        finally:
            await server.stop()
    out(terminal.DEMO_DONE)


def _signing_key(settings: Settings) -> None:
    """The demo office's own signing key for the evidence chain (`sopbot keys init` makes it
    for a real office)."""
    from core.signednote import Signer

    key = settings.evidence_key_file
    assert key is not None
    key.parent.mkdir(parents=True, exist_ok=True)
    if not key.exists():
        key.write_text(Signer.generate("disdukcapil-demo").secret_string() + "\n", "utf-8")


def main() -> None:
    from core.logs import configure_logging

    configure_logging([], verbose=False)
    # The demo plays warnings on purpose (a missing copy): the chat shows them, not the log.
    logging.getLogger().setLevel(logging.ERROR)
    asyncio.run(run_demo())


if __name__ == "__main__":
    main()
