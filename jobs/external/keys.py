"""The office's age key, read once and checked before any copy is judged with it.

A key problem is never a copy problem: a key file that cannot be read, holds no key, or holds a
mistyped one is said as such (one line, naming the file), before a single copy is opened.
"""

from __future__ import annotations

import codecs
import io
from pathlib import Path
from typing import Any

from core.problems import Code, Problem, problem

PREFIX = "AGE-SECRET-KEY-1"
MAX_KEY_FILE = 64 * 1024  # a key file is a few lines; anything larger is not one


class KeyFileError(Exception):
    """The key file cannot be used; `problem` says why (one of the KEY_* codes)."""

    def __init__(self, found: Problem) -> None:
        super().__init__(found.english())
        self.problem = found


def _text(data: bytes) -> str:
    """The file's text: UTF-8 (with or without a BOM, as Notepad writes it) or UTF-16 with a BOM
    (PowerShell 5.1's `>`)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")


def normalise(line: str) -> str | None:
    """An age secret key as age writes it, from a line typed by a person: surrounding spaces
    dropped and, Bech32 being one case only, lower case raised. None: not a key line."""
    candidate = line.strip()
    return candidate.upper() if candidate.upper().startswith(PREFIX) else None


def parse_identities(text: str, source: str) -> list[str]:
    """Every secret key in an age identity file's text, each checked; comments and blank lines
    are skipped as age does. Raises KeyFileError naming `source` and the line."""
    import pyrage

    keys: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        key = normalise(stripped)
        try:
            if key is None:
                raise ValueError("not a key line")
            pyrage.x25519.Identity.from_str(key)
        except Exception as exc:  # pyrage's IdentityError: a mistyped or cut key
            raise KeyFileError(problem(Code.KEY_MALFORMED, line=number, path=source)) from exc
        keys.append(key)
    if not keys:
        raise KeyFileError(problem(Code.KEY_NONE, path=source))
    return keys


def load_identities(path: Path) -> list[str]:
    """The checked secret keys in the file at `path` (KeyFileError when it cannot be used)."""
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_KEY_FILE + 1)
        if len(data) > MAX_KEY_FILE:
            raise KeyFileError(problem(Code.KEY_NONE, path=str(path)))
        text = _text(data)
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise KeyFileError(problem(Code.KEY_UNREADABLE, path=str(path), why=why)) from exc
    except UnicodeDecodeError as exc:
        raise KeyFileError(problem(Code.KEY_MALFORMED, line=1, path=str(path))) from exc
    return parse_identities(text, str(path))


def office_identities(path: Path | None) -> list[str]:
    """EXTERNAL_AGE_IDENTITY_FILE's keys; none when it is not set (KeyFileError when it is set
    but cannot be used)."""
    return [] if path is None else load_identities(path)


def public_keys(identities: list[str]) -> set[str]:
    """The age1… public keys of checked secret keys."""
    import pyrage

    return {str(pyrage.x25519.Identity.from_str(i).to_public()) for i in identities}


HEADER_BYTES = 64 * 1024  # an age header is a few hundred bytes per recipient


class _Discard(io.RawIOBase):
    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        return len(data)


def header_rejects(copy: Path, identities: list[str]) -> bool:
    """True when the age header of `copy` has no stanza these keys open: read from its first
    bytes only, so a wrong key is known without reading a whole disk. False when a key matched
    (the rest, cut off here, is not judged) or when it cannot be told."""
    import pyrage

    try:
        keys = [pyrage.x25519.Identity.from_str(i) for i in identities]
        with copy.open("rb") as stream:
            head = stream.read(HEADER_BYTES)
        pyrage.decrypt_io(io.BytesIO(head), _Discard(), keys)
    except pyrage.DecryptError:
        return True  # "no matching keys" (or a header that is not age's: judged by its hash)
    except Exception:  # a key matched and the payload, cut short here, ended early
        return False
    return False
