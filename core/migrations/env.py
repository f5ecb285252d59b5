"""Alembic environment shared by the kernel and every plugin.

``preau db upgrade`` passes, through the Alembic config attributes, the engine, the version table
(``alembic_version`` for the kernel, ``alembic_version_<app id>`` for a plugin) and the set of tables the
branch owns, so that each branch only ever sees and changes its own tables.
"""

from alembic import context

from preau.db import Model

config = context.config
owned = config.attributes["owned_tables"]


def include_object(obj, name, type_, reflected, compare_to):
    table = obj if type_ == "table" else getattr(obj, "table", None)
    table_name = name if type_ == "table" else getattr(table, "name", None)
    return table_name in owned if table_name else True


def record_applied(ctx, step, heads, run_args):
    """``preau db upgrade`` says which revisions it applied: they are collected here."""
    applied.append(step.up_revision_id)


connection = config.attributes["connection"]
applied = config.attributes.get("applied")
context.configure(
    connection=connection,
    target_metadata=Model.metadata,
    version_table=config.attributes["version_table"],
    include_object=include_object,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    on_version_apply=record_applied if applied is not None else None,
)
with context.begin_transaction():
    context.run_migrations()
