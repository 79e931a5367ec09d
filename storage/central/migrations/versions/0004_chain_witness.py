"""The central witness of the offices' evidence chains: each office's registered signing key,
the leaf hashes it pushes (insert-only, each extending the office's chain by exactly one), its
signed checkpoints (insert-only; the witness adds its cosignature once), and alarms for a fork,
a gap or a shorter chain, which the database records itself so an office cannot skip them.

Revision ID: c0004
Revises: c0003
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c0004"
down_revision: str | None = "c0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("office_keys", "chain_leaves", "chain_checkpoints", "chain_alarms")


def upgrade() -> None:
    op.create_table(
        "office_keys",
        sa.Column("office_id", sa.String(8), nullable=False),
        sa.Column("vkey", sa.Text(), nullable=False),
        sa.Column(
            "registered_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("office_id", name="pk_office_keys"),
        sa.CheckConstraint("length(vkey) <= 300", name="ck_office_keys_short"),
    )
    op.create_table(
        "chain_leaves",
        sa.Column("office_id", sa.String(8), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("leaf", sa.String(64), nullable=False),
        # The entry itself for the kinds the central view already receives; NULL (hash only)
        # for entries that name people.
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("head", sa.String(64), nullable=False),
        sa.Column(
            "received_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("office_id", "seq", name="pk_chain_leaves"),
        sa.CheckConstraint("octet_length(body) <= 65536", name="ck_chain_leaves_small"),
    )
    op.create_table(
        "chain_checkpoints",
        sa.Column("office_id", sa.String(8), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("head", sa.String(64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("cosignature", sa.Text(), server_default="", nullable=False),
        sa.Column("witnessed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "received_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("office_id", "size", name="pk_chain_checkpoints"),
        sa.CheckConstraint("octet_length(note) <= 4096", name="ck_chain_checkpoints_small"),
    )
    op.create_table(
        "chain_alarms",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("office_id", sa.String(8), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),  # fork | gap | shorter | bad_signature
        sa.Column("seq", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_chain_alarms"),
    )
    op.create_index("ix_chain_alarms_office_at", "chain_alarms", ["office_id", "at"])
    # The chain's rules, enforced by the database for every office login: a leaf extends the
    # stored chain by one (its head computed here), the same leaf again is a no-op, another
    # leaf at a stored position is a fork; a checkpoint must match the stored head at its size
    # and never be smaller than the last one. A refusal stores an alarm and nothing else.
    # The alarm is written as the table's owner, for the office of the login itself (the
    # session's user: inside the function the current user is the owner).
    op.execute(
        "CREATE FUNCTION sopbot_chain_alarm(why text, at_seq bigint) RETURNS void "
        "LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS "
        "$$ INSERT INTO public.chain_alarms (office_id, reason, seq) "
        "SELECT office, why, at_seq FROM (SELECT public.sopbot_office_id() AS office) AS login "
        "WHERE office IS NOT NULL $$"
    )
    op.execute(
        """
        CREATE FUNCTION sopbot_chain_leaf() RETURNS trigger LANGUAGE plpgsql
        SET search_path = pg_catalog AS $$
        DECLARE
            stored text;
            last_seq bigint;
            last_head text;
        BEGIN
            IF NEW.leaf !~ '^[0-9a-f]{64}$' THEN
                RAISE EXCEPTION 'leaf is not a SHA-256 in hex';
            END IF;
            IF NEW.body IS NOT NULL AND encode(sha256('\\x00'::bytea
                    || convert_to(NEW.body, 'UTF8')), 'hex') <> NEW.leaf THEN
                RAISE EXCEPTION 'body does not hash to its leaf';
            END IF;
            SELECT leaf INTO stored FROM public.chain_leaves
                WHERE office_id = NEW.office_id AND seq = NEW.seq;
            IF FOUND THEN
                IF stored <> NEW.leaf THEN
                    PERFORM public.sopbot_chain_alarm('fork', NEW.seq);
                END IF;
                RETURN NULL;
            END IF;
            SELECT seq, head INTO last_seq, last_head FROM public.chain_leaves
                WHERE office_id = NEW.office_id ORDER BY seq DESC LIMIT 1;
            IF NOT FOUND THEN
                last_seq := 0;
                last_head := repeat('0', 64);
            END IF;
            IF NEW.seq <> last_seq + 1 THEN
                PERFORM public.sopbot_chain_alarm('gap', NEW.seq);
                RETURN NULL;
            END IF;
            NEW.head := encode(sha256(decode(last_head, 'hex') || decode(NEW.leaf, 'hex')), 'hex');
            NEW.received_at := now();
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER chain_leaves_extend BEFORE INSERT ON chain_leaves "
        "FOR EACH ROW EXECUTE FUNCTION sopbot_chain_leaf()"
    )
    op.execute(
        """
        CREATE FUNCTION sopbot_chain_checkpoint() RETURNS trigger LANGUAGE plpgsql
        SET search_path = pg_catalog AS $$
        DECLARE
            last_size bigint;
            last_head text;
            stored text;
        BEGIN
            -- The same checkpoint again (sent until the office has its cosignature): a no-op.
            SELECT head INTO last_head FROM public.chain_checkpoints
                WHERE office_id = NEW.office_id AND size = NEW.size;
            IF FOUND THEN
                IF NEW.head <> last_head THEN
                    PERFORM public.sopbot_chain_alarm('fork', NEW.size);
                END IF;
                RETURN NULL;
            END IF;
            SELECT size INTO last_size FROM public.chain_checkpoints
                WHERE office_id = NEW.office_id ORDER BY size DESC LIMIT 1;
            IF FOUND AND NEW.size < last_size THEN
                PERFORM public.sopbot_chain_alarm('shorter', NEW.size);
                RETURN NULL;
            END IF;
            SELECT head INTO stored FROM public.chain_leaves
                WHERE office_id = NEW.office_id AND seq = NEW.size;
            IF NOT FOUND OR stored <> NEW.head THEN
                PERFORM public.sopbot_chain_alarm('fork', NEW.size);
                RETURN NULL;
            END IF;
            NEW.cosignature := '';
            NEW.witnessed_at := NULL;
            NEW.received_at := now();
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER chain_checkpoints_checked BEFORE INSERT ON chain_checkpoints "
        "FOR EACH ROW EXECUTE FUNCTION sopbot_chain_checkpoint()"
    )
    op.execute("REVOKE ALL ON FUNCTION sopbot_chain_alarm(text, bigint) FROM PUBLIC")
    op.execute("GRANT EXECUTE ON FUNCTION sopbot_chain_alarm(text, bigint) TO sopbot_kantor")
    # Insert-only for the offices: no UPDATE or DELETE is granted on any of these tables.
    op.execute("GRANT SELECT, INSERT ON chain_leaves, chain_checkpoints TO sopbot_kantor")
    op.execute("GRANT SELECT ON office_keys TO sopbot_kantor")
    op.execute(
        "GRANT SELECT ON office_keys, chain_leaves, chain_checkpoints, chain_alarms TO sopbot_pusat"
    )
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY {table}_own_office ON {table} TO sopbot_kantor "
            "USING (office_id = sopbot_office_id()) WITH CHECK (office_id = sopbot_office_id())"
        )
        op.execute(
            f"CREATE POLICY {table}_supervisors ON {table} FOR SELECT TO sopbot_pusat "
            "USING (office_id LIKE (SELECT sopbot_supervisor_scope()))"
        )


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP POLICY IF EXISTS {table}_supervisors ON {table}")
        op.execute(f"DROP POLICY IF EXISTS {table}_own_office ON {table}")
    op.execute("DROP TRIGGER IF EXISTS chain_checkpoints_checked ON chain_checkpoints")
    op.execute("DROP TRIGGER IF EXISTS chain_leaves_extend ON chain_leaves")
    op.execute("DROP FUNCTION IF EXISTS sopbot_chain_checkpoint()")
    op.execute("DROP FUNCTION IF EXISTS sopbot_chain_leaf()")
    op.execute("DROP FUNCTION IF EXISTS sopbot_chain_alarm(text, bigint)")
    op.drop_index("ix_chain_alarms_office_at", table_name="chain_alarms")
    for table in reversed(TABLES):
        op.drop_table(table)
