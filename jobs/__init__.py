"""The work the bot does on its own: the dump, the external copy, the schedule, the watchdog,
the monthly report. Nothing here knows about Telegram."""

# The dump backends make themselves known to the settings when their registry is imported: any
# use of the jobs has them, so DUMP_BACKEND is checked against the real list.
from jobs.dump import backends as _backends  # noqa: F401
