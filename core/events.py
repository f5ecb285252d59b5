"""Lifecycle events sent to plugins, robustly, when a Flask app (and so a plugin registry) is around."""

from __future__ import annotations

from typing import Any

from flask import current_app, has_app_context


def emit(hook: str, **kwargs: Any) -> list[Any]:
    if not has_app_context():
        return []
    registry = current_app.extensions.get("preau.plugins")
    if registry is None:
        return []
    return [result for _record, result in registry.call_robust(hook, **kwargs)]
