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


def render_widget(widget: Widget, user, size: str = "apercu") -> RenderedWidget:
    size = size if size in widget.sizes else widget.sizes[0]
    try:
        return RenderedWidget(widget, size, Markup(widget.render(user, size)), False)  # noqa: S704 - plugin HTML
    except Exception:  # noqa: BLE001 - robust by contract
        log.exception("widget %s failed", widget.id)
        return RenderedWidget(widget, size, Markup(""), True)
