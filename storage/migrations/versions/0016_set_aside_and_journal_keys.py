"""Evidence the central database will never store is set aside (kept, marked, reported) instead
of blocking the queue; a dump run merged from the fallback journal carries the journal entry's
key, so a merge repeated after an interruption writes nothing twice.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("central_queue") as batch:
        batch.add_column(sa.Column("set_aside_at", sa.DateTime(), nullable=True))
        batch.add_column(
            sa.Column("set_aside_reason", sa.String(length=300), server_default="", nullable=False)
        )
    with op.batch_alter_table("dump_runs") as batch:
        batch.add_column(sa.Column("journal_key", sa.String(length=64), nullable=True))
    op.create_index("ix_dump_runs_journal_key", "dump_runs", ["journal_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_dump_runs_journal_key", table_name="dump_runs")
    with op.batch_alter_table("dump_runs") as batch:
        batch.drop_column("journal_key")
    with op.batch_alter_table("central_queue") as batch:
        batch.drop_column("set_aside_reason")
        batch.drop_column("set_aside_at")
