"""The "Avenir(s)" plugin: the Onisep guidance service. Students and parents sign in there with ÉduConnect,
staff (teachers, personnel) with their academic account on the agents' portal: each profile lands on its own
authentication page."""

from __future__ import annotations

from preau import N_, Profile, __version__, link_plugin

BASE = "https://avenirs.onisep.fr/authentification/"

plugin = link_plugin(
    "avenirs", "Avenir(s)", BASE + "hubagent", version=__version__, editor="Onisep", theme="Orientation",
    icon="compass", colour="#a3324a", profiles=(Profile.STUDENT, Profile.RELATIVE, Profile.TEACHER, Profile.PERSONNEL),
    launch_urls={"student": BASE + "educonnect", "relative": BASE + "educonnect"},
    description=N_("Le service d'orientation de l'Onisep, pour les élèves, leurs parents et les équipes."),
    access_label=N_("Ouvrir Avenir(s)"),
    access_description=N_("Ouvrir Avenir(s), le service d'orientation de l'Onisep, sans second mot de passe."))
