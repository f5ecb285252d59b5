"""The "Apps.Education" plugin: the agents' "nuage" drive as a link, with the person's e-mail as login hint.

The nuage is a Nextcloud whose login page pre-fills the account from ``?user=…``; the launch page fills
``{email}`` URL-encoded and drops the parameter for someone without an e-mail address.
"""

from __future__ import annotations

from preau import N_, Profile, __version__, link_plugin

NUAGE = "https://nuage.apps.education.fr/"

plugin = link_plugin(
    "appseducation", "Apps.Education", NUAGE, version=__version__, editor="Ministère de l'Éducation nationale",
    icon="cloud", colour="#1f5d99", profiles=(Profile.TEACHER, Profile.PERSONNEL), connector="nuage",
    connector_name=N_("Nuage Apps.Education"), attributes=("email",),
    launch_urls={"teacher": NUAGE + "login?user={email}", "personnel": NUAGE + "login?user={email}"},
    description=N_("Le nuage des agents (100 Go) et les autres outils libres d'apps.education.fr."),
    access_label=N_("Ouvrir le nuage Apps.Education"),
    access_description=N_("Ouvrir le nuage et les outils d'Apps.Education (agents de l'Éducation nationale)."))
