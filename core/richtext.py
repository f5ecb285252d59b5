"""User rich text, for every app: sanitised on the server with nh3 (formatting and links only), and its plain
text for search, previews and e-mail."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

import nh3

BASIC_TAGS = frozenset({"p", "br", "b", "strong", "i", "em", "u", "s", "ul", "ol", "li", "a", "blockquote",
                        "h3", "h4"})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}

_BLOCK_END = re.compile(r"(?i)<br\s*/?>|</(p|div|li|h3|h4|blockquote|pre)>")
_BLANKS = re.compile(r"\n{3,}")


def sanitize_html(raw: str, extra_tags: Iterable[str] = ()) -> str:
    """Keep basic formatting (plus ``extra_tags``) and http(s)/mailto links (opened with rel=noopener); drop
    scripts, styles, event attributes and javascript: URLs, with their content."""
    return nh3.clean(raw or "", tags=set(BASIC_TAGS | set(extra_tags)), attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel="noopener noreferrer",
                     clean_content_tags={"script", "style"}).strip()


def html_to_text(clean_html: str) -> str:
    """The plain text of sanitised HTML."""
    with_breaks = _BLOCK_END.sub("\n", clean_html or "")
    text = html.unescape(nh3.clean(with_breaks, tags=set()))
    return _BLANKS.sub("\n\n", "\n".join(line.strip() for line in text.splitlines())).strip()
