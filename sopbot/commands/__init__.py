"""One module per `sopbot` command, each declaring its click command; `sopbot/cli.py` lists them.

Every module imports only click and the ground at load time; what a command needs (the bot,
SQLAlchemy, Oracle) is imported when it runs, so `sopbot --help` and `sopbot backup` start light.
"""
