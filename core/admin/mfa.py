"""An administrator removes the second factor of a person who lost their phone (after checking who they are).

Scoped like every account action (``_user_in_scope(acting=True)``) and audited."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import audit
from ..auth import totp
from ..db import db_session
from ..web import client_ip
from .views import _user_in_scope, bp


@bp.route("/users/<int:user_id>/totp/reset", methods=["POST"])
def reset_second_factor(user_id: int):
    user = _user_in_scope(user_id, acting=True)
    session = db_session()
    found = totp.credential(session, user.id)
    if found is None:
        flash(_("%(name)s n'a pas de double authentification.", name=user.display_name), "info")
        return redirect(url_for("admin.user_card", user_id=user.id), 303)
    session.delete(found)
    user.session_version += 1  # whoever holds an open session of the account logs in again
    audit.record(session, "auth.totp_reset", actor=current_user.id, target=user, ip=client_ip())
    session.commit()
    flash(_("La double authentification de %(name)s est retirée : elle pourra la remettre en place après sa "
            "prochaine connexion.", name=user.display_name), "success")
    return redirect(url_for("admin.user_card", user_id=user.id), 303)
