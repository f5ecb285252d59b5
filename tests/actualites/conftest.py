"""A school with Actualités enabled, its default thread, and a second school (another family, another staff)
for the "not yours" cases."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from preau.testing import build_school
from preau_plugins.actualites import services
from preau_plugins.actualites.models import Comment, Grant, Image, Item, Thread


@pytest.fixture
def ecole(db, school, enable_plugin):
    enable_plugin("actualites", school.structure)
    school.thread = services.ensure_school_thread(db, school.structure)
    school.class_thread = services.ensure_class_thread(db, school.school_class)
    db.flush()
    return school


@pytest.fixture
def other(db, enable_plugin):
    school = build_school(db, name="École Voltaire", uai="0750002B", city_name="Ville Voisine")
    enable_plugin("actualites", school.structure)
    school.thread = services.ensure_school_thread(db, school.structure)
    db.flush()
    return school


def counts(db) -> tuple[int, ...]:
    """Row counts of every table of the app: a refused request leaves them unchanged."""
    return tuple(db.scalar(select(func.count()).select_from(model)) for model in (Thread, Grant, Item, Comment,
                                                                                   Image))


def publish_news(db, thread, author, title="Une nouvelle", body="<p>Texte</p>", **fields) -> Item:
    item = Item(thread_id=thread.id, author_id=author.id, author_name=author.display_name, title=title,
                body=services.clean_body(body), state=fields.pop("state", "published"),
                published_at=services.utcnow(), **fields)
    db.add(item)
    db.flush()
    return item
