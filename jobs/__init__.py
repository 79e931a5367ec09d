"""The work the bot does on its own: the dump, the external copy, the restore drill, the schedule,
the watchdog, periodic work, and the audit report's figures. Nothing here knows about Telegram,
and nothing here has words: they are `texts/`, and what is drawn with them is `reports/`."""

# The dump backends make themselves known to the settings when their registry is imported: any
# use of the jobs has them, so DUMP_BACKEND is checked against the real list.
from jobs.dump import backends as _backends  # noqa: F401
