"""Rich text: sanitised on the server with nh3 (formatting and links only), and its plain-text version."""

from __future__ import annotations

import html
import re

from preau import html_to_text as html_to_text  # noqa: PLC0414 - re-exported for the plugin's modules
from preau import sanitize_html as _sanitize

# Messages also keep code blocks and the editor's spans and divs.
EXTRA_TAGS = {"pre", "code", "span", "div"}


def sanitize_html(raw: str) -> str:
    """The kernel's sanitiser with the messaging editor's extra tags."""
    return _sanitize(raw, EXTRA_TAGS)


def text_to_html(text: str) -> str:
    """Plain text (a form without the editor) as paragraphs, escaped."""
    paragraphs = [p for p in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip()) if p]
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)
