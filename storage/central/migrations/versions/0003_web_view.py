"""The web view of the central database: the web service's group role, read-only tokens (web
login and Prometheus), supervisors limited to a region, and the record of every page viewed.

What a viewer of the web service may see is a LIKE pattern over office ids ('%' every office,
'51%' a province, '5108' one office), set by the service for each transaction
(`SET LOCAL sopbot.viewer`): row-level security applies it, so a query that forgets a WHERE
still cannot show another region's office. A supervisor's login limited to a region is held to
it the same way, in the chat and the CLI too.

Revision ID: c0003
Revises: c0002
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c0003"
down_revision: str | None = "c0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WEB = "sopbot_web"
EVIDENCE_TABLES = ("offices", "evidence", "heartbeats")


def upgrade() -> None:
    op.execute(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{WEB}') "
        f"THEN CREATE ROLE {WEB} NOLOGIN; END IF; END $$"
    )
    op.execute(
        "DO $$ BEGIN EXECUTE pg_catalog.format('GRANT CONNECT ON DATABASE %I TO sopbot_web', "
        "pg_catalog.current_database()); END $$"
    )
    op.create_table(
        "access_tokens",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("purpose", sa.String(8), nullable=False),
        # SHA-256 of a random 32-byte token: the token itself is shown once and kept nowhere.
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("scope", sa.String(8), nullable=False),  # a LIKE pattern over office ids
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("purpose", "name", name="pk_access_tokens"),
        sa.UniqueConstraint("token_sha256", name="uq_access_tokens_token_sha256"),
        sa.CheckConstraint("purpose IN ('web', 'metrics')", name="ck_access_tokens_purpose"),
        sa.CheckConstraint("scope ~ '^([0-9]{2,6}%?|%)$'", name="ck_access_tokens_scope"),
    )
    op.create_table(
        "supervisor_regions",
        sa.Column("role_name", sa.String(63), nullable=False),
        sa.Column("region", sa.String(6), nullable=False),
        sa.PrimaryKeyConstraint("role_name", name="pk_supervisor_regions"),
        sa.CheckConstraint("region ~ '^[0-9]{2,6}$'", name="ck_supervisor_regions_code"),
    )
    op.create_table(
        "page_views",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("viewer", sa.String(80), nullable=False),
        sa.Column("path", sa.String(200), nullable=False),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_page_views"),
    )
    # "Who looked at what, lately": the administrator's question.
    op.create_index("ix_page_views_at", "page_views", ["at"])
    # A supervisor's region: '%' (every office) unless the administrator limited the login.
    # Inside a SECURITY DEFINER function current_user is the owner: the login is session_user.
    op.execute(
        "CREATE FUNCTION sopbot_supervisor_scope() RETURNS text LANGUAGE sql STABLE "
        "SECURITY DEFINER SET search_path = pg_catalog AS "
        "$$ SELECT coalesce((SELECT r.region || '%' FROM public.supervisor_regions r "
        "WHERE r.role_name = session_user), '%') $$"
    )
    # The web service's viewer, as set for this transaction; nothing when it was not set.
    op.execute(
        "CREATE FUNCTION sopbot_web_scope() RETURNS text LANGUAGE sql STABLE "
        "SET search_path = pg_catalog AS "
        "$$ SELECT CASE WHEN current_setting('sopbot.viewer', true) ~ '^([0-9]{2,6}%?|%)$' "
        "THEN current_setting('sopbot.viewer', true) END $$"
    )
    op.execute("REVOKE ALL ON FUNCTION sopbot_supervisor_scope() FROM PUBLIC")
    op.execute("GRANT EXECUTE ON FUNCTION sopbot_supervisor_scope() TO sopbot_pusat")
    for table in EVIDENCE_TABLES:
        # `(SELECT f())`: evaluated once per query, not once per row.
        op.execute(f"DROP POLICY {table}_supervisors ON {table}")
        op.execute(
            f"CREATE POLICY {table}_supervisors ON {table} FOR SELECT TO sopbot_pusat "
            "USING (office_id LIKE (SELECT sopbot_supervisor_scope()))"
        )
        op.execute(
            f"CREATE POLICY {table}_web ON {table} FOR SELECT TO sopbot_web "
            "USING (office_id LIKE (SELECT sopbot_web_scope()))"
        )
    op.execute("GRANT USAGE ON SCHEMA public TO sopbot_web")
    op.execute("GRANT SELECT ON offices, evidence, heartbeats TO sopbot_web")
    op.execute("GRANT SELECT ON access_tokens, supervisor_regions TO sopbot_web")
    op.execute("GRANT INSERT ON page_views TO sopbot_web")


def downgrade() -> None:
    for table in EVIDENCE_TABLES:
        op.execute(f"DROP POLICY IF EXISTS {table}_web ON {table}")
        op.execute(f"DROP POLICY IF EXISTS {table}_supervisors ON {table}")
        op.execute(
            f"CREATE POLICY {table}_supervisors ON {table} FOR SELECT TO sopbot_pusat USING (true)"
        )
    op.execute("REVOKE ALL ON offices, evidence, heartbeats FROM sopbot_web")
    op.execute("DROP FUNCTION IF EXISTS sopbot_web_scope()")
    op.execute("DROP FUNCTION IF EXISTS sopbot_supervisor_scope()")
    op.drop_index("ix_page_views_at", table_name="page_views")
    op.drop_table("page_views")
    op.drop_table("supervisor_regions")
    op.drop_table("access_tokens")
    op.execute(
        "DO $$ BEGIN EXECUTE pg_catalog.format('REVOKE ALL ON DATABASE %I FROM sopbot_web', "
        "pg_catalog.current_database()); END $$"
    )
