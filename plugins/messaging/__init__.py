"""Messagerie: conversations under the communication rules. A built-in written as a plugin.

Everything goes through the public API of ``preau``: the rules (``can_communicate``, ``visible_users``,
``visible_groups``, ``reachable_members``), the storage backend, settings and hooks. The rules of messaging live
in :mod:`.services` (no Flask there); :mod:`.views` and :mod:`.api` are thin. Safeguards, moderation,
notifications and recall live in their own modules (safeguards.py, moderation.py, notify.py, recall.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, url_for
from sqlalchemy.orm import Session

from preau import (
    AppManifest,
    MenuItem,
    Profile,
    Right,
    SettingSpec,
    Widget,
    __version__,
    can_communicate,
    current_access,
    db_session,
    hookimpl,
)

from . import moderation, moderation_views  # noqa: F401 - moderation_views adds its routes to ``bp``
from .api import blp as api_blp
from .demo import add_demo_messages
from .services import N_
from .services.export import export_messages_of, merge_messages
from .views import bp
from .widget import render_unread_widget, unread_badge

APP_ID = "messaging"
ACCESS = f"{APP_ID}.access"
ALL_PROFILES = tuple(Profile)


@hookimpl
def preau_app() -> AppManifest:
    return AppManifest(
        id=APP_ID, name=N_("Messagerie"), version=__version__, editor="Préau", theme="Communication",
        description=N_("Écrire aux personnes et aux groupes que les règles de communication autorisent."),
        icon="mail", colour="#1d5fa8", default_profiles=ALL_PROFILES, entry_endpoint="messaging.inbox",
    )


@hookimpl
def preau_rights() -> list[Right]:
    return [Right(ACCESS, N_("Utiliser la messagerie"), ALL_PROFILES,
              description=N_("Écrire et recevoir des messages selon les règles de communication.")), *moderation.RIGHTS]


@hookimpl
def preau_settings() -> list[SettingSpec]:
    return [
        SettingSpec("max_attachments", N_("Nombre maximal de pièces jointes par message"), 10, "int"),
        SettingSpec("max_attachment_mb", N_("Taille maximale d'une pièce jointe (Mo)"), 5, "int"),
    ]


@hookimpl
def preau_blueprints() -> list[Blueprint]:
    return [bp]


@hookimpl
def preau_api_blueprints() -> list[Any]:
    return [api_blp]


@hookimpl
def preau_widgets() -> list[Widget]:
    # Messaging lives in the permanent bar; the widget only shows the unread count and the latest senders.
    return [Widget(f"{APP_ID}.unread", N_("Messages non lus"), render_unread_widget, right=ACCESS,
                   default_profiles=ALL_PROFILES)]


@hookimpl
def preau_menu_items() -> list[MenuItem]:
    return [MenuItem(f"{APP_ID}.bar", N_("Messagerie"), "/apps/messaging/", right=ACCESS, theme="Communication",
                     icon="mail", placement="bar", badge=unread_badge)]


@hookimpl
def preau_job_handlers() -> dict[str, Any]:
    from .notify import JOB_HANDLERS  # msg2: e-mail notifications and copies fan out in one job per send

    return dict(JOB_HANDLERS)


@hookimpl
def preau_demo_data(session: Session) -> None:
    """A few conversations of the demo: the inboxes of prof.martin and parent.colin are not empty."""
    add_demo_messages(session)


@hookimpl
def preau_migrations() -> str:
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def preau_user_merged(user: Any, merged_user_id: int) -> None:
    merge_messages(db_session(), user.id, merged_user_id)


@hookimpl
def preau_export_user_data(user: Any) -> dict[str, Any]:
    return export_messages_of(db_session(), user.id)


@hookimpl
def preau_write_link(sender: Any, recipient: Any) -> str | None:
    """A new message to ``recipient``, when the sender may use the messaging and the rules let them write."""
    if not current_access().has(ACCESS) or not can_communicate(db_session(), sender, recipient):
        return None
    return url_for("messaging.compose", to=f"u:{recipient.id}")
