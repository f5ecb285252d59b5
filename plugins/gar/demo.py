"""Sample Médiacentre data for ``preau demo``: the demo resource list for the city's schools, a responsable
d'affectation per school and a few assignments, so that Léa (CM2 A) and Tom (6e B) find resources."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from preau import SchoolClass, Structure, User, set_setting

from .models import Assignment, Target
from .services import grant_responsable


def _user(session: Session, login: str) -> User | None:
    return session.scalar(select(User).where(User.login == login))


def _class(session: Session, structure: Structure, name: str) -> SchoolClass | None:
    return session.scalar(select(SchoolClass).where(SchoolClass.structure_id == structure.id,
                                                    SchoolClass.name == name))


def add_demo_assignments(session: Session, city: Structure, ecole: Structure, college: Structure) -> None:
    set_setting("gar", "adapter", "demo", structure_id=city.id, session=session)
    plan = [(ecole, "personnel.durand", "CM2 A", "ark:/99999/DEMO.ANGLAIS"),
            (college, "prof.bernard", "6e B", "ark:/99999/DEMO.MATHS6")]
    for school, login, class_name, resource in plan:
        responsable, school_class = _user(session, login), _class(session, school, class_name)
        if responsable is None or school_class is None:
            continue
        responsable.email = responsable.email or f"{login}@demo.preau.example"
        grant_responsable(session, responsable, school)
        session.add_all([
            Assignment(structure_id=school.id, resource_id="ark:/99999/DEMO.DICO", target=Target.STRUCTURE,
                       assigned_by=responsable.id),
            Assignment(structure_id=school.id, resource_id=resource, target=Target.CLASS,
                       class_id=school_class.id, assigned_by=responsable.id)])
    session.flush()
