"""``/api/v1/news``: the feed, one news item, writing (draft, submit or publish) and the publication of a
submitted item — the same rules as the pages (roles per thread, 404 for what the caller may not read)."""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from preau import api_abort, api_protected, current_access, current_user, db_session

from .models import TITLE_MAX, Item, Thread
from .services import ActuError, Draft, create_item, feed, is_scheduled, item_for, parse_when, publish, thread_title
from .views import ACCESS, focus_structures

blp = Blueprint("api_news", __name__, description="Les actualités : fil, lecture, écriture et publication")


def rules(view):
    """The app must reach the caller (else 404, as on the pages); a refusal becomes a JSON 4xx, nothing stored."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_access().has(ACCESS):
            api_abort(404, "not_found", _("Les actualités ne sont pas ouvertes pour vous."))
        try:
            return view(*args, **kwargs)
        except ActuError as error:
            db_session().rollback()
            api_abort(error.status, error.reason, str(error))

    return wrapper


class NewsQuerySchema(Schema):
    thread_id = fields.Integer(metadata={"description": "Un seul fil d'actualités."})
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class NewsSchema(Schema):
    id = fields.Integer()
    thread_id = fields.Integer()
    thread = fields.String(metadata={"description": "Le titre du fil."})
    title = fields.String()
    author = fields.String()
    state = fields.String(metadata={"description": "draft, submitted, published ou unpublished."})
    scheduled = fields.Boolean(metadata={"description": "Publiée mais programmée pour plus tard."})
    publish_at = fields.DateTime(allow_none=True)
    expire_at = fields.DateTime(allow_none=True)
    published_at = fields.DateTime(allow_none=True)
    is_public = fields.Boolean()


class NewsDetailSchema(NewsSchema):
    body_html = fields.String(metadata={"description": "Le texte, HTML nettoyé."})


class NewsCreateSchema(Schema):
    thread_id = fields.Integer(required=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=TITLE_MAX))
    body = fields.String(load_default="", metadata={"description": "HTML ; nettoyé sur le serveur."})
    publish_at = fields.String(load_default=None, allow_none=True,
                               metadata={"description": "AAAA-MM-JJTHH:MM : mise en ligne programmée."})
    expire_at = fields.String(load_default=None, allow_none=True, metadata={"description": "AAAA-MM-JJTHH:MM."})
    is_public = fields.Boolean(load_default=False)
    action = fields.String(load_default="draft", validate=validate.OneOf(("draft", "submit", "publish")),
                           metadata={"description": "draft, submit (aux modérateurs) ou publish (selon le rôle)."})


def _summary(item: Item, thread: Thread, *, body: bool = False) -> dict[str, Any]:
    data = {"id": item.id, "thread_id": thread.id, "thread": thread_title(thread), "title": item.title,
            "author": item.author_name, "state": item.state, "scheduled": is_scheduled(item),
            "publish_at": item.publish_at, "expire_at": item.expire_at, "published_at": item.published_at,
            "is_public": item.is_public}
    if body:
        data["body_html"] = item.body
    return data


def _me() -> Any:
    return current_user._get_current_object()


@blp.route("/news")
@api_protected(blp, "read")
@blp.arguments(NewsQuerySchema, location="query")
@blp.response(200, NewsSchema(many=True))
@rules
def list_news(query: dict):
    """Les actualités publiées que la personne peut lire, de la plus récente à la plus ancienne (un parent :
    celles de l'enfant choisi)."""
    user = _me()
    rows = feed(db_session(), user, thread_id=query.get("thread_id"), structure_ids=focus_structures(user),
                limit=query["limit"])
    return [_summary(item, thread) for item, thread in rows]


@blp.route("/news/<int:item_id>")
@api_protected(blp, "read")
@blp.response(200, NewsDetailSchema)
@blp.alt_response(404, response="NOT_FOUND")
@rules
def read_news(item_id: int):
    """Une actualité : publiée pour ses lecteurs ; dans tout état pour son auteur et les modérateurs du fil."""
    found = item_for(db_session(), _me(), item_id)
    return _summary(found.item, found.thread, body=True)


@blp.route("/news", methods=["POST"])
@api_protected(blp, "write")
@blp.arguments(NewsCreateSchema)
@blp.response(201, NewsDetailSchema)
@blp.alt_response(403, response="FORBIDDEN")
@rules
def create_news(data: dict):
    """Écrire une actualité : brouillon, soumission aux modérateurs ou publication (rédacteur avec mise en ligne,
    modérateur, gestionnaire). Un rôle insuffisant : 403 et rien n'est enregistré."""
    session, user = db_session(), _me()
    draft = Draft(data["title"], data["body"], parse_when(data["publish_at"], _("Mise en ligne")),
                  parse_when(data["expire_at"], _("Fin de publication")), data["is_public"])
    item = create_item(session, user, data["thread_id"], draft, data["action"])
    session.commit()
    return _summary(item, session.get_one(Thread, item.thread_id), body=True)


@blp.route("/news/<int:item_id>/publish", methods=["POST"])
@api_protected(blp, "write")
@blp.response(200, NewsDetailSchema)
@blp.alt_response(403, response="FORBIDDEN")
@rules
def publish_news(item_id: int):
    """Publier une actualité (la sienne avec le rôle de mise en ligne, celle d'un autre en modérateur)."""
    session = db_session()
    found = item_for(session, _me(), item_id)
    publish(session, found)
    session.commit()
    return _summary(found.item, found.thread, body=True)
