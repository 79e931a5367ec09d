"""The central database many offices report to (PostgreSQL only): its schema, roles and
row-level security, the office's side of a push, and the supervisor's view."""
