"""A few conversations for ``preau demo``: the inboxes of prof.martin and parent.colin are not empty."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from preau import Group, User

from .services.compose import send


def add_demo_messages(session: Session) -> None:
    users = {u.login: u for u in session.scalars(select(User).where(
        User.login.in_(["prof.martin", "parent.colin", "direction"])))}
    martin, colin, direction = users.get("prof.martin"), users.get("parent.colin"), users.get("direction")
    if not (martin and colin and direction):
        return
    question = send(session, colin, subject="Sortie au musée",
                    body_html="<p>Bonjour Monsieur Martin,</p><p>Faut-il prévoir un pique-nique pour jeudi ?</p>"
                              "<p>Claire Colin</p>",
                    fields={"to": [f"u:{martin.id}"]})
    send(session, martin, subject="Re : Sortie au musée",
         body_html="<p>Bonjour Madame Colin,</p><p>Oui, un pique-nique et une gourde.</p><p>Paul Martin</p>",
         fields={"to": [f"u:{colin.id}"]}, parent_id=question.id)
    parents = session.scalar(select(Group).where(Group.kind == "class", Group.profile == "relative",
                                                 Group.name.like("%CM2 A%")))
    if parents is not None:
        send(session, martin, subject="Réunion de rentrée",
             body_html="<p>La réunion des parents de CM2 A aura lieu mardi à 18 h.</p>",
             fields={"to": [f"g:{parents.id}"]})
    teachers = session.scalar(select(Group).where(Group.kind == "profile", Group.profile == "teacher",
                                                  Group.structure_id == direction.roles[0].structure_id))
    if teachers is not None:
        send(session, direction, subject="Conseil des maîtres",
             body_html="<p>Le conseil des maîtres est avancé à lundi, 16 h 30.</p>",
             fields={"to": [f"g:{teachers.id}"]})
