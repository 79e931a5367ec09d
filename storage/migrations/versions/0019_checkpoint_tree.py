"""Checkpoints sign the RFC 6962 Merkle tree head; each keeps the tree's frontier at its size.
The chain gets an index for the verification's "newest entry of each row".

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("chain_checkpoints") as batch:
        batch.add_column(sa.Column("tree", sa.Text(), server_default="", nullable=False))
    op.create_index("ix_evidence_chain_kind_ref_seq", "evidence_chain", ["kind", "ref", "seq"])


def downgrade() -> None:
    op.drop_index("ix_evidence_chain_kind_ref_seq", table_name="evidence_chain")
    with op.batch_alter_table("chain_checkpoints") as batch:
        batch.drop_column("tree")
