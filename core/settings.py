"""Plugin settings: declared with defaults (``preau_settings``), stored as JSON, looked up
profile → structure → platform. Secrets never live here: they come from the environment."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, has_app_context
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit
from .db import db_session
from .directory.structures import ancestor_distances
from .errors import PreauError
from .models import Setting
from .plugins import PluginRegistry
from .types import SettingSpec
from .urls import UrlError, checked_url

_KINDS = {"str": str, "int": int, "bool": bool, "url": str}
MAX_TEXT = 500


class SettingError(PreauError, ValueError):
    """An unknown setting or a value its spec refuses."""


def _spec(registry: PluginRegistry, app_id: str, key: str) -> SettingSpec:
    record = registry.by_app_id(app_id)
    spec = next((s for s in record.settings if s.key == key), None) if record else None
    if spec is None:
        raise SettingError(f"réglage inconnu : {app_id}.{key}")
    return spec


def get_setting(session: Session, registry: PluginRegistry, app_id: str, key: str, *,
                structure_id: int | None = None, profile: str | None = None,
                stored: list[Setting] | None = None) -> Any:
    """The most specific stored value: structure + profile, then structure, then the same up the structure graph
    (nearest first), then platform; else the declared default. ``stored``: the app's rows, already read."""
    spec = _spec(registry, app_id, key)
    if stored is None:
        rows = session.scalars(select(Setting).where(Setting.app_id == app_id, Setting.key == key)).all()
    else:
        rows = [row for row in stored if row.key == key]
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
    _forget_request_rows(app_id)
    return row


def setting(app_id: str, key: str, *, structure_id: int | None = None, profile: str | None = None,
            session: Session | None = None) -> Any:
    """A plugin setting's value for a structure (and a profile there): the most specific value stored for the
    structure + profile, the structure, then each structure above it (nearest first), the platform, else the
    declared default. Inside an app context: ``preau.setting("hello", "max_notes", structure_id=…)``.

    ``session`` defaults to :func:`preau.db_session`, whose stored values are read once per request (a page often
    asks for several settings); pass a command's or a job's own session to read through it."""
    registry = current_app.extensions["preau.plugins"]
    if session is not None:
        return get_setting(session, registry, app_id, key, structure_id=structure_id, profile=profile)
    session = db_session()
    return get_setting(session, registry, app_id, key, structure_id=structure_id, profile=profile,
                       stored=_request_rows(session, app_id))


def store_setting(app_id: str, key: str, value: Any, *, structure_id: int | None = None, profile: str | None = None,
                  session: Session | None = None) -> Setting:
    """Set a plugin setting declared by ``preau_settings``: for the platform (no structure), a structure (inherited
    by the structures below it) or a profile in a structure. ``value`` must have the declared kind, else
    ``ValueError``. Written to ``session`` (default :func:`preau.db_session`), committed by the caller."""
    return set_setting(session if session is not None else db_session(), current_app.extensions["preau.plugins"],
                       app_id, key, value, structure_id=structure_id, profile=profile)


def _request_rows(session: Session, app_id: str) -> list[Setting]:
    cache = g.setdefault("_preau_settings", {})
    if app_id not in cache:
        cache[app_id] = session.scalars(select(Setting).where(Setting.app_id == app_id)).all()
    return cache[app_id]


def _forget_request_rows(app_id: str) -> None:
    if has_app_context():
        g.get("_preau_settings", {}).pop(app_id, None)


# -- administration: a structure's own values, typed in a form --------------------------------------------


def own_values(session: Session, app_id: str, structure_id: int) -> dict[str, Any]:
    """The values set in the structure itself (not per profile)."""
    rows = session.scalars(select(Setting).where(Setting.app_id == app_id, Setting.structure_id == structure_id,
                                                 Setting.profile.is_(None)))
    return {row.key: row.value for row in rows}


def _parsed(spec: SettingSpec, raw: str) -> Any:
    """A form value as the spec's kind; ``None`` means "no value here" (inherit)."""
    raw = raw.strip()
    if spec.kind == "bool":
        return raw == "1"
    if not raw:
        return None
    if len(raw) > MAX_TEXT or any(ord(ch) < 32 for ch in raw):
        raise SettingError(_("La valeur de « %(label)s » n'est pas valide.", label=spec.label))
    if spec.kind == "int":
        if not raw.lstrip("-").isdigit():
            raise SettingError(_("« %(label)s » attend un nombre entier.", label=spec.label))
        return int(raw)
    if spec.kind == "url":
        try:
            return checked_url(raw)
        except UrlError as error:
            raise SettingError(f"{spec.label} : {error}") from None
    return raw


def set_structure_values(session: Session, registry: PluginRegistry, app_id: str, structure_id: int,
                         form: dict[str, str], *, actor: Any = None) -> list[str]:
    """Set the plugin's settings of a structure from form strings (an empty text inherits again); every value
    is checked before any is written. Returns the keys that changed (audited)."""
    record = registry.by_app_id(app_id)
    specs = record.settings if record else []
    parsed = {spec.key: _parsed(spec, form.get(spec.key, "")) for spec in specs}
    current = own_values(session, app_id, structure_id)
    changed = [key for key, value in parsed.items() if current.get(key) != value]
    for key in changed:
        row = session.scalar(select(Setting).where(Setting.app_id == app_id, Setting.key == key,
                                                   Setting.structure_id == structure_id, Setting.profile.is_(None)))
        if parsed[key] is None:
            session.delete(row)
        elif row is None:
            session.add(Setting(app_id=app_id, key=key, structure_id=structure_id, profile=None, value=parsed[key]))
        else:
            row.value = parsed[key]
    session.flush()
    _forget_request_rows(app_id)
    if changed:
        audit.record(session, "settings.changed", actor=actor, structure_id=structure_id, app_id=app_id,
                     values={key: parsed[key] for key in changed})
    return changed
