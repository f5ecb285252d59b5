"""The flash messages' tables belong to the plugin's own Alembic branch, which builds exactly what its models
describe; a database from before the move (the kernel's k0004 had created the tables) upgrades without error and
keeps its messages."""

from __future__ import annotations

from datetime import date

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from preau import Profile, app_enabled
from preau.db import Model
from preau.directory.structures import create_structure
from preau.migrate import branches, upgrade
from preau.models import KERNEL_TABLES, Group, RightGrant, Structure, StructureKind
from preau_plugins.flash.models import FlashMessage


def _branch(app):
    return next(b for b in branches(app.extensions["preau.plugins"]) if b.name == "flash")


def test_the_tables_left_the_kernel_for_the_plugins_branch(app):
    assert {"flash_messages", "flash_reads"} & KERNEL_TABLES == set()
    assert _branch(app).owned_tables == {"flash_messages", "flash_reads"}
    assert _branch(app).version_table == "alembic_version_flash"


def test_flash_migrations_match_the_models(app):
    branch = _branch(app)

    def include(obj, name, type_, reflected, compare_to):
        table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
        return table in branch.owned_tables if table else True

    with app.extensions["preau.engine"].connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "include_object": include, "compare_type": True, "version_table": branch.version_table})
        diff = compare_metadata(context, Model.metadata)
    assert diff == [], f"flash models and migrations differ: {diff}"


def test_a_database_from_before_the_move_upgrades_and_keeps_its_messages_and_their_readers(app):
    """Before the move, the kernel's k0004 created the tables and no flash branch existed: the tables are there,
    the plugin's version table is empty. The upgrade skips the existing tables, records the revision, and enables
    the app where messages are, its right granted to the five profile groups there (they reached everyone)."""
    engine, registry = app.extensions["preau.engine"], app.extensions["preau.plugins"]
    with Session(engine) as session:
        structure = create_structure(session, "École d'avant", StructureKind.ECOLE)
        session.flush()
        session.add(FlashMessage(structure_id=structure.id, title="Message d'avant", body="<p>Gardé</p>",
                                 starts_on=date(2026, 1, 5), ends_on=date(2026, 1, 9), profiles=["relative"],
                                 languages=[], colour="info"))
        session.commit()
        structure_id = structure.id
    try:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM alembic_version_flash"))
        done = {u.branch: u for u in upgrade(engine, registry)}
        assert done["flash"].applied == ("flash0001",) and done["flash"].current == "flash0001"
        assert done["kernel"].applied == ()
        with Session(engine) as session:
            titles = session.scalars(select(FlashMessage.title).where(FlashMessage.structure_id == structure_id))
            assert list(titles) == ["Message d'avant"]
            assert app_enabled(session, "flash", structure_id)
            granted = session.scalars(select(Group.profile).join(RightGrant, RightGrant.group_id == Group.id)
                                      .where(RightGrant.right_id == "flash.read",
                                             RightGrant.structure_id == structure_id))
            assert sorted(granted) == sorted(p.value for p in Profile)
        with engine.begin() as connection:  # an administrator's later decision is never overridden
            connection.execute(text("DELETE FROM alembic_version_flash"))
            connection.execute(delete(RightGrant).where(RightGrant.structure_id == structure_id))
        upgrade(engine, registry)
        with Session(engine) as session:
            assert session.scalar(select(func.count()).select_from(RightGrant)
                                  .where(RightGrant.structure_id == structure_id)) == 0
    finally:
        with Session(engine) as session:
            session.execute(delete(FlashMessage).where(FlashMessage.structure_id == structure_id))
            session.execute(delete(Structure).where(Structure.id == structure_id))
            session.commit()
