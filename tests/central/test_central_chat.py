"""The central view in the chat: /kantor and the supervisors' morning summary for PUSAT, and the
office's own line on its reports in /status."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from centraldb import BULELENG, DENPASAR, Central, central_database  # noqa: F401 (fixture)
from conftest import ADB, KABID, POSTGRES_URL, PUSAT, WITA, Chat, until
from seed import seed_month
from sqlalchemy.engine import make_url

from storage.central.push import beat, deliver
from storage.central.record import EvidenceRecord

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="needs PostgreSQL: set SOPBOT_TEST_POSTGRES_URL (.ci/run starts one)"
)
AS_SUPERVISOR = pytest.mark.parametrize("settings_overrides", ["supervisor"], indirect=True)
AS_OFFICE = pytest.mark.parametrize("settings_overrides", ["office"], indirect=True)
LINK_DOWN = pytest.mark.parametrize("settings_overrides", ["dead link"], indirect=True)


@pytest.fixture
def settings_overrides(request: pytest.FixtureRequest, central: Central) -> dict[str, Any]:
    kind = getattr(request, "param", "")
    if not kind:
        return {}
    if kind == "supervisor":
        return {"central_database_url": central.supervisor.url}
    login = central.offices[BULELENG]
    url = login.url
    if kind == "dead link":
        url = make_url(url).set(port=9).render_as_string(hide_password=False)
    return {
        "office_id": BULELENG,
        "office_name": "Disdukcapil Kabupaten Buleleng",
        "central_database_url": url,
    }


@AS_SUPERVISOR
async def test_the_supervisor_sees_every_office_and_gets_a_morning_summary(
    chat: Chat, central: Central
) -> None:
    now = chat.clock.now()
    buleleng = central.engine(central.offices[BULELENG])
    deliver(
        buleleng,
        BULELENG,
        [
            EvidenceRecord(1, "dump:1", "dump", now, True, None, {}),
            EvidenceRecord(2, "copy:1", "copy", now, True, False, {}),
        ],
    )
    beat(buleleng, BULELENG, now, "t", 0, "")

    table = await chat.ask(PUSAT, "/kantor")
    lines = table.text.splitlines()
    assert "2 kantor, 2 tidak aman" in lines[0]
    assert lines[1].startswith("❌ 5171")  # never reported: the worst first
    buleleng_line = next(line for line in lines if "5108" in line)
    assert "🔓" in buleleng_line  # its copy is not encrypted
    assert "salinan terakhir tidak terenkripsi" in table.text
    refused = await chat.ask(PUSAT, "/kantor 2")
    assert "Hanya ada 1 halaman" in refused.text

    assert chat.services.central is not None
    await chat.services.central.tick()  # 08:00, the report time was 07:00
    summary = await until(chat, PUSAT, "Ringkasan pusat")
    assert "2 dari 2 kantor tidak aman" in summary.text
    await chat.services.central.tick()
    await chat.quiet()
    assert not [m for m in chat.drain(PUSAT) if "Ringkasan pusat" in m.text]  # once a day


@AS_OFFICE
async def test_an_office_reports_and_says_so_in_status(chat: Chat, central: Central) -> None:
    svc = chat.services
    seed_month(svc.soplog, svc.dumplog, svc.copylog, last_day=3)
    assert svc.central is not None and svc.central.link is not None
    svc.central.link.collect()
    waiting = await chat.ask(KABID, "/status")
    assert "Laporan ke pusat: ⏳" in waiting.text

    await svc.central.tick()
    sent = await chat.ask(KABID, "/status")
    assert "Laporan ke pusat: ✅ semua terkirim (terakhir 25/11 08:00)" in sent.text
    # The office's own login sees its own row only, in /kantor too.
    own = await chat.ask(KABID, "/kantor")
    assert "1 kantor" in own.text and "5108" in own.text and DENPASAR not in own.text
    assert "hanya kantor ini yang terlihat" in own.text
    assert svc.central_queue.waiting()[0] == 0
    assert chat.clock.now().astimezone(WITA).hour == 8


async def test_kantor_without_a_central_database_says_so(chat: Chat) -> None:
    reply = await chat.ask(PUSAT, "/kantor")
    assert "tidak terhubung ke database pusat" in reply.text


@LINK_DOWN
async def test_a_link_down_for_a_day_is_told_to_the_adb_once_a_day(
    chat: Chat, central: Central, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    svc = chat.services
    seed_month(svc.soplog, svc.dumplog, svc.copylog, last_day=2)
    assert svc.central is not None
    await svc.central.tick()
    status = await chat.ask(KABID, "/status")
    assert "catatan menunggu" in status.text and "pusat belum dapat dihubungi" in status.text
    assert svc.central.status.error and "5108:" not in svc.central.status.error

    chat.advance(hours=25)
    await svc.central.tick()
    alert = await until(chat, ADB, "belum terkirim ke database pusat")
    assert "menunggu di server kantor" in alert.text
    chat.advance(hours=1)
    await svc.central.tick()
    await chat.quiet()
    assert not [m for m in chat.drain(ADB) if "database pusat" in m.text]  # once a day
    # The central password is in no log line and no message.
    password = central.offices[BULELENG].password
    assert password not in caplog.text
    assert not [
        m for m in chat.server.sent_to(ADB) + chat.server.sent_to(KABID) if password in m.text
    ]


async def test_a_supervisor_sees_none_of_the_offices_own_business(chat: Chat) -> None:
    for command in ("/anggota", "/status", "/daftar", "/riwayat"):
        reply = await chat.ask(PUSAT, command)
        assert "hanya untuk" in reply.text, command


@AS_OFFICE
async def test_a_record_the_central_database_refuses_is_told_and_kept(
    chat: Chat, central: Central
) -> None:
    svc = chat.services
    seed_month(svc.soplog, svc.dumplog, svc.copylog, last_day=2)
    now = chat.clock.now()
    label = "L" * 70_000  # a disk label nobody bounded
    svc.central_queue.add(
        EvidenceRecord(0, "z/copy:9", "copy", now, True, True, {"disk": label}), now
    )
    assert svc.central is not None
    await svc.central.tick()
    for person in (ADB, KABID):
        told = await until(chat, person, "tidak dapat disimpan di database pusat")
        assert "disisihkan" in told.text and "salinan" in told.text and label not in told.text
    status = await chat.ask(KABID, "/status")
    assert "✅ semua terkirim" in status.text  # the rest went on
    assert "1 catatan disisihkan" in status.text
    await svc.central.tick()  # told once, not every cycle
    await chat.quiet()
    assert not [m for m in chat.drain(ADB) if "disisihkan" in m.text]


@AS_SUPERVISOR
async def test_the_morning_summary_shows_a_forked_chain_as_an_alarm(
    chat: Chat, central: Central
) -> None:
    from sqlalchemy import text

    buleleng = central.engine(central.offices[BULELENG])
    with buleleng.begin() as connection:  # a leaf, then another leaf at the same position
        for leaf in ("a" * 64, "b" * 64):
            connection.execute(
                text(
                    "INSERT INTO chain_leaves (office_id, seq, leaf, head) "
                    "VALUES (:o, 1, :leaf, '')"
                ),
                {"o": BULELENG, "leaf": leaf},
            )
    assert chat.services.central is not None
    await chat.services.central.tick()
    summary = await until(chat, PUSAT, "Ringkasan pusat")
    assert "🚨 Rantai bukti kantor 5108: rantai bercabang (entri lama diganti) di entri #1" in (
        summary.text
    )
