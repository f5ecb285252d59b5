"""The messaging migrations build what the models describe, plus the dialect's full-text index."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from preau.db import Model
from preau.migrate import branches

FTS_COLUMN = "search_vector"  # PostgreSQL's generated tsvector and its GIN index: in the migration only
FTS_INDEX = "ix_messaging_messages_search"


def test_messaging_migrations_match_the_models(app):
    branch = next(b for b in branches(app.extensions["preau.plugins"]) if b.name == "messaging")
    assert {"messaging_messages", "messaging_deliveries", "messaging_folders"} <= branch.owned_tables

    def include(obj, name, type_, reflected, compare_to):
        if (type_, name) in (("column", FTS_COLUMN), ("index", FTS_INDEX)):
            return False
        table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
        return table in branch.owned_tables if table else True

    with app.extensions["preau.engine"].connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "include_object": include, "compare_type": True, "version_table": branch.version_table})
        diff = compare_metadata(context, Model.metadata)
    assert diff == [], f"messaging models and migrations differ: {diff}"


def test_full_text_search_has_its_index_on_each_dialect(app):
    engine = app.extensions["preau.engine"]
    inspector = inspect(engine)
    if engine.dialect.name == "sqlite":
        assert "messaging_messages_fts" in inspector.get_table_names()
    else:
        columns = {c["name"] for c in inspector.get_columns("messaging_messages")}
        assert FTS_COLUMN in columns
        indexes = {i["name"] for i in inspector.get_indexes("messaging_messages")}
        assert FTS_INDEX in indexes
