"""The one base of the errors Préau shows to people, and the JSON shape of every error answer.

A service (kernel or plugin) raises a :class:`PreauError` subclass with a French msgid; a view that wants a
better answer catches it (a form shown again with the message beside the field); otherwise the application's
error handler (``core/app.py``) turns it into the kernel's error page, or into an RFC 9457 problem
(``application/problem+json``) for the API and for clients asking for JSON.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from flask_babel import gettext, lazy_gettext
from werkzeug.http import HTTP_STATUS_CODES

PROBLEM_MIMETYPE = "application/problem+json"


class PreauError(Exception):
    """An error meant for the person who caused it: a refused action, bad input, something out of their reach.

    ``message`` is a French msgid (translated when the error is shown, with ``params`` filled in), an already
    translated text (``_("…")`` at raise time) or a lazy string; ``str(error)`` is always the message in the
    language of the request (French outside one). ``status`` is the HTTP answer (400 unless the class or the
    call says otherwise: 403, 404, 409, 413, 422…), ``reason`` a stable code for programs (the API's
    ``reason``). A status of 500 or more marks an internal fault: its message is logged, never shown.

    Raise it, or a subclass named after your app, from services; views may catch it to show a form again, and
    whatever is not caught becomes the kernel's error page or a JSON problem in one place::

        class CantineError(PreauError):
            pass

        raise CantineError(N_("Le menu du %(day)s est déjà publié."), status=409, reason="published", day=day)

    ``N_`` only marks the msgid for extraction: the message is translated when it is shown.
    """

    status: int = 400
    reason: str = "invalid"
    default_message: Any = lazy_gettext("La requête est invalide.")

    def __init__(self, message: Any = None, status: int | None = None, reason: str | None = None,
                 **params: Any) -> None:
        super().__init__(message if message is not None else self.default_message)
        self.message = message if message is not None else self.default_message
        self.params = params
        if status is not None:
            self.status = status
        if reason is not None:
            self.reason = reason

    def __str__(self) -> str:
        return translated(self.message, self.params)


def translated(message: Any, params: dict[str, Any] | None = None) -> str:
    """``message`` (a msgid, a translated text or a lazy string) in the language of the request, ``params``
    filled in; without params, a ``%`` in the text is left alone. A translation whose placeholders do not match
    gives the untranslated text rather than an error while reporting one."""
    text = str(message)
    try:
        return gettext(text, **(params or {}))
    except (KeyError, ValueError, TypeError):
        return text


def wants_json() -> bool:
    """Whether the request's errors are answered in JSON: the API, or a client that prefers JSON."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best in ("application/json",
                                                                                  PROBLEM_MIMETYPE)


def problem(status: int, detail: str, *, reason: str | None = None, error: str | None = None,
            **extra: Any) -> Response:
    """An RFC 9457 problem: ``type`` (``about:blank``: the status says it all), ``title`` (the status phrase),
    ``status`` and ``detail`` (the message for people, translated), plus Préau's members since API v1:
    ``error`` (the status in words, ``not_found``), ``message`` (the same text as ``detail``) and ``reason`` (a
    stable code, ``insufficient_scope``); ``extra`` members are added as they are (``errors``: invalid fields)."""
    title = HTTP_STATUS_CODES.get(status, "Error")
    slug = error or title.lower().replace(" ", "_")
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail,
            "error": slug, "message": detail, "reason": reason or slug, **extra}
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_MIMETYPE
    return response
