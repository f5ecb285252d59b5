"""The timetable's pages (mounted at ``/apps/timetable``): thin views over :mod:`.services`.
A refusal renders a page with the reason and its 4xx status (never a redirect); nothing is written."""

from __future__ import annotations

from datetime import date, time, timedelta

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from preau import User, current_access, current_user, db_session, require_right, setting, student_in_view

from . import services
from .services import N_, LessonInput, TimetableError
from .sources import shown_lessons

ACCESS = "timetable.access"
MANAGE = "timetable.manage"
DAYS = (N_("Lundi"), N_("Mardi"), N_("Mercredi"), N_("Jeudi"), N_("Vendredi"), N_("Samedi"))
bp = Blueprint("timetable", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static")


def _me() -> User:
    return current_user._get_current_object()


def _refuse(error: TimetableError):
    db_session().rollback()
    return render_template("timetable/error.html", message=_(error.message, **error.params)), error.status


def _int(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else None


def _day(raw: str | None, default: date) -> date:
    try:
        parsed = date.fromisoformat((raw or "").strip())
    except ValueError:
        return default
    return parsed if services.EARLIEST <= parsed <= services.LATEST else default


def _time(raw: str | None) -> time:
    try:
        return time.fromisoformat((raw or "").strip())
    except ValueError as exc:
        raise TimetableError(N_("Indiquez les heures au format HH:MM."), 400) from exc


def _scope(session, me: User, classes: list):
    args = request.args
    if (class_id := _int(args.get("classe"))) is not None:
        return services.class_scope(session, me, class_id, classes)
    if (teacher_id := _int(args.get("enseignant"))) is not None:
        return services.teacher_scope(session, me, teacher_id)
    if ":" in args.get("salle_etab", ""):  # the room picker sends "<structure>:<room>"
        etab, _sep, room = args["salle_etab"].partition(":")
        if (structure_id := _int(etab)) is not None and room:
            return services.room_scope(session, me, structure_id, room[:60])
    if args.get("salle") and (structure_id := _int(args.get("etab"))) is not None:
        return services.room_scope(session, me, structure_id, args.get("salle", "")[:60])
    return services.own_scope(session, me, student_in_view(me))


@bp.route("/")
@login_required
@require_right(ACCESS)
def index():
    session, me = db_session(), _me()
    day = _day(request.args.get("date"), date.today())
    single_day = request.args.get("vue") == "jour"
    start = day if single_day else services.monday_of(day)
    end = start + timedelta(days=1 if single_day else 6)
    classes = services.visible_classes(session, me)
    try:
        scope = _scope(session, me, classes)
        lessons = shown_lessons(session, scope, start, end) if scope else []
    except TimetableError as error:
        return _refuse(error)
    columns = [(start + timedelta(days=i), [lesson for lesson in lessons
                                            if lesson.starts_at.date() == start + timedelta(days=i)])
               for i in range((end - start).days)]
    kind = ""
    if scope and scope.structure_id:
        kind = services.week_kind(start, setting("timetable", "week_a_monday", structure_id=scope.structure_id))
    step = timedelta(days=1 if single_day else 7)
    pickers = services.picker_choices(session, me)
    return render_template("timetable/week.html", scope=scope, columns=columns, days=DAYS, kind=kind,
                           single_day=single_day, start=start, end=end - timedelta(days=1), today=date.today(),
                           previous=start - step, following=start + step,
                           classes=classes, pickers=pickers,
                           can_manage=current_access().has(MANAGE), keep=_kept_args(),
                           keep_but_view={k: v for k, v in _kept_args().items() if k != "vue"})


def _kept_args() -> dict[str, str]:
    kept = ("classe", "enseignant", "salle", "etab", "vue", "salle_etab")
    return {k: v for k, v in request.args.items() if k in kept}


def _manage_context(session, me: User) -> dict:
    allowed = services.manageable_structure_ids(session, me)
    classes = [c for c in services.visible_classes(session, me) if allowed is None or c.structure_id in allowed]
    return {"classes": classes, "days": DAYS}


def _managed_only():
    if not current_access().has(MANAGE):
        return _refuse(TimetableError(N_("La saisie de l'emploi du temps est réservée aux personnels."), 403))
    return None


@bp.route("/saisie", methods=["GET", "POST"])
@login_required
@require_right(ACCESS)
def manage():
    refused = _managed_only()
    if refused:
        return refused
    session, me = db_session(), _me()
    context = _manage_context(session, me)
    form = request.form
    if request.method == "GET":
        return render_template("timetable/manage.html", form={}, **context)
    try:
        target = form.get("classe", "")
        _structure, class_id, group_id = services.import_target(session, me, target)
        data = LessonInput(form.get("matiere", ""), class_id, group_id, _int(form.get("enseignant")),
                           form.get("enseignant_nom", ""), form.get("salle", ""), _time(form.get("debut")),
                           _time(form.get("fin")))
        first = _day(form.get("du"), date.min) if form.get("du") else None
        last = _day(form.get("au"), date.min) if form.get("au") else first
        if first is None or first == date.min or last == date.min:
            raise TimetableError(N_("Indiquez des dates valides (AAAA-MM-JJ) entre 2000 et 2100."), 400)
        weekday = _int(form.get("jour"))
        count = services.add_series(session, me, data, first.weekday() if weekday is None else weekday, first,
                                    last, form.get("semaines", ""),
                                    setting("timetable", "week_a_monday", structure_id=_structure))
    except TimetableError as error:
        session.rollback()
        return render_template("timetable/manage.html", form=form, error=_(error.message, **error.params),
                               **context), error.status
    session.commit()
    flash(_("%(num)d cours ajoutés.", num=count), "success")
    return redirect(url_for("timetable.manage"), 303)


@bp.route("/cours/<int:lesson_id>", methods=["GET", "POST"])
@login_required
@require_right(ACCESS)
def change(lesson_id: int):
    refused = _managed_only()
    if refused:
        return refused
    session, me, form = db_session(), _me(), request.form
    if request.method == "GET":
        try:
            lesson = services.managed_lesson(session, me, lesson_id)
        except TimetableError as error:
            return _refuse(error)
        back = request.args.get("retour", "")
        return render_template("timetable/lesson.html", lesson=lesson, days=DAYS,
                               back=back if back.startswith("/apps/timetable") else url_for("timetable.index"))
    action = form.get("action", "")
    try:
        if action == "annuler":
            services.cancel_lesson(session, me, lesson_id, form.get("note", ""))
            message = _("Cours annulé.")
        elif action == "supprimer_serie":
            count = services.delete_series(session, me, lesson_id)
            message = _("%(num)d cours supprimés.", num=count)
        elif action == "modifier":
            services.change_lesson(session, me, lesson_id, room=form.get("salle") or None,
                                   teacher_id=_int(form.get("enseignant")),
                                   teacher_name=form.get("enseignant_nom") or None,
                                   starts=_time(form["debut"]) if form.get("debut") else None,
                                   ends=_time(form["fin"]) if form.get("fin") else None, note=form.get("note", ""))
            message = _("Cours modifié.")
        else:
            raise TimetableError(N_("Action inconnue."), 400)
    except TimetableError as error:
        return _refuse(error)
    session.commit()
    flash(message, "success")
    back = request.form.get("retour") or ""
    return redirect(back if back.startswith("/apps/timetable") else url_for("timetable.index"), 303)


@bp.route("/import", methods=["GET", "POST"])
@login_required
@require_right(ACCESS)
def import_ics():
    refused = _managed_only()
    if refused:
        return refused
    session, me = db_session(), _me()
    context = _manage_context(session, me)
    if request.method == "GET":
        return render_template("timetable/import.html", plan=None, **context)
    upload = request.files.get("fichier")
    try:
        structure_id, class_id, group_id = services.import_target(session, me, request.form.get("classe", ""))
        if upload is None or not upload.filename:
            raise TimetableError(N_("Choisissez un fichier .ics."), 400)
        data = upload.stream.read(services.MAX_ICS_BYTES + 1)
        plan = services.parse_ics(data, structure_id, class_id, group_id, me.id)
        if request.form.get("appliquer") == "1":
            deleted, added = services.apply_import(session, me, plan, class_id, group_id)
            session.commit()
            flash(_("Import terminé : %(added)d cours importés, %(deleted)d remplacés.", added=added,
                    deleted=deleted), "success")
            return redirect(url_for("timetable.import_ics"), 303)
    except TimetableError as error:
        session.rollback()
        return render_template("timetable/import.html", plan=None, error=_(error.message, **error.params),
                               **context), error.status
    return render_template("timetable/import.html", plan=plan, target=request.form.get("classe", ""), **context)


@bp.route("/agenda", methods=["GET", "POST"])
@login_required
@require_right(ACCESS)
def feed_page():
    session, me = db_session(), _me()
    url = None
    if request.method == "POST":
        token = services.regenerate_feed(session, me)
        session.commit()
        url = url_for("timetable.feed", token=token, _external=True)
    return render_template("timetable/feed.html", url=url, active=services.has_feed(session, me.id))


@bp.route("/ical/<token>.ics")
def feed(token: str):
    session = db_session()
    owner = services.feed_owner(session, token)
    if owner is None:
        return Response(_("Ce lien d'agenda n'existe pas ou a été remplacé."), 404, mimetype="text/plain")
    try:
        items = services.feed_lessons(session, owner, date.today(), read=shown_lessons)
    except TimetableError as error:
        return Response(_(error.message, **error.params), error.status, mimetype="text/plain")
    return Response(services.render_ics(items, request.host), mimetype="text/calendar; charset=utf-8")


# A calendar application fetches it without a session: the token is the credential. (The documented marker of
# a public view is an attribute of the view function, which mypy does not know.)
feed.preau_public = True  # type: ignore[attr-defined]
