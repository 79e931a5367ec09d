"""The two pieces every read of the external disk rests on: opening only regular files, and
telling a whole zstd stream from one cut short while decompressing it a piece at a time."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
import zstandard
from portability import needs_fifo, needs_symlinks

from jobs.external.copy import CopyError, restore
from jobs.external.foreign import UnsafeFile, open_regular, plain_name, read_regular


def frame(data: bytes, checksum: bool = True) -> bytes:
    out = io.BytesIO()
    compressor = zstandard.ZstdCompressor(level=3, write_checksum=checksum)
    with compressor.stream_writer(out, closefd=False) as writer:
        writer.write(data)
    return out.getvalue()


SKIPPABLE = (0x184D2A53).to_bytes(4, "little") + (5).to_bytes(4, "little") + b"12345"


@pytest.mark.parametrize(
    "parts",
    [
        [frame(os.urandom(300_000) + bytes(400_000))],
        [frame(b"a" * 1000, checksum=False), frame(b"b" * 200_000)],  # two frames, as zstd -c a b
        [SKIPPABLE, frame(b"c" * 5000), SKIPPABLE],
    ],
)
def test_whole_zstd_streams_restore(tmp_path: Path, parts: list[bytes]) -> None:
    copy = tmp_path / "x.dmp.zst"
    copy.write_bytes(b"".join(parts))
    expected = b"".join(zstandard.ZstdDecompressor().decompressobj().decompress(p) for p in parts)
    restored = tmp_path / "x.dmp"
    restore(copy, restored)
    assert restored.read_bytes() == expected


@pytest.mark.parametrize("cut", [1, 3, 4, 9, -4, -1])
def test_a_stream_cut_anywhere_never_restores(tmp_path: Path, cut: int) -> None:
    whole = frame(os.urandom(200_000) + bytes(300_000))
    copy = tmp_path / "x.dmp.zst"
    copy.write_bytes(whole[:cut])  # inside the header, at a block boundary, before the checksum
    with pytest.raises(CopyError):
        restore(copy, tmp_path / "x.dmp")
    assert not list(tmp_path.glob("x.dmp*.partial")) and not (tmp_path / "x.dmp").exists()


def test_only_regular_files_are_opened(tmp_path: Path) -> None:
    regular = tmp_path / "r"
    regular.write_bytes(b"data")
    with open_regular(regular) as stream:
        assert stream.read() == b"data"
    with pytest.raises(UnsafeFile):
        open_regular(tmp_path)  # a folder
    with pytest.raises(UnsafeFile):
        open_regular(regular, device=regular.stat().st_dev + 1)
    with pytest.raises(UnsafeFile):
        read_regular(regular, 3)
    assert read_regular(regular, 4) == b"data"


@needs_fifo
def test_a_fifo_or_a_device_is_never_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "f"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero")):
        with pytest.raises(UnsafeFile):
            open_regular(path)


@needs_symlinks
def test_a_link_is_never_followed(tmp_path: Path) -> None:
    regular = tmp_path / "r"
    regular.write_bytes(b"data")
    link = tmp_path / "l"
    link.symlink_to(regular)
    with pytest.raises(UnsafeFile):
        open_regular(link)


@pytest.mark.parametrize(
    ("name", "plain"),
    [
        ("SIAK_20261125_0100.dmp.zst.age", True),
        ("/etc/passwd", False),
        ("../x.dmp", False),
        ("..", False),
        ("a\\b", False),
        ("C:x", False),
        ("x\n", False),
        ("", False),
        ("x" * 256, False),
    ],
)
def test_a_manifest_name_is_a_plain_file_of_the_folder(name: str, plain: bool) -> None:
    assert plain_name(name) is plain
