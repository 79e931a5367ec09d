"""A look at the .env file itself, before settings are read from it.

The settings object cannot see what it was not asked for: a misspelt `EXTERNAL_DISK=` is ignored
and step 11 silently switches off. So the file is read line by line for keys no setting has (with
"did you mean"), lines that are not `KEY=value`, the example's placeholder values left in, and
Windows paths in double quotes, where python-dotenv reads backslash escapes (`"D:\\oracle\\admin"`
holds a bell character where `\\a` was). Findings are kinds with
their facts; their words are in `texts/checklist.py`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from core.textfile import file_encoding

# The placeholders of .env.example: left in, they look like real settings.
EXAMPLE_TOKEN = "123456789:replace-with-the-token-from-BotFather"  # noqa: S105 (a placeholder)
EXAMPLE_IDS = frozenset({"100000001", "100000002", "100000003", "100000004"})
ID_KEYS = ("KABID_IDS", "KASI_IDS", "ADB_IDS")
ESCAPES = frozenset("abfnrtv0\\'\"")  # what python-dotenv decodes after a backslash


class EnvKind(StrEnum):
    NOT_KEY_VALUE = "not_key_value"  # `seen`: the start of the line
    UNKNOWN_KEY = "unknown_key"  # `close`: the known names it resembles
    EXAMPLE_TOKEN = "example_token"  # noqa: S105 (a kind of finding)
    EXAMPLE_IDS = "example_ids"
    ESCAPES_IN_QUOTES = "escapes_in_quotes"


@dataclass(frozen=True)
class EnvFinding:
    fatal: bool
    key: str  # empty on a line that is not KEY=value
    kind: EnvKind
    line: int
    seen: str = ""
    close: tuple[str, ...] = ()


def lint_env_file(path: Path, known: Iterable[str]) -> list[EnvFinding]:
    from dotenv.parser import parse_stream

    names = sorted(set(known))
    found: list[EnvFinding] = []
    # Notepad's BOM and PowerShell 5.1's UTF-16 are read as the bot reads them.
    with path.open(encoding=file_encoding(path)) as stream:
        for binding in parse_stream(stream):
            line = binding.original.line
            if binding.error:
                seen = binding.original.string.strip()[:60]
                found.append(EnvFinding(True, "", EnvKind.NOT_KEY_VALUE, line, seen=seen))
                continue
            if binding.key is None:
                continue
            key, value = binding.key.strip(), binding.value or ""
            if key.upper() not in names:
                close = tuple(difflib.get_close_matches(key.upper(), names, n=2, cutoff=0.6))
                found.append(EnvFinding(True, key, EnvKind.UNKNOWN_KEY, line, close=close))
                continue
            found += _placeholder(key.upper(), value, line)
            raw = binding.original.string.partition("=")[2].strip()
            if raw.startswith('"') and _has_escape(raw):
                found.append(EnvFinding(False, key, EnvKind.ESCAPES_IN_QUOTES, line))
    return found


def _placeholder(key: str, value: str, line: int) -> list[EnvFinding]:
    if key == "TELEGRAM_BOT_TOKEN" and value == EXAMPLE_TOKEN:
        return [EnvFinding(True, key, EnvKind.EXAMPLE_TOKEN, line)]
    if key in ID_KEYS:
        ids = {part.strip() for part in value.replace(";", ",").split(",")}
        if ids & EXAMPLE_IDS:
            return [EnvFinding(True, key, EnvKind.EXAMPLE_IDS, line)]
    return []


def _has_escape(raw: str) -> bool:
    return any(raw[i] == "\\" and raw[i + 1] in ESCAPES for i in range(len(raw) - 1))
