#!/usr/bin/env python3
"""Benchmark: the verified copy against `cp` + `sync` + a read-back, and `cp` + `sha256sum`.

    python bench/copy_verify.py [--size-mb 2048] [--dir DIR] [--repeat 1]

Writes a dump-like file (incompressible and zero blocks alternating, like an Oracle dump with
data and empty extents), then times, on the same file and folder in the same run:

  a) cp, sync, then reading the copy back once with its cached pages dropped: the floor of any
     honest verified copy (write once, read back once);
  b) cp, then sha256sum of the source and of the copy: what an administrator would script;
  c) sopbot's verified copy (hash while copying, fsync, rename, drop cache, read back, compare);
  d) sopbot's copy with zstd, and gzip -6 of the same file, with their compression ratios.

Before every run the source's and the destination's cached pages are dropped (posix_fadvise,
and /proc/sys/vm/drop_caches when root), so each variant reads the source from the disk.
Prints MB/s and the ratios c/a and c/b (targets: at most 1.2 and 0.6) and zstd/gzip speed.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jobs.external.copy import copy_verified, hash_file

BLOCK = 1024 * 1024


def make_dump(path: Path, size_mb: int) -> None:
    rng = random.Random(2017)  # a fresh random block each time: no repeats to compress
    with path.open("wb") as stream:
        for index in range(size_mb):
            stream.write(bytes(BLOCK) if index % 2 else rng.randbytes(BLOCK))


def drop_caches(*paths: Path) -> None:
    for path in paths:
        if path.exists() and hasattr(os, "posix_fadvise"):
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)
    if os.name == "posix" and os.geteuid() == 0:
        subprocess.run(["sync"], check=True)
        with open("/proc/sys/vm/drop_caches", "w") as control:
            control.write("1\n")


def read_uncached(path: Path) -> None:
    drop_caches(path)
    with path.open("rb") as stream:
        while stream.read(4 * BLOCK):
            pass


def timed(label: str, run: Callable[[], object], before: Callable[[], None], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        before()
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    print(f"  {label:<44} {best:8.2f} s", flush=True)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mb", type=int, default=2048)
    parser.add_argument(
        "--dir",
        type=Path,
        default=None,
        help="where source and copies go (default: a temporary folder)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per variant (best kept)")
    args = parser.parse_args()
    for tool in ("cp", "sync", "sha256sum", "gzip"):
        if shutil.which(tool) is None:
            print(f"{tool} not found: this benchmark needs the coreutils baseline")
            return 2
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="sopbot-bench-") as scratch:
        folder = Path(scratch)
        source, copy = folder / "source.dmp", folder / "copy" / "source.dmp"
        copy.parent.mkdir()
        print(f"Writing a {args.size_mb} MB dump-like file in {folder} ...", flush=True)
        make_dump(source, args.size_mb)
        size_mb = source.stat().st_size / BLOCK
        uncached = os.name == "posix" and os.geteuid() == 0
        print(
            f"File {size_mb:.0f} MB; page cache dropped between runs: "
            f"{'all (root)' if uncached else 'per file (posix_fadvise)'}"
        )

        def reset() -> None:
            for path in copy.parent.iterdir():
                path.unlink()
            drop_caches(source)

        def cp_sync_readback() -> None:
            subprocess.run(["cp", str(source), str(copy)], check=True)
            subprocess.run(["sync"], check=True)
            read_uncached(copy)

        def cp_sha256sum() -> None:
            subprocess.run(["cp", str(source), str(copy)], check=True)
            sums = subprocess.run(
                ["sha256sum", str(source), str(copy)], check=True, capture_output=True, text=True
            ).stdout.split()
            assert sums[0] == sums[2]

        def project() -> None:
            result = copy_verified(source, copy)
            assert result.sha256 == result.source_sha256

        def project_zstd() -> None:
            copy_verified(source, copy, compress=True)

        def gzip6() -> None:
            with (copy.parent / "source.dmp.gz").open("wb") as out:
                subprocess.run(["gzip", "-6", "-c", str(source)], stdout=out, check=True)

        print("Times (best of --repeat):")
        a = timed("a) cp + sync + read back (uncached)", cp_sync_readback, reset, args.repeat)
        b = timed("b) cp + sha256sum source and copy", cp_sha256sum, reset, args.repeat)
        c = timed("c) sopbot verified copy", project, reset, args.repeat)
        d = timed("d) sopbot verified copy with zstd", project_zstd, reset, args.repeat)
        zstd_size = (copy.parent / "source.dmp.zst").stat().st_size
        g = timed("   gzip -6", gzip6, reset, args.repeat)
        gzip_size = (copy.parent / "source.dmp.gz").stat().st_size
        assert hash_file(source)  # the source is intact
        print("Throughput (MB of dump per second):")
        for label, seconds in (("a", a), ("b", b), ("c", c), ("d zstd", d), ("gzip -6", g)):
            print(f"  {label:<8} {size_mb / seconds:8.1f} MB/s")
        print("Ratios:")
        print(f"  c/a = {c / a:.2f}   (target <= 1.2)")
        print(f"  c/b = {c / b:.2f}   (target <= 0.6)")
        print(f"  zstd speed vs gzip -6 = {g / d:.1f}x   (target >= 3x)")
        print(
            f"  compression: zstd {source.stat().st_size / zstd_size:.2f}:1, "
            f"gzip -6 {source.stat().st_size / gzip_size:.2f}:1"
        )
        print(
            "Verify step: re-reads the copy from the disk "
            + (
                "(cached pages dropped with posix_fadvise after fsync)"
                if hasattr(os, "posix_fadvise")
                else "(no posix_fadvise here: may hit the cache)"
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
