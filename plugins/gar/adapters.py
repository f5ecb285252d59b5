"""Where the Médiacentre reads the resources a structure subscribed to: an adapter per source.

In production the GAR publishes, per UAI, the list of resources the school holds, as JSON objects with
``idRessource``, ``nomRessource``, ``idEditeur``, ``nomEditeur``, ``urlVignette``, ``typePresentation``
(``{code, nom}``), ``typologieDocument``, ``niveauEducatif`` and ``domaineEnseignement`` (lists of
``{uri, nom}``), ``urlAccesRessource`` and ``nomSourceEtiquette``. Adapters return that shape unchanged, so a
real client only has to fetch and decode it. ``DemoAdapter`` returns a handful of invented but realistic
resources (the demo and the tests). The ``adapter`` setting of the structure chooses one.
"""

from __future__ import annotations

from typing import Any, Protocol

SCOLOMFR = "http://data.education.fr/voc/scolomfr/concept/"


class ResourceAdapter(Protocol):
    def resources(self, uai: str) -> list[dict[str, Any]]:
        """The resources the structure ``uai`` holds, in the GAR resource-list JSON shape."""
        ...


def _term(code: str, name: str) -> dict[str, str]:
    return {"uri": f"{SCOLOMFR}{code}", "nom": name}


def _resource(ark: str, name: str, editor_id: str, editor: str, presentation: tuple[str, str],
              typology: list[dict[str, str]], levels: list[dict[str, str]], domains: list[dict[str, str]],
              label: str) -> dict[str, Any]:
    return {
        "idRessource": f"ark:/99999/{ark}", "idType": "ARK", "nomRessource": name,
        "idEditeur": editor_id, "nomEditeur": editor,
        "urlVignette": f"https://vignette.gar.example/demo/{ark}.png",
        "typePresentation": {"code": presentation[0], "nom": presentation[1]},
        "typologieDocument": typology, "niveauEducatif": levels, "domaineEnseignement": domains,
        "urlAccesRessource": f"https://ressources.gar.example/{ark}/acces",
        "nomSourceEtiquette": label, "distributeurTech": "GAR", "validateurTech": "GAR",
    }


_COLLEGE = _term("scolomfr-voc-022-num-024", "collège")
_ECOLE = _term("scolomfr-voc-022-num-003", "école élémentaire")
_DEMO = [
    _resource("DEMO.DICO", "Dictionnaire junior en ligne", "100000001_0000000000000000", "Éditions Exemple",
              ("DIC", "dictionnaire, encyclopédie"), [_term("scolomfr-voc-005-num-012", "dictionnaire")],
              [_ECOLE, _COLLEGE], [_term("scolomfr-voc-015-num-1234", "français")], "Gratuit"),
    _resource("DEMO.MATHS6", "Manuel numérique Mathématiques 6e", "100000002_0000000000000000",
              "Manuels du Futur", ("MAN", "manuel numérique"), [_term("scolomfr-voc-005-num-024", "manuel")],
              [_COLLEGE], [_term("scolomfr-voc-015-num-1290", "mathématiques")], "Manuel"),
    _resource("DEMO.ANGLAIS", "English Stories — lectures audio", "100000003_0000000000000000",
              "Langues Vivantes Éditions", ("MUL", "ressources d'enseignement multimédias"),
              [_term("scolomfr-voc-005-num-040", "document sonore")], [_ECOLE, _COLLEGE],
              [_term("scolomfr-voc-015-num-1300", "anglais")], "Abonnement"),
    _resource("DEMO.HISTOIRE", "Frise chronologique interactive", "100000004_0000000000000000", "Atelier Histoire",
              ("MUL", "ressources d'enseignement multimédias"), [_term("scolomfr-voc-005-num-041", "web média")],
              [_COLLEGE], [_term("scolomfr-voc-015-num-1270", "histoire")], "Abonnement"),
    _resource("DEMO.SCIENCES", "Laboratoire virtuel de sciences", "100000005_0000000000000000", "SciencesLab",
              ("SIM", "simulation"), [_term("scolomfr-voc-005-num-034", "simulation")], [_ECOLE, _COLLEGE],
              [_term("scolomfr-voc-015-num-1350", "sciences et technologie")], "Abonnement"),
]


class DemoAdapter:
    """The same handful of resources for every structure."""

    def resources(self, uai: str) -> list[dict[str, Any]]:
        return [dict(resource) for resource in _DEMO]


def adapter_named(name: str) -> ResourceAdapter | None:
    """The adapter a structure's ``adapter`` setting names (None: not connected yet); an unknown name is an
    error, never a silent fallback to invented data."""
    if not name:
        return None
    if name == "demo":
        return DemoAdapter()
    raise LookupError(f"unknown GAR adapter {name!r}")
