"""The read-back of a fresh copy: on Windows through FILE_FLAG_NO_BUFFERING into an aligned
buffer. Run here with a stand-in for kernel32 that holds the bot to the rules Microsoft's "File
Buffering" page sets for such reads (aligned buffer address, sizes in whole sectors, a short read
only at the end of the file); the copy's report says which read-back was used."""

from __future__ import annotations

import ctypes
import hashlib
import mmap
import os
from pathlib import Path
from typing import Any

import pytest

from jobs.external import copy as copy_module
from jobs.external import readback
from jobs.external.copy import CopyStopped, hash_file

SECTOR = 4096


class StrictUnbuffered:
    """kernel32 as FILE_FLAG_NO_BUFFERING allows it to be used, reading a real file."""

    def __init__(self) -> None:
        self.maps: dict[int, mmap.mmap] = {}
        self.reads: list[tuple[int, int, int]] = []
        self.open_handles = 0

    def alloc(self, size: int) -> int:
        block = mmap.mmap(-1, size)  # page-aligned, as VirtualAlloc's
        address = ctypes.addressof(ctypes.c_char.from_buffer(block))
        self.maps[address] = block
        return address

    def free(self, address: int) -> None:
        self.maps.pop(address)  # the view is released with the mapping at collection

    def open(self, path: Path) -> Any:
        self.open_handles += 1
        return [os.open(path, os.O_RDONLY), 0]

    def read(self, handle: Any, address: int, size: int) -> int:
        assert address % SECTOR == 0, "buffer not sector-aligned"
        assert size % SECTOR == 0, "read size not a whole number of sectors"
        fd, offset = handle
        assert offset % SECTOR == 0, "a short read before the end of the file"
        data = os.pread(fd, size, offset)
        ctypes.memmove(address, data, len(data))
        handle[1] += len(data)
        self.reads.append((address, size, len(data)))
        return len(data)

    def close(self, handle: Any) -> None:
        os.close(handle[0])
        self.open_handles -= 1


@pytest.mark.parametrize("length", [0, 1, SECTOR, readback.CHUNK + 12345])
def test_the_unbuffered_read_hashes_every_byte_by_the_rules(tmp_path: Path, length: int) -> None:
    path = tmp_path / "copy.dmp"
    data = os.urandom(length)
    path.write_bytes(data)
    api = StrictUnbuffered()
    seen: list[int] = []
    digest = readback.hash_unbuffered(path, seen.append, api=api)
    assert digest == hashlib.sha256(data).hexdigest()
    assert api.open_handles == 0 and api.maps == {}
    assert (seen[-1] if seen else 0) == length


def test_a_stop_during_the_unbuffered_read_closes_and_frees(tmp_path: Path) -> None:
    path = tmp_path / "copy.dmp"
    path.write_bytes(os.urandom(readback.CHUNK * 2))
    api = StrictUnbuffered()
    with pytest.raises(CopyStopped):
        readback.hash_unbuffered(path, None, lambda: True, api=api, stopped=CopyStopped)
    assert api.open_handles == 0 and api.maps == {}


def test_on_windows_the_verifying_read_takes_the_unbuffered_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "copy.dmp"
    data = os.urandom(100_000)
    path.write_bytes(data)
    api = StrictUnbuffered()
    real = readback.hash_unbuffered
    monkeypatch.setattr(readback, "method", lambda: readback.ReadBack.DISK_NO_BUFFERING)
    monkeypatch.setattr(readback, "hash_unbuffered", lambda *a, **k: real(*a, **{**k, "api": api}))
    assert hash_file(path, uncached=True) == hashlib.sha256(data).hexdigest()
    assert api.reads  # through the Win32 calls, not Python's buffered file
    api.reads.clear()
    assert hash_file(path) == hashlib.sha256(data).hexdigest()  # the source: ordinary reads
    assert api.reads == []


def test_the_copy_report_says_how_it_was_read_back() -> None:
    from texts.disk import READBACK_WORDS

    here = readback.method()
    assert here in (readback.ReadBack.DISK_FADVISE, readback.ReadBack.CACHE) or os.name == "nt"
    assert "tanpa cache Windows" in READBACK_WORDS[readback.ReadBack.DISK_NO_BUFFERING]
    assert "mungkin dari cache" in READBACK_WORDS[readback.ReadBack.CACHE]
    assert all(kind.value in READBACK_WORDS for kind in readback.ReadBack)
    assert copy_module.readback is readback
