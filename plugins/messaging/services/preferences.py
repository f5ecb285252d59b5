"""A person's messaging preferences: the signature (and, for notify.py, the e-mail switches)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ..models import Preference, utcnow
from . import MessagingError

SIGNATURE_MAX = 1000


def preferences_of(session: Session, user_id: int) -> Preference:
    """The stored preferences, or unsaved defaults."""
    return session.get(Preference, user_id) or Preference(user_id=user_id, signature="", notify_by_email=False,
                                                          copy_to_personal_email=False)


def set_signature(session: Session, user_id: int, signature: str) -> Preference:
    """The signature is plain text (escaped wherever it is shown), added below new messages."""
    cleaned = "\n".join(line.rstrip() for line in (signature or "").replace("\r\n", "\n").split("\n")).strip()
    if len(cleaned) > SIGNATURE_MAX:
        raise MessagingError(_("La signature dépasse %(max)d caractères.", max=SIGNATURE_MAX), 400,
                             "signature_too_long")
    preference = session.get(Preference, user_id)
    if preference is None:
        preference = Preference(user_id=user_id, notify_by_email=False, copy_to_personal_email=False)
        session.add(preference)
    preference.signature, preference.updated_at = cleaned, utcnow()
    session.flush()
    return preference
