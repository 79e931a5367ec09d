"""Reading a fresh copy back from the disk itself, not from the file cache that still holds
what was just written.

- POSIX: `posix_fadvise(POSIX_FADV_DONTNEED)` after the fsync drops the file's cached pages, so
  the read that follows goes to the disk.
- Windows has no fadvise: the file is opened with `FILE_FLAG_NO_BUFFERING` (Microsoft, "File
  Buffering": no system cache for reads; buffer addresses and read sizes must be multiples of the
  volume's sector size, and a read at the end of the file may return fewer bytes). The buffer is
  from `VirtualAlloc`, which is page-aligned (4096 bytes, a multiple of every sector size in
  use, 512 and 4096), and each read asks for a multiple of it.
- Anywhere else the read-back is a full re-read that may come from the cache, and the copy's
  report says so.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol


class ReadBack(StrEnum):
    DISK_FADVISE = "posix_fadvise"  # cached pages dropped, then read
    DISK_NO_BUFFERING = "no_buffering"  # Windows FILE_FLAG_NO_BUFFERING
    CACHE = "cache"  # may have come from the file cache


ALIGNMENT = 4096
CHUNK = 4 * 1024 * 1024  # a multiple of ALIGNMENT


def method() -> ReadBack:
    """How an uncached read-back is made on this OS."""
    if os.name == "nt":
        return ReadBack.DISK_NO_BUFFERING
    if hasattr(os, "posix_fadvise"):
        return ReadBack.DISK_FADVISE
    return ReadBack.CACHE


class Unbuffered(Protocol):
    """The Win32 calls the unbuffered read needs (a stand-in in the tests)."""

    def open(self, path: Path) -> Any: ...

    def read(self, handle: Any, address: int, size: int) -> int: ...

    def close(self, handle: Any) -> None: ...

    def alloc(self, size: int) -> int: ...

    def free(self, address: int) -> None: ...


class Win32:
    """kernel32 through ctypes: CreateFileW, ReadFile, CloseHandle, VirtualAlloc, VirtualFree."""

    GENERIC_READ = 0x80000000
    FILE_SHARE_READ = 0x00000001
    OPEN_EXISTING = 3
    FILE_FLAG_NO_BUFFERING = 0x20000000
    FILE_FLAG_SEQUENTIAL_SCAN = 0x08000000
    MEM_COMMIT, MEM_RESERVE, MEM_RELEASE, PAGE_READWRITE = 0x1000, 0x2000, 0x8000, 0x04
    INVALID_HANDLE_VALUE = ctypes.c_void_p(-1).value

    def __init__(self) -> None:
        kernel32: Any = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined,unused-ignore]
        kernel32.CreateFileW.restype = ctypes.c_void_p
        kernel32.CreateFileW.argtypes = [
            ctypes.c_wchar_p,
            ctypes.c_uint32,
            ctypes.c_uint32,
            ctypes.c_void_p,
            ctypes.c_uint32,
            ctypes.c_uint32,
            ctypes.c_void_p,
        ]
        kernel32.ReadFile.argtypes = [
            ctypes.c_void_p,
            ctypes.c_void_p,
            ctypes.c_uint32,
            ctypes.POINTER(ctypes.c_uint32),
            ctypes.c_void_p,
        ]
        kernel32.CloseHandle.argtypes = [ctypes.c_void_p]
        kernel32.VirtualAlloc.restype = ctypes.c_void_p
        kernel32.VirtualAlloc.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_uint32,
            ctypes.c_uint32,
        ]
        kernel32.VirtualFree.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint32]
        self.k = kernel32

    def _error(self, what: str, path: object = None) -> OSError:
        code = ctypes.get_last_error()  # type: ignore[attr-defined,unused-ignore]
        return OSError(None, f"{what} failed (Windows error {code})", str(path or ""), code)

    def open(self, path: Path) -> Any:
        handle = self.k.CreateFileW(
            str(path),
            self.GENERIC_READ,
            self.FILE_SHARE_READ,
            None,
            self.OPEN_EXISTING,
            self.FILE_FLAG_NO_BUFFERING | self.FILE_FLAG_SEQUENTIAL_SCAN,
            None,
        )
        if handle is None or handle == self.INVALID_HANDLE_VALUE:
            raise self._error("CreateFileW", path)
        return handle

    def read(self, handle: Any, address: int, size: int) -> int:
        done = ctypes.c_uint32(0)
        if not self.k.ReadFile(handle, address, size, ctypes.byref(done), None):
            raise self._error("ReadFile")
        return done.value

    def close(self, handle: Any) -> None:
        self.k.CloseHandle(handle)

    def alloc(self, size: int) -> int:
        address = self.k.VirtualAlloc(
            None, size, self.MEM_COMMIT | self.MEM_RESERVE, self.PAGE_READWRITE
        )
        if not address:
            raise self._error("VirtualAlloc")
        return int(address)

    def free(self, address: int) -> None:
        self.k.VirtualFree(address, 0, self.MEM_RELEASE)


def hash_unbuffered(
    path: Path,
    progress: Callable[[int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    api: Unbuffered | None = None,
    stopped: type[Exception] = InterruptedError,
) -> str:
    """SHA-256 of `path` read with FILE_FLAG_NO_BUFFERING into an aligned buffer."""
    calls = api if api is not None else Win32()
    digest = hashlib.sha256()
    address = calls.alloc(CHUNK)
    try:
        handle = calls.open(path)
        try:
            view = (ctypes.c_char * CHUNK).from_address(address)
            done = 0
            while True:
                count = calls.read(handle, address, CHUNK)
                if count == 0:
                    break
                digest.update(memoryview(view)[:count])
                done += count
                if progress:
                    progress(done)
                if should_stop and should_stop():
                    raise stopped
                if count < CHUNK:
                    # The end of the file. Never read again from here: the position is no longer
                    # sector-aligned, which an unbuffered read refuses.
                    break
        finally:
            calls.close(handle)
    finally:
        calls.free(address)
    return digest.hexdigest()
