"""The queue of evidence for the central database (many offices, one view), and an index to
find copies found damaged since a time, one for /daftar's lookup of a page of file names, and the
moment a dump is consistent to (the SCN), which the central database is told.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "central_queue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("happened_at", sa.DateTime(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("encrypted", sa.Boolean(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("queued_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_central_queue")),
        sa.UniqueConstraint("key", name=op.f("uq_central_queue_key")),
    )
    op.create_index("ix_central_queue_sent_id", "central_queue", ["sent_at", "id"])
    op.create_index("ix_external_copies_checked_at", "external_copies", ["checked_at"])
    with op.batch_alter_table("dump_runs") as batch:
        batch.add_column(
            sa.Column("consistent_as_of", sa.String(length=64), server_default="", nullable=False)
        )
    op.create_index("ix_external_copies_disk_dest", "external_copies", ["disk_id", "dest_path"])


def downgrade() -> None:
    with op.batch_alter_table("dump_runs") as batch:
        batch.drop_column("consistent_as_of")
    op.drop_index("ix_external_copies_disk_dest", table_name="external_copies")
    op.drop_index("ix_external_copies_checked_at", table_name="external_copies")
    op.drop_index("ix_central_queue_sent_id", table_name="central_queue")
    op.drop_table("central_queue")
