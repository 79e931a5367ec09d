#!/usr/bin/env python3
"""Benchmark: sopbot's verified copy against the best an administrator could script.

    python bench/copy_verify.py --size-mb 1024 --dest /media/backup --repeat 5

The source is records-like dump data: text rows as a population table holds them (NIK, names,
addresses, dates) with blocks of random bytes between them (LOBs, compressed segments), so a
compressor gets what it gets on a real dump, neither the 2:1 of zero blocks nor nothing. The copy
goes to `--dest`, which should be another file system (the external disk); the source stays in a
temporary folder (or `--src`).

Variants, interleaved in a rotating order and repeated (`--repeat`, at least 5):

  A) cp + sync + reading the copy back with O_DIRECT (dd iflag=direct), where the file system
     allows it (else: cached pages dropped, then read): the floor of a verified copy;
  B) cp + `openssl dgst -sha256` of the source and of the copy (SHA extensions when the CPU has
     them): what a careful administrator would script;
  1) sopbot plain: hash while copying, fsync, rename, read back uncached, compare;
  2) sopbot zstd;
  3) sopbot zstd + age (encrypted to two keys, as the office does).

Prints the machine, the exact command, each variant's median and min seconds and MB/s, and the
ratios 1/A and 1/B as median and min over the repeats (targets: 1/A <= 1.3, 1/B <= 1.0).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jobs.external.copy import copy_verified

MB = 1024 * 1024
FIRST = ("I GUSTI", "NI KADEK", "KETUT", "MADE", "NYOMAN", "PUTU", "KOMANG", "WAYAN")
LAST = ("SUARTIKA", "ARSANA", "WIRAWAN", "DEWI", "ASTUTI", "SANJAYA", "PUTRA", "LESTARI")


def make_dump(path: Path, size_mb: int) -> None:
    """Text rows and random blocks, about three to one."""
    rng = random.Random(2017)
    with path.open("wb") as stream:
        written, nik = 0, 5108000000000000
        while written < size_mb * MB:
            rows = []
            for _ in range(4000):
                nik += rng.randint(1, 9)
                rows.append(
                    f"{nik};{rng.choice(FIRST)} {rng.choice(LAST)};JL. RAYA "
                    f"{rng.randint(1, 300)} RT {rng.randint(1, 20):03d};"
                    f"{rng.randint(1950, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d};"
                    f"{rng.randint(1, 6)};{rng.randint(1, 90)}\n"
                )
            chunk = "".join(rows).encode() + rng.randbytes(64 * 1024)
            stream.write(chunk)
            written += len(chunk)


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
        Path("/proc/sys/vm/drop_caches").write_text("1\n")


def direct_read_works(folder: Path) -> bool:
    probe = folder / "direct-probe"
    probe.write_bytes(bytes(MB))
    done = subprocess.run(
        ["dd", f"if={probe}", "of=/dev/null", "bs=1M", "iflag=direct"],
        capture_output=True,
        check=False,
    )
    probe.unlink()
    return done.returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--dest", type=Path, required=True, help="another file system")
    parser.add_argument("--src", type=Path, default=None, help="where the dump is written")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    for tool in ("cp", "sync", "dd", "openssl"):
        if shutil.which(tool) is None:
            print(f"{tool} not found: this benchmark needs it for the baselines")
            return 2
    import pyrage

    keys = [str(pyrage.x25519.Identity.generate().to_public()) for _ in range(2)]
    openssl = subprocess.run(
        ["openssl", "version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    print(f"{platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"{openssl}; command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    with (
        tempfile.TemporaryDirectory(dir=args.src, prefix="sopbot-src-") as src_dir,
        tempfile.TemporaryDirectory(dir=args.dest, prefix="sopbot-dst-") as dst_dir,
    ):
        source, dest = Path(src_dir) / "SIAK.dmp", Path(dst_dir)
        make_dump(source, args.size_mb)
        size_mb = source.stat().st_size / MB
        same = os.stat(src_dir).st_dev == os.stat(dst_dir).st_dev
        direct = direct_read_works(dest)
        print(
            f"dump {size_mb:.0f} MB records-like; destination on "
            f"{'THE SAME' if same else 'another'} file system; read-back "
            f"{'O_DIRECT' if direct else 'after dropping cached pages (no O_DIRECT here)'}"
        )
        target = dest / "SIAK.dmp"

        def clean() -> None:
            for path in dest.iterdir():
                path.unlink()
            drop_caches(source)

        def a_cp_sync_direct() -> None:
            subprocess.run(["cp", str(source), str(target)], check=True)
            subprocess.run(["sync"], check=True)
            if direct:
                subprocess.run(
                    ["dd", f"if={target}", "of=/dev/null", "bs=4M", "iflag=direct"],
                    check=True,
                    capture_output=True,
                )
            else:
                drop_caches(target)
                with target.open("rb") as stream:
                    while stream.read(4 * MB):
                        pass

        def b_cp_openssl() -> None:
            subprocess.run(["cp", str(source), str(target)], check=True)
            out = subprocess.run(
                ["openssl", "dgst", "-sha256", str(source), str(target)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            assert out[1] == out[3]

        variants: dict[str, Callable[[], object]] = {
            "A cp+sync+direct read": a_cp_sync_direct,
            "B cp+openssl both": b_cp_openssl,
            "1 sopbot plain": lambda: copy_verified(source, target),
            "2 sopbot zstd": lambda: copy_verified(source, target, compress=True),
            "3 sopbot zstd+age": lambda: copy_verified(
                source, target, compress=True, recipients=keys
            ),
        }
        times: dict[str, list[float]] = {name: [] for name in variants}
        names = list(variants)
        for repeat in range(args.repeat):
            order = names[repeat % len(names) :] + names[: repeat % len(names)]
            for name in order:
                clean()
                started = time.perf_counter()
                variants[name]()
                times[name].append(time.perf_counter() - started)
            print(f"  repeat {repeat + 1}/{args.repeat} done", flush=True)
        print(f"{'variant':24} {'median s':>9} {'min s':>7} {'MB/s':>7}")
        for name, values in times.items():
            middle = statistics.median(values)
            print(f"{name:24} {middle:9.2f} {min(values):7.2f} {size_mb / middle:7.0f}")
        for base in ("A cp+sync+direct read", "B cp+openssl both"):
            for name in names[2:]:
                ratios = [s / b for s, b in zip(times[name], times[base], strict=True)]
                print(
                    f"{name} / {base[0]}: median {statistics.median(ratios):.2f}, "
                    f"min {min(ratios):.2f}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
