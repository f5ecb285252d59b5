"""The "Notes et vie scolaire" plugin (skeleton: the issue 8 helper fills it in)."""

from __future__ import annotations

from preau import AppManifest, __version__, hookimpl
from preau.types import N_


@hookimpl
def preau_app() -> AppManifest:
    return AppManifest(id="vie_scolaire", name=N_("Notes et vie scolaire"), version=__version__, editor="Préau",
                       theme="Vie scolaire",
                       description=N_("Notes, compétences, absences, retards et punitions."))
