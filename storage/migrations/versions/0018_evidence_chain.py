"""The evidence chain and its signed checkpoints; the history so far folded in once, each entry
marked as recorded before the chain.

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-03
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision: str = "0018"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# When each kind of row happened, for the order of the folded history.
WHEN = {
    "dump": ("finished_at", "started_at"),
    "copy": ("finished_at", "started_at"),
    "drill": ("finished_at", "started_at"),
    "disk": ("lost_at", "registered_at"),
    "member": ("removed_at", "added_at"),
    "instruction": ("closed_at", "issued_at"),
    "step": ("finished_at",),
    "audit": ("at",),
}


def upgrade() -> None:
    op.create_table(
        "evidence_chain",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_evidence_chain")),
    )
    op.create_index("ix_evidence_chain_kind_seq", "evidence_chain", ["kind", "seq"])
    op.create_table(
        "chain_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("head", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("witnessed_note", sa.Text(), server_default="", nullable=False),
        sa.Column("witnessed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_checkpoints")),
    )
    op.create_index("ix_chain_checkpoints_size", "chain_checkpoints", ["size"])
    _fold_history()


def _fold_history() -> None:
    from storage import chain

    session = Session(bind=op.get_bind())
    rows: list[tuple[datetime, int, int, chain.Subject, dict[str, Any]]] = []
    for order, subject in enumerate(chain.SUBJECTS):
        table = subject.model.__table__
        columns = [table.c["id"], *(table.c[name] for name in subject.fields)]
        for found in session.execute(sa.select(*columns)).mappings():
            values = dict(found)
            if subject.pending(values):
                continue
            when = next((values[n] for n in WHEN[subject.kind] if values[n] is not None), None)
            at = when or datetime(1970, 1, 1, tzinfo=UTC)
            rows.append((at, order, values["id"], subject, values))
    rows.sort(key=lambda item: item[:3])
    for at, _, ident, subject, values in rows:
        chain.append(
            session,
            at=at,
            kind=subject.kind,
            ref=f"{subject.kind}:{ident}",
            state=chain.snapshot(subject, values),
            before_chain=True,
        )
    session.flush()


def downgrade() -> None:
    op.drop_index("ix_chain_checkpoints_size", table_name="chain_checkpoints")
    op.drop_table("chain_checkpoints")
    op.drop_index("ix_evidence_chain_kind_seq", table_name="evidence_chain")
    op.drop_table("evidence_chain")
