#!/usr/bin/env python3
"""Set up and run the project with nothing but Python 3.11+ (Windows or Linux).

    python3 dev.py demo    # install into .venv, then play one SOP day (no Telegram, no Oracle)
    python3 dev.py test    # install into .venv with the dev tools, then ruff, mypy and pytest
    python3 dev.py run     # install into .venv, then run the bot with the settings in .env
    python3 dev.py audit   # check the installed dependencies for known vulnerabilities

Extra arguments go to the underlying command (e.g. `python3 dev.py test -k selesai`).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / "installed.sha256"


def venv_python() -> Path:
    scripts = "Scripts" if os.name == "nt" else "bin"
    return VENV / scripts / ("python.exe" if os.name == "nt" else "python")


def ensure_installed(extras: str) -> Path:
    """Create .venv and install the project in it, again only when pyproject.toml changed."""
    if sys.version_info < (3, 11):
        sys.exit(f"Python 3.11 or newer is needed (this is {sys.version.split()[0]}).")
    python = venv_python()
    if not python.exists():
        print("Creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != wanted:
        print(f"Installing sopbot{extras} into .venv ...", flush=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True
        )
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "-e", f".{extras}"],
            check=True,
            cwd=ROOT,
        )
        STAMP.write_text(wanted)
    return python


def run(*command: str) -> int:
    print("$", " ".join(command), flush=True)
    return subprocess.run(command, cwd=ROOT).returncode


NOT_AUDITED = 4  # the vulnerability database could not be asked: no verdict either way


def audit(python: Path, extra: list[str]) -> int:
    """pip-audit, honestly: 1 on a known vulnerability, 0 only when every package was looked up,
    NOT_AUDITED when some could not be (e.g. the vulnerability service is unreachable)."""
    import json

    command = [str(python), "-m", "pip_audit", "--skip-editable", "--progress-spinner", "off"]
    print("$", " ".join([*command, "--format", "json", *extra]), flush=True)
    found = subprocess.run(
        [*command, "--format", "json", *extra], cwd=ROOT, capture_output=True, text=True
    )
    try:
        dependencies = json.loads(found.stdout)["dependencies"]
    except (ValueError, KeyError):
        print(found.stdout + found.stderr)
        return found.returncode or 1
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if "skip_reason" in d]
    for dependency in vulnerable:
        ids = ", ".join(v["id"] for v in dependency["vulns"])
        print(f"VULNERABLE {dependency['name']} {dependency['version']}: {ids}")
    if vulnerable:
        return 1
    if skipped:
        print(
            f"NOT AUDITED: {len(skipped)} of {len(dependencies)} packages could not be looked up "
            f"(e.g. {skipped[0]['name']}: {skipped[0]['skip_reason']}). No verdict was made."
        )
        return NOT_AUDITED
    print(f"Audited {len(dependencies)} packages: no known vulnerabilities.")
    return 0


def main(argv: list[str]) -> int:
    task, extra = (argv[0], argv[1:]) if argv else ("demo", [])
    if task == "demo":
        # The demo's Bot API server (devtools/, not installed with the product) needs aiohttp.
        python = ensure_installed("[demo]")
        return run(str(python), "-m", "devtools.demo", *extra)
    if task == "run":
        python = ensure_installed("")
        return run(str(python), "-m", "sopbot.cli", "run", *extra)
    if task == "test":
        python = ensure_installed("[dev]")
        for step in (
            ["-m", "ruff", "check", "."],
            ["-m", "ruff", "format", "--check", "."],
            ["-m", "mypy"],
        ):
            code = run(str(python), *step)
            if code:
                return code
        return run(str(python), "-m", "pytest", *extra)
    if task == "audit":
        return audit(ensure_installed("[dev]"), extra)
    sys.exit(f"unknown task {task!r}: use demo, test, run or audit")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
