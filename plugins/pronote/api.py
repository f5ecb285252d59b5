"""The public module of the Pronote plugin: what other plugins may use of it.

A plugin that reads Pronote names ``"pronote"`` in its manifest (``requires`` or ``optional_requires``) and
imports only this module, never ``preau_plugins.pronote``'s other modules, which may change without notice.
Where an administrator turned Pronote off for a structure, such a plugin shows nothing read from Pronote there
(``preau.app_enabled(session, APP_ID, structure)`` says whether it is on).
"""

from __future__ import annotations

from .adapters import PRONOTEPY_CLIENTS, ClientFactory, Grade, grade_from_pronotepy

APP_ID = "pronote"

__all__ = ["APP_ID", "PRONOTEPY_CLIENTS", "ClientFactory", "Grade", "grade_from_pronotepy", "client_factory"]


def client_factory() -> ClientFactory | None:
    """The deployment's pronotepy client factory (``PRONOTEPY_CLIENTS["default"]``), or ``None`` when none is
    registered: called with a student, it returns a logged-in ``pronotepy`` client whose current period (and, for a
    parent account, selected child) is that student's. See plugins/pronote/README.md for registering one."""
    return PRONOTEPY_CLIENTS.get("default")
