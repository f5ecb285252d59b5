"""A plugin whose widget needs a right it never declared."""

from preau import AppManifest, Widget, hookimpl


@hookimpl
def preau_app():
    return AppManifest(id="sloppy", name="Négligent", version="1.0", editor="Tests")


@hookimpl
def preau_widgets():
    return [Widget("sloppy.w", "W", lambda user, size: "", right="sloppy.access")]
