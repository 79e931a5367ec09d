"""A look at the .env file itself, before settings are read from it.

The settings object cannot see what it was not asked for: a misspelt `EXTERNAL_DISK=` is ignored
and step 11 silently switches off. So the file is read line by line for keys no setting has (with
"did you mean"), lines that are not `KEY=value`, the example's placeholder values left in, and
Windows paths in double quotes, where python-dotenv reads backslash escapes (`"D:\\oracle\\admin"`
holds a bell character where `\\a` was). Findings are in Indonesian; setting names stay English.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from core.textfile import file_encoding

# The placeholders of .env.example: left in, they look like real settings.
EXAMPLE_TOKEN = "123456789:replace-with-the-token-from-BotFather"  # noqa: S105 (a placeholder)
EXAMPLE_IDS = frozenset({"100000001", "100000002", "100000003", "100000004"})
ID_KEYS = ("KABID_IDS", "KASI_IDS", "ADB_IDS")
ESCAPES = frozenset("abfnrtv0\\'\"")  # what python-dotenv decodes after a backslash


@dataclass(frozen=True)
class EnvFinding:
    fatal: bool
    key: str
    text: str  # Indonesian


def lint_env_file(path: Path, known: Iterable[str]) -> list[EnvFinding]:
    from dotenv.parser import parse_stream

    names = sorted(set(known))
    found: list[EnvFinding] = []
    # Notepad's BOM and PowerShell 5.1's UTF-16 are read as the bot reads them.
    with path.open(encoding=file_encoding(path)) as stream:
        for binding in parse_stream(stream):
            line = binding.original.line
            if binding.error:
                text = binding.original.string.strip()[:60]
                found.append(EnvFinding(True, f"baris {line}", f"bukan KUNCI=nilai: {text!r}"))
                continue
            if binding.key is None:
                continue
            key, value = binding.key.strip(), binding.value or ""
            if key.upper() not in names:
                close = difflib.get_close_matches(key.upper(), names, n=2, cutoff=0.6)
                hint = f"; maksud Anda {' atau '.join(close)}?" if close else ""
                found.append(
                    EnvFinding(True, key, f"tidak dikenal (baris {line}), diabaikan bot{hint}")
                )
                continue
            found += _placeholder(key.upper(), value)
            raw = binding.original.string.partition("=")[2].strip()
            if raw.startswith('"') and _has_escape(raw):
                found.append(
                    EnvFinding(
                        False,
                        key,
                        f"nilai dalam tanda kutip ganda berisi \\ (baris {line}): \\ dibaca "
                        "sebagai kode khusus (\\a menjadi bunyi bel). Tulis tanpa tanda kutip, "
                        "dengan tanda kutip tunggal, atau dengan /",
                    )
                )
    return found


def _placeholder(key: str, value: str) -> list[EnvFinding]:
    if key == "TELEGRAM_BOT_TOKEN" and value == EXAMPLE_TOKEN:
        return [EnvFinding(True, key, "masih token contoh dari .env.example; isi token @BotFather")]
    if key in ID_KEYS:
        ids = {part.strip() for part in value.replace(";", ",").split(",")}
        if ids & EXAMPLE_IDS:
            return [
                EnvFinding(
                    True,
                    key,
                    "masih ID contoh dari .env.example; isi ID Telegram petugas yang sebenarnya "
                    "(terlihat saat ia mengirim /start ke bot)",
                )
            ]
    return []


def _has_escape(raw: str) -> bool:
    return any(raw[i] == "\\" and raw[i + 1] in ESCAPES for i in range(len(raw) - 1))
