"""Alembic environment of the central database: runs against the engine handed over by
storage.central.admin, with its own version table (the central database may be shared)."""

from alembic import context

from storage.central.schema import VERSION_TABLE, CentralBase

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=CentralBase.metadata,
        version_table=VERSION_TABLE,
    )
    context.run_migrations()
