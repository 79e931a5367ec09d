"""A real zstd bomb, built in the test: one zstd frame (RFC 8878) of RLE blocks, each four bytes
that stand for 128 KiB of zeros, so a few KB decompress to GBs; and the peak memory a piece of
work added, to show it stayed bounded."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

BLOCK = 128 * 1024  # the largest block zstd allows
_MAGIC = (0xFD2FB528).to_bytes(4, "little")


def zstd_bomb(size: int) -> bytes:
    """A zstd frame that decompresses to `size` zeros (a multiple of 128 KiB), in size/32768
    bytes: no content size in the header, a 128 KiB window, blocks of type RLE."""
    blocks = max(size // BLOCK, 1)
    header = _MAGIC + bytes([0x00, 0x38])  # descriptor: nothing optional; window 2^17
    middle = (0b010 | BLOCK << 3).to_bytes(3, "little") + b"\0"  # RLE, not last
    last = (0b011 | BLOCK << 3).to_bytes(3, "little") + b"\0"  # RLE, last
    return header + middle * (blocks - 1) + last


def check_it_is_zstd(bomb: bytes) -> None:
    """The bomb is real zstd: the reference decompressor reads it (a bounded prefix)."""
    import io

    import zstandard

    reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(bomb))
    assert reader.read(BLOCK * 4) == bytes(BLOCK * 4)


@dataclass
class Growth:
    measured: bool = False
    bytes: int = 0


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise LookupError(field)


@contextmanager
def peak_rss_growth() -> Iterator[Growth]:
    """How far the peak resident memory (VmHWM) rose above the current one during the block;
    Linux only (`measured` False elsewhere). The peak is reset first (clear_refs 5)."""
    growth = Growth()
    if not sys.platform.startswith("linux"):
        yield growth
        return
    try:
        Path("/proc/self/clear_refs").write_text("5")
        start = _status("VmRSS")
    except OSError:
        yield growth
        return
    yield growth
    growth.bytes, growth.measured = _status("VmHWM") - start, True
