"""Render dashboard widgets robustly: a failing widget becomes a small error box, never a broken page."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from markupsafe import Markup

from ..types import Widget

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RenderedWidget:
    widget: Widget
    size: str
    html: Markup
    failed: bool


def render_widget(widget: Widget, user, size: str = "apercu", on_error=None) -> RenderedWidget:
    """``on_error(app_id, what, exc)`` is told of a failure (the plugin registry records it for administrators)."""
    size = size if size in widget.sizes else widget.sizes[0]
    try:
        return RenderedWidget(widget, size, Markup(widget.render(user, size)), False)  # noqa: S704 - plugin HTML
    except Exception as exc:  # noqa: BLE001 - robust by contract
        log.exception("widget %s failed", widget.id)
        if on_error is not None:
            on_error(widget.id.split(".", 1)[0], f"widget {widget.id}", exc)
        return RenderedWidget(widget, size, Markup(""), True)
