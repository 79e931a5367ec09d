"""Which file system the external disk has, for the one limit that matters to a dump: FAT
(FAT12/16/32, what most USB sticks ship with) holds no file of 4 GiB or more (Microsoft, "File
system functionality comparison": FAT32 maximum file size 4 GB). A larger copy would fail
half-way as if the disk were full; it is refused before it starts, saying why. Copies are not
split: a restore must not depend on joining pieces.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

FAT_MAX_FILE_BYTES = 4 * 1024**3 - 1
FAT_NAMES = frozenset({"fat", "fat12", "fat16", "fat32", "vfat", "msdos", "umsdos"})
MOUNTS = Path("/proc/self/mounts")


def file_system(root: Path) -> str | None:
    """The file system's name at `root` (Windows: "NTFS", "FAT32", "exFAT"; Linux: "vfat",
    "exfat", "ext4"…), or None when it cannot be told."""
    try:
        if os.name == "nt":
            return _windows_file_system(root)
        return posix_file_system(root, MOUNTS.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return None


def is_fat(name: str | None) -> bool:
    return name is not None and name.lower() in FAT_NAMES


def posix_file_system(root: Path, mounts: str) -> str | None:
    """From /proc/self/mounts (fstab(5) format; spaces in a mount point written as \\040): the
    type of the longest mount point holding `root`."""
    target = str(root.resolve())
    best: tuple[int, str] | None = None
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ").replace("\\011", "\t").replace("\\134", "\\")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and (best is None or len(point) >= best[0]):
            best = (len(point), fields[2])
    return best[1] if best else None


def _windows_file_system(root: Path) -> str | None:
    """GetVolumePathNameW (the volume holding `root`, also a folder mount point), then
    GetVolumeInformationW's file system name."""
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined,unused-ignore]
    volume = ctypes.create_unicode_buffer(1024)
    if not kernel32.GetVolumePathNameW(str(root), volume, len(volume)):
        return None
    name = ctypes.create_unicode_buffer(64)
    ok = kernel32.GetVolumeInformationW(volume.value, None, 0, None, None, None, name, len(name))
    return name.value if ok else None
