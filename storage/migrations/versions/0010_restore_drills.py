"""Restore drills: a copy restored from the external disk, what it proved, how long it took.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "restore_drills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("copy_id", sa.Integer(), nullable=True),
        sa.Column("dump_run_id", sa.Integer(), nullable=True),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("disk_label", sa.String(length=128), nullable=False),
        sa.Column("backend", sa.String(length=16), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.BigInteger(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("restore_seconds", sa.Float(), nullable=True),
        sa.Column("compared", sa.Integer(), nullable=False),
        sa.Column("mismatches", sa.Integer(), nullable=False),
        sa.Column("proofs", sa.Text(), nullable=False),
        sa.Column("errors", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["copy_id"],
            ["external_copies.id"],
            name=op.f("fk_restore_drills_copy_id_external_copies"),
        ),
        sa.ForeignKeyConstraint(
            ["dump_run_id"], ["dump_runs.id"], name=op.f("fk_restore_drills_dump_run_id_dump_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_restore_drills")),
    )
    op.create_index(
        "ix_restore_drills_outcome_finished", "restore_drills", ["outcome", "finished_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_restore_drills_outcome_finished", table_name="restore_drills")
    op.drop_table("restore_drills")
