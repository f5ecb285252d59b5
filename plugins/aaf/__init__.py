"""AAF source: the académie's directory feed (``ficAlimMENESR`` XML files) for the kernel's import engine.

The plugin only reads files into a :class:`preau.Feed` (see :mod:`.reader`); the kernel plans, shows the diff
and applies it (``preau import aaf DIR``, the imports page of the administration, the ``directory.import`` job).
"""

from __future__ import annotations

from preau import N_, AppManifest, DirectorySource, SourceOption, __version__, hookimpl

from .reader import read_aaf


@hookimpl
def preau_app() -> AppManifest:
    return AppManifest(
        id="aaf", name=N_("Import AAF"), version=__version__, editor="Préau", theme="Outils",
        description=N_("Alimentation de l'annuaire par les fichiers AAF de l'académie."), icon="database",
        colour="#44546a",
        kind="directory_source",  # an importer: never an app to enable in the services administration
    )


@hookimpl
def preau_directory_sources() -> list[DirectorySource]:
    return [DirectorySource(
        id="aaf", label=N_("AAF (annuaire académique)"), read=read_aaf, accepts=(".xml", ".zip"), multiple=True,
        academy_wide=True,
        description=N_("Fichiers XML ficAlimMENESR (EtabEducNat, Eleve, PersEducNat, PersRelEleve, "
                       "MatiereEducNat, MefEducNat), plusieurs fichiers ou une archive zip."),
        options=(SourceOption("complete", N_("Flux complet (les comptes absents passent en attente de suppression)"),
                              kind="choice", default="",
                              choices=(("", N_("Selon le nom des fichiers (« Complet »)")), ("1", N_("Oui")),
                                       ("0", N_("Non")))),),
    )]
