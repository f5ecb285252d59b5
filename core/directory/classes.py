"""Classes and manual / teaching groups."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ..models import Group, GroupKind, SchoolClass, Structure
from ..types import Profile
from .default_links import install_class_defaults, members_communicate_by_default
from .structures import DirectoryError

CLASS_PROFILES = {Profile.TEACHER: "Enseignants", Profile.STUDENT: "Élèves", Profile.RELATIVE: "Parents"}


def create_class(
    session: Session, structure: Structure, name: str, *, level: str | None = None,
    external_id: str | None = None, source: str = "manual",
) -> SchoolClass:
    """Create a class and its three profile groups (teachers, students, relatives)."""
    name = (name or "").strip()
    if not name:
        raise DirectoryError(_("Le nom de la classe est obligatoire."))
    if session.scalar(select(SchoolClass.id).where(SchoolClass.structure_id == structure.id,
                                                   SchoolClass.name == name)):
        raise DirectoryError(_("La classe %(name)s existe déjà dans %(structure)s.", name=name,
                               structure=structure.name))
    school_class = SchoolClass(structure_id=structure.id, name=name, level=level, external_id=external_id,
                               source=source)
    session.add(school_class)
    session.flush()
    session.execute(insert(Group), class_group_rows(school_class.id, school_class.name, structure.id, source))
    install_class_defaults(session, school_class.id)
    return school_class


def class_group_rows(class_id: int, class_name: str, structure_id: int, source: str = "manual") -> list[dict]:
    return [
        {"structure_id": structure_id, "class_id": class_id, "kind": GroupKind.CLASS,
         "profile": profile.value, "name": f"{label} — {class_name}",
         "members_communicate": members_communicate_by_default(GroupKind.CLASS, profile.value),
         "source": source}
        for profile, label in CLASS_PROFILES.items()
    ]


def create_group(
    session: Session, structure: Structure, name: str, *, kind: str = GroupKind.MANUAL,
    members_communicate: bool = True,
) -> Group:
    """A manual group or a teaching group (regroupement ULIS, UPE2A…) of a structure."""
    if kind not in (GroupKind.MANUAL, GroupKind.TEACHING):
        raise DirectoryError(_("Seuls les groupes manuels et de regroupement se créent à la main."))
    if not (name or "").strip():
        raise DirectoryError(_("Le nom du groupe est obligatoire."))
    group = Group(structure_id=structure.id, kind=kind, name=name.strip(),
                  members_communicate=members_communicate)
    session.add(group)
    session.flush()
    return group
