"""Activation letters, handed out at la rentrée: one printed page per account with its login, its activation code
and the school's instructions; and the mass renewal of codes when letters were lost."""

from __future__ import annotations

import io
from dataclasses import dataclass

from flask_babel import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit
from ..models import AccountState, Group, GroupMember, Role, SchoolClass, Setting, Structure, User
from .codes import new_code
from .structures import DirectoryError

INSTRUCTIONS_KEY = "letters.instructions"  # a kernel setting of the structure (app id "core")
MAX_INSTRUCTIONS = 2000


@dataclass(frozen=True)
class Selection:
    """Whose letters: a class, a profile, or chosen accounts — always inside one structure."""

    class_id: int | None = None
    profile: str | None = None
    user_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Letter:
    display_name: str
    login: str
    code: str
    classes: str


def selected_users(session: Session, structure: Structure, selection: Selection) -> list[User]:
    """The accounts of the structure the selection names, sorted as a teacher hands letters out."""
    query = select(User).join(Role, Role.user_id == User.id).where(Role.structure_id == structure.id)
    if selection.profile:
        query = query.where(Role.profile == selection.profile)
    if selection.class_id is not None:
        school_class = session.get(SchoolClass, selection.class_id)
        if school_class is None or school_class.structure_id != structure.id:
            raise DirectoryError(_("Cette classe n'appartient pas à %(structure)s.", structure=structure.name))
        members = select(GroupMember.user_id).join(Group, Group.id == GroupMember.group_id).where(
            Group.class_id == school_class.id)
        query = query.where(User.id.in_(members))
    if selection.user_ids:
        query = query.where(User.id.in_(selection.user_ids))
    return list(session.scalars(query.distinct().order_by(User.last_name, User.first_name, User.id)))


def _class_names(session: Session, user_ids: list[int], structure_id: int) -> dict[int, list[str]]:
    rows = session.execute(
        select(GroupMember.user_id, SchoolClass.name).join(Group, Group.id == GroupMember.group_id)
        .join(SchoolClass, SchoolClass.id == Group.class_id)
        .where(GroupMember.user_id.in_(user_ids), SchoolClass.structure_id == structure_id)
        .order_by(SchoolClass.name)).all()
    names: dict[int, list[str]] = {}
    for user_id, name in rows:
        names.setdefault(user_id, []).append(name)
    return names


def letters_for(session: Session, structure: Structure, users: list[User]) -> tuple[list[Letter], int]:
    """Letters of the accounts still to activate; the count of the others (already active, blocked…)."""
    waiting = [(u, u.activation_code) for u in users if u.state == AccountState.INACTIVE and u.activation_code]
    classes = _class_names(session, [u.id for u, _code in waiting], structure.id)
    letters = [Letter(u.display_name, u.login, code, ", ".join(classes.get(u.id, []))) for u, code in waiting]
    return letters, len(users) - len(waiting)


def renew_codes(session: Session, users: list[User], *, actor: User, structure: Structure,
                ip: str | None = None) -> int:
    """New activation codes for the accounts not yet activated (old letters stop working); one audit event."""
    renewed = [u for u in users if u.state == AccountState.INACTIVE]
    for user in renewed:
        user.activation_code, user.activation_code_expires_at = new_code(), None
    audit.record(session, "account.codes_renewed", actor=actor, structure_id=structure.id, ip=ip,
                 count=len(renewed), user_ids=[u.id for u in renewed][:500])
    session.flush()
    return len(renewed)


def instructions_of(session: Session, structure: Structure) -> str:
    value = session.scalar(select(Setting.value).where(
        Setting.app_id == "core", Setting.key == INSTRUCTIONS_KEY, Setting.structure_id == structure.id,
        Setting.profile.is_(None)))
    return value if isinstance(value, str) else ""


def save_instructions(session: Session, structure: Structure, text: str) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > MAX_INSTRUCTIONS:
        raise DirectoryError(_("Les consignes dépassent %(max)d caractères.", max=MAX_INSTRUCTIONS))
    row = session.scalar(select(Setting).where(
        Setting.app_id == "core", Setting.key == INSTRUCTIONS_KEY, Setting.structure_id == structure.id,
        Setting.profile.is_(None)))
    if row is None:
        session.add(Setting(app_id="core", key=INSTRUCTIONS_KEY, structure_id=structure.id, value=text))
    else:
        row.value = text
    session.flush()
    return text


# -- the PDF -------------------------------------------------------------------------------------------------


def render_pdf(letters: list[Letter], *, structure: Structure, site_url: str, instructions: str) -> bytes:
    """One A4 page per letter, in the reading order of a real letter: who, where, the two things to type."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(_("Codes d'activation — %(structure)s", structure=structure.name))
    canvas.setAuthor("Préau")
    for letter in letters:
        _page(canvas, letter, structure, site_url, instructions)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _page(canvas: Canvas, letter: Letter, structure: Structure, site_url: str, instructions: str) -> None:
    width, height = A4
    left, y = 25 * mm, height - 30 * mm
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(left, y, structure.name + (f" — UAI {structure.uai}" if structure.uai else ""))
    y -= 18 * mm
    canvas.setFont("Helvetica-Bold", 18)
    canvas.drawString(left, y, _("Votre compte ENT"))
    y -= 10 * mm
    canvas.setFont("Helvetica", 13)
    canvas.drawString(left, y, letter.display_name + (f" — {letter.classes}" if letter.classes else ""))
    y -= 16 * mm
    for label, value in ((_("Adresse du site"), site_url), (_("Identifiant"), letter.login),
                         (_("Code d'activation"), letter.code)):
        canvas.setFont("Helvetica", 11)
        canvas.drawString(left, y, label)
        canvas.setFont("Courier-Bold", 15)
        canvas.drawString(left + 45 * mm, y, value)
        y -= 10 * mm
    y -= 6 * mm
    steps = [_("1. Ouvrez l'adresse du site et choisissez « Première connexion : activer mon compte »."),
             _("2. Saisissez votre identifiant et votre code d'activation."),
             _("3. Lisez et acceptez la charte, choisissez votre mot de passe et donnez une adresse électronique "
               "de secours."),
             _("Le code ne sert qu'une fois. Gardez cette lettre en lieu sûr jusqu'à l'activation.")]
    y = _paragraphs(canvas, steps, left, y, width - 2 * left)
    if instructions:
        y -= 6 * mm
        canvas.setFont("Helvetica-Bold", 11)
        canvas.drawString(left, y, _("Consignes de l'établissement"))
        y -= 6 * mm
        _paragraphs(canvas, instructions.split("\n"), left, y, width - 2 * left)


def _paragraphs(canvas: Canvas, paragraphs: list[str], left: float, y: float, width: float) -> float:
    canvas.setFont("Helvetica", 11)
    for paragraph in paragraphs:
        for line in simpleSplit(paragraph, "Helvetica", 11, width) or [""]:
            if y < 20 * mm:
                return y  # the page is full: the rest of a very long text is cut, never spilled onto the next
            canvas.drawString(left, y, line)
            y -= 5.5 * mm
        y -= 2 * mm
    return y
