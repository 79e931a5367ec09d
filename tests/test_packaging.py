"""The installable package (what the Dockerfile and a plain `pip install .` use) carries every
module and the migrations."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

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
        "jobs/external/copy.py",
        "storage/migrations/env.py",
        "storage/migrations/script.py.mako",
        "storage/migrations/versions/0001_initial_sop_log.py",
        "devtools/botapi.py",
        "core/settings.py",
        "sopbot/cli.py",
    ):
        assert expected in names, expected
    versions = sorted(n for n in names if n.startswith("storage/migrations/versions/"))
    on_disk = sorted(p.name for p in (ROOT / "storage/migrations/versions").glob("*.py"))
    assert [Path(v).name for v in versions] == on_disk
    assert not any(n.startswith("tests/") for n in names)
