"""``/api/v1/timetable``: one week of lessons — the caller's own (a parent: the selected child or one of their
children by ``eleve``), or a class, teacher or room they may see. Same rules as the pages (services.py)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import wraps
from typing import Any

from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from preau import api_abort, api_protected, current_access, current_user, db_session, setting, student_in_view

from . import services
from .services import N_, TimetableError
from .sources import shown_lessons

ACCESS = "timetable.access"
REASONS = {400: "bad_request", 403: "forbidden", 404: "not_found", 409: "conflict", 503: "source_unavailable"}
blp = Blueprint("api_timetable", __name__, description="L'emploi du temps (semaine d'un élève, d'une classe, "
                                                       "d'un enseignant ou d'une salle)")


def rules(view):
    """The app must reach the caller (else 404, as on the pages); a refusal becomes a JSON 4xx with a reason."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_access().has(ACCESS):
            api_abort(404, "not_found", _("L'emploi du temps n'est pas ouvert pour vous."))
        try:
            return view(*args, **kwargs)
        except TimetableError as error:
            db_session().rollback()
            api_abort(error.status, REASONS.get(error.status, "error"), _(error.message, **error.params))

    return wrapper


class WeekQuerySchema(Schema):
    eleve = fields.Integer(metadata={"description": "Un de ses enfants (par défaut : l'enfant choisi, ou soi-même)."})
    classe = fields.Integer(metadata={"description": "Une classe que l'on peut consulter."})
    enseignant = fields.Integer(metadata={"description": "Un enseignant de ses établissements."})
    salle = fields.String(validate=validate.Length(min=1, max=60), metadata={"description": "Une salle (avec etab)."})
    etab = fields.Integer(metadata={"description": "L'établissement de la salle."})
    date = fields.Date(metadata={"description": "Un jour de la semaine voulue (AAAA-MM-JJ ; défaut : aujourd'hui)."})


class LessonSchema(Schema):
    id = fields.Integer(allow_none=True, metadata={"description": "Vide pour un cours lu dans Pronote."})
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    subject = fields.String()
    room = fields.String()
    teacher_name = fields.String()
    status = fields.String(metadata={"description": "normal, changed (« Modifié ») ou cancelled (« Annulé »)."})
    change_note = fields.String()


class WeekSchema(Schema):
    label = fields.String(allow_none=True)
    student_id = fields.Integer(allow_none=True)
    start = fields.Date()
    end = fields.Date()
    week_kind = fields.String(metadata={"description": "« A », « B » ou vide."})
    lessons = fields.List(fields.Nested(LessonSchema))


def _scope(session: Any, me: Any, query: dict) -> Any:
    if query.get("classe") is not None:
        return services.class_scope(session, me, query["classe"])
    if query.get("enseignant") is not None:
        return services.teacher_scope(session, me, query["enseignant"])
    if query.get("salle") and query.get("etab") is not None:
        return services.room_scope(session, me, query["etab"], query["salle"])
    if query.get("salle"):
        raise TimetableError(N_("Indiquez l'établissement de la salle (etab)."), 400)
    student = services.checked_student(session, me, query.get("eleve"), student_in_view(me))
    return services.own_scope(session, me, student)


@blp.route("/timetable")
@api_protected(blp, "read")
@blp.arguments(WeekQuerySchema, location="query")
@blp.response(200, WeekSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(404, response="NOT_FOUND")
@rules
def week(query: dict):
    """Les cours d'une semaine (lundi–samedi). Un parent : l'enfant choisi ou ``eleve`` (un de ses enfants ;
    sinon 403). ``classe``, ``enseignant``, ``salle``+``etab`` : mêmes règles que les pages (sinon 404)."""
    session, me = db_session(), current_user._get_current_object()
    day = query.get("date") or date.today()
    if not services.EARLIEST <= day <= services.LATEST:
        raise TimetableError(N_("Les dates doivent être comprises entre 2000 et 2100."), 400)
    start = services.monday_of(day)
    end = start + timedelta(days=6)
    scope = _scope(session, me, query)
    if scope is None:
        return {"label": None, "student_id": None, "start": start, "end": end - timedelta(days=1),
                "week_kind": "", "lessons": []}
    kind = ""
    if scope.structure_id:
        kind = services.week_kind(start, setting("timetable", "week_a_monday", structure_id=scope.structure_id))
    return {"label": scope.label, "student_id": scope.student.id if scope.student is not None else None,
            "start": start, "end": end - timedelta(days=1), "week_kind": kind,
            "lessons": shown_lessons(session, scope, start, end)}
