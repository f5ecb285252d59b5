"""Lifecycle events sent to plugins, robustly, when a Flask app (and so a plugin registry) is around."""

from __future__ import annotations

from typing import Any

from flask import current_app, has_app_context
from sqlalchemy.orm import Session, object_session

from .plugins import KERNEL_WIDE, AppScope

__all__ = ["KERNEL_WIDE", "emit"]


def emit(hook: str, *, apps: AppScope, session: Session | None = None, **kwargs: Any) -> list[Any]:
    """Call ``hook`` on each active plugin ``apps`` reaches (app ids, or ``KERNEL_WIDE``), robustly: the
    answers, a :class:`HookFailure` for each plugin that raised. Each call runs in a savepoint of the session
    the event's objects belong to (or ``session``): a plugin that fails half-way leaves no partial write for the
    kernel to flush."""
    if not has_app_context():
        return []
    registry = current_app.extensions.get("preau.plugins")
    if registry is None:
        return []
    session = session or next((s for s in map(_session_of, kwargs.values()) if s is not None), None)
    guard = session.begin_nested if session is not None else None
    return [result for _record, result in registry.call_each(hook, apps=apps, guard=guard, **kwargs)]


def _session_of(value: Any) -> Session | None:
    try:
        return object_session(value)
    except Exception:  # noqa: BLE001 - not a mapped object
        return None
