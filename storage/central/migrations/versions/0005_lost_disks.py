"""A disk reported lost, or found again: a "disk" record, so the central view stops counting
the copies on a lost disk (and counts them again once the office verified it found).

Revision ID: c0005
Revises: c0004
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c0005"
down_revision: str | None = "c0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS_BEFORE = "('dump', 'copy', 'drill', 'day', 'check')"
KINDS_AFTER = "('dump', 'copy', 'drill', 'day', 'check', 'disk')"


def upgrade() -> None:
    _known_kinds(KINDS_AFTER)
    # "Is this copy's disk lost now?": the supervisor's view asks it for each office's newest
    # copies; disk records are a handful per office.
    op.execute(
        "CREATE INDEX ix_evidence_disk_state ON evidence "
        "(office_id, (detail ->> 'disk_id'), happened_at) WHERE kind = 'disk'"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_evidence_disk_state")
    op.execute("DELETE FROM evidence WHERE kind = 'disk'")
    _known_kinds(KINDS_BEFORE)


# The name the first migration's constraint got through the naming convention ("ck_%(table)s_"
# before the name it was given).
KNOWN_KIND = "ck_evidence_ck_evidence_known_kind"


def _known_kinds(kinds: str) -> None:
    op.execute(
        f"ALTER TABLE evidence DROP CONSTRAINT {KNOWN_KIND}, "
        f"ADD CONSTRAINT {KNOWN_KIND} CHECK (kind IN {kinds})"
    )
