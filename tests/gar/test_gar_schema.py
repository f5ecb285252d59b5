"""The GAR plugin's migration builds exactly the table its model describes, in its own branch."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from preau.db import Model
from preau.migrate import branches


def test_gar_migrations_match_the_models(app):
    branch = next(b for b in branches(app.extensions["preau.plugins"]) if b.name == "gar")
    assert branch.owned_tables == {"gar_assignments"}

    def include(obj, name, type_, reflected, compare_to):
        table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
        return table in branch.owned_tables if table else True

    with app.extensions["preau.engine"].connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "include_object": include, "compare_type": True, "version_table": branch.version_table})
        diff = compare_metadata(context, Model.metadata)
    assert diff == [], f"gar models and migrations differ: {diff}"
