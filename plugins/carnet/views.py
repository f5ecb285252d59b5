"""The carnet de liaison's pages (mounted at ``/apps/carnet``): thin views over :mod:`.services`.

A refusal renders a page with the reason and its 4xx status (never a redirect); nothing is written.
A GET never writes: a parent signs with the « Signer ce mot » form (POST), a student notes their reading the same
way, so that a link, a prefetch or a forged image never signs on someone's behalf.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from preau import User, current_user, db_session, require_right, student_in_view

from . import services
from .services import CarnetError

ACCESS = "carnet.access"
bp = Blueprint("carnet", __name__, template_folder="templates")


def _me() -> User:
    return current_user._get_current_object()


def _refuse(error: CarnetError, **context):
    db_session().rollback()
    return render_template("carnet/error.html", message=_(error.message, **error.params), **context), error.status


@bp.route("/")
@login_required
@require_right(ACCESS)
def index():
    session, me = db_session(), _me()
    student = student_in_view(me)
    received = services.mots_of_student(session, student.id) if student else []
    authoring = services.is_author(me)
    written = services.mots_of_author(session, me.id) if authoring else []
    return render_template("carnet/index.html", student=student, is_student=student is not None and
                           student.id == me.id, received=received, authoring=authoring, written=written)


@bp.route("/nouveau", methods=["GET", "POST"])
@login_required
@require_right(ACCESS)
def compose():
    session, me = db_session(), _me()
    if not services.is_author(me):
        return _refuse(CarnetError("Seuls les enseignants et les personnels écrivent des mots.", 403))
    targets = services.author_targets(session, me)
    if request.method == "GET":
        return render_template("carnet/form.html", targets=targets, form={"cible": request.args.get("cible", "")})
    form = request.form
    try:
        mot = services.send_mot(session, me, form.get("cible", ""), form.get("titre", ""), form.get("message", ""),
                                requires_signature=form.get("signature") == "1",
                                replies_allowed=form.get("reponses") == "1")
    except CarnetError as error:
        session.rollback()
        return render_template("carnet/form.html", targets=targets, form=form,
                               error=_(error.message, **error.params)), error.status
    session.commit()
    flash(_("Mot envoyé aux parents de %(num)d élèves.", num=mot.recipient_count), "success")
    return redirect(url_for("carnet.show", mot_id=mot.id), 303)


@bp.route("/mot/<int:mot_id>")
@login_required
@require_right(ACCESS)
def show(mot_id: int):
    session, me = db_session(), _me()
    student = student_in_view(me)
    try:
        opened = services.open_mot(session, me, mot_id, student.id if student else None)
    except CarnetError as error:
        return _refuse(error)
    mot = opened.mot
    if opened.recipient is None:
        rows = services.recipients_of(session, mot.id)
        return render_template("carnet/author.html", mot=mot, rows=rows,
                               signed=sum(1 for r, _s, _p in rows if r.signed_at),
                               replies=services.replies_of(session, mot.id))
    return render_template("carnet/mot.html", mot=mot, recipient=opened.recipient, as_parent=opened.as_parent,
                           replies=services.replies_of(session, mot.id, opened.recipient.student_id))


def _form_student_id() -> int | None:
    raw = (request.form.get("eleve") or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else None


@bp.route("/mot/<int:mot_id>/signer", methods=["POST"])
@login_required
@require_right(ACCESS)
def sign(mot_id: int):
    session = db_session()
    try:
        opened = services.sign_mot(session, _me(), mot_id, _form_student_id())
    except CarnetError as error:
        return _refuse(error)
    session.commit()
    if opened.just_signed:
        flash(_("Mot signé."), "success")
    return redirect(url_for("carnet.show", mot_id=mot_id), 303)


@bp.route("/mot/<int:mot_id>/lu", methods=["POST"])
@login_required
@require_right(ACCESS)
def mark_read(mot_id: int):
    session = db_session()
    try:
        services.mark_read(session, _me(), mot_id)
    except CarnetError as error:
        return _refuse(error)
    session.commit()
    return redirect(url_for("carnet.show", mot_id=mot_id), 303)


@bp.route("/mot/<int:mot_id>/relancer", methods=["POST"])
@login_required
@require_right(ACCESS)
def remind(mot_id: int):
    session = db_session()
    try:
        count = services.remind(session, _me(), mot_id)
    except CarnetError as error:
        return _refuse(error)
    session.commit()
    flash(_("Relance envoyée : %(num)d courriels.", num=count), "success")
    return redirect(url_for("carnet.show", mot_id=mot_id), 303)


@bp.route("/mot/<int:mot_id>/export.csv")
@login_required
@require_right(ACCESS)
def export(mot_id: int):
    session = db_session()
    header = [_("Élève"), _("Classe"), _("Responsables"), _("Signé le"), _("Signé par")]
    try:
        text = services.export_csv(session, _me(), mot_id, header)
    except CarnetError as error:
        return _refuse(error)
    session.commit()
    return Response(text, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="mot-{mot_id}-signatures.csv"'})


@bp.route("/mot/<int:mot_id>/repondre", methods=["POST"])
@login_required
@require_right(ACCESS)
def reply(mot_id: int):
    session = db_session()
    try:
        services.add_reply(session, _me(), mot_id, request.form.get("reponse", ""), _form_student_id())
    except CarnetError as error:
        return _refuse(error)
    session.commit()
    flash(_("Réponse envoyée."), "success")
    return redirect(url_for("carnet.show", mot_id=mot_id), 303)
