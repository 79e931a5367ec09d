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
        # An office cannot bloat the central database with large or unknown records.
        sa.CheckConstraint(
            "kind IN ('dump', 'copy', 'drill', 'day', 'check')", name="ck_evidence_known_kind"
        ),
        sa.CheckConstraint("octet_length(detail::text) <= 65536", name="ck_evidence_small"),
    )
    op.create_index(
        "ix_evidence_office_kind_ok_at", "evidence", ["office_id", "kind", "ok", "happened_at"]
    )
    op.create_index("ix_evidence_happened_at", "evidence", ["happened_at"])
    # "Was this copy found damaged since?": the supervisor's view asks it for each office.
    op.execute(
        "CREATE INDEX ix_evidence_damaged_copy ON evidence (office_id, (detail ->> 'copy')) "
        "WHERE kind = 'check'"
    )
    op.create_table(
        "heartbeats",
        sa.Column("office_id", sa.String(8), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("queued", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("office_id", name="pk_heartbeats"),
        sa.CheckConstraint("length(note) <= 500", name="ck_heartbeats_note_short"),
    )
    # Roles are cluster-wide: a second central database on the same server reuses them.
    for role in (OFFICE, SUPERVISOR):
        op.execute(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') "
            f"THEN CREATE ROLE {role} NOLOGIN; END IF; END $$"
        )
    # Nobody but the administrator creates objects here (before PostgreSQL 15 everyone could
    # in `public`: a function of an office's could then run as the administrator), and only the
    # two groups may connect to this database.
    op.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    op.execute(
        "DO $$ BEGIN EXECUTE pg_catalog.format('REVOKE ALL ON DATABASE %I FROM PUBLIC', "
        "pg_catalog.current_database()); EXECUTE pg_catalog.format("
        "'GRANT CONNECT ON DATABASE %I TO sopbot_kantor, sopbot_pusat', "
        "pg_catalog.current_database()); END $$"
    )
    # The office a login belongs to, read from its role name (sopbot_kantor_5108 -> 5108):
    # nothing an office sends can claim another office's id.
    op.execute(
        "CREATE FUNCTION sopbot_office_id() RETURNS text LANGUAGE sql STABLE "
        "SET search_path = pg_catalog AS "
        "$$ SELECT substring(current_user from '^sopbot_kantor_([0-9]+)$') $$"
    )
    # The server's clock, not the office's: a record cannot claim to be from the future (an
    # office PC set a year ahead would otherwise look safe for a year), and a heartbeat is when
    # it arrived.
    op.execute(
        "CREATE FUNCTION sopbot_stamp_evidence() RETURNS trigger LANGUAGE plpgsql "
        "SET search_path = pg_catalog AS $$ BEGIN "
        "NEW.received_at := now(); "
        "NEW.happened_at := least(NEW.happened_at, now() + interval '5 minutes'); "
        "RETURN NEW; END $$"
    )
    op.execute(
        "CREATE TRIGGER evidence_stamped BEFORE INSERT ON evidence "
        "FOR EACH ROW EXECUTE FUNCTION sopbot_stamp_evidence()"
    )
    op.execute(
        "CREATE FUNCTION sopbot_stamp_heartbeat() RETURNS trigger LANGUAGE plpgsql "
        "SET search_path = pg_catalog AS $$ BEGIN NEW.seen_at := now(); RETURN NEW; END $$"
    )
    op.execute(
        "CREATE TRIGGER heartbeats_stamped BEFORE INSERT OR UPDATE ON heartbeats "
        "FOR EACH ROW EXECUTE FUNCTION sopbot_stamp_heartbeat()"
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
    op.execute("DROP INDEX IF EXISTS ix_evidence_damaged_copy")
    op.drop_index("ix_evidence_happened_at", table_name="evidence")
    op.drop_index("ix_evidence_office_kind_ok_at", table_name="evidence")
    op.drop_table("evidence")
    op.drop_table("offices")
    op.execute("DROP FUNCTION IF EXISTS sopbot_office_id()")
    op.execute("DROP FUNCTION IF EXISTS sopbot_stamp_evidence()")
    op.execute("DROP FUNCTION IF EXISTS sopbot_stamp_heartbeat()")
