"""The entry points: the `sopbot` command line, the demo, and the one place that builds the
runtime (logs, services, schedule) for the bot, the CLI and the scheduler."""
