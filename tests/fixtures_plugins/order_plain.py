"""Answers ``preau_user_created`` with its name (hookimpl), for tests/test_dispatch.py's own registry."""

from preau import AppManifest, Right, hookimpl

MANIFEST_CALLS: list[str] = []


@hookimpl
def preau_app():
    MANIFEST_CALLS.append("plain")
    return AppManifest(id="order_plain", name="plain", version="1.0", editor="Tests")


@hookimpl
def preau_rights():
    return [Right("order_plain.access", "Accès")]


@hookimpl
def preau_user_created(user):
    return "plain"
