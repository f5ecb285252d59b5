"""A plugin implementing a hook that is not in the contract."""

from preau import AppManifest, hookimpl


@hookimpl
def preau_app():
    return AppManifest(id="unknownhook", name="Inconnu", version="1.0", editor="Tests")


@hookimpl
def preau_no_such_hook():
    return 1
