"""The office's signed checkpoints of the evidence chain, and the witness's cosignatures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from storage.models import ChainCheckpoint
from storage.repository import Repository


@dataclass(frozen=True)
class CheckpointRecord:
    id: int
    at: datetime
    size: int
    head: str
    note: str
    witnessed_note: str
    witnessed_at: datetime | None
    tree: str = ""  # the Merkle tree's frontier at `size` (hex), "" when not kept


def _record(row: ChainCheckpoint) -> CheckpointRecord:
    return CheckpointRecord(
        row.id,
        row.at,
        row.size,
        row.head,
        row.note,
        row.witnessed_note or "",
        row.witnessed_at,
        row.tree or "",
    )


@dataclass
class CheckpointLog(Repository):
    def add(
        self, at: datetime, size: int, head: str, note: str, tree: str = ""
    ) -> CheckpointRecord:
        with self._sessions.begin() as session:
            row = ChainCheckpoint(
                at=at, size=size, head=head, note=note, witnessed_note="", tree=tree
            )
            session.add(row)
            session.flush()
            return _record(row)

    def latest(self) -> CheckpointRecord | None:
        with self._sessions() as session:
            row = session.scalars(
                select(ChainCheckpoint).order_by(ChainCheckpoint.id.desc()).limit(1)
            ).first()
            return None if row is None else _record(row)

    def latest_witnessed(self) -> CheckpointRecord | None:
        with self._sessions() as session:
            row = session.scalars(
                select(ChainCheckpoint)
                .where(ChainCheckpoint.witnessed_at.is_not(None))
                .order_by(ChainCheckpoint.id.desc())
                .limit(1)
            ).first()
            return None if row is None else _record(row)

    def latest_tree(self, size: int) -> CheckpointRecord | None:
        """The newest checkpoint that kept its tree's frontier, at most `size` entries."""
        with self._sessions() as session:
            row = session.scalars(
                select(ChainCheckpoint)
                .where(ChainCheckpoint.tree != "", ChainCheckpoint.size <= size)
                .order_by(ChainCheckpoint.size.desc(), ChainCheckpoint.id.desc())
                .limit(1)
            ).first()
            return None if row is None else _record(row)

    def all(self) -> list[CheckpointRecord]:
        with self._sessions() as session:
            rows = session.scalars(select(ChainCheckpoint).order_by(ChainCheckpoint.id))
            return [_record(row) for row in rows]

    def unwitnessed(self, limit: int = 20) -> list[CheckpointRecord]:
        """The newest `limit` checkpoints not (verifiably) witnessed, oldest first: one whose
        cosignature never verifies must not hold back the newer ones."""
        with self._sessions() as session:
            rows = session.scalars(
                select(ChainCheckpoint)
                .where(ChainCheckpoint.witnessed_at.is_(None))
                .order_by(ChainCheckpoint.id.desc())
                .limit(limit)
            )
            return [_record(row) for row in reversed(list(rows))]

    def witnessed(self, checkpoint_id: int, note: str, at: datetime) -> None:
        with self._sessions.begin() as session:
            session.execute(
                update(ChainCheckpoint)
                .where(ChainCheckpoint.id == checkpoint_id)
                .values(witnessed_note=note, witnessed_at=at)
            )
