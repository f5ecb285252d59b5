"""The user list of a structure for administrators: filters, sort, paging and the CSV export.

Every filter is an ``EXISTS`` on indexed columns so that the list stays fast on a structure of 100,000 students,
and a page is completed (roles, functions, classes) by a fixed number of queries, never one per user.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from ..models import Function, Group, GroupKind, GroupMember, Role, SchoolClass, User, UserFunction
from ..types import PROFILE_LABELS, Profile
from .lifecycle import STATE_LABELS
from .search import PageRequest, _prefix_pattern
from .structures import DirectoryError

SORTS = {
    "name": (User.last_name, User.first_name, User.id),
    "login": (User.login,),
    "created": (User.created_at, User.id),
    "state": (User.state, User.last_name, User.id),
}
SOURCES = ("manual", "aaf", "csv", "onde", "sso", "demo")
EXPORT_BATCH = 1000


@dataclass(frozen=True)
class UserFilters:
    q: str = ""
    profile: str = ""
    class_id: int | None = None
    group_id: int | None = None
    state: str = ""
    source: str = ""
    duplicates: bool = False
    function: str = ""
    created_from: date | None = None
    created_to: date | None = None
    sort: str = "name"
    descending: bool = False

    def as_args(self) -> dict[str, str]:
        """The filters as query-string arguments (for paging, sort links and the export link)."""
        args = {"q": self.q, "profile": self.profile, "class_id": self.class_id or "",
                "group_id": self.group_id or "", "state": self.state, "source": self.source,
                "duplicates": "1" if self.duplicates else "", "function": self.function,
                "created_from": self.created_from.isoformat() if self.created_from else "",
                "created_to": self.created_to.isoformat() if self.created_to else "",
                "sort": self.sort if self.sort != "name" else "", "order": "desc" if self.descending else ""}
        return {k: str(v) for k, v in args.items() if v}


def _int_arg(args: Mapping[str, str], name: str, label: str) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise DirectoryError(_("Valeur invalide pour le filtre « %(field)s ».", field=label))
    return int(raw)


def _date_arg(args: Mapping[str, str], name: str, label: str) -> date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise DirectoryError(_("Date invalide pour le filtre « %(field)s » (attendu : AAAA-MM-JJ).",
                               field=label)) from None


def _choice_arg(args: Mapping[str, str], name: str, allowed, label: str) -> str:
    value = (args.get(name) or "").strip()
    if value and value not in allowed:
        raise DirectoryError(_("Valeur invalide pour le filtre « %(field)s ».", field=label))
    return value


def parse_filters(args: Mapping[str, str]) -> UserFilters:
    """The filters of a query string; a bad value raises :class:`DirectoryError` naming the filter."""
    filters = UserFilters(
        q=(args.get("q") or "").strip()[:100],
        profile=_choice_arg(args, "profile", {p.value for p in Profile}, _("Profil")),
        class_id=_int_arg(args, "class_id", _("Classe")),
        group_id=_int_arg(args, "group_id", _("Groupe")),
        state=_choice_arg(args, "state", set(STATE_LABELS), _("État")),
        source=(args.get("source") or "").strip()[:16],
        duplicates=args.get("duplicates") in ("1", "on"),
        function=_choice_arg(args, "function", {f.value for f in Function}, _("Fonction")),
        created_from=_date_arg(args, "created_from", _("Créé à partir du")),
        created_to=_date_arg(args, "created_to", _("Créé jusqu'au")),
        sort=_choice_arg(args, "sort", set(SORTS), _("Tri")) or "name",
        descending=args.get("order") == "desc",
    )
    if filters.created_from and filters.created_to and filters.created_from > filters.created_to:
        raise DirectoryError(_("La date de début de création est après la date de fin."))
    return filters


def duplicate_condition():
    """Another account with the same last name, first name and birth date, coming from another source."""
    other = aliased(User)
    return exists().where(other.last_name == User.last_name, other.first_name == User.first_name,
                          other.birth_date == User.birth_date, other.id != User.id, other.source != User.source)


def filtered_query(structure_id: int, filters: UserFilters) -> Select:
    """The users holding a role in ``structure_id`` that match ``filters`` (not ordered)."""
    role = [Role.user_id == User.id, Role.structure_id == structure_id]
    if filters.profile:
        role.append(Role.profile == filters.profile)
    query = select(User).where(exists().where(*role))
    if filters.class_id is not None:
        query = query.where(exists().where(GroupMember.user_id == User.id, GroupMember.group_id == Group.id,
                                           Group.class_id == filters.class_id, Group.structure_id == structure_id))
    if filters.group_id is not None:
        query = query.where(exists().where(GroupMember.user_id == User.id, GroupMember.group_id == Group.id,
                                           Group.id == filters.group_id, Group.structure_id == structure_id))
    if filters.state:
        query = query.where(User.state == filters.state)
    if filters.source:
        query = query.where(User.source == filters.source)
    if filters.duplicates:
        query = query.where(User.birth_date.is_not(None), duplicate_condition())
    if filters.function:
        query = query.where(exists().where(UserFunction.user_id == User.id, UserFunction.code == filters.function))
    if filters.created_from:
        query = query.where(User.created_at >= datetime.combine(filters.created_from, time.min))
    if filters.created_to:
        query = query.where(User.created_at < datetime.combine(filters.created_to + timedelta(days=1), time.min))
    if filters.q:
        like = _prefix_pattern(filters.q)
        query = query.where(or_(func.lower(User.last_name).like(like, escape="\\"),
                                func.lower(User.first_name).like(like, escape="\\"),
                                func.lower(User.login).like(like, escape="\\"),
                                func.lower(User.display_name).like(like, escape="\\")))
    return query


def _ordered(query: Select, filters: UserFilters) -> Select:
    columns = SORTS[filters.sort]
    return query.order_by(*(c.desc() for c in columns) if filters.descending else columns)


@dataclass
class UserRow:
    user: User
    profiles: list[str]
    classes: list[str]


def classes_by_user(session: Session, user_ids: list[int], structure_id: int) -> dict[int, list[str]]:
    """Class names of each user in the structure, in one query."""
    found: dict[int, list[str]] = defaultdict(list)
    if not user_ids:
        return found
    rows = session.execute(
        select(GroupMember.user_id, SchoolClass.name).distinct()
        .join(Group, Group.id == GroupMember.group_id).join(SchoolClass, SchoolClass.id == Group.class_id)
        .where(GroupMember.user_id.in_(user_ids), Group.kind == GroupKind.CLASS,
               Group.structure_id == structure_id).order_by(SchoolClass.name))
    for user_id, name in rows:
        found[user_id].append(name)
    return found


def list_users(session: Session, structure_id: int, filters: UserFilters,
               page: PageRequest) -> tuple[list[UserRow], int]:
    """One page of the structure's users with their profiles and classes there, and the total count."""
    query = filtered_query(structure_id, filters)
    total = session.scalar(select(func.count()).select_from(query.with_only_columns(User.id).subquery())) or 0
    users = list(session.scalars(_ordered(query, filters).limit(page.page_size).offset(page.offset)))
    classes = classes_by_user(session, [u.id for u in users], structure_id)  # roles: selectin, one query
    return [UserRow(u, sorted(r.profile for r in u.roles if r.structure_id == structure_id), classes[u.id])
            for u in users], total


def filter_choices(session: Session, structure_id: int) -> dict[str, list]:
    """What the filter selects offer: the structure's classes, its manual and teaching groups, the sources."""
    classes = list(session.execute(select(SchoolClass.id, SchoolClass.name)
                                   .where(SchoolClass.structure_id == structure_id).order_by(SchoolClass.name)))
    groups = list(session.execute(select(Group.id, Group.name).where(
        Group.structure_id == structure_id, Group.kind.in_((GroupKind.MANUAL, GroupKind.TEACHING)))
        .order_by(Group.name)))
    return {"classes": classes, "groups": groups, "sources": list(SOURCES)}


# -- CSV export ----------------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection): a leading ' disarms it."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def export_header() -> list[str]:
    return [_("Nom"), _("Prénom"), _("Identifiant"), _("Profils"), _("Classes"), _("État"), _("Source"),
            _("Date de naissance"), _("Créé le")]


def export_rows(session: Session, structure_id: int, filters: UserFilters) -> Iterator[list[str]]:
    """Every filtered user, in the list's order, fetched by batches (a few queries per thousand users)."""
    ids = list(session.scalars(_ordered(filtered_query(structure_id, filters), filters).with_only_columns(User.id)))
    for start in range(0, len(ids), EXPORT_BATCH):
        batch = ids[start:start + EXPORT_BATCH]
        people = {row.id: row for row in session.execute(
            select(User.id, User.last_name, User.first_name, User.login, User.state, User.source,
                   User.birth_date, User.created_at).where(User.id.in_(batch)))}
        profiles: dict[int, list[str]] = defaultdict(list)
        for user_id, profile in session.execute(select(Role.user_id, Role.profile).where(
                and_(Role.user_id.in_(batch), Role.structure_id == structure_id)).order_by(Role.profile)):
            profiles[user_id].append(_(PROFILE_LABELS.get(profile, profile)))
        classes = classes_by_user(session, batch, structure_id)
        for user_id in batch:
            p = people[user_id]
            yield [csv_safe(v) for v in (
                p.last_name, p.first_name, p.login, ", ".join(profiles[user_id]), ", ".join(classes[user_id]),
                _(STATE_LABELS.get(p.state, p.state)), p.source,
                p.birth_date.isoformat() if p.birth_date else "", p.created_at.strftime("%Y-%m-%d %H:%M"))]


def export_csv(session: Session, structure_id: int, filters: UserFilters) -> Iterator[str]:
    """The CSV text by chunks: UTF-8 with a BOM (Excel opens it right), ``;`` separated."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(export_header())
    for number, row in enumerate(export_rows(session, structure_id, filters), 1):
        writer.writerow(row)
        if number % EXPORT_BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
