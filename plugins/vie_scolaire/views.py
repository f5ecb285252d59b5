"""The pages (mounted at ``/apps/vie_scolaire``): grades by period, skills, absences and lateness, punishments
for a student and the parents (following the child selector), and the CSV import for the school's staff."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from preau import current_access, current_user, db_session, require_right, student_in_view

from . import services
from .adapters import AdapterError, InPronote, compute_averages, overall_average

bp = Blueprint("vie_scolaire", __name__, template_folder="templates", static_folder="static")


def _me() -> Any:
    return current_user._get_current_object()


def request_memo() -> dict:
    """Per-request memo of adapter settings (never shared between requests, hence between users)."""
    if "_vie_scolaire_memo" not in g:
        g._vie_scolaire_memo = {}
    return g._vie_scolaire_memo


def _student() -> Any:
    """The student the page shows: ``?eleve=<id>`` when given (one of the caller's children, or themself;
    anything else is refused), else the child selected in the bar, else oneself as a student."""
    raw = request.args.get("eleve")
    if raw is None:
        return student_in_view(_me())
    student = services.allowed_student(db_session(), _me(), raw)
    if student is None:
        abort(403)
    return student


def _notation(student: Any) -> str:
    return services.notation_of(db_session(), student, request_memo()) if student is not None else services.NOTES


def _page(template: str, active: str, loader, **context: Any):
    student = _student()
    data, error, in_pronote = {}, None, False
    if student is not None:
        try:
            adapter = services.adapter_for(db_session(), student, request_memo())
            data = loader(adapter, student)
        except InPronote:
            in_pronote = True  # Pronote is the one source there: send the reader to it, show nothing of ours
        except AdapterError:
            error = _("La source des notes et de la vie scolaire de l'établissement n'est pas configurée "
                      "correctement. Prévenez l'administrateur de l'ENT.")
    html = render_template(f"vie_scolaire/{template}", active=active, student=student, error=error,
                           in_pronote=in_pronote, notation=_notation(student), can_import=_can_import(), **data,
                           **context)
    return (html, 503) if error else html


def _can_import() -> bool:
    return bool(services.importable_structures(db_session(), _me(), current_access().has(services.IMPORT)))


@bp.route("/")
@login_required
def index():
    if current_access().has(services.ACCESS):
        return redirect(url_for("vie_scolaire.grades"))
    if _can_import():
        return redirect(url_for("vie_scolaire.import_page"))
    abort(404)


@bp.route("/notes")
@login_required
@require_right(services.ACCESS)
def grades():
    student = _student()
    if student is not None and _notation(student) == services.COMPETENCES:
        # An école assesses competences, not grades on /20: its "Notes" are its competences.
        return redirect(url_for("vie_scolaire.skills", **request.args))

    def load(adapter, student):
        periods = adapter.periods(student)
        wanted = request.args.get("periode")
        period = next((p for p in periods if p.id == wanted), None)
        if wanted and period is None:
            abort(404)
        if period is None:
            period = services.latest_period_with_grades(adapter, student, periods)
        grades = adapter.grades(student, period.id) if period else []
        averages = adapter.averages(student, period.id) if period else []
        computed = {a.subject: a for a in compute_averages(grades)}
        subjects = [(a, [gr for gr in grades if gr.subject == a.subject]) for a in averages]
        subjects += [(a, [gr for gr in grades if gr.subject == name]) for name, a in computed.items()
                     if name not in {a.subject for a in averages}]
        return {"periods": periods, "period": period, "subjects": subjects,
                "overall": overall_average(averages)}

    return _page("grades.html", "grades", load)


@bp.route("/competences")
@login_required
@require_right(services.ACCESS)
def skills():
    return _page("skills.html", "skills", lambda adapter, student: {"skills": adapter.skills(student)})


@bp.route("/absences")
@login_required
@require_right(services.ACCESS)
def absences():
    return _page("absences.html", "absences",
                 lambda adapter, student: {"life": adapter.school_life(student, include_archived=True)})


@bp.route("/punitions")
@login_required
@require_right(services.ACCESS)
def punishments():
    return _page("punishments.html", "punishments",
                 lambda adapter, student: {"life": adapter.school_life(student, include_archived=True)})


# -- CSV import --------------------------------------------------------------------------------------------


def _import_structures() -> list:
    structures = services.importable_structures(db_session(), _me(), current_access().has(services.IMPORT))
    if not structures:
        abort(404)
    return structures


def _import_page(structures, status: int = 200, **context: Any):
    context.setdefault("kind", "notes")
    context.setdefault("structure_id", structures[0].id if structures else None)
    html = render_template("vie_scolaire/import.html", structures=structures, active="import",
                           max_mb=services.MAX_IMPORT_BYTES // (1024 * 1024), **context)
    return html, status


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_page():
    structures = _import_structures()
    if request.method == "GET":
        return _import_page(structures)
    if (request.content_length or 0) > services.MAX_IMPORT_BYTES + 64 * 1024:
        return _import_page(structures, 413, error=_("Le fichier envoyé est trop volumineux (au plus %(mb)d Mo).",
                                                     mb=services.MAX_IMPORT_BYTES // (1024 * 1024)))
    session = db_session()
    kind = request.form.get("kind", "")
    raw_structure = request.form.get("structure_id", "")
    structure = next((s for s in structures if str(s.id) == raw_structure), None)
    if structure is None:
        return _import_page(structures, 403, kind=kind,
                            error=_("Vous ne pouvez pas importer pour cette structure."))
    upload = request.files.get("file")
    raw = upload.read(services.MAX_IMPORT_BYTES + 1) if upload else b""
    context = {"kind": kind, "structure_id": structure.id, "structure": structure}
    if not raw:
        return _import_page(structures, 400, error=_("Choisissez un fichier CSV à importer."), **context)
    if len(raw) > services.MAX_IMPORT_BYTES:
        return _import_page(structures, 413, error=_("Le fichier envoyé est trop volumineux (au plus %(mb)d Mo).",
                                                     mb=services.MAX_IMPORT_BYTES // (1024 * 1024)), **context)
    try:
        preview = services.read_import(session, structure, kind, raw)
    except services.CsvImportError as error:
        return _import_page(structures, 422, error=str(error), **context)
    if not preview.ok or request.form.get("action") != "apply":
        return _import_page(structures, 200 if preview.ok else 422, preview=preview, **context)
    count = services.apply_import(session, structure, _me(), preview)
    session.commit()
    return _import_page(structures, 200, preview=preview, applied=count, **context)
