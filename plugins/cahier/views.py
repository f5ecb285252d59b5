"""The cahier de textes' pages (mounted at ``/apps/cahier``): thin views over :mod:`.services`.

A refusal renders the page again with the reason and its 4xx status (never a redirect); nothing is written.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, overload

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from preau import N_, User, current_user, db_session, require_right, storage, student_in_view

from . import services
from .models import Attachment, CahierSession, Homework
from .rows import homework_rows
from .services import CahierError, ItemInput, Target, Upload

ACCESS = "cahier.access"
bp = Blueprint("cahier", __name__, template_folder="templates", static_folder="static", static_url_path="/static")
bp.add_app_template_global(homework_rows, "homework_rows")
WEEKDAYS = (N_("lun."), N_("mar."), N_("mer."), N_("jeu."), N_("ven."), N_("sam."), N_("dim."))


def _me() -> User:
    return current_user._get_current_object()


def _message(error: CahierError) -> str:
    return _(error.message, **error.params)


@overload
def _day(raw: str | None) -> date | None: ...
@overload
def _day(raw: str | None, default: date) -> date: ...
def _day(raw: str | None, default: date | None = None) -> date | None:
    if not raw:
        return default
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise CahierError(N_("Date invalide : utilisez le format AAAA-MM-JJ."), 422, "bad_date") from None


def _time(raw: str | None) -> time | None:
    if not raw:
        return None
    try:
        return time.fromisoformat(raw.strip())
    except ValueError:
        raise CahierError(N_("Heure invalide : utilisez le format HH:MM."), 422, "bad_time") from None


def _int(raw: str | None, default: int = 0) -> int:
    raw = (raw or "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        raise CahierError(N_("Nombre invalide."), 422, "bad_number")
    return int(raw)


def _target(key: str) -> Target:
    target = services.target_of(db_session(), key)
    if target is None:
        abort(404)
    return target


def _readable(target: Target) -> None:
    me = _me()
    if not services.can_read(db_session(), me, target, student_in_view(me)):
        abort(403)


def _item_input() -> ItemInput:
    urls, labels = request.form.getlist("link_url"), request.form.getlist("link_label")
    files = []
    for upload in request.files.getlist("files"):
        if upload and upload.filename:
            files.append(Upload(upload.filename, upload.mimetype or "application/octet-stream",
                                upload.read(services.MAX_FILE_BYTES + 1)))
    return ItemInput(subject=request.form.get("subject", ""), html=request.form.get("html", ""),
                     links=list(zip(urls, labels + [""] * (len(urls) - len(labels)), strict=False)), files=files)


# -- home ---------------------------------------------------------------------------------------------------


@bp.route("/")
@login_required
@require_right(ACCESS)
def index():
    session, me = db_session(), _me()
    student = student_in_view(me)
    teaching = services.teacher_targets(session, me)
    teaching += [t for t in services.archived_targets(session, me) if t.key not in {x.key for x in teaching}]
    heading = [t for t in services.head_targets(session, me) if t.key not in {x.key for x in teaching}]
    todo = services.homework_of_student(session, student.id, since=date.today()) if student else []
    own_cahiers = services.student_targets(session, student)
    visas = services.visas_for(session, teaching + heading)
    return render_template("cahier/index.html", student=student, is_student=student is not None and
                           student.id == me.id, todo=todo, own_cahiers=own_cahiers, teaching=teaching,
                           heading=heading, visas=visas, today=date.today())


@bp.route("/devoirs")
@login_required
@require_right(ACCESS)
def homework_list():
    """The homework of the student in view for the whole year (``?eleve=`` picks one of one's children)."""
    session, me = db_session(), _me()
    try:
        student = services.check_child(session, me, _int(request.args.get("eleve"), 0) or None, student_in_view(me))
    except CahierError as error:
        return render_template("cahier/error.html", message=_message(error)), error.status
    rows = services.homework_of_student(session, student.id) if student else []
    return render_template("cahier/homework_list.html", student=student, rows=rows, today=date.today(),
                           is_student=student is not None and student.id == me.id)


@bp.route("/devoirs/<int:homework_id>/fait", methods=["POST"])
@login_required
@require_right(ACCESS)
def mark_done(homework_id: int):
    session = db_session()
    try:
        done = services.set_done(session, _me(), homework_id, request.form.get("done") == "1")
    except CahierError as error:
        session.rollback()
        return render_template("cahier/error.html", message=_message(error)), error.status
    session.commit()
    flash(_("Devoir marqué comme fait.") if done else _("Devoir marqué comme à faire."), "success")
    back = request.form.get("next", "")
    return redirect(back if back.startswith("/apps/cahier/") else url_for("cahier.index"), 303)


# -- a cahier -----------------------------------------------------------------------------------------------


@bp.route("/cahier/<key>")
@login_required
@require_right(ACCESS)
def cahier(key: str):
    target = _target(key)
    _readable(target)
    return _cahier_page(target)


def _cahier_page(target: Target, status: int = 200, error: str | None = None):
    session, me = db_session(), _me()
    page = max(1, min(_safe_int(request.args.get("page"), 1), 100000))
    rows, pages = services.sessions_of(session, target, page)
    homework = services.homework_of_target(session, target)
    visa = services.latest_visa(session, target)
    marks = services.frozen_flags({target.key: visa}, [*rows, *homework], session)
    files = services.attachments_of(session, [r.id for r in rows], [h.id for h in homework])
    can_write = services.can_write(session, me, target) and not target.archived
    is_head = services.is_head(session, me, target.structure_id)
    return render_template("cahier/cahier.html", target=target, rows=rows, page=page, pages=pages,
                           homework=homework, visa=visa, marks=marks, files=files, can_write=can_write,
                           is_head=is_head, error=error, today=date.today()), status


def _safe_int(raw: str | None, default: int) -> int:
    return int(raw) if raw and raw.isascii() and raw.isdigit() and len(raw) < 7 else default


@bp.route("/cahier/<key>/viser", methods=["POST"])
@login_required
@require_right(ACCESS)
def sign(key: str):
    session, target = db_session(), _target(key)
    try:
        until = _day(request.form.get("frozen_until"))
        if until is None:
            raise CahierError(N_("Indiquez la date jusqu'à laquelle le cahier est visé."), 422, "date_missing")
        services.sign_visa(session, _me(), target, until, request.form.get("comment", ""))
    except CahierError as error:
        session.rollback()
        if error.status == 403:
            abort(403)
        return _cahier_page(target, error.status, _message(error))
    session.commit()
    flash(_("Cahier visé."), "success")
    return redirect(url_for("cahier.cahier", key=target.key), 303)


@bp.route("/charge/<key>.json")
@login_required
@require_right(ACCESS)
def workload_json(key: str):
    session, target = db_session(), _target(key)
    if not services.can_write(session, _me(), target):
        return jsonify(error="forbidden", reason="not_your_class",
                       message=_("Vous n'enseignez pas dans cette classe ou ce groupe.")), 403
    try:
        start = _day(request.args.get("depuis"), date.today())
    except CahierError as error:
        return jsonify(error="invalid", reason=error.reason, message=_message(error)), 422
    days = services.workload(session, target, start)
    return jsonify(cahier=target.key, name=target.name,
                   days=[{"day": d["day"].isoformat(), "count": d["count"], "minutes": d["minutes"]} for d in days])


# -- sessions and homework forms ----------------------------------------------------------------------------


def _writable_targets() -> list[Target]:
    return [t for t in services.teacher_targets(db_session(), _me()) if not t.archived]


def _form_target(targets: list[Target], key: str | None) -> Target | None:
    return next((t for t in targets if t.key == key), targets[0] if targets and not key else None)


@bp.route("/seance/nouvelle", methods=["GET", "POST"])
@bp.route("/seance/<int:item_id>/modifier", methods=["GET", "POST"])
@login_required
@require_right(ACCESS)
def session_form(item_id: int | None = None):
    return _item_form("session", item_id)


@bp.route("/devoir/nouveau", methods=["GET", "POST"])
@bp.route("/devoir/<int:item_id>/modifier", methods=["GET", "POST"])
@login_required
@require_right(ACCESS)
def homework_form(item_id: int | None = None):
    return _item_form("homework", item_id)


def _load(kind: str, item_id: int | None) -> CahierSession | Homework | None:
    if item_id is None:
        return None
    session = db_session()
    item = session.get(CahierSession, item_id) if kind == "session" else session.get(Homework, item_id)
    if item is None:
        abort(404)
    return item


def _item_form(kind: str, item_id: int | None):
    session, me = db_session(), _me()
    item = _load(kind, item_id)
    targets = _writable_targets()
    target: Target | None
    if item is not None:
        target = services.target_of_row(session, item)
        if not services.can_write(session, me, target):
            abort(403)
    else:
        target = _form_target(targets, request.values.get("cible"))
    if not targets:
        return render_template("cahier/error.html", message=_(
            "Vous n'enseignez dans aucune classe ni aucun groupe : il n'y a pas de cahier à remplir.")), 403
    if target is None:  # a class or group the person does not teach: refused, with the form to choose again
        error = CahierError(N_("Vous n'enseignez pas dans cette classe ou ce groupe."), 403, "not_your_class")
        return _render_form(kind, item, targets, targets[0], error), 403
    if request.method == "POST":
        try:
            saved = _save(kind, item, target)
        except CahierError as error:
            session.rollback()
            return _render_form(kind, item, targets, target, error), error.status
        session.commit()
        flash(_("Séance enregistrée.") if kind == "session" else _("Devoir enregistré."), "success")
        return redirect(url_for("cahier.cahier", key=services.target_of_row(session, saved).key), 303)
    return _render_form(kind, item, targets, target)


def _save(kind: str, item: Any, target: Target) -> Any:
    session, me, form = db_session(), _me(), request.form
    data = _item_input()
    if kind == "session":
        day = _day(form.get("day"))
        if day is None:
            raise CahierError(N_("Indiquez la date de la séance."), 422, "date_missing")
        return services.save_session(session, me, target, data, day, _time(form.get("start")),
                                     _time(form.get("end")), existing=item)
    due = _day(form.get("due_on"))
    if due is None:
        raise CahierError(N_("Indiquez la date « À faire pour le »."), 422, "date_missing")
    session_id = _int(form.get("session_id"), 0) or None
    given = _day(form.get("given_on"), date.today())
    if session_id and not form.get("given_on"):
        linked = session.get(CahierSession, session_id)
        given = linked.day if linked is not None else given
    return services.save_homework(session, me, target, data, given, due, _int(form.get("minutes"), 0),
                                  session_id=session_id, existing=item)


def _render_form(kind: str, item: Any, targets: list[Target], target: Target, error: CahierError | None = None):
    session = db_session()
    form = request.form if request.method == "POST" else None
    start = date.today()
    load = services.workload(session, target, start) if kind == "homework" else []
    for row in load:
        row["label"] = f"{_(WEEKDAYS[row['day'].weekday()])} {row['day']:%d/%m}"
    sessions = []
    if kind == "homework":
        sessions = list(session.scalars(select(CahierSession).where(target.where(CahierSession))
                                        .order_by(CahierSession.day.desc()).limit(15)))
    return render_template("cahier/form.html", kind=kind, item=item, targets=targets, target=target, form=form,
                           error=_message(error) if error else None, workload=load, sessions=sessions,
                           today=date.today(), max_files=services.MAX_FILES)


@bp.route("/seance/<int:item_id>/supprimer", methods=["POST"])
@bp.route("/devoir/<int:item_id>/supprimer", methods=["POST"], endpoint="delete_homework")
@login_required
@require_right(ACCESS)
def delete_session(item_id: int):
    kind = "homework" if request.endpoint == "cahier.delete_homework" else "session"
    session, item = db_session(), _load(kind, item_id)
    assert item is not None  # _load answers 404 for a missing item
    target = services.target_of_row(session, item)
    try:
        services.delete_item(session, _me(), item)
    except CahierError as error:
        session.rollback()
        if error.status == 403:
            return render_template("cahier/error.html", message=_message(error)), 403
        return _cahier_page(target, error.status, _message(error))
    session.commit()
    flash(_("Séance supprimée.") if kind == "session" else _("Devoir supprimé."), "success")
    return redirect(url_for("cahier.cahier", key=target.key), 303)


@bp.route("/piece/<int:attachment_id>")
@login_required
@require_right(ACCESS)
def attachment(attachment_id: int):
    session = db_session()
    found = session.get(Attachment, attachment_id)
    if found is None:
        abort(404)
    owner = session.get(CahierSession, found.session_id) if found.session_id else session.get(Homework,
                                                                                              found.homework_id)
    _readable(services.target_of_row(session, owner))
    return send_file(storage().open(found.storage_key), mimetype="application/octet-stream", as_attachment=True,
                     download_name=found.filename)


def when(value: datetime | date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""
