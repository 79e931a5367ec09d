"""Initial SOP log: runs, instructions and their deliveries, step events, refused
commands, known users.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "access_denials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("command", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_denials")),
    )
    op.create_table(
        "known_users",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_known_users")),
    )
    op.create_table(
        "sop_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_date", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sop_runs")),
        sa.UniqueConstraint("run_date", name=op.f("uq_sop_runs_run_date")),
    )
    op.create_table(
        "instructions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("target_role", sa.String(length=16), nullable=False),
        sa.Column("issued_by", sa.BigInteger(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("closed_by", sa.BigInteger(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("close_note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["sop_runs.id"], name=op.f("fk_instructions_run_id_sop_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instructions")),
    )
    with op.batch_alter_table("instructions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_instructions_status_target", ["status", "target_role"], unique=False
        )

    op.create_table(
        "instruction_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instruction_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instruction_id"],
            ["instructions.id"],
            name=op.f("fk_instruction_deliveries_instruction_id_instructions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instruction_deliveries")),
    )
    with op.batch_alter_table("instruction_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_instruction_deliveries_instruction_id"), ["instruction_id"], unique=False
        )

    op.create_table(
        "step_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("step_number", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("actor_role", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("instruction_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["instruction_id"],
            ["instructions.id"],
            name=op.f("fk_step_events_instruction_id_instructions"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["sop_runs.id"], name=op.f("fk_step_events_run_id_sop_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_step_events")),
    )
    with op.batch_alter_table("step_events", schema=None) as batch_op:
        batch_op.create_index("ix_step_events_run_step", ["run_id", "step_number"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("step_events", schema=None) as batch_op:
        batch_op.drop_index("ix_step_events_run_step")

    op.drop_table("step_events")
    with op.batch_alter_table("instruction_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_instruction_deliveries_instruction_id"))

    op.drop_table("instruction_deliveries")
    with op.batch_alter_table("instructions", schema=None) as batch_op:
        batch_op.drop_index("ix_instructions_status_target")

    op.drop_table("instructions")
    op.drop_table("sop_runs")
    op.drop_table("access_denials")
    op.drop_table("known_users")
