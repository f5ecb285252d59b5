"""Which apps an administrator enabled for a structure: its own decision, else the nearest structure above.

The directory's part of enablement (it reads the structure graph and the recorded decisions); grants and what
reaches a person are :mod:`preau.rights`' part. Hook dispatch for a structure reaches these apps only.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import AppEnablement
from .structures import ancestor_distances


def nearest_app_decisions(session: Session, distances: dict[int, int]) -> dict[str, bool]:
    """For each app with a decision in one of ``distances``' structures, the nearest one (ties: enabled)."""
    decisions: dict[str, tuple[int, bool]] = {}
    rows = session.execute(select(AppEnablement).where(AppEnablement.structure_id.in_(distances))).scalars()
    for row in rows:
        distance = distances[row.structure_id]
        best = decisions.get(row.app_id)
        if best is None or distance < best[0] or (distance == best[0] and row.enabled):
            decisions[row.app_id] = (distance, row.enabled)
    return {app: enabled for app, (_d, enabled) in decisions.items()}


def enabled_apps(session: Session, structure_id: int, app_ids: Iterable[str] | None = None) -> set[str]:
    """Apps enabled for a structure: its own decision, else the nearest ancestor's (ties: enabled); among
    ``app_ids`` if given. Pass it as ``apps=`` to dispatch a hook for that structure."""
    decisions = nearest_app_decisions(session, ancestor_distances(session, structure_id))
    wanted = None if app_ids is None else set(app_ids)
    return {app for app, enabled in decisions.items() if enabled and (wanted is None or app in wanted)}
