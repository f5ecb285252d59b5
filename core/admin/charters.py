"""The charter of each profile (platform-wide, so the super administrator's): a change publishes a new version
that every user of the profile accepts at their next page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from .. import audit
from ..auth.service import latest_charters, publish_charter
from ..db import db_session
from ..models import CharterAcceptance
from ..types import Profile
from ..web import client_ip
from .views import bp

TITLE_MAX, BODY_MAX = 200, 20_000


def _super_admin_only() -> None:
    if not current_user.is_super_admin:
        audit.record(db_session(), "security.scope_denied", actor=current_user.id, ip=client_ip(),
                     path=request.path, reason="charters_are_platform_wide")
        db_session().commit()
        abort(403)


def _page(errors: dict[str, str] | None = None, form: dict[str, str] | None = None, status: int = 200):
    session = db_session()
    charters = {c.profile: c for c in latest_charters(session, {p.value for p in Profile})}
    accepted = dict(session.execute(select(CharterAcceptance.charter_id, func.count())
                                    .where(CharterAcceptance.charter_id.in_([c.id for c in charters.values()]))
                                    .group_by(CharterAcceptance.charter_id)).all())
    return render_template("admin/charters.html", profiles=[p.value for p in Profile], charters=charters,
                           accepted=accepted, errors=errors or {}, form=form or {}), status


@bp.route("/charters")
def charters():
    _super_admin_only()
    return _page()


@bp.route("/charters/<profile>", methods=["POST"])
def charter_publish(profile: str):
    _super_admin_only()
    if profile not in {p.value for p in Profile}:
        abort(404)
    title = " ".join((request.form.get("title") or "").split())
    body = (request.form.get("body") or "").strip()
    errors = {}
    if not title or len(title) > TITLE_MAX:
        errors["title"] = _("Le titre est obligatoire (%(max)s caractères au plus).", max=TITLE_MAX)
    if not body or len(body) > BODY_MAX:
        errors["body"] = _("Le texte de la charte est obligatoire (%(max)s caractères au plus).", max=BODY_MAX)
    if errors:
        return _page({f"{profile}-{k}": v for k, v in errors.items()},
                     {f"{profile}-title": title, f"{profile}-body": body}, 400)
    charter = publish_charter(db_session(), profile, title, body, actor=current_user._get_current_object())
    db_session().commit()
    flash(_("Version %(version)s publiée : chaque utilisateur du profil l'acceptera à sa prochaine page.",
            version=charter.version), "success")
    return redirect(url_for("admin.charters") + f"#charter-{profile}")
