"""`python -m bot` runs the bot, like `sopbot run`."""

import sys

from sopbot.cli import main

main(["run", *sys.argv[1:]])
