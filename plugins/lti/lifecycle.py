"""What the LTI platform holds about a person, through the kernel's account lifecycle: a student's scores sent by
tools (AGS) and the resources a teacher placed (Deep Linking). Merged with the kept account, erased with a deleted
one, part of "Mes données"."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from .models import LtiLineItem, LtiResourceLink, LtiScore


def move_user(session: Session, merged_id: int, kept_id: int) -> None:
    """The merged account's scores and resources go to the kept account; on a line item both have a score for,
    the newer one stays."""
    kept = {s.line_item_id: s for s in session.scalars(select(LtiScore).where(LtiScore.user_id == kept_id))}
    for score in session.scalars(select(LtiScore).where(LtiScore.user_id == merged_id)).all():
        other = kept.get(score.line_item_id)
        if other is None:
            score.user_id = kept_id
        elif score.timestamp > other.timestamp:
            session.delete(other)
            session.flush()
            score.user_id = kept_id
        else:
            session.delete(score)
    session.execute(update(LtiResourceLink).where(LtiResourceLink.created_by == merged_id)
                    .values(created_by=kept_id))
    session.flush()


def forget_user(session: Session, user_id: int) -> None:
    """A deleted account: its scores go, the resources it placed stay in their class without an author."""
    session.execute(delete(LtiScore).where(LtiScore.user_id == user_id))
    session.execute(update(LtiResourceLink).where(LtiResourceLink.created_by == user_id).values(created_by=None))


def export_of(session: Session, user_id: int) -> dict[str, Any] | None:
    """The person's scores and the resources they placed, for "Mes données"; ``None`` when there are none."""
    scores = [{"activity": item.label, "score": score.score_given, "maximum": score.score_maximum,
               "progress": score.grading_progress, "comment": score.comment, "at": score.timestamp.isoformat()}
              for score, item in session.execute(
                  select(LtiScore, LtiLineItem).join(LtiLineItem, LtiLineItem.id == LtiScore.line_item_id)
                  .where(LtiScore.user_id == user_id).order_by(LtiScore.id))]
    links = [{"title": link.title, "url": link.url, "at": link.created_at.isoformat()}
             for link in session.scalars(select(LtiResourceLink).where(LtiResourceLink.created_by == user_id)
                                         .order_by(LtiResourceLink.id))]
    if not scores and not links:
        return None
    return {"scores": scores, "resources": links}
