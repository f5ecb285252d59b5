"""The "Carnet de liaison" plugin (skeleton: the issue 8 helper fills it in)."""

from __future__ import annotations

from preau import AppManifest, __version__, hookimpl
from preau.types import N_


@hookimpl
def preau_app() -> AppManifest:
    return AppManifest(id="carnet", name=N_("Carnet de liaison"), version=__version__, editor="Préau",
                       theme="Vie scolaire",
                       description=N_("Les mots de l'école aux familles, à signer en ligne."))
