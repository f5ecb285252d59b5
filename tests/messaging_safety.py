"""Helpers shared by the tests of the messaging safeguards, moderation, notifications and recall."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from preau.testing import build_school
from preau_plugins.messaging.models import Box, Delivery
from preau_plugins.messaging.services import compose


def send(db, sender: Any, *users: Any, groups: tuple = (), subject: str = "Sortie au musée",
         body: str = "<p>Rendez-vous à 8 h devant l'école.</p>"):
    """Send through the messaging service, exactly as the compose page does."""
    tokens = [f"u:{u.id}" for u in users] + [f"g:{g.id}" for g in groups]
    message = compose.send(db, sender, subject=subject, body_html=body, fields={"to": tokens})
    db.flush()
    return message


def inbox_of(db, message_id: int) -> set[int]:
    """Who has the message in their inbox (not deleted)."""
    return set(db.scalars(select(Delivery.user_id).where(
        Delivery.message_id == message_id, Delivery.box == Box.INBOX, Delivery.deleted.is_(False))))


def other_school(db):
    return build_school(db, "Collège Marie-Curie", "0750002B", "Autre Ville")
