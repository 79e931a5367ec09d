"""Problems are stored as codes with parameters (JSON) instead of English sentences; old rows
keep their sentences as legacy entries, so they stay readable.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _coded(text: str | None) -> str:
    """One English line per problem, as earlier releases stored them, as JSON legacy entries."""
    lines = [line for line in (text or "").splitlines() if line.strip()]
    return json.dumps([{"code": "legacy", "params": {"text": line}} for line in lines])


def upgrade() -> None:
    with op.batch_alter_table("step_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("problem", sa.Text(), server_default="", nullable=False))
    connection = op.get_bind()
    dump_runs = sa.table(
        "dump_runs", sa.column("id", sa.Integer), sa.column("errors"), sa.column("warnings")
    )
    for row in connection.execute(sa.select(dump_runs)).all():
        connection.execute(
            dump_runs.update()
            .where(dump_runs.c.id == row.id)
            .values(errors=_coded(row.errors), warnings=_coded(row.warnings))
        )
    copies = sa.table("external_copies", sa.column("id", sa.Integer), sa.column("error"))
    for row in connection.execute(sa.select(copies)).all():
        connection.execute(
            copies.update().where(copies.c.id == row.id).values(error=_coded(row.error))
        )


def downgrade() -> None:
    with op.batch_alter_table("step_events", schema=None) as batch_op:
        batch_op.drop_column("problem")
