"""Sample news for ``preau demo``: Jules-Ferry's thread with a public news item and its picture, a news item
waiting for the directeur's publication, CM2 A's thread with prof.martin's news and a comment, and one news
item at Marie-Curie — so that parent.colin, eleve.lea, eleve.tom and prof.martin find a living feed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from preau import storage

from .models import Comment, Grant, Image, Item, Role, State, Thread, utcnow
from .services import clean_body, ensure_class_thread, ensure_school_thread, image_url

PICTURE = Path(__file__).parent / "static" / "actualites" / "fete-ecole.png"


def _item(session: Session, thread: Thread, author: Any, title: str, body: str, *, days_ago: int,
          state: str = State.PUBLISHED, public: bool = False, author_name: str | None = None) -> Item:
    moment = utcnow() - timedelta(days=days_ago)
    item = Item(thread_id=thread.id, author_id=author.id, author_name=author_name or author.display_name,
                title=title, body=clean_body(body), state=state, is_public=public, created_at=moment,
                updated_at=moment, published_by=author.id if state == State.PUBLISHED else None,
                published_at=moment if state == State.PUBLISHED else None)
    session.add(item)
    return item


def add_demo_news(session: Session, demo: Any) -> None:
    ferry = ensure_school_thread(session, demo.ferry)
    curie = ensure_school_thread(session, demo.curie)
    cm2a = ensure_class_thread(session, demo.cm2a, created_by=demo.martin.id)
    # Marie-Curie has no directeur in the demo: the platform administrator manages its thread.
    session.add(Grant(thread_id=curie.id, role=int(Role.GESTIONNAIRE), user_id=demo.admin.id))
    picture = Image(thread_id=ferry.id, uploaded_by=demo.direction.id, storage_key=storage().put(PICTURE.read_bytes()),
                    mime="image/png", size=PICTURE.stat().st_size)
    session.add(picture)
    session.flush()
    _item(session, ferry, demo.direction, "Fête de l'école le samedi 20 juin",
          "<p>Toute l'école vous attend dans la cour à partir de 10 h : spectacle des classes, kermesse et "
          "pique-nique partagé.</p>"
          f'<p><img src="{image_url(picture.id)}" alt="Affiche colorée de la fête de l\'école"></p>'
          "<p>Les parents volontaires pour tenir un stand peuvent se signaler auprès de la direction.</p>",
          days_ago=2, public=True)
    _item(session, ferry, demo.direction, "Réunion parents-enseignants",
          "<p>Les enseignants recevront les familles le <strong>jeudi 3 décembre</strong> de 16 h 30 à 19 h. "
          "Inscription auprès de l'enseignant de votre enfant.</p>", days_ago=5)
    _item(session, ferry, demo.durand, "Sortie au musée des CM1",
          "<p>Les CM1 visiteront le musée d'histoire naturelle le 12 décembre. Prévoir un pique-nique.</p>",
          days_ago=1, state=State.SUBMITTED)
    class_news = _item(session, cm2a, demo.martin, "Classe de découverte en mars",
                       "<p>Les CM2 A partiront une semaine à la montagne du 9 au 13 mars. Une réunion "
                       "d'information aura lieu en janvier.</p><ul><li>ski de fond</li><li>raquettes</li>"
                       "<li>visite d'une fromagerie</li></ul>", days_ago=3)
    _item(session, curie, demo.admin, "Portes ouvertes du collège",
          "<p>Le collège Marie-Curie ouvre ses portes aux futurs élèves de 6e le <strong>samedi 14 mars</strong>"
          " de 9 h à 12 h.</p>", days_ago=4, public=True, author_name="Direction du collège")
    session.flush()
    session.add(Comment(item_id=class_news.id, author_id=demo.colin.id, author_name=demo.colin.display_name,
                        body="Merci pour l'information, Léa est ravie !"))
    session.flush()
