"""A plugin that records every call of the hooks dispatched per request, per person or per structure, to show
that dispatch reaches it only where it is enabled (and granted)."""

from markupsafe import Markup

from preau import AppManifest, Connector, MenuItem, Profile, Right, Widget, hookimpl

CALLS: list[tuple[str, int]] = []  # (what, user or structure id)
BANNER: list = []  # what preau_page_banners answers besides the spy's own banner (an exception is raised)


def _render(user, size):
    CALLS.append(("widget", user.id))
    return "<p>Espion</p>"


@hookimpl
def preau_app():
    return AppManifest(id="spy", name="Espion", version="1.0", editor="Tests", default_profiles=tuple(Profile))


@hookimpl
def preau_rights():
    return [Right("spy.access", "Utiliser l'espion", tuple(Profile))]


@hookimpl
def preau_widgets():
    return [Widget("spy.board", "Tableau espion", _render, right="spy.access")]


@hookimpl
def preau_connectors():
    return [Connector("spy.link", "Lien espion", kind="link", url="https://spy.example/launch", right="spy.access")]


@hookimpl
def preau_menu_items():
    return [MenuItem("spy.entry", "Entrée espion", "https://spy.example/entry", right="spy.access")]


@hookimpl
def preau_communication_vetoes(sender, recipients):
    CALLS.append(("vetoes", sender.id))


@hookimpl
def preau_communication_groups(user):
    CALLS.append(("groups", user.id))


@hookimpl
def preau_export_user_data(user):
    CALLS.append(("export", user.id))
    return {"spied": user.id}


@hookimpl
def preau_year_transition(structure):
    CALLS.append(("year_transition", structure.id))


@hookimpl
def preau_page_banners(user):
    CALLS.append(("banner", user.id))
    for odd in BANNER:
        if isinstance(odd, Exception):
            raise odd
        return odd
    return [Markup('<p class="spy-banner">Bandeau espion</p>')]
