"""Small facts the bot keeps between restarts (the schedule set from chat, when an alert was
last sent), one row per key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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
