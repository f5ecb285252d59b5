"""The users and classes of a structure in Moodle's "Upload users" CSV format (admin/tool/uploaduser), for
the step where Éléa imports accounts and puts students in cohorts, one cohort per class.

Columns: ``username, firstname, lastname, email, auth, idnumber, cohort1…cohortN``. Moodle matches a
``cohortN`` value against the cohort's idnumber (and creates a missing cohort with that idnumber as its name),
so a class becomes ``"<UAI> <class name>"``: readable, unique per school, never a bare number (which Moodle
would read as a cohort id).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from preau import Group, GroupMember, Role, SchoolClass, Structure, User

EXPORTED_PROFILES = ("student", "teacher")
BASE_COLUMNS = ["username", "firstname", "lastname", "email", "auth", "idnumber"]
MOODLE_AUTH = "lti"  # Éléa accounts sign in through the LTI launch from the ENT


@dataclass(frozen=True)
class MoodleUser:
    username: str
    firstname: str
    lastname: str
    email: str
    idnumber: str
    cohorts: tuple[str, ...]


def cohort_name(structure: Structure, class_name: str) -> str:
    return f"{structure.uai or f'S{structure.id}'} {class_name}"


def moodle_users(session: Session, structure: Structure) -> list[MoodleUser]:
    """Students and teachers of ``structure``, students with their classes as cohorts, in name order."""
    people = session.execute(
        select(User).join(Role, Role.user_id == User.id)
        .where(Role.structure_id == structure.id, Role.profile.in_(EXPORTED_PROFILES))
        .order_by(User.last_name, User.first_name, User.login)).scalars().unique().all()
    memberships = session.execute(
        select(GroupMember.user_id, SchoolClass.name)
        .join(Group, Group.id == GroupMember.group_id).join(SchoolClass, SchoolClass.id == Group.class_id)
        .where(SchoolClass.structure_id == structure.id, Group.profile == "student")
        .order_by(SchoolClass.name)).all()
    classes: dict[int, list[str]] = {}
    for user_id, name in memberships:
        classes.setdefault(user_id, []).append(cohort_name(structure, name))
    return [MoodleUser(user.login.lower(), user.first_name, user.last_name, user.email or "",
                       user.external_id or f"preau-{user.id}", tuple(classes.get(user.id, ())))
            for user in people]


def moodle_csv(users: list[MoodleUser]) -> str:
    """The CSV text: comma-separated, UTF-8, fields with commas or quotes quoted the RFC 4180 way."""
    width = max((len(u.cohorts) for u in users), default=0) or 1
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(BASE_COLUMNS + [f"cohort{n}" for n in range(1, width + 1)])
    for u in users:
        cohorts = list(u.cohorts) + [""] * (width - len(u.cohorts))
        writer.writerow([u.username, u.firstname, u.lastname, u.email, MOODLE_AUTH, u.idnumber, *cohorts])
    return out.getvalue()


def export_structure(session: Session, structure: Structure) -> str:
    return moodle_csv(moodle_users(session, structure))
