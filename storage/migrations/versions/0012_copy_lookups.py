"""Indexes for the per-minute questions on copies, so their cost does not grow with the years:
the newest copy on a disk, and whether a dump is copied.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_external_copies_disk_outcome_finished",
        "external_copies",
        ["disk_id", "outcome", "finished_at"],
    )
    op.create_index("ix_external_copies_dump_run_id", "external_copies", ["dump_run_id"])


def downgrade() -> None:
    op.drop_index("ix_external_copies_dump_run_id", table_name="external_copies")
    op.drop_index("ix_external_copies_disk_outcome_finished", table_name="external_copies")
