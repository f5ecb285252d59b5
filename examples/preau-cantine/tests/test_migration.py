"""The plugin's Alembic branch: Préau ran it into its own version table, and its revision goes down and up again."""

from __future__ import annotations

import importlib

from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import inspect, text

import preau_cantine

MIGRATION = importlib.import_module("preau_cantine.migrations.versions.0001_cantine_initial")


def _tables(connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def test_the_migration_created_the_table_under_its_own_version_table(db):
    connection = db.connection()
    assert {"cantine_menus", "alembic_version_cantine"} <= _tables(connection)
    columns = {c["name"] for c in inspect(connection).get_columns("cantine_menus")}
    assert columns == {"id", "structure_id", "day", "starter", "main", "dessert", "allergens", "updated_by_id",
                       "updated_at"}
    assert db.scalar(text("SELECT version_num FROM alembic_version_cantine")) == "cantine_0001"
    assert "cantine_0001" not in set(db.scalars(text("SELECT version_num FROM alembic_version")))
    assert preau_cantine.preau_migrations().endswith("versions")


def test_the_revision_downgrades_and_upgrades_again(db):
    # Inside the test's transaction (rolled back afterwards): both databases run DDL transactionally.
    connection = db.connection()
    context = MigrationContext.configure(connection, opts={"render_as_batch": connection.dialect.name == "sqlite"})
    with Operations.context(context):
        MIGRATION.downgrade()
        assert "cantine_menus" not in _tables(connection)
        MIGRATION.upgrade()
    assert "cantine_menus" in _tables(connection)
    unique = inspect(connection).get_unique_constraints("cantine_menus")
    assert [u["column_names"] for u in unique] == [["structure_id", "day"]]
