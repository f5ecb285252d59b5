"""Sample carnet de liaison for ``preau demo``: two mots of prof.martin to CM2 A (one to sign, one already signed
by parent.colin for Léa) and one of prof.bernard to 6e B to sign."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from .models import Mot
from .services import send_mot, sign_mot


def _aged(session: Session, mot: Mot, days: int) -> None:
    session.execute(update(Mot).where(Mot.id == mot.id).values(sent_at=mot.sent_at - timedelta(days=days)))


def add_demo_data(session: Session, demo: Any) -> None:
    signed = send_mot(session, demo.martin, f"c{demo.cm2a.id}", "Sortie au musée du Louvre",
                      "<p>Madame, Monsieur,</p><p>La classe visitera le musée du Louvre jeudi prochain. "
                      "Prévoir un pique-nique et une tenue confortable.</p>",
                      requires_signature=True, replies_allowed=True)
    _aged(session, signed, 6)
    sign_mot(session, demo.colin, signed.id, demo.lea.id)  # Claire Colin signed it for Léa
    send_mot(session, demo.martin, f"c{demo.cm2a.id}", "Réunion parents-professeurs",
             "<p>La réunion de rentrée aura lieu <strong>mardi à 18 h</strong> dans la classe de CM2 A.</p>"
             "<p>Merci de signer ce mot pour confirmer votre lecture.</p>", requires_signature=True,
             replies_allowed=True)
    send_mot(session, demo.bernard, f"c{demo.sixb.id}", "Photo de classe",
             "<p>La photo de classe aura lieu vendredi matin. Le bon de commande sera distribué ensuite.</p>",
             requires_signature=True)
    session.flush()
