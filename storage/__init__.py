"""The SOP log: SQLAlchemy models, the queries the bot needs, and Alembic migrations."""
