"""Answers ``preau_user_created`` with its name (hookimpl(tryfirst=True)), for tests/test_dispatch.py's own registry."""

from preau import AppManifest, Right, hookimpl

MANIFEST_CALLS: list[str] = []


@hookimpl(tryfirst=True)
def preau_app():
    MANIFEST_CALLS.append("first")
    return AppManifest(id="order_first", name="first", version="1.0", editor="Tests")


@hookimpl
def preau_rights():
    return [Right("order_first.access", "Accès")]


@hookimpl(tryfirst=True)
def preau_user_created(user):
    return "first"
