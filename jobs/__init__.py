"""The work the bot does on its own: the dump, the external copy, the schedule, the watchdog,
the monthly report. Nothing here knows about Telegram."""
