"""The rules of Actualités: who holds which role on which thread, the feed, the writing and publication
workflow, comments, roles and images. Functions take a SQLAlchemy ``Session`` and never read ``request``.

A person's role on a thread is the highest role granted to them or to one of their groups (kernel group
membership: profile groups, class groups, manual and teaching groups), computed in one query.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import nh3
from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from preau import (
    IMAGE_KINDS,
    N_,
    Function,
    Group,
    GroupKind,
    GroupMember,
    PreauError,
    SchoolClass,
    Structure,
    UploadError,
    User,
    UserFunction,
    affected_rows,
    app_enabled,
    check_upload,
    classes_of,
    filter_reachable,
    profile_group,
    record_audit,
    storage,
    table_of,
)

from .models import (
    BODY_MAX,
    COMMENT_MAX,
    TITLE_MAX,
    Comment,
    CommentAuthors,
    Grant,
    Image,
    Item,
    Role,
    State,
    Thread,
    ThreadKind,
    utcnow,
)

APP_ID = "actualites"
IMAGE_MAX = 5 * 1024 * 1024
ROLE_LABELS = {Role.VISITEUR: N_("Visiteur"), Role.REDACTEUR: N_("Rédacteur"),
               Role.PUBLIEUR: N_("Rédacteur avec mise en ligne"), Role.MODERATEUR: N_("Modérateur"),
               Role.GESTIONNAIRE: N_("Gestionnaire")}
STATE_LABELS = {State.DRAFT: N_("Brouillon"), State.SUBMITTED: N_("En attente de publication"),
                State.PUBLISHED: N_("Publiée"), State.UNPUBLISHED: N_("Retirée de la publication")}
# The titles Préau gives the threads it creates: stored in French, shown in the reader's language (thread_title).
SCHOOL_THREAD_TITLE = N_("Actualités de l'établissement")
CLASS_THREAD_TITLE = N_("Actualités de la classe %(name)s")

# The rich text of news: the kernel's basic formatting, plus headings and images.
BODY_TAGS = {"p", "br", "b", "strong", "i", "em", "u", "s", "ul", "ol", "li", "a", "blockquote", "h2", "h3", "h4",
             "img"}
BODY_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "width", "height"}}
_OWN_IMAGE = re.compile(r"^/apps/actualites/images/\d{1,18}$")
_WEB_URL = re.compile(r"^https?://[^\s\"'<>]+$", re.IGNORECASE)
_DIMENSION = re.compile(r"^\d{1,4}$")


class ActuError(PreauError):
    """A refused action: a message for the person, the HTTP status and a reason slug for the API."""


def _not_found() -> ActuError:
    return ActuError(_("Cette actualité n'existe pas ou ne vous est pas accessible."), 404, "not_found")


# -- rich text ------------------------------------------------------------------------------------------------


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        return value if _OWN_IMAGE.match(value) or _WEB_URL.match(value) else None
    if tag == "img" and attribute in ("width", "height"):
        return value if _DIMENSION.match(value) else None
    return value


def clean_body(raw: str) -> str:
    """Sanitised news HTML: formatting, http(s)/mailto links, images from the web or uploaded here; scripts,
    styles, event attributes and javascript: URLs are dropped (with the content of scripts and styles)."""
    return nh3.clean(raw or "", tags=BODY_TAGS, attributes=BODY_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer", clean_content_tags={"script", "style"},
                     attribute_filter=_keep_attribute).strip()


# -- dates ------------------------------------------------------------------------------------------------------


def school_zone() -> ZoneInfo:
    """Times are stored in naive UTC and typed and shown in the schools' time zone."""
    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or "Europe/Paris")


def to_utc(local: datetime) -> datetime:
    return local.replace(tzinfo=school_zone()).astimezone(UTC).replace(tzinfo=None)


def to_local(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC).astimezone(school_zone()).replace(tzinfo=None)


def parse_when(raw: str | None, label: str) -> datetime | None:
    """A date and time typed in the schools' time zone (``2026-12-01T08:30`` or ``2026-12-01``), in naive UTC;
    ``None`` when empty."""
    text = (raw or "").strip()
    if not text:
        return None
    for pattern in ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            moment = datetime.strptime(text, pattern)
        except ValueError:
            continue
        if not 2000 <= moment.year <= 2100:
            break
        return to_utc(moment)
    raise ActuError(_("%(label)s : la date « %(value)s » est impossible (format attendu AAAA-MM-JJ HH:MM).",
                      label=label, value=text[:40]), 400, "invalid_date")


def local_input(moment: datetime | None) -> str:
    """The value of a datetime-local field for a stored time."""
    return to_local(moment).strftime("%Y-%m-%dT%H:%M") if moment else ""


def check_schedule(publish_at: datetime | None, expire_at: datetime | None) -> None:
    if publish_at and expire_at and expire_at <= publish_at:
        raise ActuError(_("La date de fin de publication doit suivre la date de mise en ligne."), 400,
                        "invalid_date")


# -- roles ------------------------------------------------------------------------------------------------------


def _grant_reaches(user_id: int):
    my_groups = select(GroupMember.group_id).where(GroupMember.user_id == user_id)
    return or_(Grant.user_id == user_id, Grant.group_id.in_(my_groups))


def roles_of(session: Session, user: User, thread_ids: Iterable[int] | None = None) -> dict[int, Role]:
    """The person's role on each thread that reaches them (one query)."""
    query = (select(Grant.thread_id, func.max(Grant.role)).where(_grant_reaches(user.id))
             .group_by(Grant.thread_id))
    if thread_ids is not None:
        query = query.where(Grant.thread_id.in_(list(thread_ids)))
    return {thread_id: Role(role) for thread_id, role in session.execute(query)}


def role_on(session: Session, user: User, thread: Thread) -> Role | None:
    return roles_of(session, user, [thread.id]).get(thread.id)


@dataclass
class ThreadAccess:
    thread: Thread
    role: Role

    @property
    def archived(self) -> bool:
        return self.thread.archived_at is not None

    def can(self, needed: Role) -> bool:
        return self.role >= needed and not self.archived


def thread_for(session: Session, user: User, thread_id: int) -> ThreadAccess:
    """The thread with the person's role on it, or 404 when no grant reaches them."""
    thread = session.get(Thread, thread_id)
    role = role_on(session, user, thread) if thread is not None else None
    if thread is None or role is None:
        raise ActuError(_("Ce fil d'actualités n'existe pas ou ne vous est pas accessible."), 404, "not_found")
    return ThreadAccess(thread, role)


def my_threads(session: Session, user: User) -> list[ThreadAccess]:
    """The threads that reach the person, with their role (two queries)."""
    roles = roles_of(session, user)
    if not roles:
        return []
    threads = session.scalars(select(Thread).where(Thread.id.in_(roles)).order_by(Thread.kind.desc(), Thread.title))
    return [ThreadAccess(thread, roles[thread.id]) for thread in threads]


# -- default threads ---------------------------------------------------------------------------------------------


def thread_title(thread: Thread) -> str:
    """A thread's title in the reader's language: the school's and the classes' threads are named by Préau (in
    French in the database), a rubrique keeps the title its gestionnaire gave it."""
    if thread.kind == ThreadKind.SCHOOL and thread.title == SCHOOL_THREAD_TITLE:
        return _(SCHOOL_THREAD_TITLE)
    prefix = CLASS_THREAD_TITLE.split("%", 1)[0]
    if thread.kind == ThreadKind.CLASS and thread.title.startswith(prefix):
        return _(CLASS_THREAD_TITLE, name=thread.title.removeprefix(prefix))
    return thread.title


def _new_thread(session: Session, structure_id: int, title: str, kind: str, *, class_id: int | None = None,
                created_by: int | None = None, comments_enabled: bool = True) -> Thread:
    thread = Thread(structure_id=structure_id, class_id=class_id, kind=kind, title=title[:TITLE_MAX],
                    comments_enabled=comments_enabled, created_by=created_by)
    session.add(thread)
    session.flush()
    return thread


def _insert_grants(session: Session, thread_id: int, rows: list[tuple[Role, str, int]]) -> None:
    if rows:
        session.execute(insert(table_of(Grant)), [
            {"thread_id": thread_id, "role": int(role), "user_id": grantee if kind == "user" else None,
             "group_id": grantee if kind == "group" else None} for role, kind, grantee in rows])


def ensure_school_thread(session: Session, structure: Structure) -> Thread:
    """« Actualités de l'établissement »: the structure's profile groups read it, its staff write drafts, its
    directeurs and ADML manage it."""
    thread = session.scalar(select(Thread).where(Thread.structure_id == structure.id,
                                                 Thread.kind == ThreadKind.SCHOOL, Thread.archived_at.is_(None)))
    if thread is not None:
        return thread
    thread = _new_thread(session, structure.id, SCHOOL_THREAD_TITLE, ThreadKind.SCHOOL, comments_enabled=False)
    rows: list[tuple[Role, str, int]] = [
        (Role.VISITEUR, "group", profile_group(session, structure.id, profile).id)
        for profile in ("teacher", "student", "relative", "personnel")]
    rows.append((Role.REDACTEUR, "group", profile_group(session, structure.id, "personnel").id))
    heads = session.scalars(select(UserFunction.user_id).where(
        UserFunction.structure_id == structure.id,
        UserFunction.code.in_([Function.DIRECTEUR, Function.ADMIN_LOCAL]))).unique()
    rows += [(Role.GESTIONNAIRE, "user", user_id) for user_id in set(heads)]
    _insert_grants(session, thread.id, rows)
    return thread


def _class_group_id(session: Session, school_class: SchoolClass, profile: str) -> int | None:
    return session.scalar(select(Group.id).where(Group.kind == GroupKind.CLASS, Group.class_id == school_class.id,
                                                 Group.profile == profile))


def ensure_class_thread(session: Session, school_class: SchoolClass, *, created_by: int | None = None) -> Thread:
    """A class's thread: its teachers publish, its students and their parents read."""
    thread = session.scalar(select(Thread).where(Thread.class_id == school_class.id,
                                                 Thread.kind == ThreadKind.CLASS, Thread.archived_at.is_(None)))
    if thread is not None:
        return thread
    thread = _new_thread(session, school_class.structure_id, CLASS_THREAD_TITLE % {"name": school_class.name},
                         ThreadKind.CLASS, class_id=school_class.id, created_by=created_by)
    rows = []
    for profile, role in (("teacher", Role.PUBLIEUR), ("student", Role.VISITEUR), ("relative", Role.VISITEUR)):
        group_id = _class_group_id(session, school_class, profile)
        if group_id is not None:
            rows.append((role, "group", group_id))
    _insert_grants(session, thread.id, rows)
    return thread


def ensure_default_threads(session: Session, user: User) -> None:
    """Create the defaults on first use: each school of the person where the app is enabled gets its thread,
    each class a teacher teaches gets its own."""
    structure_ids = {role.structure_id for role in user.roles}
    have = set(session.scalars(select(Thread.structure_id).where(
        Thread.structure_id.in_(structure_ids), Thread.kind == ThreadKind.SCHOOL, Thread.archived_at.is_(None))))
    for structure_id in sorted(structure_ids - have):
        structure = session.get(Structure, structure_id)
        if structure is not None and structure.uai and app_enabled(session, APP_ID, structure_id):
            ensure_school_thread(session, structure)
    if "teacher" in user.profiles:
        for school_class in classes_of(session, user, "teacher"):
            if school_class.archived_at is None:
                ensure_class_thread(session, school_class, created_by=user.id)


# -- the feed ------------------------------------------------------------------------------------------------------


def _live(now: datetime):
    return and_(Item.state == State.PUBLISHED, or_(Item.publish_at.is_(None), Item.publish_at <= now),
                or_(Item.expire_at.is_(None), Item.expire_at > now))


def feed(session: Session, user: User, *, thread_id: int | None = None, structure_ids: set[int] | None = None,
         limit: int = 50, now: datetime | None = None) -> list[tuple[Item, Thread]]:
    """Published news on the threads that reach the person, newest first (one query). ``structure_ids`` narrows
    to some schools (a parent follows the child selected in the permanent bar)."""
    now = now or utcnow()
    reached = select(Grant.thread_id).where(_grant_reaches(user.id))
    query = (select(Item, Thread).join(Thread, Thread.id == Item.thread_id)
             .where(Item.thread_id.in_(reached), _live(now))
             .order_by(func.coalesce(Item.publish_at, Item.published_at).desc(), Item.id.desc()).limit(limit))
    if thread_id is not None:
        query = query.where(Item.thread_id == thread_id)
    if structure_ids is not None:
        query = query.where(Thread.structure_id.in_(structure_ids))
    return [(item, thread) for item, thread in session.execute(query)]


def is_live(item: Item, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return (item.state == State.PUBLISHED and (item.publish_at is None or item.publish_at <= now)
            and (item.expire_at is None or item.expire_at > now))


def is_scheduled(item: Item, now: datetime | None = None) -> bool:
    return item.state == State.PUBLISHED and item.publish_at is not None and item.publish_at > (now or utcnow())


def my_items(session: Session, user: User) -> list[tuple[Item, Thread]]:
    """The person's own news in every state (their drafts, submissions, scheduled news)."""
    return list(session.execute(select(Item, Thread).join(Thread, Thread.id == Item.thread_id)
                                .where(Item.author_id == user.id).order_by(Item.updated_at.desc()).limit(100)))


def pending(session: Session, user: User) -> list[tuple[Item, Thread]]:
    """Submitted news waiting on the threads the person moderates or manages."""
    moderated = [tid for tid, role in roles_of(session, user).items() if role >= Role.MODERATEUR]
    if not moderated:
        return []
    return list(session.execute(select(Item, Thread).join(Thread, Thread.id == Item.thread_id).where(
        Item.thread_id.in_(moderated), Item.state == State.SUBMITTED, Thread.archived_at.is_(None))
        .order_by(Item.updated_at)))


@dataclass
class ItemAccess:
    item: Item
    access: ThreadAccess
    user: User

    @property
    def thread(self) -> Thread:
        return self.access.thread

    @property
    def is_author(self) -> bool:
        return self.item.author_id == self.user.id

    @property
    def can_edit(self) -> bool:
        if self.access.can(Role.MODERATEUR):
            return True
        if not self.is_author:
            return False
        return self.access.can(Role.PUBLIEUR) or (self.access.can(Role.REDACTEUR)
                                                  and self.item.state != State.PUBLISHED)

    @property
    def can_publish(self) -> bool:
        return self.access.can(Role.MODERATEUR) or (self.is_author and self.access.can(Role.PUBLIEUR))

    @property
    def can_moderate(self) -> bool:
        return self.access.can(Role.MODERATEUR)

    @property
    def can_comment(self) -> bool:
        return self.thread.comments_enabled and not self.access.archived and is_live(self.item)


def item_for(session: Session, user: User, item_id: int) -> ItemAccess:
    """One news item as the person may see it: published and live for readers; any state for its author and
    the thread's moderators. Anything else is 404, whether it exists or not."""
    item = session.get(Item, item_id)
    if item is None:
        raise _not_found()
    try:
        access = thread_for(session, user, item.thread_id)
    except ActuError:
        raise _not_found() from None
    found = ItemAccess(item, access, user)
    if is_live(item) or found.is_author or access.role >= Role.MODERATEUR:
        return found
    raise _not_found()


# -- writing and the workflow --------------------------------------------------------------------------------------


@dataclass
class Draft:
    title: str
    body: str
    publish_at: datetime | None = None
    expire_at: datetime | None = None
    is_public: bool = False


def _check_draft(draft: Draft) -> Draft:
    title = " ".join((draft.title or "").split())
    if not title:
        raise ActuError(_("Donnez un titre à l'actualité."), 422, "title_required")
    if len(title) > TITLE_MAX:
        raise ActuError(_("Le titre ne doit pas dépasser %(num)d caractères.", num=TITLE_MAX), 422, "title_too_long")
    if len(draft.body or "") > BODY_MAX:
        raise ActuError(_("Le texte est trop long (%(num)d caractères au plus).", num=BODY_MAX), 413, "too_long")
    body = clean_body(draft.body)
    check_schedule(draft.publish_at, draft.expire_at)
    return Draft(title, body, draft.publish_at, draft.expire_at, draft.is_public)


def _require(access: ThreadAccess, needed: Role, message: str) -> None:
    if access.archived:
        raise ActuError(_("Ce fil d'actualités est archivé : il reste lisible, mais plus rien n'y est écrit."), 409,
                        "archived")
    if access.role < needed:
        raise ActuError(message, 403, "forbidden")


def _public_allowed(access: ThreadAccess, draft: Draft) -> None:
    if draft.is_public and access.thread.kind == ThreadKind.CLASS:
        raise ActuError(_("Les actualités d'une classe ne peuvent pas paraître sur la page publique de "
                          "l'établissement."), 403, "class_not_public")


def create_item(session: Session, user: User, thread_id: int, draft: Draft, action: str = "draft") -> Item:
    """Write a news item: ``action`` is ``draft``, ``submit`` (to the moderators) or ``publish``."""
    access = thread_for(session, user, thread_id)
    _require(access, Role.REDACTEUR, _("Votre rôle sur ce fil ne permet pas d'écrire : il faut être rédacteur."))
    draft = _check_draft(draft)
    _public_allowed(access, draft)
    now = utcnow()
    item = Item(thread_id=thread_id, author_id=user.id, author_name=user.display_name, title=draft.title,
                body=draft.body, publish_at=draft.publish_at, expire_at=draft.expire_at, is_public=draft.is_public,
                state=State.DRAFT, created_at=now, updated_at=now)
    session.add(item)
    session.flush()
    record_audit(session, "actualites.item_created", actor=user, target=item, structure_id=access.thread.structure_id)
    _apply_action(session, ItemAccess(item, access, user), action)
    return item


def update_item(session: Session, user: User, item_id: int, draft: Draft, action: str = "draft") -> Item:
    found = item_for(session, user, item_id)
    if not found.can_edit:
        raise ActuError(_("Vous ne pouvez pas modifier cette actualité."), 403, "forbidden")
    _require(found.access, Role.REDACTEUR, _("Vous ne pouvez pas modifier cette actualité."))
    draft = _check_draft(draft)
    _public_allowed(found.access, draft)
    item = found.item
    item.title, item.body, item.publish_at, item.expire_at = draft.title, draft.body, draft.publish_at, draft.expire_at
    item.is_public, item.updated_at = draft.is_public, utcnow()
    record_audit(session, "actualites.item_updated", actor=user, target=item,
                 structure_id=found.thread.structure_id)
    if action != "keep":
        _apply_action(session, found, action)
    return item


def _apply_action(session: Session, found: ItemAccess, action: str) -> None:
    if action == "publish":
        publish(session, found)
    elif action == "submit":
        submit(session, found)
    elif action == "draft":
        if found.item.state == State.PUBLISHED and not found.can_publish:
            raise ActuError(_("Vous ne pouvez pas retirer cette actualité."), 403, "forbidden")
        if found.item.state != State.PUBLISHED:
            found.item.state = State.DRAFT
    elif action != "keep":
        raise ActuError(_("Action inconnue."), 400, "unknown_action")


def submit(session: Session, found: ItemAccess) -> None:
    _require(found.access, Role.REDACTEUR, _("Votre rôle sur ce fil ne permet pas d'écrire : il faut être rédacteur."))
    if found.item.state == State.PUBLISHED:
        raise ActuError(_("Cette actualité est déjà publiée."), 409, "already_published")
    found.item.state, found.item.refusal_reason = State.SUBMITTED, None
    record_audit(session, "actualites.item_submitted", actor=found.user, target=found.item,
                 structure_id=found.thread.structure_id)


def publish(session: Session, found: ItemAccess) -> None:
    if found.access.archived:
        _require(found.access, Role.VISITEUR, "")
    if not found.can_publish:
        raise ActuError(_("Votre rôle sur ce fil ne permet pas de publier : soumettez l'actualité à un modérateur."),
                        403, "forbidden")
    item, now = found.item, utcnow()
    item.state, item.published_by, item.published_at, item.refusal_reason = State.PUBLISHED, found.user.id, now, None
    record_audit(session, "actualites.item_published", actor=found.user, target=item,
                 structure_id=found.thread.structure_id, scheduled_for=item.publish_at and item.publish_at.isoformat())


def unpublish(session: Session, found: ItemAccess) -> None:
    if not found.can_publish or found.access.archived:
        raise ActuError(_("Vous ne pouvez pas retirer cette actualité."), 403, "forbidden")
    if found.item.state != State.PUBLISHED:
        raise ActuError(_("Cette actualité n'est pas publiée."), 409, "not_published")
    found.item.state, found.item.updated_at = State.UNPUBLISHED, utcnow()
    record_audit(session, "actualites.item_unpublished", actor=found.user, target=found.item,
                 structure_id=found.thread.structure_id)


def refuse(session: Session, found: ItemAccess, reason: str) -> None:
    if not found.can_moderate:
        raise ActuError(_("Seuls les modérateurs du fil refusent une actualité."), 403, "forbidden")
    if found.item.state != State.SUBMITTED:
        raise ActuError(_("Cette actualité n'attend pas de publication."), 409, "not_submitted")
    reason = " ".join((reason or "").split())[:1000]
    if not reason:
        raise ActuError(_("Indiquez la raison du refus : l'auteur la lira."), 422, "reason_required")
    found.item.state, found.item.refusal_reason, found.item.updated_at = State.DRAFT, reason, utcnow()
    record_audit(session, "actualites.item_refused", actor=found.user, target=found.item,
                 structure_id=found.thread.structure_id, reason=reason)


def delete_item(session: Session, found: ItemAccess) -> None:
    """Authors delete their news that are not online; moderators delete any."""
    allowed = found.can_moderate or (found.is_author and found.access.can(Role.REDACTEUR)
                                     and (found.item.state != State.PUBLISHED or found.can_publish))
    if not allowed or found.access.archived:
        raise ActuError(_("Vous ne pouvez pas supprimer cette actualité."), 403, "forbidden")
    record_audit(session, "actualites.item_deleted", actor=found.user, target=found.item,
                 structure_id=found.thread.structure_id, title=found.item.title)
    session.delete(found.item)
    session.flush()


# -- comments -----------------------------------------------------------------------------------------------------


def comments_of(session: Session, item_id: int) -> list[Comment]:
    return list(session.scalars(select(Comment).where(Comment.item_id == item_id).order_by(Comment.created_at,
                                                                                            Comment.id)))


PROFILE_LABELS = {"teacher": N_("un enseignant"), "student": N_("un élève"), "relative": N_("un parent"),
                  "personnel": N_("un personnel"), "guest": N_("un invité")}
PROFILE_ORDER = ("personnel", "teacher", "student", "relative", "guest")
COMMENT_AUTHORS_LABELS = {
    CommentAuthors.HIDDEN: N_("ne pas les afficher"),
    CommentAuthors.PROFILE: N_("indiquer seulement le profil de l'auteur (« un parent »), sans son texte")}


@dataclass(frozen=True)
class ShownComment:
    """A comment as one reader may see it: with its author and text when the rules let the reader reach the
    author (or the reader moderates the thread); else, with the « profile » setting, only a profile label."""

    id: int
    created_at: datetime
    author: str
    body: str | None  # None: the text is withheld from this reader

    @property
    def withheld(self) -> bool:
        return self.body is None


def _profile_label(author: User | None, structure_id: int) -> str:
    """« un parent »…: the author's profile in the thread's school (never a role held elsewhere)."""
    profiles = {role.profile for role in author.roles if role.structure_id == structure_id} if author else set()
    profile = next((p for p in PROFILE_ORDER if p in profiles), None)
    return _(PROFILE_LABELS[profile]) if profile else _("une personne")


def visible_comments(session: Session, found: ItemAccess) -> list[ShownComment]:
    """The comments of the item the reader may see (a few queries, whatever their number). A reader sees a
    comment's author and text only when the communication rules let them write to its author; the thread's
    moderators see everything (they moderate), everyone sees their own. Other comments are left out, or reduced
    to the author's profile when the thread says so: an anonymous text would still let two parents exchange a
    phone number."""
    comments = [c for c in comments_of(session, found.item.id) if not c.deleted]
    author_ids = {c.author_id for c in comments if c.author_id is not None}
    if found.can_moderate:
        reachable = author_ids
    else:
        reachable = filter_reachable(session, found.user, author_ids - {found.user.id}) | {found.user.id}
    show_profile = found.thread.comment_authors == CommentAuthors.PROFILE
    strangers = {c.author_id for c in comments if c.author_id not in reachable and c.author_id is not None}
    authors = ({u.id: u for u in session.scalars(select(User).where(User.id.in_(strangers)))}
               if show_profile and strangers else {})
    shown = []
    for comment in comments:
        if comment.author_id in reachable:
            shown.append(ShownComment(comment.id, comment.created_at, comment.author_name, comment.body))
        elif show_profile:
            author = authors.get(comment.author_id) if comment.author_id is not None else None
            label = _profile_label(author, found.thread.structure_id)
            shown.append(ShownComment(comment.id, comment.created_at, label, None))
    return shown


# A mention is « @login » at the start of the text or after a space or a punctuation sign (not inside an
# e-mail address).
_MENTION = re.compile(r"(?:^|(?<=[\s(,;:!?]))@([a-z0-9][a-z0-9._-]{0,63})", re.IGNORECASE)


def mentioned_logins(text: str) -> list[str]:
    return list(dict.fromkeys(m.group(1).lower().rstrip(".") for m in _MENTION.finditer(text)))


def check_mentions(session: Session, author: User, text: str) -> None:
    """Refuse a comment that names with ``@login`` someone its author may not write to. An unknown login gets
    the same answer, so mentions cannot probe which accounts exist."""
    logins = [login for login in mentioned_logins(text) if login != author.login]
    if not logins:
        return
    people = {login: user_id for login, user_id in session.execute(select(User.login, User.id)
                                                                     .where(User.login.in_(logins)))}
    reachable = filter_reachable(session, author, people.values())
    for login in logins:
        if people.get(login) not in reachable:
            raise ActuError(_("Vous ne pouvez pas mentionner « @%(login)s » : les règles de communication ne "
                              "vous permettent pas d'écrire à cette personne.", login=login), 422, "mention_refused")


def add_comment(session: Session, found: ItemAccess, body: str) -> Comment:
    if not found.thread.comments_enabled:
        raise ActuError(_("Les commentaires sont fermés sur ce fil d'actualités."), 403, "comments_disabled")
    if not found.can_comment:
        raise ActuError(_("Cette actualité ne peut pas être commentée."), 403, "comments_disabled")
    text = (body or "").strip()
    if not text:
        raise ActuError(_("Le commentaire est vide."), 422, "empty")
    if len(text) > COMMENT_MAX:
        raise ActuError(_("Le commentaire ne doit pas dépasser %(num)d caractères.", num=COMMENT_MAX), 422,
                        "too_long")
    check_mentions(session, found.user, text)
    comment = Comment(item_id=found.item.id, author_id=found.user.id, author_name=found.user.display_name,
                      body=text)
    session.add(comment)
    session.flush()
    record_audit(session, "actualites.comment_added", actor=found.user, target=comment,
                 structure_id=found.thread.structure_id)
    return comment


def delete_comment(session: Session, found: ItemAccess, comment_id: int) -> None:
    comment = session.get(Comment, comment_id)
    if comment is None or comment.item_id != found.item.id:
        raise ActuError(_("Ce commentaire n'existe pas."), 404, "not_found")
    if not found.can_moderate:
        raise ActuError(_("Seuls les modérateurs du fil suppriment un commentaire."), 403, "forbidden")
    comment.deleted = True
    record_audit(session, "actualites.comment_deleted", actor=found.user, target=comment,
                 structure_id=found.thread.structure_id)


# -- threads and their roles (gestionnaires) -------------------------------------------------------------------------


@dataclass
class GrantRow:
    grant: Grant
    label: str


def grants_of(session: Session, thread: Thread) -> list[GrantRow]:
    rows = session.execute(select(Grant, User.display_name, Group.name).outerjoin(User, User.id == Grant.user_id)
                           .outerjoin(Group, Group.id == Grant.group_id).where(Grant.thread_id == thread.id)
                           .order_by(Grant.role.desc(), Grant.id))
    return [GrantRow(grant, user_name or group_name or "?") for grant, user_name, group_name in rows]


def grantable_groups(session: Session, thread: Thread) -> list[Group]:
    """The groups of the thread's structure a gestionnaire may grant a role to."""
    return list(session.scalars(select(Group).where(Group.structure_id == thread.structure_id)
                                .order_by(Group.kind, Group.name)))


def _manager(session: Session, user: User, thread_id: int) -> ThreadAccess:
    access = thread_for(session, user, thread_id)
    _require(access, Role.GESTIONNAIRE, _("Seuls les gestionnaires du fil gèrent ses rôles."))
    return access


def add_grant(session: Session, actor: User, thread_id: int, role: int | str, *, group_id: int | None = None,
              login: str | None = None) -> Grant:
    access = _manager(session, actor, thread_id)
    try:
        role = Role(int(role))
    except (TypeError, ValueError):
        raise ActuError(_("Rôle inconnu."), 400, "unknown_role") from None
    user_id = None
    if login:
        user_id = session.scalar(select(User.id).where(User.login == login.strip().lower()))
        if user_id is None:
            raise ActuError(_("Aucun compte n'a l'identifiant « %(login)s ».", login=login.strip()[:64]), 404,
                            "unknown_user")
    elif group_id is not None:
        group = session.get(Group, group_id)
        if group is None or group.structure_id != access.thread.structure_id:
            raise ActuError(_("Ce groupe n'appartient pas à l'établissement du fil."), 404, "unknown_group")
    else:
        raise ActuError(_("Choisissez un groupe ou une personne."), 422, "grantee_required")
    grant = Grant(thread_id=thread_id, role=int(role), user_id=user_id, group_id=None if user_id else group_id)
    session.add(grant)
    session.flush()
    record_audit(session, "actualites.role_granted", actor=actor, target=access.thread,
                 structure_id=access.thread.structure_id, role=ROLE_LABELS[role], user_id=user_id,
                 group_id=grant.group_id)
    return grant


def remove_grant(session: Session, actor: User, thread_id: int, grant_id: int) -> None:
    access = _manager(session, actor, thread_id)
    grant = session.get(Grant, grant_id)
    if grant is None or grant.thread_id != thread_id:
        raise ActuError(_("Ce rôle n'existe pas."), 404, "not_found")
    remaining = session.scalar(select(func.count()).select_from(Grant).where(
        Grant.thread_id == thread_id, Grant.role == Role.GESTIONNAIRE, Grant.id != grant_id))
    if grant.role == Role.GESTIONNAIRE and not remaining:
        raise ActuError(_("Un fil garde au moins un gestionnaire."), 409, "last_manager")
    record_audit(session, "actualites.role_revoked", actor=actor, target=access.thread,
                 structure_id=access.thread.structure_id, role=ROLE_LABELS[Role(grant.role)], user_id=grant.user_id,
                 group_id=grant.group_id)
    session.delete(grant)
    session.flush()


def create_rubrique(session: Session, actor: User, school_thread_id: int, title: str) -> Thread:
    """A new thread (rubrique) of a school, by a gestionnaire of the school's own thread: its profile groups
    read it, its creator manages it."""
    access = _manager(session, actor, school_thread_id)
    if access.thread.kind != ThreadKind.SCHOOL:
        raise ActuError(_("Une rubrique se crée depuis le fil de l'établissement."), 400, "not_school_thread")
    title = " ".join((title or "").split())
    if not title or len(title) > TITLE_MAX:
        raise ActuError(_("Donnez un titre de %(num)d caractères au plus à la rubrique.", num=TITLE_MAX), 422,
                        "title_required")
    structure_id = access.thread.structure_id
    thread = _new_thread(session, structure_id, title, ThreadKind.OTHER, created_by=actor.id)
    rows: list[tuple[Role, str, int]] = [
        (Role.VISITEUR, "group", profile_group(session, structure_id, profile).id)
        for profile in ("teacher", "student", "relative", "personnel")]
    _insert_grants(session, thread.id, [*rows, (Role.GESTIONNAIRE, "user", actor.id)])
    record_audit(session, "actualites.thread_created", actor=actor, target=thread, structure_id=structure_id,
                 title=title)
    return thread


def set_comments(session: Session, actor: User, thread_id: int, enabled: bool,
                 authors: str | None = None) -> None:
    """Open or close comments, and choose what readers see of comments by authors they may not reach."""
    access = _manager(session, actor, thread_id)
    if authors is not None:
        try:
            access.thread.comment_authors = CommentAuthors(authors)
        except ValueError:
            raise ActuError(_("Réglage des commentaires inconnu."), 400, "unknown_setting") from None
    access.thread.comments_enabled = enabled
    record_audit(session, "actualites.thread_updated", actor=actor, target=access.thread,
                 structure_id=access.thread.structure_id, comments_enabled=enabled,
                 comment_authors=access.thread.comment_authors)


# -- images ----------------------------------------------------------------------------------------------------------


def save_image(session: Session, user: User, thread_id: int, data: bytes, filename: str | None) -> Image:
    """Store an image for a news item of the thread after the kernel's upload validation: PNG, JPEG, GIF or WebP
    read from the content, a name without a path, at most 5 MB and a bounded number of pixels (it is shown inline
    to every reader, so an SVG or a 30,000 × 30,000 px PNG never gets here)."""
    access = thread_for(session, user, thread_id)
    _require(access, Role.REDACTEUR, _("Votre rôle sur ce fil ne permet pas d'écrire : il faut être rédacteur."))
    try:
        checked = check_upload(data, filename, kinds=IMAGE_KINDS, max_bytes=IMAGE_MAX)
    except UploadError as error:
        raise ActuError(str(error), error.status, error.reason) from error
    image = Image(thread_id=thread_id, uploaded_by=user.id, storage_key=storage().put(checked.data),
                  mime=checked.mime, size=checked.size)
    session.add(image)
    session.flush()
    record_audit(session, "actualites.image_uploaded", actor=user, target=image,
                 structure_id=access.thread.structure_id)
    return image


def image_url(image_id: int) -> str:
    return f"/apps/actualites/images/{image_id}"


def readable_image(session: Session, user: Any, image_id: int) -> Image | None:
    """The image if the person may read its thread, or if a live public news item shows it (public page)."""
    image = session.get(Image, image_id)
    if image is None:
        return None
    if getattr(user, "is_authenticated", False) and role_on(session, user, session.get_one(Thread, image.thread_id)):
        return image
    shown = session.scalar(select(Item.id).where(Item.thread_id == image.thread_id, Item.is_public.is_(True),
                                                 _live(utcnow()),
                                                 Item.body.contains(f'src="{image_url(image.id)}"')).limit(1))
    return image if shown is not None else None


# -- the public page ----------------------------------------------------------------------------------------------


def public_school(session: Session, uai: str) -> Structure | None:
    """The school with this UAI if the app is enabled there."""
    if not re.fullmatch(r"[0-9A-Za-z]{8}", uai or ""):
        return None
    structure = session.scalar(select(Structure).where(Structure.uai == uai.upper()))
    if structure is None or not app_enabled(session, APP_ID, structure):
        return None
    return structure


def public_items(session: Session, structure: Structure, limit: int = 30) -> list[Item]:
    return list(session.scalars(select(Item).join(Thread, Thread.id == Item.thread_id).where(
        Thread.structure_id == structure.id, Item.is_public.is_(True), _live(utcnow()))
        .order_by(func.coalesce(Item.publish_at, Item.published_at).desc(), Item.id.desc()).limit(limit)))


def public_item(session: Session, structure: Structure, item_id: int) -> Item | None:
    return session.scalar(select(Item).join(Thread, Thread.id == Item.thread_id).where(
        Item.id == item_id, Thread.structure_id == structure.id, Item.is_public.is_(True), _live(utcnow())))


# -- lifecycle ------------------------------------------------------------------------------------------------------


def archive_class_threads(session: Session, structure_id: int) -> int:
    """Year transition: the structure's class threads become read-only archives (nothing is deleted)."""
    result = session.execute(update(Thread).where(Thread.structure_id == structure_id,
                                                  Thread.kind == ThreadKind.CLASS, Thread.archived_at.is_(None))
                             .values(archived_at=utcnow()))
    return affected_rows(result)


def merge_user(session: Session, kept_id: int, merged_id: int) -> None:
    session.execute(update(Item).where(Item.author_id == merged_id).values(author_id=kept_id))
    session.execute(update(Item).where(Item.published_by == merged_id).values(published_by=kept_id))
    session.execute(update(Comment).where(Comment.author_id == merged_id).values(author_id=kept_id))
    session.execute(update(Image).where(Image.uploaded_by == merged_id).values(uploaded_by=kept_id))
    session.execute(update(Thread).where(Thread.created_by == merged_id).values(created_by=kept_id))
    # Personal roles move too; the kept account may then hold two grants on a thread: the highest counts.
    session.execute(update(Grant).where(Grant.user_id == merged_id).values(user_id=kept_id))


def forget_user(session: Session, user_id: int) -> None:
    """A deleted account: its news and comments stay (the school's record), signed by no one."""
    session.execute(update(Comment).where(Comment.author_id == user_id).values(author_id=None))
    session.execute(update(Item).where(Item.author_id == user_id).values(author_id=None))
    session.execute(delete(Grant).where(Grant.user_id == user_id))


def export_of(session: Session, user: User) -> dict[str, Any]:
    items = session.execute(select(Item, Thread.title).join(Thread, Thread.id == Item.thread_id)
                            .where(Item.author_id == user.id).order_by(Item.id))
    comments = session.execute(select(Comment, Item.title).join(Item, Item.id == Comment.item_id)
                               .where(Comment.author_id == user.id).order_by(Comment.id))
    images = session.scalars(select(Image).where(Image.uploaded_by == user.id).order_by(Image.id))
    return {
        "items": [{"id": item.id, "thread": thread_title, "title": item.title, "body": item.body,
                   "state": item.state, "is_public": item.is_public, "created_at": item.created_at.isoformat(),
                   "publish_at": item.publish_at.isoformat() if item.publish_at else None}
                  for item, thread_title in items],
        "comments": [{"id": c.id, "item": title, "body": c.body, "created_at": c.created_at.isoformat(),
                      "deleted": c.deleted} for c, title in comments],
        "files": [{"name": f"image-{image.id}.{image.mime.split('/')[1]}", "storage_key": image.storage_key}
                  for image in images],
    }


def when_label(moment: datetime | None) -> str:
    """A stored (UTC) time as the schools read it."""
    return to_local(moment).strftime("%d/%m/%Y %H:%M") if moment else ""

