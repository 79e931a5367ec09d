"""Small facts the bot keeps between restarts (the schedule set from chat, when an alert was
last sent), one row per key."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_

from storage.models import AppState
from storage.repository import Repository


@dataclass
class StateStore(Repository):
    def get(self, key: str) -> str | None:
        with self._sessions() as session:
            row = session.get(AppState, key)
            return None if row is None else row.value

    def set(self, key: str, value: str, at: datetime, by: int | None = None) -> None:
        with self._sessions.begin() as session:
            row = session.get(AppState, key)
            if row is None:
                session.add(AppState(key=key, value=value, updated_at=at, updated_by=by))
            else:
                row.value, row.updated_at, row.updated_by = value, at, by

    def prune(self, prefixes: Sequence[str], before: datetime) -> int:
        """Forget keys with these prefixes last set before `before` (one-off marks such as the
        day a summary went out); other keys are kept whatever their age."""
        if not prefixes:
            return 0
        with self._sessions.begin() as session:
            result = session.execute(
                delete(AppState).where(
                    AppState.updated_at < before,
                    or_(*(AppState.key.startswith(prefix) for prefix in prefixes)),
                )
            )
            return int(getattr(result, "rowcount", 0) or 0)
