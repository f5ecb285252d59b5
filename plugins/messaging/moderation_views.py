"""Pages of the safeguards, the moderation queue, "Signaler", recall, read receipts and e-mail preferences.

Routes are added to the messaging blueprint (mounted under /apps/messaging/, so the kernel already answers 404
to anyone the app does not reach). Thin: every rule lives in safeguards.py, moderation.py, recall.py, notify.py.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

import preau
from preau import N_, Profile, current_user, db_session, require_right

from . import moderation, notify, recall, safeguards
from .models import Preference, utcnow
from .moderation import ModerationError
from .moderation_models import Decision
from .recall import RecallError
from .safeguards import SafeguardError
from .views import ACCESS, _sidebar, bp

DECISION_LABELS = {Decision.KEEP: N_("Conservé"), Decision.DELETE: N_("Supprimé"),
                   Decision.RELEASE: N_("Libéré"), Decision.REJECT: N_("Rejeté")}


def _me() -> Any:
    return current_user._get_current_object()


def _refuse(error: Exception) -> Any:
    """A refusal stores nothing: French message as a page, or JSON with the reason."""
    db_session().rollback()
    status = getattr(error, "status", 400)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(error="refused", message=str(error)), status
    return render_template("error.html", code=status, message=str(error)), status


for _error in (ModerationError, RecallError, SafeguardError):
    bp.register_error_handler(_error, _refuse)


@bp.context_processor
def _moderation_helpers() -> dict[str, Any]:
    """Helpers for the messaging templates; each runs its query only when a template calls it."""
    session = db_session()

    def can_moderate() -> bool:
        scope = moderation.moderated_structure_ids(session, _me())
        return scope is None or bool(scope)

    def can_administer() -> bool:
        return bool(preau.administered_structures(session, _me()))

    return {"messaging_recallable": lambda message: recall.recallable(session, _me(), message),
            "messaging_receipts_enabled": lambda: notify.receipts_enabled_for(session, _me()),
            "messaging_can_moderate": can_moderate, "messaging_can_administer": can_administer}


# -- "Signaler", recall, read receipts (from the conversation view) --------------------------------------


@bp.route("/message/<int:message_id>/report", methods=["POST"])
@require_right(ACCESS)
def report(message_id: int):
    session = db_session()
    moderation.report_message(session, _me(), message_id, request.form.get("reason", ""))
    session.commit()
    flash(_("Merci : le message a été signalé aux modérateurs de votre établissement."), "success")
    return redirect(url_for("messaging.message", message_id=message_id))


@bp.route("/message/<int:message_id>/recall", methods=["POST"])
@require_right(ACCESS)
def recall_view(message_id: int):
    session = db_session()
    count = recall.recall_message(session, _me(), message_id)
    session.commit()
    flash(_("Message rappelé : il a été retiré de %(num)d boîte(s) de réception.", num=count), "success")
    return redirect(url_for("messaging.message", message_id=message_id))


@bp.route("/message/<int:message_id>/receipts")
@require_right(ACCESS)
def receipts(message_id: int):
    rows = notify.read_receipts(db_session(), _me(), message_id)
    if rows is None:
        abort(404)
    return render_template("messaging/moderation/receipts.html", rows=rows, message_id=message_id,
                           read=sum(1 for r in rows if r.read_at), **_sidebar())


# -- e-mail preferences ----------------------------------------------------------------------------------


@bp.route("/settings/email", methods=["GET", "POST"])
@require_right(ACCESS)
def email_settings():
    session = db_session()
    me = _me()
    if request.method == "POST":
        preference = session.get(Preference, me.id)
        if preference is None:
            preference = Preference(user_id=me.id, signature="")
            session.add(preference)
        preference.notify_by_email = request.form.get("notify_by_email") == "on"
        preference.copy_to_personal_email = request.form.get("copy_to_personal_email") == "on"
        preference.updated_at = utcnow()
        session.commit()
        flash(_("Préférences de courriel enregistrées."), "success")
        return redirect(url_for("messaging.email_settings"))
    return render_template("messaging/moderation/email_settings.html",
                           preference=session.get(Preference, me.id), email=me.email, **_sidebar())


# -- the moderation queue --------------------------------------------------------------------------------


@bp.route("/moderation/")
@require_right(ACCESS)
def moderation_index():
    session = db_session()
    structures = moderation.moderated_structures(session, _me())
    if not structures:
        abort(403)
    if len(structures) == 1:
        return redirect(url_for("messaging.moderation_queue", structure_id=structures[0].id))
    counts = {s.id: moderation.pending_count(session, {s.id}) for s in structures}
    return render_template("messaging/moderation/index.html", structures=structures, counts=counts)


def _moderated_structure(structure_id: int) -> Any:
    session = db_session()
    structure = session.get(preau.Structure, structure_id)
    if structure is None or not moderation.can_moderate(session, _me(), structure_id):
        raise ModerationError(_("Vous ne modérez pas la messagerie de cette structure."), 403)
    return structure


@bp.route("/moderation/<int:structure_id>")
@require_right(ACCESS)
def moderation_queue(structure_id: int):
    structure = _moderated_structure(structure_id)
    session = db_session()
    suspensions = safeguards.suspensions_in(session, {structure_id})
    history = moderation.history(session, structure_id)
    deciders = {u.id: u.display_name for u in session.scalars(select(preau.User).where(
        preau.User.id.in_({e.item.decided_by for e in history if e.item.decided_by})))}
    return render_template("messaging/moderation/queue.html", structure=structure,
                           pending=moderation.pending(session, structure_id), history=history,
                           suspended={s.user_id for s, _user in suspensions}, suspensions=suspensions,
                           deciders=deciders, decision_labels=DECISION_LABELS)


@bp.route("/moderation/items/<int:item_id>", methods=["POST"])
@require_right(ACCESS)
def moderation_decide(item_id: int):
    session = db_session()
    item = moderation.decide(session, _me(), item_id, request.form.get("decision", ""))
    session.commit()
    flash(_("Décision enregistrée."), "success")
    return redirect(url_for("messaging.moderation_queue", structure_id=item.structure_id))


@bp.route("/moderation/users/<int:user_id>/<any(suspend, lift):action>", methods=["POST"])
@require_right(ACCESS)
def moderation_suspension(user_id: int, action: str):
    session = db_session()
    target = session.get(preau.User, user_id)
    if action == "suspend":
        safeguards.suspend(session, _me(), target, request.form.get("reason", ""))
        assert target is not None  # suspend() refuses a missing account (404)
        flash(_("%(name)s est suspendu(e) de la messagerie.", name=target.display_name), "success")
    else:
        safeguards.lift_suspension(session, _me(), target)
        assert target is not None  # lift_suspension() refuses a missing account (404)
        flash(_("%(name)s peut de nouveau écrire.", name=target.display_name), "success")
    session.commit()
    structure_id = request.form.get("structure_id", "")
    if structure_id.isdigit():
        return redirect(url_for("messaging.moderation_queue", structure_id=int(structure_id)))
    return redirect(url_for("messaging.moderation_index"))


# -- administration: limits, kill switch, read receipts --------------------------------------------------


@bp.route("/admin/safeguards/")
@require_right(ACCESS)
def safeguards_index():
    preau.require_admin()  # the kernel's 403 page for someone who administers nothing
    structures = preau.administered_structures(db_session(), _me())
    return render_template("messaging/moderation/admin_index.html", structures=structures)


@bp.route("/admin/safeguards/<int:structure_id>", methods=["GET", "POST"])
@require_right(ACCESS)
def safeguards_admin(structure_id: int):
    structure = preau.require_admin(structure_id)  # 404, or 403 audited outside the administrator's scope
    session = db_session()
    if request.method == "POST":
        me = _me()
        # Parse everything first: one bad value changes nothing.
        limits = {p.value: safeguards.parse_limit(request.form.get(f"limit_{p.value}")) for p in Profile}
        current = {r.profile: r.explicit_limit for r in safeguards.structure_overview(session, structure_id)}
        for profile, limit in limits.items():
            if current[profile] != limit:
                safeguards.set_hourly_limit(session, me, structure_id, profile, limit)
            safeguards.set_kill_switch(session, me, structure_id, profile,
                                       request.form.get(f"off_{profile}") == "on")
        safeguards.set_read_receipts(session, me, structure_id, request.form.get("read_receipts") == "on")
        session.commit()
        flash(_("Garde-fous de la messagerie enregistrés."), "success")
        return redirect(url_for("messaging.safeguards_admin", structure_id=structure_id))
    rows = safeguards.structure_overview(session, structure_id)
    return render_template("messaging/moderation/admin.html", structure=structure, rows=rows,
                           read_receipts=safeguards.read_receipts_enabled(session, {structure_id}),
                           defaults=safeguards.DEFAULT_HOURLY_LIMITS, names=_structure_names(session, rows))


def _structure_names(session, rows) -> dict[int, str]:
    ids = {sid for r in rows for sid in (r.effective.limit_from, r.effective.off_in) if sid}
    return {sid: session.get(preau.Structure, sid).name for sid in ids}
