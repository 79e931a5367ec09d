"""Limits for every login: opaque login names, heartbeats through one function, a daily volume
bound per office.

The role and permission model of the central database (extend it here, in this shape):

- Two NOLOGIN groups carry every privilege: `sopbot_kantor` (offices) and `sopbot_pusat`
  (supervisors). A login is a member of exactly one and holds nothing of its own, so a new kind
  of reader (a web view, a region's supervisor) is a new group with its own grants and policies.
- Login names say nothing: `sopbot_k_<random>` for an office, `sopbot_p_<random>` for a
  supervisor. PostgreSQL shows every role name to every login (`pg_roles` is public), so a name
  like `sopbot_kantor_5108` told every office who else reports. What a login stands for is kept
  in tables: `offices.role_name` (an office reads its own row only) and `supervisors` (nobody but
  the administrator reads it). Logins made before this revision keep their names until the
  administrator runs `sopbot pusat kantor add` / `pengawas add` for them again.
- `sopbot_office_id()` maps the session's login to its office through `offices`; every policy of
  the office group uses it, so nothing an office sends can claim another office's id.
- Offices only insert. Evidence: INSERT and SELECT (own rows). Heartbeats: SELECT (own row) and
  EXECUTE on `sopbot_beat()`, which upserts the office's one row as the owner: the only lock an
  office can take on `heartbeats` is ACCESS SHARE (LOCK TABLE needs UPDATE, DELETE or TRUNCATE for
  any mode that blocks readers or writers, INSERT for ROW EXCLUSIVE), so no office can stop the
  others' heartbeats or the supervisor's view.
- Volume: every insert into `evidence` is counted per office and UTC day in `office_usage` (an
  AFTER ... FOR EACH STATEMENT trigger, owner's rights); a statement that takes an office past
  `offices.daily_records` or `offices.daily_bytes` fails with SQLSTATE 53400 and stores nothing.
  Offices cannot read or change `office_usage`.
- Session limits (statement, lock and idle-in-transaction timeouts, temp_file_limit, a
  connection limit) are set per login with ALTER ROLE by `storage.central.admin`, when a login is
  made and for every existing login at each `sopbot pusat init`.

Revision ID: c0002
Revises: c0001
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c0002"
down_revision: str | None = "c0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DAILY_RECORDS = 20_000  # a decade of an office's history is about 11,000 records
DAILY_BYTES = 32 * 1024 * 1024  # ... and about 20 MB: a first catch-up fits in one day
BEAT = "sopbot_beat(text, text, integer, text, integer)"


def upgrade() -> None:
    op.create_table(
        "supervisors",
        sa.Column("name", sa.String(41), nullable=False),
        sa.Column("role_name", sa.String(63), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("name", name="pk_supervisors"),
        sa.UniqueConstraint("role_name", name="uq_supervisors_role_name"),
    )
    # Supervisors made before this revision: their name is in their login's name.
    op.execute(
        "INSERT INTO supervisors (name, role_name) "
        "SELECT substring(r.rolname from '^sopbot_pusat_(.+)$'), r.rolname "
        "FROM pg_catalog.pg_roles r JOIN pg_catalog.pg_auth_members m ON m.member = r.oid "
        "JOIN pg_catalog.pg_roles g ON g.oid = m.roleid AND g.rolname = 'sopbot_pusat' "
        "WHERE r.rolname ~ '^sopbot_pusat_.+$' ON CONFLICT DO NOTHING"
    )
    op.add_column(
        "offices",
        sa.Column("daily_records", sa.Integer(), server_default=str(DAILY_RECORDS), nullable=False),
    )
    op.add_column(
        "offices",
        sa.Column("daily_bytes", sa.BigInteger(), server_default=str(DAILY_BYTES), nullable=False),
    )
    op.create_table(
        "office_usage",
        sa.Column("office_id", sa.String(8), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("office_id", "day", name="pk_office_usage"),
    )
    # Records an office keeps aside because the central database will never store them: the
    # supervisor sees that its evidence here is incomplete.
    op.add_column(
        "heartbeats", sa.Column("set_aside", sa.Integer(), server_default="0", nullable=False)
    )

    # The login's office from the table, not from its name. SECURITY DEFINER: `offices` is
    # itself under row-level security that calls this function; session_user is the login
    # (inside the function current_user is its owner).
    op.execute(
        "CREATE OR REPLACE FUNCTION sopbot_office_id() RETURNS text LANGUAGE sql STABLE "
        "SECURITY DEFINER SET search_path = pg_catalog AS "
        "$$ SELECT o.office_id::text FROM public.offices o WHERE o.role_name = session_user $$"
    )
    # The heartbeat: the office from the login (an OFFICE_ID that is not the login's is refused,
    # as the policies refuse its evidence), the time from the server's clock, every value bounded.
    op.execute(
        "CREATE FUNCTION sopbot_beat(claimed text, version text, queued integer, note text, "
        "set_aside integer) RETURNS void LANGUAGE plpgsql SECURITY DEFINER "
        "SET search_path = pg_catalog AS $$ "
        "DECLARE office text := public.sopbot_office_id(); BEGIN "
        "IF office IS NULL OR claimed IS DISTINCT FROM office THEN RAISE EXCEPTION "
        "'sopbot: heartbeat refused by row-level security: office % is not this login''s', "
        "claimed USING ERRCODE = '42501'; END IF; "
        "INSERT INTO public.heartbeats AS h (office_id, seen_at, version, queued, note, set_aside) "
        "VALUES (office, now(), left(coalesce(version, ''), 32), greatest(coalesce(queued, 0), 0), "
        "left(coalesce(note, ''), 500), greatest(coalesce(set_aside, 0), 0)) "
        "ON CONFLICT (office_id) DO UPDATE SET seen_at = excluded.seen_at, "
        "version = excluded.version, queued = excluded.queued, note = excluded.note, "
        "set_aside = excluded.set_aside; END $$"
    )
    op.execute(f"REVOKE ALL ON FUNCTION {BEAT} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {BEAT} TO sopbot_kantor")
    op.execute("REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON heartbeats FROM sopbot_kantor")

    op.execute(
        "CREATE FUNCTION sopbot_count_usage() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER "
        "SET search_path = pg_catalog AS $$ "
        "DECLARE r record; BEGIN "
        "FOR r IN SELECT n.office_id, count(*) AS records, "
        "sum(octet_length(n.detail::text) + octet_length(n.key) + 64) AS bytes "
        "FROM new_rows n GROUP BY n.office_id LOOP "
        "INSERT INTO public.office_usage AS u (office_id, day, records, bytes) "
        "VALUES (r.office_id, (now() AT TIME ZONE 'UTC')::date, r.records, r.bytes) "
        "ON CONFLICT (office_id, day) DO UPDATE "
        "SET records = u.records + excluded.records, bytes = u.bytes + excluded.bytes; "
        "IF EXISTS (SELECT 1 FROM public.office_usage u JOIN public.offices o USING (office_id) "
        "WHERE u.office_id = r.office_id AND u.day = (now() AT TIME ZONE 'UTC')::date "
        "AND (u.records > o.daily_records OR u.bytes > o.daily_bytes)) THEN "
        "RAISE EXCEPTION 'sopbot: daily quota of office % used up', r.office_id "
        "USING ERRCODE = '53400'; END IF; END LOOP; RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER evidence_counted AFTER INSERT ON evidence REFERENCING NEW TABLE AS "
        "new_rows FOR EACH STATEMENT EXECUTE FUNCTION sopbot_count_usage()"
    )
    for table in ("supervisors", "office_usage"):
        # No policy: nobody but the owner (the administrator) reads or writes them.
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"REVOKE ALL ON {table} FROM PUBLIC")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS evidence_counted ON evidence")
    op.execute("DROP FUNCTION IF EXISTS sopbot_count_usage()")
    op.execute(f"DROP FUNCTION IF EXISTS {BEAT}")
    op.execute("GRANT INSERT, UPDATE ON heartbeats TO sopbot_kantor")
    op.execute(
        "CREATE OR REPLACE FUNCTION sopbot_office_id() RETURNS text LANGUAGE sql STABLE "
        "SECURITY INVOKER SET search_path = pg_catalog AS "
        "$$ SELECT substring(current_user from '^sopbot_kantor_([0-9]+)$') $$"
    )
    op.drop_column("heartbeats", "set_aside")
    op.drop_table("office_usage")
    op.drop_column("offices", "daily_bytes")
    op.drop_column("offices", "daily_records")
    op.drop_table("supervisors")
