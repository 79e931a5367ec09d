"""The installable package (what the Dockerfile and a plain `pip install .` use) carries every
module and the migrations, and none of the development tools."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


def test_wheel_contains_the_code_and_the_migrations(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        timeout=300,
    )
    wheel = next(tmp_path.glob("sopbot-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "bot/app.py",
        "jobs/dump/service.py",
        "central/link.py",
        "jobs/external/copy.py",
        "storage/migrations/env.py",
        "storage/migrations/script.py.mako",
        "storage/migrations/versions/0001_initial_sop_log.py",
        "sopbot/sample_db.py",
        "core/settings.py",
        "sopbot/cli.py",
        "sopbot/commands/restore_file.py",
        "texts/terminal.py",
        "texts/problems.py",
        "texts/audit.py",
        "reports/audit_pdf.py",
        "reports/month_csv.py",
        "storage/central/migrations/versions/0003_web_view.py",
        "web/app.py",
        "web/templates/fleet.html",
        "web/static/style.css",
    ):
        assert expected in names, expected
    versions = sorted(n for n in names if n.startswith("storage/migrations/versions/"))
    on_disk = sorted(p.name for p in (ROOT / "storage/migrations/versions").glob("*.py"))
    assert [Path(v).name for v in versions] == on_disk
    assert not any(n.startswith(("tests/", "devtools/", "bench/")) for n in names)
    # aiohttp serves only the loopback Bot API server: an extra, never what the product needs.
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    requires = [
        line
        for line in zipfile.ZipFile(wheel).read(metadata).decode().splitlines()
        if line.startswith("Requires-Dist: aiohttp")
    ]
    assert requires and all("extra ==" in line for line in requires), requires


def test_the_systemd_unit_verifies(tmp_path: Path) -> None:
    """`systemd-analyze verify` on the shipped unit, pointed at this checkout's program."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here (the unit is checked where it is)")
    program = Path(sys.executable).with_name("sopbot")
    assert program.is_file(), program
    unit = (ROOT / "deploy" / "sopbot.service").read_text(encoding="utf-8")
    assert "ExecStart=/opt/sopbot/.venv/bin/sopbot run" in unit
    here = unit.replace("/opt/sopbot/.venv/bin/sopbot", str(program)).replace(
        "WorkingDirectory=/opt/sopbot", f"WorkingDirectory={tmp_path}"
    )
    (tmp_path / "sopbot.service").write_text(here, encoding="utf-8")
    done = subprocess.run(
        [analyze, "verify", str(tmp_path / "sopbot.service")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Unknown" not in done.stderr and "ignoring" not in done.stderr, done.stderr
