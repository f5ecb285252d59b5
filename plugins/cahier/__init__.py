"""The "Cahier de textes" plugin (skeleton: the issue 8 helper fills it in)."""

from __future__ import annotations

from preau import AppManifest, __version__, hookimpl
from preau.types import N_


@hookimpl
def preau_app() -> AppManifest:
    return AppManifest(id="cahier", name=N_("Cahier de textes"), version=__version__, editor="Préau",
                       theme="Pédagogie",
                       description=N_("Les séances et les devoirs de la classe."))
