#!/usr/bin/env python3
"""The evidence chain's cost: appending an entry on an empty log against one with years of
history (it must not grow with the history), and verifying the whole history.

    python bench/seed_history.py --years 10 --database-url sqlite:///bench-10y.db
    python bench/chain.py --database-url sqlite:///bench-10y.db --repeat 5

Verification's CPU time is reported beside its wall time: on a shared machine the wall time
mostly measures the other work. Appends are audit events written through the storage API (one
transaction each, the entry appended inside it, as the bot does); both logs get the same number,
interleaved. Verification
is `Evidence.verify`: every entry re-hashed, every checkpoint's signature checked, every
evidence row compared with its newest entry, as `sopbot verifikasi-log` does.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.settings import Settings
from core.signednote import Signer
from jobs.evidence import Evidence
from storage.audit import AuditLog
from storage.database import make_engine, upgrade


def _evidence(url: str, key: Path) -> Evidence:
    engine = make_engine(url)
    upgrade(engine)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        telegram_bot_token="1:x",  # noqa: S106 - never used: no bot runs here
        database_url=url,
        evidence_key_file=key,
    )
    return Evidence(settings, engine)


def _appends(audit: AuditLog, count: int) -> float:
    """Seconds per append."""
    started = time.perf_counter()
    for n in range(count):
        audit.record(datetime.now(UTC), 1, "bench", f"append {n}")
    return (time.perf_counter() - started) / count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True, help="a log seeded with history")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--appends", type=int, default=200)
    parser.add_argument("--key", default="bench-chain-key.txt", help="the signing key file")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sopbot-chain-bench-"))
    key = Path(args.key)  # kept between runs: the checkpoints it signed stay verifiable
    if not key.exists():
        key.write_text(Signer.generate("bench").secret_string() + "\n", encoding="utf-8")
    history = _evidence(args.database_url, key)
    empty = _evidence(f"sqlite:///{folder / 'empty.db'}", key)
    print(f"machine: {platform.platform()}, Python {platform.python_version()}")
    print(f"command: {' '.join(sys.argv)}")
    print(f"history: {history.head().size} entries")
    empty_times, history_times, verify_times, verify_cpu = [], [], [], []
    for _ in range(args.repeat):
        empty_times.append(_appends(AuditLog(empty.engine), args.appends))
        history_times.append(_appends(AuditLog(history.engine), args.appends))
        history.checkpoint_if_due(datetime.now(UTC))
        started, cpu = time.perf_counter(), time.process_time()
        report = history.verify()
        verify_times.append(time.perf_counter() - started)
        verify_cpu.append(time.process_time() - cpu)
        assert report.verdict.name == "INTACT", report.findings[:3]
    ratios = [h / e for h, e in zip(history_times, empty_times, strict=True)]
    print(
        f"append, empty log: median {statistics.median(empty_times) * 1000:.2f} ms "
        f"(min {min(empty_times) * 1000:.2f})"
    )
    print(
        f"append, {history.head().size} entries: median "
        f"{statistics.median(history_times) * 1000:.2f} ms (min {min(history_times) * 1000:.2f})"
    )
    print(f"ratio history/empty: median {statistics.median(ratios):.2f}, min {min(ratios):.2f}")
    print(
        f"verify {report.size} entries, {report.rows_checked} rows, {report.checkpoints} "
        f"checkpoints: median {statistics.median(verify_times):.2f} s "
        f"(min {min(verify_times):.2f}); CPU median {statistics.median(verify_cpu):.2f} s "
        f"(min {min(verify_cpu):.2f}), the figure a loaded machine distorts least"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
