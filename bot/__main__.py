"""`python -m bot` runs the bot, like `sopbot run`."""

from sopbot.cli import main

main(["run", *__import__("sys").argv[1:]])
