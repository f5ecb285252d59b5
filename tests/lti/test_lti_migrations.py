"""The LTI tables moved from the kernel to the plugin's own Alembic branch ``lti``: its migrations match its models,
and a database created before the move (its tables made by the kernel's k0009, no ``lti`` branch yet) upgrades
without error and keeps its data."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from preau.db import Model, make_engine
from preau.migrate import branches, upgrade
from preau_plugins.lti.keys import signing_key
from preau_plugins.lti.models import LtiKey


def _lti_branch(app):
    return next(b for b in branches(app.extensions["preau.plugins"]) if b.name == "lti")


def test_the_plugin_branch_owns_the_lti_tables_and_matches_the_models(app):
    branch = _lti_branch(app)
    assert branch.version_table == "alembic_version_lti"
    assert branch.owned_tables == {"lti_keys", "lti_tools", "lti_deployments", "lti_nonces", "lti_resource_links",
                                   "lti_line_items", "lti_scores"}

    def owned(obj, name, type_, reflected, compare_to):
        table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
        return table in branch.owned_tables if table else True

    with app.extensions["preau.engine"].connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "include_object": owned, "compare_type": True, "version_table": branch.version_table})
        assert compare_metadata(context, Model.metadata) == []


@pytest.fixture
def engine(app, preau_database_url, tmp_path):
    """A database of its own on SQLite; the test database itself on PostgreSQL (put back as it was)."""
    if preau_database_url.startswith("postgresql"):
        yield app.extensions["preau.engine"]
        return
    own = make_engine(f"sqlite:///{tmp_path / 'before-the-move.db'}")
    upgrade(own, app.extensions["preau.plugins"])
    yield own
    own.dispose()


def test_a_database_from_before_the_move_upgrades_and_keeps_its_data(app, engine):
    with app.app_context(), Session(engine) as session:  # the private key is encrypted with the app's key
        kid = signing_key(session).kid
        session.commit()
    with engine.begin() as connection:  # as before the move: the tables exist, the lti branch is unknown
        connection.execute(text("DELETE FROM alembic_version_lti"))
    applied = {done.branch: done.applied for done in upgrade(engine, app.extensions["preau.plugins"])}
    assert applied["lti"] == ("lti_0001",)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(LtiKey).where(LtiKey.kid == kid)) == 1
        session.execute(delete(LtiKey).where(LtiKey.kid == kid))
        session.commit()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version_lti")).scalar() == "lti_0001"
