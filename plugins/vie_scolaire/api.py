"""``/api/v1/vie-scolaire``: periods, grades with averages, skills and school-life events of the caller (a
student) or of one of their children (a parent: the selected child, or ``student_id``) — the pages' rules."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from preau import api_abort, api_protected, current_access, current_user, db_session, student_in_view

from . import services
from .adapters import AdapterError, compute_averages

blp = Blueprint("api_vie_scolaire", __name__, description="Notes et vie scolaire d'un élève (lecture seule)")


class StudentQuerySchema(Schema):
    student_id = fields.Integer(metadata={"description": "Un de vos enfants (parent) ; par défaut l'enfant "
                                                         "choisi, ou vous-même si vous êtes élève."})


class GradesQuerySchema(StudentQuerySchema):
    period = fields.String(metadata={"description": "Identifiant d'une période (voir /vie-scolaire/periods) ; "
                                                    "par défaut la période en cours."})


class PeriodSchema(Schema):
    id = fields.String()
    name = fields.String()
    start = fields.Date()
    end = fields.Date()
    archived = fields.Boolean()


class PeriodsSchema(Schema):
    student_id = fields.Integer()
    periods = fields.List(fields.Nested(PeriodSchema))


class GradeSchema(Schema):
    subject = fields.String()
    value = fields.String(metadata={"description": "La note telle que donnée : « 15 », « 12,5 », « Abs », « Disp »."})
    out_of = fields.Float()
    coefficient = fields.Float()
    date = fields.Date()
    comment = fields.String()
    class_average = fields.Float(allow_none=True)


class AverageSchema(Schema):
    subject = fields.String()
    student = fields.Float(allow_none=True, metadata={"description": "Moyenne de l'élève sur 20."})
    class_average = fields.Float(allow_none=True)


class GradesSchema(Schema):
    student_id = fields.Integer()
    notation = fields.String(metadata={"description": "notes (sur 20) ou competences (aucune note : voir /skills)"})
    period = fields.Nested(PeriodSchema, allow_none=True)
    grades = fields.List(fields.Nested(GradeSchema))
    averages = fields.List(fields.Nested(AverageSchema))


class SkillSchema(Schema):
    domain = fields.String()
    label = fields.String()
    level = fields.String()
    date = fields.Date()
    subject = fields.String()


class SkillsSchema(Schema):
    student_id = fields.Integer()
    skills = fields.List(fields.Nested(SkillSchema))


class AbsenceSchema(Schema):
    start = fields.DateTime()
    end = fields.DateTime()
    justified = fields.Boolean()
    reason = fields.String()


class LatenessSchema(Schema):
    date = fields.DateTime()
    minutes = fields.Integer()
    justified = fields.Boolean()
    reason = fields.String()


class PunishmentSchema(Schema):
    date = fields.Date()
    nature = fields.String()
    reason = fields.String()
    given_by = fields.String()


class EventsSchema(Schema):
    student_id = fields.Integer()
    absences = fields.List(fields.Nested(AbsenceSchema))
    lateness = fields.List(fields.Nested(LatenessSchema))
    punishments = fields.List(fields.Nested(PunishmentSchema))


def _student_and_adapter(args: dict) -> tuple[Any, Any]:
    if not current_access().has(services.ACCESS):
        api_abort(404, "not_found", _("Les notes et la vie scolaire ne sont pas ouvertes pour vous."))
    user, session = current_user._get_current_object(), db_session()
    if "student_id" in args:
        student = services.allowed_student(session, user, str(args["student_id"]))
        if student is None:
            api_abort(403, "forbidden_student", _("Cet élève n'est ni vous-même ni l'un de vos enfants."))
    else:
        student = student_in_view(user)
        if student is None:
            api_abort(404, "no_student", _("Aucun élève à afficher."))
    try:
        return student, services.adapter_for(session, student)
    except AdapterError:
        api_abort(503, "adapter_not_configured",
                  _("La source des notes et de la vie scolaire de l'établissement n'est pas configurée."))
        raise  # unreachable: api_abort raises


@blp.route("/vie-scolaire/periods")
@api_protected(blp, "read")
@blp.arguments(StudentQuerySchema, location="query")
@blp.response(200, PeriodsSchema)
def periods(args):
    """Les périodes (trimestres, semestres) de l'élève."""
    student, adapter = _student_and_adapter(args)
    return {"student_id": student.id, "periods": adapter.periods(student)}


@blp.route("/vie-scolaire/grades")
@api_protected(blp, "read")
@blp.arguments(GradesQuerySchema, location="query")
@blp.response(200, GradesSchema)
def grades(args):
    """Les notes d'une période, avec les moyennes par matière (calculées si la source ne les donne pas). Un
    établissement évalué par compétences (``notation`` : ``competences``) ne donne aucune note : voir /skills."""
    student, adapter = _student_and_adapter(args)
    notation = services.notation_of(db_session(), student)
    if notation == services.COMPETENCES:
        return {"student_id": student.id, "notation": notation, "period": None, "grades": [], "averages": []}
    periods = adapter.periods(student)
    if args.get("period"):
        period = next((p for p in periods if p.id == args["period"]), None)
        if period is None:
            api_abort(404, "unknown_period", _("Cette période n'existe pas pour cet élève."))
    else:
        period = services.latest_period_with_grades(adapter, student, periods)
    grades = adapter.grades(student, period.id) if period else []
    averages = (adapter.averages(student, period.id) or compute_averages(grades)) if period else []
    return {"student_id": student.id, "notation": notation, "period": period, "grades": grades,
            "averages": averages}


@blp.route("/vie-scolaire/skills")
@api_protected(blp, "read")
@blp.arguments(StudentQuerySchema, location="query")
@blp.response(200, SkillsSchema)
def skills(args):
    """Les compétences évaluées."""
    student, adapter = _student_and_adapter(args)
    return {"student_id": student.id, "skills": adapter.skills(student)}


@blp.route("/vie-scolaire/events")
@api_protected(blp, "read")
@blp.arguments(StudentQuerySchema, location="query")
@blp.response(200, EventsSchema)
def events(args):
    """Absences, retards et punitions."""
    student, adapter = _student_and_adapter(args)
    life = adapter.school_life(student)
    return {"student_id": student.id, "absences": life.absences, "lateness": life.lateness,
            "punishments": life.punishments}
