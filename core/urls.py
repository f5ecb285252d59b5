"""Addresses typed by administrators (a link, a connector's URL, a plugin setting of kind ``url``): an absolute
http(s) URL naming a site, never ``javascript:``, ``data:`` or a relative path."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_babel import gettext as _

from .errors import PreauError

MAX_URL = 2000


class UrlError(PreauError, ValueError):
    """An address that is not an absolute http(s) URL with a host (translated message, nothing changed)."""


def checked_url(raw: str) -> str:
    """``raw`` without surrounding spaces if it is an absolute http(s) URL with a host, else :class:`UrlError`."""
    url = (raw or "").strip()
    if not url:
        raise UrlError(_("L'adresse du lien est obligatoire."))
    if len(url) > MAX_URL or any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise UrlError(_("L'adresse du lien n'est pas valide."))
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise UrlError(_("L'adresse du lien n'est pas valide.")) from None
    if parts.scheme.lower() not in ("http", "https"):
        raise UrlError(_("L'adresse doit commencer par http:// ou https:// (reçu : « %(scheme)s »).",
                         scheme=(parts.scheme or url)[:40]))
    if not host or "." not in host.strip(".") and host != "localhost":
        raise UrlError(_("L'adresse du lien doit nommer un site, par exemple https://www.exemple.fr/."))
    return url
