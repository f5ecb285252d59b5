"""Answers ``preau_user_created`` with its name (hookimpl(trylast=True)), for tests/test_dispatch.py's own registry."""

from preau import AppManifest, Right, hookimpl

MANIFEST_CALLS: list[str] = []


@hookimpl(trylast=True)
def preau_app():
    MANIFEST_CALLS.append("last")
    return AppManifest(id="order_last", name="last", version="1.0", editor="Tests")


@hookimpl
def preau_rights():
    return [Right("order_last.access", "Accès")]


@hookimpl(trylast=True)
def preau_user_created(user):
    return "last"
