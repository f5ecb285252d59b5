"""The "Capytale" plugin: a link towards Capytale's activity list (programming activities distributed to
students), for teachers and students. Capytale also opens from Éléa; this tile is the direct way."""

from __future__ import annotations

from preau import N_, Profile, __version__, link_plugin

plugin = link_plugin(
    "capytale", "Capytale", "https://capytale2.ac-paris.fr/web/c-auth/list", version=__version__,
    editor="Académie de Paris", theme="Pédagogie", icon="code-xml",
    colour="#2b5b84", profiles=(Profile.TEACHER, Profile.STUDENT),
    description=N_("Activités de programmation (Python, HTML, bases de données) à distribuer aux élèves."),
    access_label=N_("Ouvrir Capytale"),
    access_description=N_("Ouvrir Capytale pour créer ou faire des activités de programmation."))
