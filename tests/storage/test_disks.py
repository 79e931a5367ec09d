"""The disk registry, where two threads meet: the watchdog's look at the disk and a copy's check
register a new disk at the same moment."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from storage.database import make_engine, upgrade
from storage.disks import DiskRegistry
from storage.models import ChainEntry, ExternalDisk


def test_a_disk_registered_twice_at_once_is_registered_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'log.db'}"
    engine = make_engine(url)
    upgrade(engine)
    disks = DiskRegistry(engine)
    other = DiskRegistry(make_engine(url))
    at = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    raced: list[bool] = []

    @event.listens_for(Session, "before_flush")
    def another_thread_wins(session: Session, *_: object) -> None:
        # Between this session's look (no such disk) and its insert, the other registers it.
        if not raced and any(isinstance(o, ExternalDisk) for o in session.new):
            raced.append(True)
            other.register("disk-1", "HDD-A", 1000, at)

    try:
        disks.register("disk-1", "HDD-A", 1000, at)
    finally:
        event.remove(Session, "before_flush", another_thread_wins)
    assert raced == [True]
    assert [(d.id, d.label) for d in disks.all()] == [("disk-1", "HDD-A")]
    # Recorded once in the evidence chain, not twice.
    with Session(engine) as session:
        kinds = session.scalars(select(ChainEntry.kind)).all()
    assert kinds.count("disk") == 1
