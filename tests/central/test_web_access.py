"""Who gets into the web view, and how: the commands that make its login and tokens, a
supervisor limited to a region (in the CLI too), the real `sopbot pusat web` process, forms from
elsewhere, failed logins, sessions that end."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from centraldb import BULELENG, DENPASAR, Central, central_database  # noqa: F401 (fixture)
from click.testing import CliRunner
from conftest import POSTGRES_URL
from webfleet import LOMBOK_BARAT, MATARAM, Fleet, free_port, seed_fleet, serving

from sopbot.cli import main
from storage.central.webaccess import Viewer
from web.sessions import LoginLimiter, SessionStore

pytestmark = pytest.mark.skipif(
    not POSTGRES_URL, reason="needs PostgreSQL: set SOPBOT_TEST_POSTGRES_URL (.ci/run starts one)"
)


@pytest.fixture(name="fleet")
def fleet_fixture(central: Central) -> Fleet:
    return seed_fleet(central)


def test_commands_make_the_web_login_tokens_and_a_region_limited_supervisor(
    fleet: Fleet,
) -> None:
    runner = CliRunner()
    admin_env = {"CENTRAL_DATABASE_URL": fleet.central.admin_url}
    made = runner.invoke(
        main, ["pusat", "pengawas", "add", "ntb2", "--wilayah", "52"], env=admin_env
    )
    assert made.exit_code == 0, made.output
    assert "hanya melihat kantor wilayah 52" in made.output
    web_token = re.search(r"Token tampilan web .*: (\S+)$", made.output, re.MULTILINE)
    assert web_token is not None
    url = next(line for line in made.output.splitlines() if line.startswith("CENTRAL_"))
    # The supervisor's own CLI is held to the region by the database itself.
    seen = runner.invoke(main, ["pusat"], env={"CENTRAL_DATABASE_URL": url.split("=", 1)[1]})
    assert "2 kantor" in seen.output.splitlines()[0]
    assert MATARAM in seen.output and LOMBOK_BARAT in seen.output
    assert BULELENG not in seen.output and DENPASAR not in seen.output

    bad = runner.invoke(main, ["pusat", "pengawas", "add", "x", "--wilayah", "5x"], env=admin_env)
    assert bad.exit_code == 2 and "bukan kode wilayah" in bad.output

    login = runner.invoke(main, ["pusat", "web-login", "add", "provinsi"], env=admin_env)
    assert login.exit_code == 0 and "sopbot_web_provinsi:" in login.output

    token = runner.invoke(
        main, ["pusat", "token", "add", "grafana2", "--wilayah", "51"], env=admin_env
    )
    assert token.exit_code == 0, token.output
    value = token.output.splitlines()[-1]
    with serving(fleet.web_url) as base, httpx.Client(base_url=base, timeout=10) as client:
        metrics = client.get("/metrics", headers={"Authorization": f"Bearer {value}"})
        assert metrics.status_code == 200 and 'office_id="5108"' in metrics.text
        assert 'office_id="5271"' not in metrics.text  # NTB: not in this token's region
        gone = runner.invoke(main, ["pusat", "token", "revoke", "grafana2"], env=admin_env)
        assert gone.exit_code == 0 and "dicabut" in gone.output
        again = client.get("/metrics", headers={"Authorization": f"Bearer {value}"})
        assert again.status_code == 401
    assert (
        runner.invoke(main, ["pusat", "token", "revoke", "grafana2"], env=admin_env).exit_code == 1
    )


def test_forms_from_elsewhere_failed_logins_and_bounds(fleet: Fleet) -> None:
    # Plain HTTP here: cookies without the Secure mark, or this client would not send them.
    with (
        serving(fleet.web_url, secure_cookies=False) as base,
        httpx.Client(base_url=base, timeout=10) as client,
    ):
        # A login form posted without the form's own token (another site's form): refused.
        forged = client.post("/masuk", data={"token": fleet.web_token, "csrf": "x"})
        assert forged.status_code == 400 and "sopbot_sesi" not in forged.headers.get(
            "set-cookie", ""
        )
        # Too large a form is not read.
        huge = client.post("/masuk", data={"sandi": "x" * 10_000})
        assert huge.status_code == 400
        # Ten wrong tokens from one address, then even the right one waits.
        form = client.get("/masuk")
        for _ in range(10):  # each answer is the form again, with its new token
            csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
            assert csrf is not None
            form = client.post("/masuk", data={"token": "y" * 43, "csrf": csrf.group(1)})
            assert form.status_code == 401 and "token tidak berlaku" in form.text
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert csrf is not None
        slowed = client.post("/masuk", data={"token": fleet.web_token, "csrf": csrf.group(1)})
        assert slowed.status_code == 429 and "Terlalu banyak percobaan" in slowed.text
        # No page, download or office without a session; no secret in any URL.
        for path in ("/", f"/kantor/{BULELENG}", "/unduh/semua.csv", "/unduh/5108.png"):
            answer = client.get(path, follow_redirects=False)
            assert answer.status_code == 303 and answer.headers["location"].startswith("/masuk")


def test_sessions_end_when_idle_or_old_and_failures_are_forgotten_after_a_while() -> None:
    now = [0.0]
    store = SessionStore(idle_seconds=60, max_seconds=300, clock=lambda: now[0])
    viewer = Viewer("sopbot_pusat_bali", "%")
    sid = store.start(viewer)
    now[0] = 59
    assert store.get(sid) is not None
    now[0] = 120  # used 61 s ago
    assert store.get(sid) is None
    sid = store.start(viewer)
    for step in range(1, 7):  # used every 50 s, but 300 s is the most a session lives
        now[0] = 120 + 50 * step
        alive = store.get(sid) is not None
        assert alive == (50 * step <= 300)
    assert store.get("x" * 200) is None

    limiter = LoginLimiter(attempts=2, window=100, clock=lambda: now[0])
    limiter.failed("addr:a")
    limiter.failed("addr:a")
    assert limiter.blocked("addr:a") and not limiter.blocked("addr:b")
    now[0] += 101
    assert not limiter.blocked("addr:a")


def test_the_real_process_serves_and_stops(fleet: Fleet, tmp_path: Path) -> None:
    port = free_port()
    program = Path(sys.executable).with_name("sopbot")
    env = {**os.environ, "CENTRAL_WEB_DATABASE_URL": fleet.web_url}
    process = subprocess.Popen(
        [str(program), "pusat", "web", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx.get(base + "/sehat", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
                assert time.monotonic() < deadline, "the web view did not start"
                time.sleep(0.2)
        assert health.status_code == 200
        assert "frame-ancestors 'none'" in health.headers["content-security-policy"]
        assert "strict-transport-security" in health.headers  # secure cookies: behind TLS
        assert httpx.get(base + "/metrics", timeout=5).status_code == 401
        good = httpx.get(
            base + "/metrics",
            headers={"Authorization": f"Bearer {fleet.metrics_token}"},
            timeout=10,
        )
        assert good.status_code == 200 and "sopbot_office_safe" in good.text
        login = httpx.get(base + "/masuk", timeout=5)
        # The test server asks every login but the administrator for its password (as a real
        # central server does): the form offers the password as well as the token.
        assert 'id="sandi"' in login.text and 'id="token"' in login.text
        cookie = login.headers["set-cookie"].lower()
        assert "httponly" in cookie and "secure" in cookie and "samesite=strict" in cookie
        assert "server" not in login.headers
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    # uvicorn stops gracefully, then ends by the signal it was sent (its exit status says so).
    # On Windows send_signal(SIGTERM) is TerminateProcess: no graceful stop to look at.
    if os.name == "posix":
        assert process.returncode in (0, -signal.SIGTERM)
    output = process.stdout.read().decode() if process.stdout else ""
    assert "Traceback" not in output and "Tampilan web: http://127.0.0.1" in output
    assert "tidak memeriksa kata sandi" not in output  # the test server asks for passwords


def test_a_wrong_web_login_url_is_told_at_start() -> None:
    runner = CliRunner()
    result = runner.invoke(
        main,
        ["pusat", "web", "--database-url", "sqlite:///x.db"],
    )
    assert result.exit_code == 2 and "PostgreSQL" in result.output


def test_a_central_outage_is_told_as_one_not_as_a_wrong_password() -> None:
    closed = f"postgresql+psycopg://sopbot_web_x:pw@127.0.0.1:{free_port()}/pusat"
    with (
        serving(closed, secure_cookies=False) as base,
        httpx.Client(base_url=base, timeout=30) as client,
    ):
        form = client.get("/masuk")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert csrf is not None
        for fields in ({"token": "z" * 43}, {"pengguna": "sopbot_pusat_bali", "sandi": "x" * 20}):
            answer = client.post("/masuk", data={**fields, "csrf": csrf.group(1)})
            assert answer.status_code == 503, answer.text
            assert "tidak dapat dibaca" in answer.text and "salah" not in answer.text
        metrics = client.get("/metrics", headers={"Authorization": "Bearer " + "z" * 43})
        assert metrics.status_code == 503
