"""The evidence chain and its signed checkpoints; the history so far folded in once, each entry
marked as recorded before the chain.

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-03
"""

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What this revision records, frozen as it was written: the folded history must hash the same
# whatever later revisions change in storage/chain.py or storage/models.py, so nothing here
# imports them. Per kind: its table, the fields of its snapshot, and the fields that date it
# (the first not NULL), in the order the kinds are folded.
DATED = ("finished_at", "started_at")
FROZEN: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "dump",
        "dump_runs",
        (
            "run_date", "trigger", "requested_by", "backend", "job_name", "started_at",
            "finished_at", "outcome", "file_path", "size_bytes", "sha256", "total_rows",
            "tables_json", "errors", "warnings", "consistent_as_of",
        ),
        DATED,
    ),
    (
        "copy",
        "external_copies",
        (
            "dump_run_id", "source_path", "dest_path", "disk_id", "disk_label", "trigger",
            "requested_by", "started_at", "finished_at", "outcome", "size_bytes", "sha256",
            "compressed", "encrypted", "error", "checked_at", "check_ok",
        ),
        DATED,
    ),
    (
        "drill",
        "restore_drills",
        (
            "copy_id", "dump_run_id", "file_name", "disk_label", "backend", "level", "trigger",
            "requested_by", "started_at", "finished_at", "outcome", "restore_seconds",
            "compared", "mismatches", "proofs", "errors",
        ),
        DATED,
    ),
    (
        "disk",
        "external_disks",
        ("label", "size_bytes", "registered_at", "lost_at", "retired_at"),
        ("lost_at", "registered_at"),
    ),
    (
        "member",
        "members",
        ("user_id", "role", "name", "added_by", "added_at", "removed_by", "removed_at"),
        ("removed_at", "added_at"),
    ),
    (
        "instruction",
        "instructions",
        (
            "run_id", "target_role", "issued_by", "issued_at", "note", "status", "closed_by",
            "closed_at", "close_note",
        ),
        ("closed_at", "issued_at"),
    ),
    (
        "step",
        "step_events",
        (
            "run_id", "step_number", "actor_id", "actor_role", "started_at", "finished_at",
            "outcome", "note", "problem", "instruction_id",
        ),
        ("finished_at",),
    ),
    ("audit", "audit_events", ("at", "actor_id", "action", "detail"), ("at",)),
)  # fmt: skip
# Kinds whose rows are not evidence while they run.
PENDING_KINDS = frozenset({"dump", "copy", "drill"})
# The column types at this revision (the rest are text or integers, read as they are).
DATES = frozenset({"run_date"})
BOOLEANS = frozenset({"compressed", "encrypted", "check_ok"})
FLOATS = frozenset({"restore_seconds"})
TIMES = frozenset(
    {
        "started_at", "finished_at", "registered_at", "lost_at", "retired_at", "added_at",
        "removed_at", "issued_at", "closed_at", "checked_at", "at",
    }
)  # fmt: skip
GENESIS = bytes(32)


def upgrade() -> None:
    op.create_table(
        "evidence_chain",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_evidence_chain")),
    )
    op.create_index("ix_evidence_chain_kind_seq", "evidence_chain", ["kind", "seq"])
    op.create_table(
        "chain_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("head", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("witnessed_note", sa.Text(), server_default="", nullable=False),
        sa.Column("witnessed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chain_checkpoints")),
    )
    op.create_index("ix_chain_checkpoints_size", "chain_checkpoints", ["size"])
    _fold_history()


def _column(name: str) -> sa.ColumnClause[Any]:
    if name in TIMES:
        return sa.column(name, sa.DateTime())  # naive UTC, as the log stores every time
    if name in DATES:
        return sa.column(name, sa.Date())
    if name in BOOLEANS:
        return sa.column(name, sa.Boolean())
    if name in FLOATS:
        return sa.column(name, sa.Float())
    return sa.column(name)


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _snapshot(kind: str, fields: tuple[str, ...], row: dict[str, Any]) -> dict[str, Any]:
    state = {name: _value(row[name]) for name in fields}
    if kind == "dump":
        tables = str(state.pop("tables_json") or "[]")
        state["tables_sha256"] = hashlib.sha256(tables.encode("utf-8")).hexdigest()
    return state


def _fold_history() -> None:
    connection = op.get_bind()
    rows: list[tuple[datetime, int, Any, str, dict[str, Any]]] = []
    for order, (kind, table_name, fields, dated) in enumerate(FROZEN):
        table = sa.table(table_name, sa.column("id"), *(_column(name) for name in fields))
        for found in connection.execute(sa.select(table)).mappings():
            values = dict(found)
            if kind in PENDING_KINDS and values["outcome"] == "running":
                continue
            when = next((values[n] for n in dated if values[n] is not None), None)
            at = when if when is not None else datetime(1970, 1, 1)
            state = _snapshot(kind, fields, values)
            rows.append((at.replace(tzinfo=None), order, values["id"], kind, state))
    rows.sort(key=lambda item: item[:3])
    chain = sa.table(
        "evidence_chain",
        sa.column("seq"),
        sa.column("at", sa.DateTime()),
        sa.column("kind"),
        sa.column("ref"),
        sa.column("body"),
        sa.column("hash"),
    )
    head, batch = GENESIS, []
    for seq, (at, _, ident, kind, state) in enumerate(rows, start=1):
        ref = f"{kind}:{ident}"
        body = {"seq": seq, "at": _value(at), "kind": kind, "ref": ref, "state": state}
        body["before_chain"] = True
        encoded = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        leaf = hashlib.sha256(b"\x00" + encoded.encode("utf-8")).digest()
        head = hashlib.sha256(head + leaf).digest()
        batch.append(
            {"seq": seq, "at": at, "kind": kind, "ref": ref, "body": encoded, "hash": head.hex()}
        )
        if len(batch) >= 1000:
            connection.execute(chain.insert(), batch)
            batch = []
    if batch:
        connection.execute(chain.insert(), batch)


def downgrade() -> None:
    op.drop_index("ix_chain_checkpoints_size", table_name="chain_checkpoints")
    op.drop_table("chain_checkpoints")
    op.drop_index("ix_evidence_chain_kind_seq", table_name="evidence_chain")
    op.drop_table("evidence_chain")
