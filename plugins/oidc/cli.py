"""``preau oauth add-client``: register an OpenID Connect client from the command line."""

from __future__ import annotations

import click

from preau import cli_app, db_session

from . import service


@click.group("oauth")
def oauth() -> None:
    """Fournisseur OAuth 2.0 / OpenID Connect : applications clientes."""


@oauth.command("add-client")
@click.option("--name", required=True, help="Nom montré aux personnes sur l'écran d'accord.")
@click.option("--redirect-uri", "redirect_uris", multiple=True, required=True, help="Adresse de retour exacte.")
@click.option("--public", is_flag=True, help="Application mobile ou dans le navigateur : pas de secret, PKCE.")
@click.option("--scope", "scopes", multiple=True, default=("openid", "profile"), show_default=True)
@click.option("--db", "database_url")
def add_client(name: str, redirect_uris: tuple[str, ...], public: bool, scopes: tuple[str, ...],
               database_url: str | None) -> None:
    """Enregistre une application ; son secret n'est affiché qu'une fois."""
    with cli_app(database_url).app_context():
        try:
            client, secret = service.register_client(db_session(), name=name, redirect_uris=list(redirect_uris),
                                                     confidential=not public, scopes=list(scopes))
        except service.OidcError as error:
            raise click.ClickException(str(error)) from error
        db_session().commit()
        client_id = client.client_id
    click.echo(f"client_id: {client_id}")
    if secret:
        click.echo(f"client_secret: {secret}  (copiez-le : il ne sera plus affiché)")
