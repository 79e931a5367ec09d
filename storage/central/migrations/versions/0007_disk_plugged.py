"""How long the office's external disk has been plugged in, with each heartbeat.

A disk left plugged in is encrypted by ransomware together with the server: the office's bot tells
its Kabid after a day, and the supervisor needs to see it too. The office knows since when its
disk has been plugged in (its watchdog looks every minute); it sends how many seconds that is (a
duration, measured on its own clock, so an office PC whose clock is wrong cannot move it), and the
server turns it into a time on its own clock, as it does for the heartbeat itself.

- `heartbeats.disk_watched`: the bot watches an external disk (NULL: a bot that does not say);
- `heartbeats.disk_plugged_since`: since when the disk plugged in at the heartbeat has been in
  (NULL: none was plugged in);
- `heartbeats.disk_label`: that disk's label (not personal data: the copies name it too).

A second `sopbot_beat()` with the two values is added; the first stays for bots of the earlier
version.

Revision ID: c0007
Revises: c0005
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c0007"
down_revision: str | None = "c0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEAT = "sopbot_beat(text, text, integer, text, integer, integer, text)"


def upgrade() -> None:
    op.add_column("heartbeats", sa.Column("disk_watched", sa.Boolean(), nullable=True))
    op.add_column(
        "heartbeats", sa.Column("disk_plugged_since", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("heartbeats", sa.Column("disk_label", sa.String(32), nullable=True))
    # plugged_seconds: NULL the bot watches no disk, -1 none is plugged in, otherwise how long the
    # disk `plugged_label` has been in. Owner's rights, the office from the login and the time
    # from the server's clock, every value bounded (as the first sopbot_beat()); a plug-in
    # longer than ten years (316,224,000 s) is a clock or a bug, not stored.
    op.execute(
        "CREATE FUNCTION sopbot_beat(claimed text, version text, queued integer, note text, "
        "set_aside integer, plugged_seconds integer, plugged_label text) RETURNS void "
        "LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $$ "
        "DECLARE office text := public.sopbot_office_id(); BEGIN "
        "IF office IS NULL OR claimed IS DISTINCT FROM office THEN RAISE EXCEPTION "
        "'sopbot: heartbeat refused by row-level security: office % is not this login''s', "
        "claimed USING ERRCODE = '42501'; END IF; "
        "INSERT INTO public.heartbeats AS h (office_id, seen_at, version, queued, note, set_aside, "
        "disk_watched, disk_plugged_since, disk_label) "
        "VALUES (office, now(), left(coalesce(version, ''), 32), greatest(coalesce(queued, 0), 0), "
        "left(coalesce(note, ''), 500), greatest(coalesce(set_aside, 0), 0), "
        "plugged_seconds IS NOT NULL, "
        "CASE WHEN plugged_seconds BETWEEN 0 AND 316224000 "
        "THEN now() - make_interval(secs => plugged_seconds) END, "
        "CASE WHEN plugged_seconds BETWEEN 0 AND 316224000 "
        "THEN left(coalesce(plugged_label, '?'), 32) END) "
        "ON CONFLICT (office_id) DO UPDATE SET seen_at = excluded.seen_at, "
        "version = excluded.version, queued = excluded.queued, note = excluded.note, "
        "set_aside = excluded.set_aside, disk_watched = excluded.disk_watched, "
        "disk_plugged_since = excluded.disk_plugged_since, disk_label = excluded.disk_label; "
        "END $$"
    )
    op.execute(f"REVOKE ALL ON FUNCTION {BEAT} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {BEAT} TO sopbot_kantor")


def downgrade() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS {BEAT}")
    op.drop_column("heartbeats", "disk_label")
    op.drop_column("heartbeats", "disk_plugged_since")
    op.drop_column("heartbeats", "disk_watched")
