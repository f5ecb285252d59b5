"""The user's own account settings. No Flask here."""

from __future__ import annotations

from sqlalchemy.orm import Session

from .. import audit
from ..models import User


def set_locale(session: Session, user: User, locale: str, *, ip: str | None = None) -> None:
    """Remember the interface language of ``user`` (validated by the caller against the configured ones)."""
    if user.locale != locale:
        audit.record(session, "account.locale_changed", actor=user, target=user, ip=ip,
                     before=user.locale, after=locale)
        user.locale = locale
