"""External copies (SOP step 11) and files removed by retention.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pruned_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("location", sa.String(length=16), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pruned_files")),
    )
    op.create_table(
        "external_copies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dump_run_id", sa.Integer(), nullable=True),
        sa.Column("source_path", sa.Text(), nullable=False),
        sa.Column("dest_path", sa.Text(), nullable=False),
        sa.Column("disk_id", sa.String(length=64), nullable=False),
        sa.Column("disk_label", sa.String(length=128), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.BigInteger(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("compressed", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dump_run_id"], ["dump_runs.id"], name=op.f("fk_external_copies_dump_run_id_dump_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_copies")),
    )
    with op.batch_alter_table("external_copies", schema=None) as batch_op:
        batch_op.create_index(
            "ix_external_copies_outcome_finished", ["outcome", "finished_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("external_copies", schema=None) as batch_op:
        batch_op.drop_index("ix_external_copies_outcome_finished")

    op.drop_table("external_copies")
    op.drop_table("pruned_files")
