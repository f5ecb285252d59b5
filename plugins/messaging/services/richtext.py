"""Rich text: sanitised on the server with nh3 (formatting and links only), and its plain-text version."""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = {"p", "br", "b", "strong", "i", "em", "u", "s", "ul", "ol", "li", "a", "blockquote", "h3", "h4",
                "pre", "code", "span", "div"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}

_BLOCK_END = re.compile(r"(?i)<br\s*/?>|</(p|div|li|h3|h4|blockquote|pre)>")
_BLANKS = re.compile(r"\n{3,}")


def sanitize_html(raw: str) -> str:
    """Keep basic formatting and http(s)/mailto links (opened with rel=noopener); drop scripts, styles,
    event attributes and javascript: URLs, with their content."""
    return nh3.clean(raw or "", tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer", clean_content_tags={"script", "style"}).strip()


def text_to_html(text: str) -> str:
    """Plain text (a form without the editor) as paragraphs, escaped."""
    paragraphs = [p for p in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip()) if p]
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)


def html_to_text(clean_html: str) -> str:
    """The plain text of sanitised HTML: for search, previews and e-mail."""
    with_breaks = _BLOCK_END.sub("\n", clean_html or "")
    text = html.unescape(nh3.clean(with_breaks, tags=set()))
    return _BLANKS.sub("\n\n", "\n".join(line.strip() for line in text.splitlines())).strip()
