"""Six dashboard widgets for bench/portal.py, each doing what a real widget does: one small query about the
person, rendered as an escaped fragment. Loaded through PLUGINS_EXTRA, like a third-party plugin."""

from __future__ import annotations

from markupsafe import escape
from sqlalchemy import func, select

from preau import AppManifest, GroupMember, Right, Widget, db_session, hookimpl

APP_ID = "benchwidgets"


@hookimpl
def preau_app():
    return AppManifest(id=APP_ID, name="Widgets de mesure", version="1.0", editor="Préau")


@hookimpl
def preau_rights():
    return [Right(f"{APP_ID}.access", "Voir les widgets de mesure",
                  default_profiles=("teacher", "student", "relative", "personnel"))]


def _render(number: int):
    def render(user, size: str) -> str:
        groups = db_session().scalar(select(func.count()).select_from(GroupMember)
                                     .where(GroupMember.user_id == user.id))
        return f"<p>{escape(user.display_name)} : {groups} groupe(s), widget {number}, taille {escape(size)}</p>"

    return render


@hookimpl
def preau_widgets():
    return [Widget(f"{APP_ID}.w{n}", f"Widget {n}", _render(n), right=f"{APP_ID}.access") for n in range(1, 7)]
