"""A healthy plugin whose widget fails when rendered: the dashboard must survive it."""

from preau import AppManifest, Profile, Right, Widget, hookimpl


def _explode(user, size):
    raise ValueError("widget exploded")


@hookimpl
def preau_app():
    return AppManifest(id="failing", name="Widget fragile", version="1.0", editor="Tests",
                       default_profiles=tuple(Profile))


@hookimpl
def preau_rights():
    return [Right("failing.access", "Voir le widget fragile", tuple(Profile))]


@hookimpl
def preau_widgets():
    return [Widget("failing.boom", "Widget fragile", _explode, right="failing.access")]
