"""Remember the last re-read of each external copy (/verifikasi), so a damaged copy stops
counting as evidence.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("external_copies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("checked_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("check_ok", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("external_copies", schema=None) as batch_op:
        batch_op.drop_column("check_ok")
        batch_op.drop_column("checked_at")
