"""The user's own account pages: personal API tokens."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.route("/tokens")
@login_required
def tokens():
    return render_template("account/tokens.html", tokens=[])
