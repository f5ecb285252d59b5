"""Plugin settings: declared with defaults (``preau_settings``), stored as JSON, looked up
profile → structure → platform. Secrets never live here: they come from the environment."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .directory.structures import ancestor_distances
from .models import Setting
from .plugins import PluginRegistry
from .types import SettingSpec

_KINDS = {"str": str, "int": int, "bool": bool}


class SettingError(ValueError):
    pass


def _spec(registry: PluginRegistry, app_id: str, key: str) -> SettingSpec:
    record = registry.by_app_id(app_id)
    spec = next((s for s in record.settings if s.key == key), None) if record else None
    if spec is None:
        raise SettingError(f"réglage inconnu : {app_id}.{key}")
    return spec


def get_setting(session: Session, registry: PluginRegistry, app_id: str, key: str, *,
                structure_id: int | None = None, profile: str | None = None) -> Any:
    """The most specific stored value: structure + profile, then structure, then the same up the structure graph
    (nearest first), then platform; else the declared default."""
    spec = _spec(registry, app_id, key)
    rows = session.scalars(select(Setting).where(Setting.app_id == app_id, Setting.key == key)).all()
    candidates: list[tuple[int | None, str | None]] = []
    if structure_id:
        distances = ancestor_distances(session, structure_id)
        for sid in sorted(distances, key=distances.__getitem__):
            candidates += [(sid, profile), (sid, None)] if profile else [(sid, None)]
    candidates.append((None, None))
    for wanted in candidates:
        for row in rows:
            if (row.structure_id, row.profile) == wanted:
                return row.value
    return spec.default


def set_setting(session: Session, registry: PluginRegistry, app_id: str, key: str, value: Any, *,
                structure_id: int | None = None, profile: str | None = None) -> Setting:
    spec = _spec(registry, app_id, key)
    expected = _KINDS.get(spec.kind, str)
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise SettingError(f"le réglage {app_id}.{key} attend une valeur de type {spec.kind}")
    if profile and not structure_id:
        raise SettingError("un réglage par profil se fixe dans une structure")
    row = session.scalar(select(Setting).where(
        Setting.app_id == app_id, Setting.key == key,
        Setting.structure_id.is_(None) if structure_id is None else Setting.structure_id == structure_id,
        Setting.profile.is_(None) if profile is None else Setting.profile == profile))
    if row is None:
        row = Setting(app_id=app_id, key=key, structure_id=structure_id, profile=profile, value=value)
        session.add(row)
    else:
        row.value = value
    session.flush()
    return row


def setting(app_id: str, key: str, *, structure_id: int | None = None, profile: str | None = None) -> Any:
    """For plugins, inside a request or app context: ``preau.setting("hello", "max_notes", structure_id=…)``."""
    from flask import current_app

    from .db import db_session

    return get_setting(db_session(), current_app.extensions["preau.plugins"], app_id, key,
                       structure_id=structure_id, profile=profile)
