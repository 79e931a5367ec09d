"""Reading the small text files a person writes by hand: `.env`, secret files (`*_FILE`), keys.

On Windows they are often not plain UTF-8: PowerShell 5.1's `'pw' > file` writes UTF-16LE with a
byte-order mark, and Notepad on Server 2016/2019 saves UTF-8 with a BOM. Read naively, the BOM
stays in the value (a password that never matches, ORA-01017 every night) or the file does not
decode at all (a traceback at start). The encoding is therefore taken from the BOM; without one
the file must be UTF-8, and a file that is neither is a clear error naming it.
"""

from __future__ import annotations

import codecs
from pathlib import Path

# Longest first: a UTF-32LE mark begins with the UTF-16LE one.
_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
MAX_BYTES = 1024 * 1024  # a settings or key file is a few hundred bytes; never read a disk image


class TextFileError(ValueError):
    """The file is not text the bot can read; the message (Indonesian) says what to do."""


def detect_encoding(data: bytes) -> tuple[str, int]:
    """The codec for `data` and the length of its byte-order mark (0 without one)."""
    for mark, codec in _MARKS:
        if data.startswith(mark):
            return codec, len(mark)
    return "utf-8", 0


def decode_text(data: bytes, name: str) -> str:
    """`data` as text without its BOM; TextFileError when it does not decode."""
    codec, skip = detect_encoding(data)
    try:
        return data[skip:].decode(codec)
    except UnicodeDecodeError:
        raise TextFileError(
            f"{name}: bukan teks UTF-8 atau UTF-16 yang sah; simpan ulang sebagai UTF-8 "
            "(Notepad: Save As, Encoding UTF-8; PowerShell: Set-Content -Encoding UTF8)"
        ) from None


def read_text(path: Path) -> str:
    """The text of a small hand-written file, whatever BOM it has (OSError if unreadable)."""
    with path.open("rb") as stream:
        data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise TextFileError(f"{path}: terlalu besar untuk file pengaturan atau kunci")
    return decode_text(data, str(path))


def file_encoding(path: Path) -> str:
    """The codec to open `path` with (for libraries that read it themselves, e.g. python-dotenv):
    UTF-8 with its BOM skipped, or UTF-16/32 with theirs."""
    with path.open("rb") as stream:
        codec, skip = detect_encoding(stream.read(4))
    if codec == "utf-8":
        return "utf-8-sig"
    # The plain codec names ("utf-16") consume the BOM themselves.
    return codec.removesuffix("-le").removesuffix("-be") if skip else codec
