"""Alembic environment: runs against the engine handed over by storage.database."""

from alembic import context

from storage.models import Base

engine = context.config.attributes["engine"]

# Tables owned by other components in the same database, never touched by our migrations.
FOREIGN_TABLES = {"apscheduler_jobs"}


def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    return not (type_ == "table" and name in FOREIGN_TABLES)


with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=include_object,
    )
    context.run_migrations()
