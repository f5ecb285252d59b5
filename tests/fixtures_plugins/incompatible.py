"""A plugin written for a future Préau."""

from preau import AppManifest, hookimpl


@hookimpl
def preau_app():
    return AppManifest(id="future", name="Du futur", version="9.0", editor="Tests", requires_preau=">=99")
