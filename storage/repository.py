"""The base of the query classes: an engine and short-lived sessions from it."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker


@dataclass
class Repository:
    engine: Engine
    _sessions: sessionmaker[Session] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Results are returned as plain records, so nothing needs a live session afterwards.
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
