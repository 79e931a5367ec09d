"""Many offices, the office's side: its link to the central database (evidence records collected
into a queue, delivered, the heartbeat, the chain's witness) and the supervisor's chart and CSV
of offices × days. It builds on the jobs, the storage and the words (`texts/`); the chat
(`bot/central.py`), the command line and the web view use it."""
