"""The messaging pages, mounted under /apps/messaging/. Thin: every rule lives in :mod:`.services`."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from preau import (
    Profile,
    classes_of,
    current_user,
    db_session,
    require_right,
    setting,
    storage,
    visible_groups,
    visible_roles,
    visible_users,
)

from . import safeguards
from .models import FOLDER_NAME_MAX, SUBJECT_MAX, Message, MessageState
from .services import N_, MessagingError, attachments, boxes, compose, folders, preferences
from .services import search as search_service
from .services.richtext import sanitize_html, text_to_html

ACCESS = "messaging.access"
bp = Blueprint("messaging", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static")

BOX_TITLES = {"inbox": N_("Boîte de réception"), "sent": N_("Messages envoyés"), "drafts": N_("Brouillons"),
              "trash": N_("Corbeille")}


def _me() -> Any:
    return current_user._get_current_object()


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json" or request.path.endswith("/autosave")


@bp.errorhandler(MessagingError)
def messaging_error(error: MessagingError):
    db_session().rollback()  # a refusal stores nothing
    if _wants_json():
        return jsonify(error=error.reason, reason=error.reason, message=str(error)), error.status
    return render_template("messaging/error.html", code=error.status, message=str(error)), error.status


def _sidebar() -> dict[str, Any]:
    session = db_session()
    return {"unread": boxes.unread_counts(session, current_user.id),
            "folder_nodes": folders.folder_tree(session, current_user.id),
            "box_titles": BOX_TITLES, "FOLDER_NAME_MAX": FOLDER_NAME_MAX}


def _page_arg() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100000 else 1


def _ids_from_form() -> list[int]:
    values = request.form.getlist("ids")
    if not values or not all(v.isdigit() for v in values):
        raise MessagingError(_("Choisissez au moins un message."), 400, "no_selection")
    return [int(v) for v in values]


def _optional_int(value: str | None) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise MessagingError(_("Identifiant invalide."), 400, "invalid_id")
    return int(value)


# -- boxes and folders --------------------------------------------------------------------------------------


@bp.route("/")
@require_right(ACCESS)
def inbox():
    return box("inbox")


@bp.route("/box/<box>")
@require_right(ACCESS)
def box(box: str):
    page = boxes.list_box(db_session(), current_user.id, box, page=_page_arg())
    return render_template("messaging/box.html", page=page, current_box=box, folder=None,
                           title=_(BOX_TITLES.get(box, "")), **_sidebar())


@bp.route("/folder/<int:folder_id>")
@require_right(ACCESS)
def folder(folder_id: int):
    session = db_session()
    found = folders.get_folder(session, current_user.id, folder_id)
    page = boxes.list_box(session, current_user.id, "inbox", folder_id=folder_id, page=_page_arg())
    return render_template("messaging/box.html", page=page, current_box=None, folder=found, title=found.name,
                           **_sidebar())


@bp.route("/search")
@require_right(ACCESS)
def search():
    query = request.args.get("q", "")[:200]
    rows = search_service.search(db_session(), current_user.id, query) if query.strip() else []
    return render_template("messaging/search.html", rows=rows, query=query, **_sidebar())


@bp.route("/actions", methods=["POST"])
@require_right(ACCESS)
def actions():
    """One form for the selection of a box: trash, restore, move to a folder, mark read or unread."""
    session = db_session()
    action = request.form.get("action", "")
    ids = _ids_from_form()
    if action == "trash":
        boxes.trash(session, current_user.id, ids)
        done = _("Message(s) placé(s) dans la corbeille.")
    elif action == "restore":
        boxes.restore(session, current_user.id, ids)
        done = _("Message(s) restauré(s).")
    elif action == "move":
        boxes.move_to_folder(session, current_user.id, ids, _optional_int(request.form.get("folder_id")))
        done = _("Message(s) déplacé(s).")
    elif action == "unread":
        for message_id in ids:
            boxes.mark_unread(session, current_user.id, message_id)
        done = _("Message(s) marqué(s) comme non lu(s).")
    else:
        raise MessagingError(_("Action inconnue."), 400, "unknown_action")
    session.commit()
    flash(done, "success")
    return redirect(_back())


def _back() -> str:
    target = request.form.get("next", "")
    return target if target.startswith("/apps/messaging/") and not target.startswith("//") \
        else url_for("messaging.inbox")


@bp.route("/trash/empty", methods=["POST"])
@require_right(ACCESS)
def empty_trash():
    count = boxes.empty_trash(db_session(), current_user.id)
    db_session().commit()
    flash(_("Corbeille vidée (%(num)d message(s)).", num=count), "success")
    return redirect(url_for("messaging.box", box="trash"))


@bp.route("/folders", methods=["GET", "POST"])
@require_right(ACCESS)
def manage_folders():
    session = db_session()
    if request.method == "POST":
        folders.create_folder(session, current_user.id, request.form.get("name", ""),
                              _optional_int(request.form.get("parent_id")))
        session.commit()
        flash(_("Dossier créé."), "success")
        return redirect(url_for("messaging.manage_folders"))
    return render_template("messaging/folders.html", **_sidebar())


@bp.route("/folders/<int:folder_id>/<action>", methods=["POST"])
@require_right(ACCESS)
def change_folder(folder_id: int, action: str):
    session = db_session()
    if action == "rename":
        folders.rename_folder(session, current_user.id, folder_id, request.form.get("name", ""))
        done = _("Dossier renommé.")
    elif action == "move":
        folders.move_folder(session, current_user.id, folder_id, _optional_int(request.form.get("parent_id")))
        done = _("Dossier déplacé.")
    elif action == "delete":
        folders.delete_folder(session, current_user.id, folder_id)
        done = _("Dossier supprimé ; ses messages sont revenus dans leur boîte.")
    else:
        raise MessagingError(_("Action inconnue."), 404, "unknown_action")
    session.commit()
    flash(done, "success")
    return redirect(url_for("messaging.manage_folders"))


# -- reading ------------------------------------------------------------------------------------------------


@bp.route("/message/<int:message_id>")
@require_right(ACCESS)
def message(message_id: int):
    session = db_session()
    delivery = boxes.delivery_of(session, current_user.id, message_id)
    if delivery.box == "drafts":
        return redirect(url_for("messaging.compose", draft=message_id))
    items = boxes.conversation(session, current_user.id, message_id)
    session.commit()
    return render_template("messaging/conversation.html", items=items, opened_id=message_id,
                           subject=items[-1].message.subject if items else "", **_sidebar())


@bp.route("/attachments/<int:attachment_id>")
@require_right(ACCESS)
def download(attachment_id: int):
    found = attachments.attachment_for(db_session(), current_user.id, attachment_id)
    stream = attachments.open_attachment(storage(), found)
    return send_file(stream, mimetype=found.mime, as_attachment=True, download_name=found.filename,
                     max_age=0, etag=False)


# -- writing ------------------------------------------------------------------------------------------------


def _limits() -> attachments.Limits:
    structure_id = next((role.structure_id for role in current_user.roles), None)
    return attachments.Limits(
        max_count=int(setting("messaging", "max_attachments", structure_id=structure_id)),
        max_mb=int(setting("messaging", "max_attachment_mb", structure_id=structure_id)))


def _form_fields() -> dict[str, list[str]]:
    return {name: request.form.getlist(name) for name in compose.FIELDS}


def _form_body() -> str:
    raw = request.form.get("body", "")
    return raw if request.form.get("body_format") == "html" else text_to_html(raw)


def _uploads() -> list[tuple[str | None, bytes]]:
    return [(f.filename, f.read()) for f in request.files.getlist("files") if f and f.filename]


def _signature_html() -> str:
    signature = preferences.preferences_of(db_session(), current_user.id).signature
    return f"<p></p><p>-- <br>{text_to_html(signature)[3:-4]}</p>" if signature else ""


@bp.route("/compose", methods=["GET", "POST"], endpoint="compose")
@require_right(ACCESS)
def compose_page():
    return compose_view()


def compose_view():
    session = db_session()
    me = _me()
    blocked = safeguards.messaging_blocked_reason(session, me)
    if request.method == "POST":
        return _compose_post(session, me)
    draft_id = _optional_int(request.args.get("draft"))
    if draft_id:
        draft = compose.own_draft(session, me, draft_id)
        defaults = compose.ComposeDefaults(subject=draft.subject, body_html=draft.body_html,
                                           fields=compose.draft_fields(session, draft), parent_id=draft.parent_id)
        draft_attachments = attachments.of_message(session, draft.id)
    else:
        draft, draft_attachments = None, []
        defaults = _defaults_from_args(session, me)
    return _render_compose(defaults, draft, draft_attachments, blocked=blocked)


def _defaults_from_args(session, me) -> compose.ComposeDefaults:
    for mode in ("reply", "reply_all", "forward"):
        source = _optional_int(request.args.get(mode))
        if source:
            defaults = compose.reply_defaults(session, me, source, mode)
            defaults.body_html = _signature_html() + defaults.body_html
            return defaults
    defaults = compose.ComposeDefaults(body_html=_signature_html())
    to = request.args.get("to", "")
    if to:  # "write to" links from the directory: only someone the sender may reach is prefilled
        label_rows = compose._labels_for_draft(session, me, compose.parse_addressees({"to": [to]}))
        defaults.fields["to"] = [(f"u:{r['user_id']}" if r["user_id"] else f"g:{r['group_id']}", r["label"])
                                 for r in label_rows]
    return defaults


def _render_compose(defaults, draft, draft_attachments, *, blocked=None, error=None, status=200):
    session = db_session()
    me = _me()
    limits = _limits()
    return render_template(
        "messaging/compose.html", defaults=defaults, draft=draft, draft_attachments=draft_attachments,
        blocked=blocked, error=error, limits=limits, SUBJECT_MAX=SUBJECT_MAX, profiles=list(Profile),
        class_options=_class_choices(session, me), **_sidebar()), status


def _class_choices(session, me) -> list[tuple[int, str]]:
    """Classes for the recipient assistant: the user's own and those whose groups they may address."""
    choices = {c.id: f"{c.name} — {c.structure.name}" for c in classes_of(session, me)}
    for group in visible_groups(session, me):
        if group.class_id and group.class_id not in choices:
            choices[group.class_id] = group.name
    return sorted(choices.items(), key=lambda item: item[1])


def _compose_post(session, me):
    action = request.form.get("action", "send")
    draft_id = _optional_int(request.form.get("draft_id"))
    parent_id = _optional_int(request.form.get("parent_id"))
    forward_of = _optional_int(request.form.get("forward_of"))
    subject, body, fields = request.form.get("subject", ""), _form_body(), _form_fields()
    files = _uploads()
    try:
        draft = compose.save_draft(session, me, draft_id=draft_id, subject=subject, body_html=body,
                                   fields=fields, parent_id=parent_id, forward_of=forward_of)
        checked = attachments.check_files(session, draft, files, _limits())
        if action == "save":
            attachments.store_files(session, storage(), draft, checked)
            session.commit()
            flash(_("Brouillon enregistré."), "success")
            return redirect(url_for("messaging.compose", draft=draft.id))
        sent = compose.send(session, me, draft_id=draft.id, fields=fields)
        attachments.store_files(session, storage(), sent, checked)
        session.commit()
    except MessagingError as error:
        session.rollback()
        defaults = compose.ComposeDefaults(subject=subject, body_html=sanitize_html(body), parent_id=parent_id,
                                           forward_of=forward_of, fields=_labelled(session, me, fields))
        draft = session.get(Message, draft_id) if draft_id else None
        return _render_compose(defaults, draft if draft and draft.sender_id == me.id else None, [],
                               error=str(error), status=error.status)
    if sent.state == MessageState.HELD:
        flash(_("Votre message est en attente de modération avant d'être distribué."), "info")
    else:
        flash(_("Message envoyé."), "success")
    return redirect(url_for("messaging.box", box="sent"))


def _labelled(session, me, fields) -> dict[str, list[tuple[str, str]]]:
    """Give back the chosen recipients after a refusal (labels only for those the sender may see)."""
    try:
        addressees = compose.parse_addressees(fields)
    except MessagingError:
        return {name: [] for name in compose.FIELDS}
    result: dict[str, list[tuple[str, str]]] = {name: [] for name in compose.FIELDS}
    for row in compose._labels_for_draft(session, me, addressees):
        token = f"u:{row['user_id']}" if row["user_id"] else f"g:{row['group_id']}"
        result[row["field"]].append((token, row["label"]))
    return result


@bp.route("/drafts/autosave", methods=["POST"])
@require_right(ACCESS)
def autosave():
    """Called by compose.js every few seconds while writing: creates or updates the draft, answers its id."""
    session = db_session()
    draft = compose.save_draft(session, _me(), draft_id=_optional_int(request.form.get("draft_id")),
                               subject=request.form.get("subject", ""), body_html=_form_body(),
                               fields=_form_fields(), parent_id=_optional_int(request.form.get("parent_id")),
                               forward_of=_optional_int(request.form.get("forward_of")))
    session.commit()
    return jsonify(id=draft.id, saved_at=draft.updated_at.isoformat(timespec="seconds"))


@bp.route("/drafts/<int:draft_id>/discard", methods=["POST"])
@require_right(ACCESS)
def discard(draft_id: int):
    compose.discard_draft(db_session(), _me(), draft_id)
    db_session().commit()
    flash(_("Brouillon supprimé."), "success")
    return redirect(url_for("messaging.box", box="drafts"))


@bp.route("/attachments/<int:attachment_id>/remove", methods=["POST"])
@require_right(ACCESS)
def remove_attachment(attachment_id: int):
    draft = attachments.remove_from_draft(db_session(), current_user.id, attachment_id)
    db_session().commit()
    flash(_("Pièce jointe retirée."), "success")
    return redirect(url_for("messaging.compose", draft=draft.id))


@bp.route("/recipients")
@require_right(ACCESS)
def recipients():
    """Autocomplete and recipient assistant: people (``visible_users``) and groups (``visible_groups``) the
    user may write to. Nobody outside the rules, whatever the parameters."""
    session = db_session()
    me = _me()
    query = request.args.get("q", "").strip()[:100]
    profile = request.args.get("profile") or None
    if profile not in (None, *[p.value for p in Profile]):
        raise MessagingError(_("Profil inconnu."), 400, "invalid_profile")
    class_id = _optional_int(request.args.get("class_id"))
    people = visible_users(session, me, query=query, profile=profile, class_id=class_id, limit=20)
    groups = [g for g in visible_groups(session, me)
              if (not query or any(word.lower().startswith(query.lower()) for word in g.name.split())
                  or g.name.lower().startswith(query.lower()))
              and (class_id is None or g.class_id == class_id) and (profile is None or g.profile == profile)]
    roles = visible_roles(session, me, people)  # not the roles a person holds out of the user's reach
    return jsonify(
        people=[{"token": f"u:{u.id}", "label": compose.person_label(u),
                 "profiles": sorted({r.profile for r in roles[u.id]})} for u in people],
        groups=[{"token": f"g:{g.id}", "label": g.name} for g in groups[:20]])


@bp.route("/settings", methods=["GET", "POST"])
@require_right(ACCESS)
def settings():
    session = db_session()
    if request.method == "POST":
        preferences.set_signature(session, current_user.id, request.form.get("signature", ""))
        session.commit()
        flash(_("Signature enregistrée."), "success")
        return redirect(url_for("messaging.settings"))
    return render_template("messaging/settings.html",
                           preference=preferences.preferences_of(session, current_user.id),
                           SIGNATURE_MAX=preferences.SIGNATURE_MAX, **_sidebar())
