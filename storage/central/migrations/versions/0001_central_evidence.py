"""The central database: offices, evidence, heartbeats; the office and supervisor roles; and
row-level security so an office sees and writes only its own rows.

Revision ID: c0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OFFICE, SUPERVISOR = "sopbot_kantor", "sopbot_pusat"
TABLES = ("offices", "evidence", "heartbeats")


def upgrade() -> None:
    op.create_table(
        "offices",
        sa.Column("office_id", sa.String(8), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role_name", sa.String(63), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("office_id", name="pk_offices"),
        sa.UniqueConstraint("role_name", name="uq_offices_role_name"),
    )
    op.create_table(
        "evidence",
        sa.Column("office_id", sa.String(8), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("happened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("encrypted", sa.Boolean(), nullable=True),
        sa.Column("detail", postgresql.JSONB(), nullable=False),
        sa.Column(
            "received_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("office_id", "key", name="pk_evidence"),
    )
    op.create_index(
        "ix_evidence_office_kind_ok_at", "evidence", ["office_id", "kind", "ok", "happened_at"]
    )
    op.create_index("ix_evidence_happened_at", "evidence", ["happened_at"])
    op.create_table(
        "heartbeats",
        sa.Column("office_id", sa.String(8), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("queued", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("office_id", name="pk_heartbeats"),
    )
    # Roles are cluster-wide: a second central database on the same server reuses them.
    for role in (OFFICE, SUPERVISOR):
        op.execute(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') "
            f"THEN CREATE ROLE {role} NOLOGIN; END IF; END $$"
        )
    # The office a login belongs to, read from its role name (sopbot_kantor_5108 -> 5108):
    # nothing an office sends can claim another office's id.
    op.execute(
        "CREATE FUNCTION sopbot_office_id() RETURNS text LANGUAGE sql STABLE AS "
        "$$ SELECT substring(current_user from '^sopbot_kantor_([0-9]+)$') $$"
    )
    op.execute("GRANT USAGE ON SCHEMA public TO sopbot_kantor, sopbot_pusat")
    op.execute("GRANT SELECT, INSERT ON evidence TO sopbot_kantor")
    op.execute("GRANT SELECT, INSERT, UPDATE ON heartbeats TO sopbot_kantor")
    op.execute("GRANT SELECT ON offices TO sopbot_kantor")
    op.execute("GRANT SELECT ON offices, evidence, heartbeats TO sopbot_pusat")
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY {table}_own_office ON {table} TO sopbot_kantor "
            "USING (office_id = sopbot_office_id()) WITH CHECK (office_id = sopbot_office_id())"
        )
        op.execute(
            f"CREATE POLICY {table}_supervisors ON {table} FOR SELECT TO sopbot_pusat USING (true)"
        )


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP POLICY IF EXISTS {table}_supervisors ON {table}")
        op.execute(f"DROP POLICY IF EXISTS {table}_own_office ON {table}")
    op.drop_table("heartbeats")
    op.drop_index("ix_evidence_happened_at", table_name="evidence")
    op.drop_index("ix_evidence_office_kind_ok_at", table_name="evidence")
    op.drop_table("evidence")
    op.drop_table("offices")
    op.execute("DROP FUNCTION IF EXISTS sopbot_office_id()")
