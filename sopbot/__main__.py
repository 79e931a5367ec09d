"""`python -m sopbot` is the `sopbot` command."""

from sopbot.cli import main

main()
