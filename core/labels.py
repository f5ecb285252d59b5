"""French labels (msgids) of values stored as codes, translated where they are displayed."""

from flask_babel import gettext

from .models import StructureKind
from .plugins import PluginState
from .types import N_

STRUCTURE_KINDS = {
    StructureKind.ACADEMIE: N_("Académie"),
    StructureKind.SYNDICAT: N_("Syndicat mixte"),
    StructureKind.CITY: N_("Ville"),
    StructureKind.ECOLE: N_("École"),
    StructureKind.COLLEGE: N_("Collège"),
    StructureKind.LYCEE: N_("Lycée"),
    StructureKind.OTHER: N_("Autre structure"),
}

PLUGIN_STATES = {
    PluginState.ACTIVE: N_("chargée"),
    PluginState.BROKEN: N_("en erreur"),
    PluginState.DENIED: N_("écartée par la configuration"),
}

PLUGIN_SOURCES = {"builtin": N_("intégrée à Préau"), "extra": N_("module ajouté par la configuration")}


def label(table: dict, value: str) -> str:
    return gettext(table[value]) if value in table else value
