"""The public module of the Pronote plugin: what other plugins may use of it.

A plugin that reads Pronote names ``"pronote"`` in its manifest (``requires`` or ``optional_requires``) and
imports only this module, never ``preau_plugins.pronote``'s other modules, which may change without notice.
Where an administrator turned Pronote off for a structure, such a plugin shows nothing read from Pronote there
(``preau.app_enabled(session, APP_ID, structure)`` says whether it is on).
"""

from __future__ import annotations

from preau import setting

from .adapters import PRONOTEPY_CLIENTS, ClientFactory, Grade, grade_from_pronotepy
from .demo_client import demo_client_factory

APP_ID = "pronote"

__all__ = ["APP_ID", "PRONOTEPY_CLIENTS", "ClientFactory", "Grade", "grade_from_pronotepy", "client_factory"]


def client_factory(structure_id: int | None = None) -> ClientFactory | None:
    """The deployment's pronotepy client factory (``PRONOTEPY_CLIENTS["default"]``), or ``None`` when none is
    registered: called with a student, it returns a logged-in ``pronotepy`` client whose current period (and, for a
    parent account, selected child) is that student's. See plugins/pronote/README.md for registering one.

    With ``structure_id`` (the student's school) whose ``adapter`` setting is ``demo``: the demo's stand-in
    client (no pronotepy; its factory has ``demo = True``), the one the Pronote block reads there too."""
    if structure_id is not None and setting(APP_ID, "adapter", structure_id=structure_id) == "demo":
        return demo_client_factory
    return PRONOTEPY_CLIENTS.get("default")
