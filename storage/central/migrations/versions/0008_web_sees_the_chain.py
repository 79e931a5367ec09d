"""The web view shows each office's evidence chain as the witness holds it: its newest
checkpoints, whether each was cosigned, refused or not yet witnessed, and the chain's alarms.
The web login reads them (never writes), held to the viewer's scope like the evidence.

Revision ID: c0008
Revises: c0007
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c0008"
down_revision: str | None = "c0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("chain_checkpoints", "chain_alarms")


def upgrade() -> None:
    for table in TABLES:
        op.execute(
            f"CREATE POLICY {table}_web ON {table} FOR SELECT TO sopbot_web "
            "USING (office_id LIKE (SELECT sopbot_web_scope()))"
        )
    op.execute("GRANT SELECT ON chain_checkpoints, chain_alarms TO sopbot_web")


def downgrade() -> None:
    op.execute("REVOKE ALL ON chain_checkpoints, chain_alarms FROM sopbot_web")
    for table in TABLES:
        op.execute(f"DROP POLICY IF EXISTS {table}_web ON {table}")
