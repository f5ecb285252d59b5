"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from preau.db import Model
from preau.migrate import branches, current_heads
from preau.models import KERNEL_TABLES


def _owned_only(owned):
    def include(obj, name, type_, reflected, compare_to):
        table_name = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
        return table_name in owned if table_name else True

    return include


def test_every_branch_is_at_its_head(app):
    status = current_heads(app.extensions["preau.engine"], app.extensions["preau.plugins"])
    assert "kernel" in status
    for name, (current, heads) in status.items():
        assert current in heads, f"{name} is at {current}, code has {heads}"


def test_kernel_migrations_match_the_models(app):
    engine = app.extensions["preau.engine"]
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "include_object": _owned_only(KERNEL_TABLES), "compare_type": True,
            "version_table": "alembic_version"})
        diff = compare_metadata(context, Model.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_each_branch_has_its_own_version_table(app):
    tables = set(inspect(app.extensions["preau.engine"]).get_table_names())
    for branch in branches(app.extensions["preau.plugins"]):
        assert branch.version_table in tables
    assert tables >= KERNEL_TABLES


def test_sqlite_runs_with_foreign_keys_and_wal(app, preau_database_url):
    if not preau_database_url.startswith("sqlite"):
        assert app.extensions["preau.engine"].dialect.name == "postgresql"
        return
    with app.extensions["preau.engine"].connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
