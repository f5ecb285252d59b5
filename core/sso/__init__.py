"""Single sign-on: Préau as the identity provider of external services, and the connector launch pages.

Each protocol is a module with an ``init_app(app)`` that registers its blueprint; :func:`init_sso` calls them in
the order of :data:`MODULES`.
"""

from __future__ import annotations

from importlib import import_module

from flask import Flask

MODULES: tuple[str, ...] = ("launch", "cas")


def init_sso(app: Flask) -> None:
    for name in MODULES:
        import_module(f"{__name__}.{name}").init_app(app)
