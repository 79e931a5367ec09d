"""A local fallback journal for when the SOP log cannot be written (a full disk, a read-only or
vanished database): the results of backups are appended here, one JSON line each, flushed to the
disk, and merged into the log once it can be written again. Nothing a job found is lost.

It lives beside the bot's data, not in the database, so it does not share the database's fate
when the database itself is the problem (keep DATA_DIR and the database apart when you can).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, kind: str, record: dict[str, Any]) -> None:
        """Keep one result; raises OSError only when even this file cannot be written."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"kind": kind, **record}, default=_encode, ensure_ascii=False)
        with self.path.open("a", encoding="utf-8") as stream:
            stream.write(line + "\n")
            stream.flush()
            os.fsync(stream.fileno())
        log.warning("SOP log not writable: %s kept in %s", kind, self.path)

    def entries(self) -> list[dict[str, Any]]:
        try:  # bytes first: a line torn by a crash must not hide the others
            lines = self.path.read_bytes().decode("utf-8", errors="replace").splitlines()
        except FileNotFoundError:
            return []
        found = []
        for line in lines:
            try:
                found.append(json.loads(line))
            except ValueError:  # a line cut by a crash mid-write: the rest still counts
                log.error("Skipped a damaged journal line in %s", self.path)
        return found

    def merge(self, apply: Callable[[dict[str, Any]], None]) -> int:
        """Hand every kept result to `apply` (which writes it to the log), then start afresh.
        Stops at the first that fails, keeping it and the rest for next time."""
        entries = self.entries()
        for done, entry in enumerate(entries):
            try:
                apply(entry)
            except Exception:
                log.exception("Journal entry %s could not be merged yet", done)
                self._keep(entries[done:])
                return done
        if entries:
            self.path.unlink(missing_ok=True)
        return len(entries)

    def _keep(self, entries: list[dict[str, Any]]) -> None:
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(
            "".join(json.dumps(e, default=_encode, ensure_ascii=False) + "\n" for e in entries),
            encoding="utf-8",
        )
        os.replace(temporary, self.path)


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot keep {type(value).__name__} in the journal")
