"""The province's web view in a real browser (Debian's Chromium, driven by Playwright) against a
real PostgreSQL with five offices in different states: log in, see the fleet grouped and worst
first, filter, open an office, download the CSV; an office's login sees its own office only.

Screenshots go to $SOPBOT_SCREENSHOTS when set (to look at the pages as a supervisor would)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from centraldb import BULELENG, DENPASAR, Central, central_database  # noqa: F401 (fixture)
from conftest import POSTGRES_URL
from sqlalchemy import create_engine, text
from webfleet import BADUNG, LOMBOK_BARAT, MATARAM, Fleet, seed_fleet, serving

from storage.central import admin
from storage.central.webaccess import set_region

UPT_DENPASAR = "517101"

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.skipif(
        not POSTGRES_URL,
        reason="needs PostgreSQL: set SOPBOT_TEST_POSTGRES_URL (.ci/run starts one)",
    ),
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(),
        reason="needs Chromium from the distribution (apt-get install chromium; .ci/run does)",
    ),
]


@pytest.fixture(name="fleet")
def fleet_fixture(central: Central) -> Fleet:
    return seed_fleet(central)


@pytest.fixture(name="browser")
def browser_fixture() -> Iterator[Any]:
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=CHROMIUM, args=BROWSER_ARGS, timeout=30_000
        )
        yield browser
        browser.close()


@pytest.fixture(name="shots")
def shots_fixture(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SOPBOT_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(name="passwords_checked")
def passwords_checked_fixture() -> Iterator[bool]:
    """A real central server asks the sopbot logins for a password (scram-sha-256). Make sure
    this test server does too during this test (whatever else its pg_hba.conf says), when the
    server's pg_hba.conf can be changed from here."""
    root = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with root.connect() as connection:
        hba = Path(str(connection.scalar(text("SHOW hba_file"))))
    try:
        original = hba.read_text()
        lines = "".join(
            f"host all +{group} 127.0.0.1/32 scram-sha-256\n"
            for group in ("sopbot_pusat", "sopbot_kantor")
        )
        hba.write_text(lines + original)
    except OSError:
        root.dispose()
        yield False
        return
    with root.connect() as connection:
        connection.execute(text("SELECT pg_reload_conf()"))
    try:
        yield True
    finally:
        hba.write_text(original)
        with root.connect() as connection:
            connection.execute(text("SELECT pg_reload_conf()"))
        root.dispose()


def office_ids(page: Any) -> list[str]:
    return [
        cell.strip()
        for cell in page.locator("table.fleet tr.office td:nth-child(2)").all_inner_texts()
    ]


def log_in(page: Any, base: str, name: str, password: str) -> None:
    page.goto(base + "/masuk")
    page.fill("#pengguna", name)
    page.fill("#sandi", password)
    page.click("button[type=submit]:has-text('Masuk')")


def log_in_with_token(page: Any, base: str, token: str) -> None:
    page.goto(base + "/masuk")
    page.fill("#token", token)
    page.click("button[type=submit]:has-text('Masuk')")


def test_a_supervisor_sees_the_fleet_filters_opens_an_office_and_downloads(
    fleet: Fleet, browser: Any, shots: Path, passwords_checked: bool
) -> None:
    supervisor = fleet.central.supervisor
    with serving(fleet.web_url) as base:
        context = browser.new_context(
            viewport={"width": 1440, "height": 1000}, accept_downloads=True
        )
        page = context.new_page()
        page.set_default_timeout(15_000)

        # Nothing without a login: the fleet page sends to the login form.
        page.goto(base + "/")
        assert page.url == base + "/masuk"
        page.screenshot(path=str(shots / "1-masuk.png"), full_page=True)
        if passwords_checked:
            log_in(page, base, supervisor.role, "salah-" + supervisor.password)
            assert "Nama login atau kata sandi salah" in page.inner_text("p.message")
            assert page.url == base + "/masuk"

        log_in(page, base, supervisor.role, supervisor.password)
        assert page.url == base + "/"
        # Grouped by province, the province of the worst office first; worst first within.
        groups = page.locator("table.fleet tr.group th").all_inner_texts()
        assert [g.split(" — ")[0] for g in groups] == [
            "Provinsi Nusa Tenggara Barat (52)",
            "Provinsi Bali (51)",
        ]
        assert office_ids(page) == [MATARAM, LOMBOK_BARAT, DENPASAR, BADUNG, BULELENG]
        badges = page.locator("table.fleet tr.office td:first-child").all_inner_texts()
        assert [b.split(" ", 1)[1] for b in badges] == [
            "Tidak aman",
            "Perlu perhatian",
            "Tidak aman",
            "Diam",
            "Aman",
        ]
        denpasar = page.locator(f"tr.office:has(td:text-is('{DENPASAR}'))")
        assert "TIDAK terenkripsi" in denpasar.inner_text()
        assert "6 hari tanpa salinan terverifikasi" in denpasar.inner_text()
        buleleng = page.locator(f"tr.office:has(td:text-is('{BULELENG}'))").inner_text()
        assert "3 hari lalu, level 3" in buleleng and "22 dari 24 hari lengkap" in buleleng
        assert "(2 tidak lengkap)" in buleleng
        # The external disk at each bot's last heartbeat: left in is marked, in words.
        assert "tidak ada yang tercolok" in buleleng
        assert "⚠ HDD-A tercolok 3 hari, sejak 22 Nov 2026 01.58" in denpasar.inner_text()
        lombok = page.locator(f"tr.office:has(td:text-is('{LOMBOK_BARAT}'))").inner_text()
        assert "HDD-1 tercolok 2 jam" in lombok and "⚠" not in lombok
        badung = page.locator(f"tr.office:has(td:text-is('{BADUNG}'))").inner_text()
        assert "tidak dilaporkan" in badung
        # One office per kabupaten/kota: no heading of its own (the office is the kabupaten).
        assert page.locator("table.fleet tr.kabupaten").count() == 0
        # The offices x days grid: colour and a letter in every cell.
        assert page.locator("table.grid tbody tr:not(.group)").count() == 5
        assert page.locator("table.grid tbody tr:not(.group)").first.locator("td.g.n").count() == 25
        # Buleleng (last): every day a verified copy but the 24th, whose copy was found damaged.
        buleleng_cells = page.locator("table.grid tbody tr:not(.group)").last.locator("td.g")
        assert buleleng_cells.all_inner_texts() == ["S"] * 23 + ["D", "S"]
        page.screenshot(path=str(shots / "2-semua-kantor.png"), full_page=True)

        # Filters, through the form (no JavaScript needed).
        page.select_option("#keadaan", "tidak_aman")
        page.click("button:has-text('Saring')")
        assert "keadaan=tidak_aman" in page.url
        assert office_ids(page) == [MATARAM, DENPASAR]
        page.select_option("#keadaan", "")
        page.select_option("#wilayah", "51")
        page.click("button:has-text('Saring')")
        assert office_ids(page) == [DENPASAR, BADUNG, BULELENG]
        assert "5 kantor terlihat; 3 di Bali." in page.inner_text("p.summary")
        assert page.inner_text("h1") == "Semua kantor · Bali"
        page.screenshot(path=str(shots / "3-saringan-bali.png"), full_page=True)
        # A kabupaten/kota: the filter offers each under its province.
        page.select_option("#wilayah", LOMBOK_BARAT)
        page.click("button:has-text('Saring')")
        assert office_ids(page) == [LOMBOK_BARAT]
        assert page.inner_text("h1") == "Semua kantor · Disdukcapil Kabupaten Lombok Barat"
        # Nothing matches: said so, with the way back.
        page.goto(base + f"/?keadaan=aman&wilayah={LOMBOK_BARAT}")
        assert "Tidak ada kantor dengan saringan ini." in page.inner_text("p.message")
        assert page.locator("table.fleet").count() == 0
        page.screenshot(path=str(shots / "3b-saringan-kosong.png"), full_page=True)
        page.goto(base + "/?wilayah=51")

        # One office: its month, drills and disks.
        page.click(f"a[href='/kantor/{BULELENG}']")
        disks = page.locator("table.evidence").nth(1).inner_text()
        # HDD-A's copy of the 24th was found damaged: its newest intact one is the 22nd's.
        assert "HDD-A\t22 Nov 2026 01.30\t11\tterenkripsi\t1" in disks
        page.go_back()
        page.click(f"a[href='/kantor/{DENPASAR}']")
        assert page.url == f"{base}/kantor/{DENPASAR}"
        assert "Disdukcapil Kota Denpasar" in page.inner_text("h1")
        body = page.inner_text("main")
        assert "salinan terakhir tidak terenkripsi" in body
        assert (
            "HDD-A" in body
            and "2 (metadata)" in body
            and "hasil: terverifikasi" in body
            and "verified" not in body
        )
        page.screenshot(path=str(shots / "4-kantor.png"), full_page=True)

        with page.expect_download() as download_info:
            page.click("a:has-text('CSV')")
        download = download_info.value
        assert download.suggested_filename == f"kantor-{DENPASAR}-2026-11-25.csv"
        table = Path(download.path()).read_text(encoding="utf-8-sig").splitlines()
        assert table[0].startswith("kode;kantor;aman")
        assert len(table) == 2 and table[1].startswith(
            f"{DENPASAR};Disdukcapil Kota Denpasar;tidak"
        )

        # The fleet's CSV: every office seen, worst first (the CLI's order).
        fleet_csv = context.request.get(base + "/unduh/semua.csv")
        lines = fleet_csv.text().lstrip("\ufeff").splitlines()
        assert [line.split(";")[0] for line in lines[1:]] == [
            MATARAM,
            DENPASAR,
            BADUNG,
            LOMBOK_BARAT,
            BULELENG,
        ]
        png = context.request.get(base + f"/unduh/{DENPASAR}.png")
        assert png.status == 200 and png.body().startswith(b"\x89PNG")

        headers = context.request.get(base + "/").headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["cache-control"] == "no-store"

        page.click("button:has-text('Keluar')")
        assert page.url == base + "/masuk"
        page.goto(base + "/")
        assert page.url.startswith(base + "/masuk")
        context.close()

    engine = admin.central_engine(fleet.central.admin_url)
    with engine.connect() as connection:
        seen = connection.execute(
            text("SELECT path, status FROM page_views WHERE viewer = :v ORDER BY id"),
            {"v": supervisor.role},
        ).all()
    engine.dispose()
    assert ("/", 200) in seen and (f"/kantor/{DENPASAR}", 200) in seen
    assert (f"/unduh/{DENPASAR}.csv", 200) in seen and ("/keluar", 303) in seen


def test_an_office_login_sees_only_its_own_office(fleet: Fleet, browser: Any, shots: Path) -> None:
    office = fleet.central.offices[BULELENG]
    with serving(fleet.web_url) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(page, base, office.role, office.password)
        assert page.url == f"{base}/kantor/{BULELENG}"
        assert "Semua kantor" not in page.inner_text("main")
        page.screenshot(path=str(shots / "5-login-kantor.png"), full_page=True)

        other = page.goto(f"{base}/kantor/{DENPASAR}")
        assert other is not None and other.status == 404
        assert "tidak ditemukan" in page.inner_text("main")
        assert "Denpasar" not in page.content()
        page.goto(base + "/")  # the fleet page is its own office
        assert page.url == f"{base}/kantor/{BULELENG}"
        lines = context.request.get(base + "/unduh/semua.csv").text().splitlines()
        assert len(lines) == 2 and lines[1].startswith(f"{BULELENG};")
        assert context.request.get(f"{base}/unduh/{DENPASAR}.csv").status == 404
        context.close()

        # A supervisor limited to NTB sees NTB's offices only, by its own login.
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(page, base, fleet.ntb_login.role, fleet.ntb_login.password)
        assert office_ids(page) == [MATARAM, LOMBOK_BARAT]
        assert page.goto(f"{base}/kantor/{BULELENG}").status == 404  # type: ignore[union-attr]
        context.close()

        # A supervisor's web token works as a login too.
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(base + "/masuk")
        page.fill("#token", fleet.web_token)
        page.click("button[type=submit]:has-text('Masuk')")
        assert len(office_ids(page)) == 5
        context.close()


def test_pages_at_phone_width_error_pages_and_a_kabupaten_with_several_offices(
    fleet: Fleet, browser: Any, shots: Path
) -> None:
    engine = admin.central_engine(fleet.central.admin_url)
    # A second office in Kota Denpasar (a six-digit code under 5171), and a supervisor limited
    # to that city.
    admin.add_office(engine, UPT_DENPASAR, "UPT Disdukcapil Denpasar Selatan")
    city = admin.add_supervisor(engine, "denpasar")
    set_region(engine, city.role, DENPASAR)
    engine.dispose()
    with serving(fleet.web_url) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in_with_token(page, base, fleet.web_token)
        # The city has two offices: a heading of its own under its province, worst first.
        headings = page.locator("table.fleet tr.kabupaten th").all_inner_texts()
        assert [h.split(" — ")[0] for h in headings] == ["Disdukcapil Kota Denpasar (5171)"]
        assert office_ids(page) == [UPT_DENPASAR, DENPASAR, BADUNG, BULELENG, MATARAM, LOMBOK_BARAT]
        options = page.locator("#wilayah optgroup[label='51 Bali'] option").all_inner_texts()
        assert options == [
            "51 Provinsi Bali (semua)",
            "5103 Disdukcapil Kabupaten Badung",
            "5108 Disdukcapil Kabupaten Buleleng",
            "5171 Disdukcapil Kota Denpasar",
        ]
        page.select_option("#wilayah", DENPASAR)
        page.click("button:has-text('Saring')")
        assert office_ids(page) == [UPT_DENPASAR, DENPASAR]
        page.screenshot(path=str(shots / "6-kota-dua-kantor.png"), full_page=True)
        # An office never heard from: its days before it began are "no data yet", not red.
        page.goto(f"{base}/kantor/{UPT_DENPASAR}")
        assert "Kota Denpasar (5171)" in page.inner_text("p.summary")
        page.screenshot(path=str(shots / "7-kantor-baru.png"), full_page=True)
        # Error pages speak Indonesian, with the way back.
        missing = page.goto(f"{base}/tidak-ada")
        assert missing is not None and missing.status == 404
        assert "Halaman tidak ditemukan" in page.inner_text("main")
        page.screenshot(path=str(shots / "8-halaman-tidak-ada.png"), full_page=True)
        gone = page.goto(f"{base}/kantor/9999")
        assert gone is not None and gone.status == 404
        page.screenshot(path=str(shots / "9-kantor-tidak-ada.png"), full_page=True)
        context.close()

        # A phone: the tables scroll sideways inside the page, the page itself does not.
        phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
        page = phone.new_page()
        page.set_default_timeout(15_000)
        log_in_with_token(page, base, fleet.web_token)
        # The fleet page after the login's redirect, with its stylesheet: measured once loaded.
        page.wait_for_selector("main")
        page.wait_for_load_state("load")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
        page.screenshot(path=str(shots / "10-ponsel-semua-kantor.png"), full_page=True)
        page.goto(f"{base}/kantor/{DENPASAR}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(shots / "11-ponsel-kantor.png"), full_page=True)
        page.screenshot(path=str(shots / "11b-ponsel-kantor-atas.png"))
        page.goto(f"{base}/masuk?habis=1")
        assert "Sesi berakhir" in page.inner_text("main")
        page.screenshot(path=str(shots / "12-ponsel-sesi-habis.png"), full_page=True)
        phone.close()

        # The supervisor limited to the city sees its two offices only.
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(page, base, city.role, city.password)
        assert office_ids(page) == [UPT_DENPASAR, DENPASAR]
        assert "wilayah 5171" in page.inner_text("header")
        assert page.locator("#wilayah option").all_inner_texts() == [
            "semua wilayah",
            "51 Provinsi Bali (semua)",
            "5171 Disdukcapil Kota Denpasar",
        ]
        context.close()
