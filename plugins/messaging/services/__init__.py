"""The rules of messaging. Functions take a SQLAlchemy ``Session`` and never read the request.

Every refusal raises :class:`MessagingError`, whose ``str()`` is a French sentence for the person and whose
``status`` is the HTTP code the views and the API answer with.
"""

from __future__ import annotations

from flask_babel import gettext as _

from preau import PreauError


def N_(message: str) -> str:
    """Mark a msgid for extraction; it is translated where it is shown."""
    return message


class MessagingError(PreauError, ValueError):
    """A refused operation: ``str()`` is shown to the person, ``status`` is the HTTP answer, ``reason`` a code."""


def not_found(message: str | None = None) -> MessagingError:
    return MessagingError(message or _("Ce message n'existe pas ou ne vous est pas accessible."), 404, "not_found")
