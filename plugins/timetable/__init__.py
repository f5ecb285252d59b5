"""The "Emploi du temps" plugin (skeleton: the issue 8 helper fills it in)."""

from __future__ import annotations

from preau import AppManifest, __version__, hookimpl
from preau.types import N_


@hookimpl
def preau_app() -> AppManifest:
    return AppManifest(id="timetable", name=N_("Emploi du temps"), version=__version__, editor="Préau",
                       theme="Vie scolaire",
                       description=N_("L'emploi du temps de la classe, de l'enseignant, de l'élève et des salles."))
