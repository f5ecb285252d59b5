"""The ``preau`` command line."""

from __future__ import annotations

import inspect
import os
import sys
from typing import Any

import click

from . import __version__
from . import hooks as hookspecs


class PreauGroup(click.Group):
    """Kernel commands, plus those plugins add through ``preau_cli`` (loaded only when asked for)."""

    _plugins_loaded = False

    def _load_plugin_commands(self) -> None:
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        try:
            app = _make_app()
        except Exception as exc:  # noqa: BLE001 - a broken config must not hide the kernel's commands
            click.echo(f"(extensions non chargées : {exc})", err=True)
            return
        for record, result in app.extensions["preau.plugins"].call_robust("preau_cli", cli=self):
            if result is not None and hasattr(result, "error"):
                click.echo(f"extension {record.name} : {result.error}", err=True)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is None:
            self._load_plugin_commands()
            command = super().get_command(ctx, name)
        return command

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_plugin_commands()
        return super().list_commands(ctx)


def _make_app(database_url: str | None = None, **overrides: Any):
    from .app import create_app

    if database_url:
        overrides["DATABASE_URL"] = database_url
    return create_app(overrides)


@click.group(cls=PreauGroup)
@click.version_option(__version__, prog_name="preau")
def cli() -> None:
    """Préau, l'ENT libre : administration en ligne de commande."""


# -- database ------------------------------------------------------------------------------------------


@cli.group()
def db() -> None:
    """Base de données : migrations du noyau et des extensions."""


@db.command("upgrade")
@click.option("--db", "database_url", help="URL SQLAlchemy (sinon PREAU_DATABASE_URL ou SQLite local).")
def db_upgrade(database_url: str | None) -> None:
    """Applique les migrations du noyau puis de chaque extension."""
    from .migrate import upgrade

    app = _make_app(database_url)
    for branch in upgrade(app.extensions["preau.engine"], app.extensions["preau.plugins"]):
        click.echo(f"{branch} : à jour")


@db.command("status")
@click.option("--db", "database_url")
def db_status(database_url: str | None) -> None:
    """Affiche la révision de chaque branche de migrations."""
    from .migrate import current_heads

    app = _make_app(database_url)
    for name, (current, heads) in current_heads(app.extensions["preau.engine"],
                                                app.extensions["preau.plugins"]).items():
        state = "à jour" if current in heads else "à migrer"
        click.echo(f"{name:<20} {current or '-':<16} {'/'.join(heads):<16} {state}")


@db.command("revision")
@click.argument("branch")
@click.option("-m", "--message", required=True)
@click.option("--db", "database_url")
def db_revision(branch: str, message: str, database_url: str | None) -> None:
    """(Développeurs) Génère une migration pour le noyau ou une extension."""
    from .migrate import revision

    app = _make_app(database_url)
    revision(app.extensions["preau.engine"], app.extensions["preau.plugins"], branch, message)


# -- demo and serving ----------------------------------------------------------------------------------


@cli.command()
@click.option("--port", default=5000, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--db", "database_url", help="URL SQLAlchemy (par défaut : instance/preau.db).")
@click.option("--no-serve", is_flag=True, help="Crée les données de démonstration sans lancer le serveur.")
def demo(port: int, host: str, database_url: str | None, no_serve: bool) -> None:
    """Crée (ou réutilise) la démo, puis la sert sur http://HOST:PORT."""
    from .demo import ensure_demo
    from .migrate import upgrade

    app = _make_app(database_url)
    upgrade(app.extensions["preau.engine"], app.extensions["preau.plugins"])
    with app.app_context():
        created = ensure_demo()
    click.echo("Données de démonstration " + ("créées." if created else "déjà présentes, réutilisées."))
    click.echo("Comptes (mot de passe « demo ») : admin, direction, prof.martin, eleve.lea, parent.colin, "
               "personnel.durand, invite.roux")
    if no_serve:
        return
    click.echo(f"Préau est servi sur http://{host}:{port}  (Ctrl+C pour arrêter)")
    app.run(host=host, port=port, debug=False, threaded=True, use_reloader=False)


@cli.command()
@click.option("--bind", default=lambda: os.environ.get("PREAU_BIND", "127.0.0.1:8000"), show_default="PREAU_BIND")
@click.option("--workers", type=int, default=lambda: int(os.environ.get("PREAU_WORKERS", "2")),
              show_default="PREAU_WORKERS")
def serve(bind: str, workers: int) -> None:
    """Sert Préau en production avec gunicorn (configuration par l'environnement)."""
    from .wsgi import serve_with_gunicorn

    serve_with_gunicorn(bind=bind, workers=workers)


# -- plugins and hooks ---------------------------------------------------------------------------------


@cli.command("plugins")
def plugins_command() -> None:
    """Liste les extensions installées : nom, version, origine, état, erreur."""
    app = _make_app()
    records = app.extensions["preau.plugins"].records.values()
    click.echo(f"{'NOM':<20} {'VERSION':<10} {'ORIGINE':<28} ÉTAT")
    broken = False
    for record in records:
        click.echo(f"{record.app_id:<20} {record.version:<10} {record.source:<28} {record.state}")
        if record.error:
            broken = True
            click.echo(f"    erreur : {record.error}")
    if broken:
        click.echo("Des extensions sont en erreur : elles sont désactivées, le reste fonctionne.", err=True)


def hook_reference() -> str:
    """The hook reference, built from the hookspec docstrings."""
    lines = []
    for name, function in inspect.getmembers(hookspecs, inspect.isfunction):
        if not name.startswith("preau_"):
            continue
        signature = str(inspect.signature(function)).replace("'", "")
        lines.append(f"{name}{signature}")
        lines.extend("    " + line for line in inspect.cleandoc(function.__doc__ or "").splitlines())
        lines.append("")
    return "\n".join(lines)


@cli.command("hooks")
def hooks_command() -> None:
    """Affiche la référence des hooks (tirée des docstrings du contrat)."""
    click.echo(hook_reference())


# -- accounts ------------------------------------------------------------------------------------------


@cli.command("create-admin")
@click.option("--login", required=True)
@click.option("--first-name", default="Super")
@click.option("--last-name", default="Administrateur")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--db", "database_url")
def create_admin(login: str, first_name: str, last_name: str, password: str, database_url: str | None) -> None:
    """Crée un super-administrateur actif."""
    from .accounts import AdminCreationError, create_super_admin
    from .db import db_session

    app = _make_app(database_url)
    with app.app_context():
        try:
            create_super_admin(db_session(), login, first_name, last_name, password)
        except AdminCreationError as error:
            raise click.ClickException(str(error)) from error
    click.echo(f"Super-administrateur {login} créé.")


@cli.command()
@click.option("--students", type=int, default=1000, show_default=True)
@click.option("--db", "database_url")
@click.option("--seed", "random_seed", type=int, default=42, show_default=True)
def seed(students: int, database_url: str | None, random_seed: int) -> None:
    """Crée une académie synthétique (pour les mesures de performance)."""
    from .directory.seed import seed_academie
    from .migrate import upgrade

    app = _make_app(database_url)
    upgrade(app.extensions["preau.engine"], app.extensions["preau.plugins"])
    with app.app_context():
        report = seed_academie(app.extensions["preau.engine"], students=students, seed=random_seed,
                               progress=lambda msg: click.echo(msg, err=True))
    click.echo(report.summary())


def main() -> None:
    sys.exit(cli.main(prog_name="preau"))
