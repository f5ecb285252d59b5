"""The "Actualités" plugin (skeleton: the issue 8 helper fills it in)."""

from __future__ import annotations

from preau import AppManifest, __version__, hookimpl
from preau.types import N_


@hookimpl
def preau_app() -> AppManifest:
    return AppManifest(id="actualites", name=N_("Actualités"), version=__version__, editor="Préau",
                       theme="Communication",
                       description=N_("Les actualités de l'établissement et des classes."))
