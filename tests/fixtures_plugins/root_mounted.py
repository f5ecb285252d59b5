"""Plugins whose blueprint is mounted at the site's root (``preau.at_site_root``): one well-behaved, one with a route
outside its declared prefix, one claiming a prefix the kernel serves. Loaded as ``module:object`` extras."""

from flask import Blueprint

from preau import AppManifest, at_site_root, csrf_exempt, hookimpl, public_endpoint


class _Plugin:
    def __init__(self, app_id: str, blueprint: Blueprint) -> None:
        self.app_id, self.blueprint = app_id, blueprint

    @hookimpl
    def preau_app(self):
        return AppManifest(id=self.app_id, name=self.app_id, version="1.0", editor="Tests")

    @hookimpl
    def preau_blueprints(self):
        return [self.blueprint]


good_bp = at_site_root(Blueprint("root_good", __name__), "/.well-known/spy-configuration", "/spy-protocol")


@good_bp.route("/.well-known/spy-configuration")
@public_endpoint
def configuration():
    return {"issuer": "spy"}


@good_bp.route("/spy-protocol/token", methods=["POST"])
@public_endpoint
@csrf_exempt
def token():
    return "token"


stray_bp = at_site_root(Blueprint("root_stray", __name__), "/stray-protocol")


@stray_bp.route("/elsewhere")
def stray_view():
    return "stray"


clash_bp = at_site_root(Blueprint("root_clash", __name__), "/auth")


@clash_bp.route("/auth/login2")
def clash_view():
    return "clash"


good = _Plugin("root_good", good_bp)
stray = _Plugin("root_stray", stray_bp)
clash = _Plugin("root_clash", clash_bp)
