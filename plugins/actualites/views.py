"""The Actualités pages (mounted at ``/apps/actualites``): the feed, one news item with its comments, writing
and editing, the moderation queue, a thread's roles, uploaded images, and the school's public page (no login).

Views are thin: every rule is in :mod:`.services`; a refusal there becomes a French page with its status code
and nothing written.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from preau import Structure, current_user, db_session, require_right, storage, student_in_view

from . import services
from .models import Role, State, ThreadKind
from .services import ActuError, Draft

ACCESS = "actualites.access"
bp = Blueprint("actualites", __name__, template_folder="templates", static_folder="static")
ACTIONS = ("draft", "submit", "publish")


@bp.context_processor
def labels() -> dict[str, Any]:
    return {"role_label": lambda role: services.ROLE_LABELS[Role(role)],
            "state_label": lambda state: services.STATE_LABELS.get(state, state), "is_writer": _is_writer,
            "thread_title": services.thread_title}


def _is_writer() -> bool:
    """Whether the person writes on some thread (the writing tabs are shown to writers only)."""
    if "_actualites_writer" not in g:
        roles = services.roles_of(db_session(), _me()).values() if current_user.is_authenticated else ()
        g._actualites_writer = any(role >= Role.REDACTEUR for role in roles)
    return g._actualites_writer


def public(view):
    """Marks a view the kernel's login guard lets through (the school's public page and its images)."""
    view.preau_public = True
    return view


def _me() -> Any:
    return current_user._get_current_object()


def _refused(error: ActuError):
    db_session().rollback()
    return render_template("error.html", code=error.status, message=str(error)), error.status


def focus_structures(user: Any) -> set[int] | None:
    """A parent (with no staff or teacher role) follows the child selected in the permanent bar: the news of
    that child's schools only."""
    if user.profiles & {"teacher", "personnel"}:
        return None
    child = student_in_view(user)
    if child is None or child.id == user.id:
        return None
    return {role.structure_id for role in child.roles}


def _int_arg(name: str) -> int | None:
    raw = request.values.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 18 else None


# -- reading -------------------------------------------------------------------------------------------------


@bp.route("/")
@require_right(ACCESS)
def index():
    session, user = db_session(), _me()
    services.ensure_default_threads(session, user)
    session.commit()
    threads = services.my_threads(session, user)
    thread_id = _int_arg("fil")
    if thread_id is not None and thread_id not in {t.thread.id for t in threads}:
        abort(404)
    focus = focus_structures(user)
    items = services.feed(session, user, thread_id=thread_id, structure_ids=focus)
    writable = [t for t in threads if t.can(Role.REDACTEUR)]
    pending = services.pending(session, user)
    return render_template("actualites/index.html", items=items, threads=threads, thread_id=thread_id,
                           writable=writable, pending_count=len(pending), when=services.when_label)


@bp.route("/actualites/<int:item_id>")
@require_right(ACCESS)
def item(item_id: int):
    session = db_session()
    try:
        found = services.item_for(session, _me(), item_id)
    except ActuError as error:
        return _refused(error)
    return render_template("actualites/item.html", found=found, item=found.item, thread=found.thread,
                           comments=services.visible_comments(session, found), when=services.when_label,
                           live=services.is_live(found.item), scheduled=services.is_scheduled(found.item),
                           State=State)


@bp.route("/mes-actualites")
@require_right(ACCESS)
def mine():
    session = db_session()
    return render_template("actualites/mine.html", items=services.my_items(session, _me()),
                           when=services.when_label, scheduled=services.is_scheduled, State=State)


# -- writing --------------------------------------------------------------------------------------------------


def _draft_from_form() -> Draft:
    return Draft(title=request.form.get("title", ""), body=request.form.get("body", ""),
                 publish_at=services.parse_when(request.form.get("publish_at"), _("Mise en ligne")),
                 expire_at=services.parse_when(request.form.get("expire_at"), _("Fin de publication")),
                 is_public=request.form.get("is_public") == "1")


def _with_uploaded_image(session, user, thread_id: int, draft: Draft) -> Draft:
    upload = request.files.get("image")
    if upload is None or not upload.filename:
        return draft
    data = upload.read(services.IMAGE_MAX + 1)
    image = services.save_image(session, user, thread_id, data, upload.filename)
    g._actualites_uploaded = image.storage_key  # removed again if the news item is refused
    alt = request.form.get("image_alt", "").strip()[:200] or draft.title
    tag = f'<p><img src="{services.image_url(image.id)}" alt="{_escape_attr(alt)}"></p>'
    return Draft(draft.title, (draft.body or "") + tag, draft.publish_at, draft.expire_at, draft.is_public)


def _forget_upload() -> None:
    key = g.pop("_actualites_uploaded", None)
    if key:
        storage().delete(key)


def _escape_attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def _action() -> str:
    action = request.form.get("action", "draft")
    if action not in ACTIONS:
        raise ActuError(_("Action inconnue."), 400, "unknown_action")
    return action


def _edit_page(writable, form: dict, *, item=None, error: str | None = None, status: int = 200):
    return render_template("actualites/edit.html", writable=writable, form=form, item=item, error=error,
                           ThreadKind=ThreadKind, Role=Role), status


@bp.route("/ecrire", methods=["GET", "POST"])
@require_right(ACCESS)
def write():
    session, user = db_session(), _me()
    if request.method == "GET":
        services.ensure_default_threads(session, user)
        session.commit()
    writable = [t for t in services.my_threads(session, user) if t.can(Role.REDACTEUR)]
    if request.method == "GET":
        if not writable:
            return _edit_page(writable, {})
        chosen = _int_arg("fil")
        return _edit_page(writable, {"thread_id": str(chosen or writable[0].thread.id)})
    thread_id = _int_arg("thread_id")
    try:
        if thread_id is None:
            raise ActuError(_("Choisissez un fil d'actualités."), 422, "thread_required")
        action = _action()
        draft = _with_uploaded_image(session, user, thread_id, _draft_from_form())
        created = services.create_item(session, user, thread_id, draft, action)
    except ActuError as error:
        session.rollback()
        _forget_upload()
        if error.status == 404:
            return _refused(error)
        return _edit_page(writable, request.form.to_dict(), error=str(error), status=error.status)
    session.commit()
    flash(_saved_message(created), "success")
    return redirect(url_for("actualites.item", item_id=created.id))


def _saved_message(saved) -> str:
    if saved.state == State.PUBLISHED:
        if services.is_scheduled(saved):
            return _("Actualité programmée pour le %(when)s.", when=services.when_label(saved.publish_at))
        return _("Actualité publiée.")
    if saved.state == State.SUBMITTED:
        return _("Actualité soumise : un modérateur du fil la publiera.")
    return _("Brouillon enregistré.")


@bp.route("/actualites/<int:item_id>/modifier", methods=["GET", "POST"])
@require_right(ACCESS)
def edit(item_id: int):
    session, user = db_session(), _me()
    try:
        found = services.item_for(session, user, item_id)
        if not found.can_edit or found.access.archived:
            raise ActuError(_("Vous ne pouvez pas modifier cette actualité."), 403, "forbidden")
    except ActuError as error:
        return _refused(error)
    writable = [found.access]
    if request.method == "GET":
        it = found.item
        return _edit_page(writable, {
            "thread_id": str(it.thread_id), "title": it.title, "body": it.body,
            "is_public": "1" if it.is_public else "",
            "publish_at": services.local_input(it.publish_at), "expire_at": services.local_input(it.expire_at)},
                          item=it)
    try:
        action = request.form.get("action", "keep")
        if action not in (*ACTIONS, "keep"):
            raise ActuError(_("Action inconnue."), 400, "unknown_action")
        draft = _with_uploaded_image(session, user, found.item.thread_id, _draft_from_form())
        saved = services.update_item(session, user, item_id, draft, action)
    except ActuError as error:
        session.rollback()
        _forget_upload()
        return _edit_page(writable, request.form.to_dict(), item=found.item, error=str(error), status=error.status)
    session.commit()
    flash(_saved_message(saved), "success")
    return redirect(url_for("actualites.item", item_id=item_id))


def _workflow(item_id: int, step, message: str, *args: Any):
    session, user = db_session(), _me()
    try:
        found = services.item_for(session, user, item_id)
        step(session, found, *args)
    except ActuError as error:
        return _refused(error)
    session.commit()
    flash(message, "success")
    return None


@bp.post("/actualites/<int:item_id>/publier")
@require_right(ACCESS)
def publish(item_id: int):
    return _workflow(item_id, services.publish, _("Actualité publiée.")) or redirect(
        url_for("actualites.item", item_id=item_id))


@bp.post("/actualites/<int:item_id>/soumettre")
@require_right(ACCESS)
def submit(item_id: int):
    return _workflow(item_id, services.submit, _("Actualité soumise : un modérateur du fil la publiera.")) or \
        redirect(url_for("actualites.item", item_id=item_id))


@bp.post("/actualites/<int:item_id>/retirer")
@require_right(ACCESS)
def unpublish(item_id: int):
    return _workflow(item_id, services.unpublish, _("Actualité retirée de la publication.")) or redirect(
        url_for("actualites.item", item_id=item_id))


@bp.post("/actualites/<int:item_id>/refuser")
@require_right(ACCESS)
def refuse(item_id: int):
    return _workflow(item_id, services.refuse, _("Actualité refusée : son auteur a reçu la raison."),
                     request.form.get("reason", "")) or redirect(url_for("actualites.moderation"))


@bp.post("/actualites/<int:item_id>/supprimer")
@require_right(ACCESS)
def remove(item_id: int):
    return _workflow(item_id, services.delete_item, _("Actualité supprimée.")) or redirect(
        url_for("actualites.index"))


@bp.post("/actualites/<int:item_id>/commentaires")
@require_right(ACCESS)
def comment(item_id: int):
    return _workflow(item_id, services.add_comment, _("Commentaire publié."), request.form.get("body", "")) or \
        redirect(url_for("actualites.item", item_id=item_id) + "#commentaires")


@bp.post("/actualites/<int:item_id>/commentaires/<int:comment_id>/supprimer")
@require_right(ACCESS)
def remove_comment(item_id: int, comment_id: int):
    return _workflow(item_id, services.delete_comment, _("Commentaire supprimé."), comment_id) or \
        redirect(url_for("actualites.item", item_id=item_id) + "#commentaires")


@bp.route("/moderation")
@require_right(ACCESS)
def moderation():
    return render_template("actualites/moderation.html", items=services.pending(db_session(), _me()),
                           when=services.when_label)


# -- roles of a thread -----------------------------------------------------------------------------------------


@bp.route("/fils/<int:thread_id>/roles", methods=["GET", "POST"])
@require_right(ACCESS)
def roles(thread_id: int):
    session, user = db_session(), _me()
    try:
        access = services.thread_for(session, user, thread_id)
        if access.role < Role.GESTIONNAIRE:
            raise ActuError(_("Seuls les gestionnaires du fil gèrent ses rôles."), 403, "forbidden")
        if request.method == "POST":
            _change_roles(session, user, thread_id)
            session.commit()
            return redirect(url_for("actualites.roles", thread_id=thread_id))
    except ActuError as error:
        return _refused(error)
    return render_template("actualites/roles.html", thread=access.thread, access=access,
                           grants=services.grants_of(session, access.thread),
                           groups=services.grantable_groups(session, access.thread), labels=services.ROLE_LABELS,
                           Role=Role, author_choices=services.COMMENT_AUTHORS_LABELS)


@bp.post("/fils/nouveau")
@require_right(ACCESS)
def new_thread():
    session = db_session()
    try:
        thread = services.create_rubrique(session, _me(), _int_arg("school_thread_id") or 0,
                                          request.form.get("title", ""))
    except ActuError as error:
        return _refused(error)
    session.commit()
    flash(_("Rubrique créée : attribuez-lui ses rédacteurs."), "success")
    return redirect(url_for("actualites.roles", thread_id=thread.id))


def _change_roles(session, user, thread_id: int) -> None:
    what = request.form.get("what")
    if what == "add":
        services.add_grant(session, user, thread_id, request.form.get("role", ""), group_id=_int_arg("group_id"),
                           login=request.form.get("login") or None)
        flash(_("Rôle attribué."), "success")
    elif what == "remove":
        services.remove_grant(session, user, thread_id, _int_arg("grant_id") or 0)
        flash(_("Rôle retiré."), "success")
    elif what == "comments":
        services.set_comments(session, user, thread_id, request.form.get("comments_enabled") == "1",
                              request.form.get("comment_authors") or None)
        flash(_("Réglage enregistré."), "success")
    else:
        raise ActuError(_("Action inconnue."), 400, "unknown_action")


# -- images ----------------------------------------------------------------------------------------------------


@bp.route("/images/<int:image_id>")
@public
def image(image_id: int):
    session = db_session()
    found = services.readable_image(session, current_user, image_id)
    if found is None:
        abort(404)
    response = send_file(storage().open(found.storage_key), mimetype=found.mime, max_age=300)
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


# -- the school's public page ----------------------------------------------------------------------------------


def _public_school(uai: str) -> Structure:
    structure = services.public_school(db_session(), uai)
    if structure is None:
        abort(404)
    return structure


@bp.route("/public/<uai>")
@public
def public_page(uai: str):
    structure = _public_school(uai)
    return render_template("actualites/public.html", school=structure,
                           items=services.public_items(db_session(), structure), when=services.when_label)


@bp.route("/public/<uai>/<int:item_id>")
@public
def public_item(uai: str, item_id: int):
    structure = _public_school(uai)
    found = services.public_item(db_session(), structure, item_id)
    if found is None:
        abort(404)
    return render_template("actualites/public_item.html", school=structure, item=found, when=services.when_label)
