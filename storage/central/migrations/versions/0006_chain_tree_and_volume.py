"""The witness checks RFC 6962 tree heads, wakes at push time, and the chain's tables count
against each office's daily volume.

- A checkpoint's hash is the Merkle tree head (RFC 6962 MTH) over the office's leaf hashes. The
  witness holds every leaf, so it recomputes the head itself rather than asking for a
  consistency proof: extending the frontier kept with the office's newest stored checkpoint by
  the leaves pushed since (O(leaves since) hashes, O(log n) state in `chain_checkpoints.tree`,
  written by this trigger only). A head that matches is consistent with every earlier
  checkpoint, since the leaves below it are insert-only and fork-checked. A checkpoint signed
  before tree heads (carrying the chain's running head) is still accepted by that head.
- An accepted checkpoint notifies channel `sopbot_checkpoint` with its office: `sopbot pusat
  saksi --terus` (LISTEN) checks its signature at once. PostgreSQL cannot verify Ed25519 without
  an extension, so the signature is checked by the witness process; until then the checkpoint
  is shown as not yet witnessed, never as witnessed.
- Leaves and checkpoints are counted in `office_usage` like evidence (a statement past the
  office's daily bound stores nothing, SQLSTATE 53400); alarms an office can cause are capped per
  office and day (they are about the office itself, and must not fill the database).

Revision ID: c0006
Revises: c0005
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c0006"
down_revision: str | None = "c0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ALARMS_PER_DAY = 100  # per office: enough to see what is wrong, not enough to fill a disk

# The leaf trigger and checkpoint trigger of c0004, restored on downgrade.
CHECKPOINT_C0004 = """
        CREATE OR REPLACE FUNCTION sopbot_chain_checkpoint() RETURNS trigger LANGUAGE plpgsql
        SET search_path = pg_catalog AS $$
        DECLARE
            last_size bigint;
            last_head text;
            stored text;
        BEGIN
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

ALARM_C0004 = (
    "CREATE OR REPLACE FUNCTION sopbot_chain_alarm(why text, at_seq bigint) RETURNS void "
    "LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS "
    "$$ INSERT INTO public.chain_alarms (office_id, reason, seq) "
    "SELECT office, why, at_seq FROM (SELECT public.sopbot_office_id() AS office) AS login "
    "WHERE office IS NOT NULL $$"
)


def upgrade() -> None:
    op.add_column("chain_checkpoints", sa.Column("tree", sa.LargeBinary(), nullable=True))
    op.execute(
        """
        CREATE FUNCTION sopbot_merkle_extend(tree bytea, size bigint, leaf bytea)
        RETURNS bytea LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog AS $$
        DECLARE
            merged bytea := leaf;
            n bigint := size;
            len integer;
        BEGIN
            WHILE n & 1 = 1 LOOP  -- the lowest subtrees are of equal size: merge them
                len := octet_length(tree);
                merged := sha256('\\x01'::bytea || substring(tree from len - 31 for 32) || merged);
                tree := substring(tree from 1 for len - 32);
                n := n >> 1;
            END LOOP;
            RETURN tree || merged;
        END $$
        """
    )
    op.execute(
        """
        CREATE FUNCTION sopbot_merkle_root(tree bytea) RETURNS bytea LANGUAGE plpgsql IMMUTABLE
        SET search_path = pg_catalog AS $$
        DECLARE
            i integer := octet_length(tree) - 32;
            folded bytea;
        BEGIN
            IF octet_length(tree) = 0 THEN
                RETURN sha256(''::bytea);
            END IF;
            folded := substring(tree from i + 1 for 32);
            WHILE i > 0 LOOP
                folded := sha256('\\x01'::bytea || substring(tree from i - 31 for 32) || folded);
                i := i - 32;
            END LOOP;
            RETURN folded;
        END $$
        """
    )
    op.execute(
        """
        CREATE OR REPLACE FUNCTION sopbot_chain_checkpoint() RETURNS trigger LANGUAGE plpgsql
        SET search_path = pg_catalog AS $$
        DECLARE
            last_size bigint;
            last_head text;
            stored text;
            base_size bigint;
            base_tree bytea;
            leaf_hex text;
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
            IF NOT FOUND THEN
                PERFORM public.sopbot_chain_alarm('fork', NEW.size);
                RETURN NULL;
            END IF;
            -- The tree head at NEW.size, from the frontier the newest smaller checkpoint kept.
            SELECT size, tree INTO base_size, base_tree FROM public.chain_checkpoints
                WHERE office_id = NEW.office_id AND tree IS NOT NULL AND size <= NEW.size
                ORDER BY size DESC LIMIT 1;
            IF NOT FOUND THEN
                base_size := 0;
                base_tree := ''::bytea;
            END IF;
            FOR leaf_hex IN SELECT leaf FROM public.chain_leaves
                    WHERE office_id = NEW.office_id AND seq > base_size AND seq <= NEW.size
                    ORDER BY seq LOOP
                base_tree := public.sopbot_merkle_extend(
                    base_tree, base_size, decode(leaf_hex, 'hex'));
                base_size := base_size + 1;
            END LOOP;
            IF base_size <> NEW.size OR (encode(public.sopbot_merkle_root(base_tree), 'hex')
                    <> NEW.head AND stored <> NEW.head) THEN
                PERFORM public.sopbot_chain_alarm('fork', NEW.size);
                RETURN NULL;
            END IF;
            NEW.tree := base_tree;
            NEW.cosignature := '';
            NEW.witnessed_at := NULL;
            NEW.received_at := now();
            PERFORM pg_notify('sopbot_checkpoint', NEW.office_id);
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE OR REPLACE FUNCTION sopbot_chain_alarm(why text, at_seq bigint) RETURNS void "
        "LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS "
        "$$ INSERT INTO public.chain_alarms (office_id, reason, seq) "
        "SELECT office, why, at_seq FROM (SELECT public.sopbot_office_id() AS office) AS login "
        "WHERE office IS NOT NULL AND (SELECT count(*) FROM public.chain_alarms a "
        "WHERE a.office_id = login.office AND a.at >= date_trunc('day', now() AT TIME ZONE 'UTC') "
        "AT TIME ZONE 'UTC') < 100 $$"  # ALARMS_PER_DAY
    )
    # The volume of what an office pushes to the witness, counted as its evidence is.
    op.execute(
        "CREATE FUNCTION sopbot_count_chain_usage() RETURNS trigger LANGUAGE plpgsql "
        "SECURITY DEFINER SET search_path = pg_catalog AS $$ "
        "DECLARE r record; BEGIN "
        "IF TG_TABLE_NAME = 'chain_leaves' THEN "
        "FOR r IN SELECT n.office_id, count(*) AS records, "
        "sum(coalesce(octet_length(n.body), 0) + 64 + 64 + 16) AS bytes "
        "FROM new_rows n GROUP BY n.office_id LOOP "
        "PERFORM public.sopbot_use_quota(r.office_id, r.records, r.bytes); END LOOP; "
        "ELSE "
        "FOR r IN SELECT n.office_id, count(*) AS records, "
        "sum(octet_length(n.note) + coalesce(octet_length(n.tree), 0) + 64 + 16) AS bytes "
        "FROM new_rows n GROUP BY n.office_id LOOP "
        "PERFORM public.sopbot_use_quota(r.office_id, r.records, r.bytes); END LOOP; "
        "END IF; RETURN NULL; END $$"
    )
    op.execute(
        "CREATE FUNCTION sopbot_use_quota(office text, records bigint, bytes bigint) RETURNS void "
        "LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$ BEGIN "
        "INSERT INTO public.office_usage AS u (office_id, day, records, bytes) "
        "VALUES (office, (now() AT TIME ZONE 'UTC')::date, records, bytes) "
        "ON CONFLICT (office_id, day) DO UPDATE "
        "SET records = u.records + excluded.records, bytes = u.bytes + excluded.bytes; "
        "IF EXISTS (SELECT 1 FROM public.office_usage u JOIN public.offices o USING (office_id) "
        "WHERE u.office_id = office AND u.day = (now() AT TIME ZONE 'UTC')::date "
        "AND (u.records > o.daily_records OR u.bytes > o.daily_bytes)) THEN "
        "RAISE EXCEPTION 'sopbot: daily quota of office % used up', office "
        "USING ERRCODE = '53400'; END IF; END $$"
    )
    op.execute("REVOKE ALL ON FUNCTION sopbot_use_quota(text, bigint, bigint) FROM PUBLIC")
    for table in ("chain_leaves", "chain_checkpoints"):
        op.execute(
            f"CREATE TRIGGER {table}_counted AFTER INSERT ON {table} REFERENCING NEW TABLE AS "
            "new_rows FOR EACH STATEMENT EXECUTE FUNCTION sopbot_count_chain_usage()"
        )
    for function in ("sopbot_merkle_extend(bytea, bigint, bytea)", "sopbot_merkle_root(bytea)"):
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {function} TO sopbot_kantor, sopbot_pusat")


def downgrade() -> None:
    for table in ("chain_leaves", "chain_checkpoints"):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_counted ON {table}")
    op.execute("DROP FUNCTION IF EXISTS sopbot_count_chain_usage()")
    op.execute("DROP FUNCTION IF EXISTS sopbot_use_quota(text, bigint, bigint)")
    op.execute(ALARM_C0004)
    op.execute(CHECKPOINT_C0004)
    op.execute("DROP FUNCTION IF EXISTS sopbot_merkle_root(bytea)")
    op.execute("DROP FUNCTION IF EXISTS sopbot_merkle_extend(bytea, bigint, bytea)")
    op.drop_column("chain_checkpoints", "tree")
