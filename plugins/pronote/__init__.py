"""The "Pronote" plugin: Pronote signs people in through Préau's CAS server, and a dashboard block shows the
latest grades and school-life events of the selected child (parents) or of oneself (students).

Pronote is hosted per school: the ``url`` setting holds the school's Pronote address (ending with a slash), the
connector opens the page of each profile there. Grades and events come through an adapter (``adapter``
setting): ``demo`` (stable invented data) or ``pronotepy`` (the optional extra ``pronote``).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from preau import (
    N_,
    AppManifest,
    Connector,
    DemoDirectory,
    Profile,
    Right,
    SettingSpec,
    Widget,
    __version__,
    enable_app,
    grant_to_profile,
    hookimpl,
    set_setting,
)

from .widget import render_pronote, sees_a_pronote_student

RELEASED = ("login", "display_name", "first_name", "last_name", "profile", "uai", "external_id")


@hookimpl
def preau_app() -> AppManifest:
    return AppManifest(
        id="pronote", name="Pronote", version=__version__, editor="Index Éducation", theme="Vie scolaire",
        description=N_("Notes, absences et vie scolaire : connexion à Pronote par l'ENT et bloc des dernières "
                       "notes."),
        icon="chart-line", colour="#0f6b5c", default_profiles=(Profile.STUDENT, Profile.RELATIVE, Profile.TEACHER))


@hookimpl
def preau_rights() -> list[Right]:
    return [Right("pronote.access", N_("Se connecter à Pronote et voir le bloc Pronote"),
                  (Profile.STUDENT, Profile.RELATIVE, Profile.TEACHER),
              description=N_("Ouvrir Pronote sans second mot de passe et voir ses dernières notes."))]


@hookimpl
def preau_settings() -> list[SettingSpec]:
    return [SettingSpec("url", N_("Adresse Pronote de l'établissement (https://…/pronote/)"), ""),
            SettingSpec("adapter", N_("Source des notes du bloc Pronote (vide, demo ou pronotepy)"), "")]


@hookimpl
def preau_connectors() -> list[Connector]:
    return [Connector("pronote.cas", "Pronote", "cas", "{url}", "pronote.access", attributes=RELEASED,
                      launch_urls={"student": "{url}eleve.html", "relative": "{url}parent.html",
                                   "teacher": "{url}professeur.html"})]


@hookimpl
def preau_widgets() -> list[Widget]:
    return [Widget("pronote.block", "Pronote", render_pronote, right="pronote.access",
                   default_profiles=(Profile.STUDENT, Profile.RELATIVE), shown_to=sees_a_pronote_student)]


@hookimpl
def preau_demo_data(session: Session, demo: DemoDirectory) -> None:
    """Pronote for Marie-Curie (a collège), granted to its parents, students and teachers; its block is fed by the
    demo adapter. Jules-Ferry, an école élémentaire, has no Pronote: its vie scolaire assesses competences."""
    school = demo.curie
    assert school.uai is not None  # Marie-Curie is built with its UAI
    enable_app(session, school, "pronote", defaults=False)
    for profile in (Profile.RELATIVE, Profile.STUDENT, Profile.TEACHER):
        grant_to_profile(session, "pronote.access", school, profile)
    set_setting("pronote", "url", f"https://{school.uai.lower()}.index-education.net/pronote/",
                structure_id=school.id, session=session)
    set_setting("pronote", "adapter", "demo", structure_id=school.id, session=session)
