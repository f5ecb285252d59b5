"""The demo académie served by ``preau demo``, built through the same services as real data."""

from __future__ import annotations

import contextlib
import shutil
from datetime import date
from pathlib import Path

from flask import current_app
from sqlalchemy import Engine, MetaData, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from .accounts import activate_with_password
from .auth.passwords import hash_password
from .auth.service import accept_charters, publish_charter
from .db import db_session
from .demo_directory import DemoDirectory
from .directory.classes import create_class, create_group
from .directory.structures import create_structure, profile_group
from .directory.users import (
    add_role,
    add_to_group,
    attach_to_class,
    create_user,
    grant_function,
    link_relative,
)
from .errors import PreauError
from .models import Function, Structure, StructureKind
from .plugins import KERNEL_WIDE
from .rights import grant, set_enabled
from .types import PROFILE_LABELS, Profile

CITY = "Ville de Saint-Préau"
DEMO_ACTIVATION_CODE = "BIENVENU"

# The accounts ``preau demo`` prints, in the order of the README's table (tests/test_cli.py compares them).
DEMO_ACCOUNTS = ("admin", "direction", "prof.martin", "eleve.lea", "parent.colin", "personnel.durand", "invite.roux",
                 "prof.bernard", "eleve.nouveau")

CHARTER_TEXT = (
    "En utilisant l'ENT, je m'engage à respecter les autres, à ne pas diffuser de contenus illicites, "
    "à protéger mon mot de passe et à signaler tout usage anormal à l'établissement."
)

FIRST_NAMES = ["Adam", "Chloé", "Hugo", "Inès", "Jules", "Louise", "Malo", "Nina", "Rayan", "Zoé",
               "Gabriel", "Jade", "Lucas", "Manon", "Noah", "Rose", "Sacha", "Lina", "Théo", "Ambre"]
LAST_NAMES = ["Bernard", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent", "Simon",
              "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard"]


def ensure_demo() -> bool:
    """Create the demo data unless it exists. Returns whether it was created."""
    session = db_session()
    if session.scalar(select(Structure.id).where(Structure.name == CITY, Structure.source == "demo")):
        return False
    _build(session)
    session.commit()
    return True


class DemoResetRefused(PreauError, RuntimeError):
    """The database holds more than the demo: ``preau demo --reset`` leaves it alone."""

    status = 409


def drop_demo(engine: Engine, storage: Path) -> None:
    """Forget the demo: every table of its database (a SQLite file is deleted with its WAL) and the files of its
    storage directory. Refused when the database holds structures that the demo did not create."""
    with contextlib.suppress(SQLAlchemyError), engine.connect() as connection:  # no table yet: nothing to protect
        foreign = connection.scalar(select(func.count()).select_from(Structure).where(Structure.source != "demo"))
        if foreign:
            raise DemoResetRefused(f"{engine.url.render_as_string(hide_password=True)} contient {foreign} "
                                   "structure(s) qui ne viennent pas de la démo : elle n'est pas effacée.")
    engine.dispose()
    database = engine.url.database
    if engine.url.get_backend_name() == "sqlite" and database not in (None, "", ":memory:"):
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(database + suffix).unlink(missing_ok=True)
    else:
        metadata = MetaData()
        metadata.reflect(engine)
        metadata.drop_all(engine)
        engine.dispose()
    shutil.rmtree(storage, ignore_errors=True)


def _person(session: Session, login: str, first: str, last: str, password_hash: str, *,
            birth: date | None = None):
    user = create_user(session, first_name=first, last_name=last, login=login, birth_date=birth, source="demo")
    activate_with_password(session, user, password_hash)
    return user


def _build(session: Session) -> None:
    password = hash_password("demo")  # hashed once: argon2 is slow on purpose
    city = create_structure(session, CITY, StructureKind.CITY, source="demo")
    ferry = create_structure(session, "École élémentaire Jules-Ferry", StructureKind.ECOLE, uai="0921234A",
                             parents=[city], source="demo")
    curie = create_structure(session, "Collège Marie-Curie", StructureKind.COLLEGE, uai="0925678B",
                             parents=[city], source="demo")
    for profile in Profile:
        publish_charter(session, profile.value, f"Charte d'utilisation — {PROFILE_LABELS[profile]}", CHARTER_TEXT)

    cm2a, cm1 = create_class(session, ferry, "CM2 A", level="CM2"), create_class(session, ferry, "CM1", level="CM1")
    sixb, cinqa = create_class(session, curie, "6e B", level="6E"), create_class(session, curie, "5e A", level="5E")

    admin = _person(session, "admin", "Alice", "Admin", password)
    grant_function(session, admin, Function.SUPER_ADMIN)
    add_role(session, admin, city, Profile.PERSONNEL)

    direction = _person(session, "direction", "Didier", "Lambert", password)
    add_role(session, direction, ferry, Profile.PERSONNEL)
    grant_function(session, direction, Function.DIRECTEUR, ferry)
    grant_function(session, direction, Function.ADMIN_LOCAL, ferry)

    martin = _person(session, "prof.martin", "Paul", "Martin", password)
    add_role(session, martin, ferry, Profile.TEACHER)
    attach_to_class(session, martin, cm2a, Profile.TEACHER)

    lea = _person(session, "eleve.lea", "Léa", "Colin", password, birth=date(2015, 3, 14))
    tom = _person(session, "eleve.tom", "Tom", "Colin", password, birth=date(2014, 9, 2))
    add_role(session, lea, ferry, Profile.STUDENT)
    attach_to_class(session, lea, cm2a, Profile.STUDENT)
    add_role(session, tom, curie, Profile.STUDENT)
    attach_to_class(session, tom, sixb, Profile.STUDENT)

    colin = _person(session, "parent.colin", "Claire", "Colin", password)
    for school in (ferry, curie):
        add_role(session, colin, school, Profile.RELATIVE)
    link_relative(session, colin, lea)
    link_relative(session, colin, tom)

    durand = _person(session, "personnel.durand", "Sophie", "Durand", password)
    add_role(session, durand, ferry, Profile.PERSONNEL)
    roux = _person(session, "invite.roux", "Marc", "Roux", password)
    add_role(session, roux, ferry, Profile.GUEST)

    # A teacher of Marie-Curie who is also a parent at Jules-Ferry: one login, two roles.
    bernard = _person(session, "prof.bernard", "Hélène", "Bernard", password)
    add_role(session, bernard, curie, Profile.TEACHER)
    attach_to_class(session, bernard, sixb, Profile.TEACHER)
    add_role(session, bernard, ferry, Profile.RELATIVE)

    newcomer = create_user(session, first_name="Nora", last_name="Nouveau", login="eleve.nouveau",
                           birth_date=date(2015, 1, 20), source="demo")
    newcomer.activation_code = DEMO_ACTIVATION_CODE
    add_role(session, newcomer, ferry, Profile.STUDENT)
    attach_to_class(session, newcomer, cm1, Profile.STUDENT)

    _fill_classes(session, password, [(ferry, cm2a), (ferry, cm1), (curie, sixb), (curie, cinqa)], bernard)
    ulis = create_group(session, ferry, "Regroupement ULIS", kind="teaching")
    add_to_group(session, martin, ulis)
    add_to_group(session, lea, ulis)

    registry = current_app.extensions["preau.plugins"]
    for record in registry.apps():
        if record.manifest and not record.manifest.core and record.manifest.editor == "Préau":
            _enable_for_schools(session, record, city, [ferry, curie])
    session.flush()
    for user in (admin, direction, martin, lea, tom, colin, durand, roux, bernard):
        session.refresh(user, ["roles"])
        accept_charters(session, user)
    demo = DemoDirectory(city, ferry, curie, cm2a, cm1, sixb, cinqa, admin, direction, martin, bernard, lea, tom,
                         colin, durand)
    list(registry.call_each("preau_demo_data", apps=KERNEL_WIDE, guard=session.begin_nested, session=session,
                            demo=demo))


def _enable_for_schools(session: Session, record, city: Structure, schools: list[Structure]) -> None:
    """Enabled for the whole city, granted school by school (and to the city's own staff), so that each
    school's administrator can narrow an app down to some profiles, as the services administration allows."""
    set_enabled(session, city, record.app_id, True)
    for right in record.rights:
        for profile in right.default_profiles:
            for school in schools:
                grant(session, right.id, school, group=profile_group(session, school.id, profile))
            if profile == Profile.PERSONNEL:
                grant(session, right.id, city, group=profile_group(session, city.id, profile))


def _fill_classes(session: Session, password: str, classes, bernard) -> None:
    """Eight students per class, half with a parent account: about 60 accounts in all."""
    n = 0
    for school, school_class in classes:
        for i in range(8):
            first, last = FIRST_NAMES[(n + i) % len(FIRST_NAMES)], LAST_NAMES[(n * 3 + i) % len(LAST_NAMES)]
            login = f"{first}.{last}.{n + i}".lower().replace("é", "e").replace("è", "e").replace("ï", "i")
            child = _person(session, f"eleve.{login}", first, last, password, birth=date(2014, 1 + i, 1 + i))
            add_role(session, child, school, Profile.STUDENT)
            attach_to_class(session, child, school_class, Profile.STUDENT)
            if i < 4:
                parent = _person(session, f"parent.{login}", FIRST_NAMES[(i + 7) % 20], last, password)
                add_role(session, parent, school, Profile.RELATIVE)
                link_relative(session, parent, child)
            if i == 0 and school_class.name == "CM2 A":
                link_relative(session, bernard, child)
        n += 8
