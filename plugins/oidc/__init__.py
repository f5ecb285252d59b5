"""The OpenID Connect provider: Préau as the identity provider of publishers' services and mobile apps (OAuth 2.0
authorization code flow with PKCE, discovery, JWKS, userinfo, revocation), the super administrator's client
registration, each person's "Applications autorisées". See docs/sso-oidc.md.

A service, not an app: the provider serves every person of the platform, whatever the apps of their school, so
no administrator enables it per structure. Its addresses are those the clients registered (``/oauth/…``,
``/.well-known/openid-configuration``): the blueprint is mounted at the site's root.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Blueprint, url_for
from sqlalchemy.orm import Session

from preau import N_, AdminLink, AppManifest, __version__, hookimpl

from . import admin, models  # noqa: F401 - the administration page's routes; the plugin's tables
from .provider import bp

APP_ID = "oidc"


@hookimpl
def preau_app() -> AppManifest:
    return AppManifest(id=APP_ID, name=N_("Fournisseur OpenID Connect"), version=__version__, editor="Préau",
                       theme="Outils", kind="service", icon="key", colour="#44546a",
                       description=N_("Connexion des applications d'éditeurs et mobiles avec le compte Préau."))


@hookimpl
def preau_blueprints() -> list[Blueprint]:
    return [bp]


@hookimpl
def preau_migrations() -> str:
    return str(Path(__file__).parent / "migrations" / "versions")


@hookimpl
def preau_cli(cli: click.Group) -> None:
    from .cli import oauth

    cli.add_command(oauth)


@hookimpl
def preau_purge(session: Session) -> str:
    from .service import purge

    return f"{purge(session)} code(s) et jeton(s) OAuth expiré(s) oublié(s)."


@hookimpl
def preau_account_links() -> list[AdminLink]:
    return [AdminLink(f"{APP_ID}.consents", N_("Applications autorisées à utiliser votre compte"),
                      url_for("oidc.consents"))]
