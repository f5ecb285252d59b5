"""The ``preau`` command line."""

from __future__ import annotations

import contextlib
import inspect
import os
import shutil
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import click
from flask import Flask
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from . import hooks as hookspecs
from .account.data_export import purge_expired
from .accounts import AdminCreationError, create_super_admin
from .app import cli_app
from .auth import sessions, throttle
from .config import ConfigError, from_environment
from .db import db_session, make_engine
from .demo import DEMO_ACCOUNTS, DEMO_ACTIVATION_CODE, DemoResetRefused, drop_demo, ensure_demo
from .directory import import_report
from .directory import year_transition as transition
from .directory.imports import directory_sources, problem_text, record_failure, run_import
from .directory.lifecycle import run_lifecycle
from .directory.seed import SeedError, seed_academie
from .directory.structures import DirectoryError
from .directory.sync import FeedError, ImportPlan
from .filestore import storage_dir
from .jobs import list_jobs, purge_finished, run_pending
from .migrate import current_heads, downgrade, revision, upgrade
from .models import Structure
from .models._time import utcnow
from .plugins import KERNEL_WIDE, HookFailure
from .portal.marketplace import IndexError_, parse_index
from .sso.cas_tickets import purge as purge_cas_tickets
from .statistics import purge_app_visits
from .types import _ID
from .version import __version__
from .wsgi import serve_with_gunicorn


class PreauGroup(click.Group):
    """Kernel commands, plus those plugins add through ``preau_cli`` (loaded only when asked for)."""

    _plugins_loaded = False

    def _load_plugin_commands(self) -> None:
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        try:
            app = cli_app()
        except Exception as exc:  # noqa: BLE001 - a broken config must not hide the kernel's commands
            click.echo(f"(extensions non chargées : {exc})", err=True)
            return
        registry = app.extensions["preau.plugins"]
        for record, result in registry.call_each("preau_cli", apps=KERNEL_WIDE, cli=self):
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
    app = cli_app(database_url)
    for done in upgrade(app.extensions["preau.engine"], app.extensions["preau.plugins"]):
        if not done.applied:
            click.echo(f"{done.branch} : à jour ({done.current or 'aucune révision'})")
        elif len(done.applied) == 1:
            click.echo(f"{done.branch} : 1 révision appliquée : {done.applied[0]}")
        else:
            click.echo(f"{done.branch} : {len(done.applied)} révisions appliquées : {', '.join(done.applied)}")


@db.command("status")
@click.option("--db", "database_url")
def db_status(database_url: str | None) -> None:
    """Affiche la révision de chaque branche de migrations."""
    app = cli_app(database_url)
    for name, (current, heads) in current_heads(app.extensions["preau.engine"],
                                                app.extensions["preau.plugins"]).items():
        state = "à jour" if current in heads else "à migrer"
        click.echo(f"{name:<20} {current or '-':<16} {'/'.join(heads):<16} {state}")


@db.command("revision")
@click.argument("branch")
@click.option("-m", "--message", required=True)
@click.option("--db", "database_url")
def db_revision(branch: str, message: str, database_url: str | None) -> None:
    """(Développeurs) Génère la migration suivante du noyau (kernel) ou d'une extension (son id d'application),
    nommée d'après sa branche (ex. : actualites0003, hello_0002) ; la base doit être à jour."""
    app = cli_app(database_url)
    try:
        path = revision(app.extensions["preau.engine"], app.extensions["preau.plugins"], branch, message)
    except LookupError as exc:
        raise click.ClickException(
            f"Pas de branche de migrations « {exc.args[0]} » : « kernel » ou l'id d'une extension active qui "
            "déclare preau_migrations.") from exc
    click.echo(f"Révision écrite : {path}")


@db.command("downgrade")
@click.argument("branch")
@click.argument("target")
@click.option("--db", "database_url")
def db_downgrade(branch: str, target: str, database_url: str | None) -> None:
    """Ramène une branche de migrations à une révision (TARGET : son id, -1, ou base pour supprimer les tables
    d'une extension avant de la désinstaller) ; les autres branches ne bougent pas."""
    app = cli_app(database_url)
    try:
        done = downgrade(app.extensions["preau.engine"], app.extensions["preau.plugins"], branch, target)
    except LookupError as exc:
        raise click.ClickException(
            f"Pas de retour possible pour « {exc.args[0]} » : l'id d'une extension active qui déclare "
            "preau_migrations, ou « kernel » vers une révision (jamais base).") from exc
    if not done.applied:
        click.echo(f"{done.branch} : rien à défaire ({done.current or 'aucune révision'})")
    else:
        click.echo(f"{done.branch} : {len(done.applied)} révision(s) défaite(s) : {', '.join(done.applied)} ; "
                   f"révision actuelle : {done.current or 'aucune'}")


# -- demo and serving ----------------------------------------------------------------------------------


DEMO_REFUSED = "La démo (comptes au mot de passe « demo ») est refusée en production (PREAU_ENV=production)."


@cli.command()
@click.option("--port", default=5000, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--db", "database_url", help="URL SQLAlchemy (par défaut : instance/preau.db).")
@click.option("--no-serve", is_flag=True, help="Crée les données de démonstration sans lancer le serveur.")
@click.option("--reset", is_flag=True, help="Efface la base de démonstration et ses fichiers, puis la recrée "
              "(avec les données de démonstration des extensions installées depuis).")
def demo(port: int, host: str, database_url: str | None, no_serve: bool, reset: bool) -> None:
    """Crée (ou réutilise) la démo, puis la sert sur http://HOST:PORT."""
    if reset:
        _reset_demo(database_url)
    app = cli_app(database_url)
    if app.config["PRODUCTION"]:
        raise click.ClickException(DEMO_REFUSED)
    upgrade(app.extensions["preau.engine"], app.extensions["preau.plugins"])
    with app.app_context():
        created = ensure_demo()
    where = app.extensions["preau.engine"].url.render_as_string(hide_password=True)
    click.echo(f"Base de démonstration : {where}")
    if created:
        click.echo("Données de démonstration créées.")
    else:
        click.echo("Données de démonstration déjà présentes, réutilisées (preau demo --reset pour repartir de zéro, "
                   "avec les extensions installées depuis).")
    click.echo("Comptes (mot de passe « demo ») :")
    for login in DEMO_ACCOUNTS:
        note = f"  pas encore activé : /auth/activate, code {DEMO_ACTIVATION_CODE}" if login == "eleve.nouveau" else ""
        click.echo(f"  {login}{note}")
    if no_serve:
        return
    click.echo(f"Préau est servi sur http://{host}:{port}  (Ctrl+C pour arrêter)")
    app.run(host=host, port=port, debug=False, threaded=True, use_reloader=False)


def _reset_demo(database_url: str | None) -> None:
    """Drop the demo's database and storage directory (``preau demo --reset``), before the app opens them."""
    if os.environ.get("PREAU_ENV", "development") == "production":
        raise click.ClickException(DEMO_REFUSED)
    try:
        config = from_environment({"DATABASE_URL": database_url} if database_url else None)
    except ConfigError as error:
        raise click.ClickException(str(error)) from error
    engine = make_engine(config["DATABASE_URL"])
    storage = storage_dir(config)
    try:
        drop_demo(engine, storage)
    except DemoResetRefused as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Démo effacée : {engine.url.render_as_string(hide_password=True)} et {storage}")


@cli.command()
@click.option("--bind", default=lambda: os.environ.get("PREAU_BIND", "127.0.0.1:8000"), show_default="PREAU_BIND")
@click.option("--workers", type=int, default=lambda: int(os.environ.get("PREAU_WORKERS", "2")),
              show_default="PREAU_WORKERS")
def serve(bind: str, workers: int) -> None:
    """Sert Préau en production avec gunicorn (configuration par l'environnement)."""
    serve_with_gunicorn(bind=bind, workers=workers)


# -- plugins and hooks ---------------------------------------------------------------------------------


@cli.group("plugins", invoke_without_command=True)
@click.pass_context
def plugins_command(ctx: click.Context) -> None:
    """Liste les extensions installées : nom, version, origine, état, erreur."""
    if ctx.invoked_subcommand:
        return
    app = cli_app()
    records = app.extensions["preau.plugins"].records.values()
    click.echo(f"{'NOM':<20} {'VERSION':<10} {'ORIGINE':<28} ÉTAT")
    broken = False
    for record in records:
        click.echo(f"{record.app_id:<20} {record.version:<10} {record.source:<28} {record.state}")
        manifest = record.manifest
        if manifest is not None and manifest.kind != "app":
            click.echo(f"    nature : {manifest.kind}")
        if manifest is not None and (manifest.requires or manifest.optional_requires):
            needs = [*manifest.requires, *(f"{name} (facultative)" for name in manifest.optional_requires)]
            click.echo(f"    nécessite : {', '.join(needs)}")
        if record.error:
            broken = True
            click.echo(f"    erreur : {record.error}")
    if broken:
        click.echo("Des extensions sont en erreur : elles sont désactivées, le reste fonctionne.", err=True)


@plugins_command.command("index")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def plugins_index(path: str) -> None:
    """Vérifie un fichier d'index d'extensions (docs/plugin-index.md) ; nomme la ligne et le champ de chaque erreur."""
    try:
        entries = parse_index(Path(path).read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        click.echo(f"{path} : le fichier n'est pas en UTF-8.", err=True)
        sys.exit(2)
    except IndexError_ as error:
        for issue in error.issues:
            click.echo(f"{path}: {issue}", err=True)
        sys.exit(2)
    click.echo(f"{path} : index valide, {len(entries)} extension(s).")


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


# -- plugin authors ------------------------------------------------------------------------------------

_TEMPLATE_SKIPPED = {"__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache", ".git", ".venv", "build", "dist"}


TEMPLATE_SUFFIX = "-tpl"  # the template's Python files end in .py-tpl: no tool takes them for modules of preau


def plugin_template_dir() -> Path:
    """The example plugin ``new-plugin`` copies, shipped inside the ``preau`` package (package data), so that it
    works from an installed Préau as from a checkout. plugin_template/ at the root of the repository is its
    rendering for the name ``hello`` (.ci/render-plugin-template writes it; a test checks they match)."""
    return Path(__file__).resolve().parent / "plugin_template"


def _template_renames(app_id: str) -> list[tuple[str, str]]:
    # Distribution and package names first: their dash and underscore forms differ for "vie_scolaire".
    camel = "".join(part.capitalize() for part in app_id.split("_"))
    return [("preau-hello", f"preau-{app_id.replace('_', '-')}"), ("preau_hello", f"preau_{app_id}"),
            ("Hello", camel), ("HELLO", app_id.upper()), ("hello", app_id)]


def _renamed(value: str, renames: list[tuple[str, str]]) -> str:
    for old, new in renames:
        value = value.replace(old, new)
    return value


def copy_plugin_template(template: Path, target: Path, app_id: str) -> int:
    """Copy the template into ``target`` with its names replaced, in paths and in text. Returns the file count."""
    renames = _template_renames(app_id)
    count = 0
    for source in sorted(template.rglob("*")):
        relative = source.relative_to(template)
        if source.is_dir() or any(p in _TEMPLATE_SKIPPED or p.endswith(".egg-info") for p in relative.parts):
            continue
        if source.suffix in (".pyc", ".pyo"):
            continue
        destination = target / _renamed(str(relative).removesuffix(TEMPLATE_SUFFIX), renames)
        destination.parent.mkdir(parents=True, exist_ok=True)
        content = source.read_bytes()
        with contextlib.suppress(UnicodeDecodeError):  # a binary file (an icon…) is copied as is
            content = _renamed(content.decode("utf-8"), renames).encode("utf-8")
        destination.write_bytes(content)
        count += 1
    return count


@cli.command("new-plugin")
@click.argument("name")
@click.option("--dest", type=click.Path(file_okay=False, path_type=Path), default=".", show_default=True,
              help="Dossier dans lequel créer preau-NAME.")
def new_plugin(name: str, dest: Path) -> None:
    """Crée une extension NAME à partir du modèle plugin_template (page, droit, widget, connecteur, table)."""
    if not _ID.match(name):
        raise click.ClickException(
            f"Nom d'extension invalide « {name} » : 2 à 40 caractères, une lettre minuscule d'abord, puis "
            "des minuscules, des chiffres ou « _ » (exemple : cantine, vie_scolaire).")
    template = plugin_template_dir()
    if not (template / "pyproject.toml").is_file():
        raise click.ClickException(
            f"Modèle d'extension introuvable ({template}) : l'installation de Préau est incomplète (le modèle est "
            "livré dans le paquet preau) ; réinstallez-la.")
    target = dest / f"preau-{name.replace('_', '-')}"
    if target.exists():
        raise click.ClickException(f"{target} existe déjà : choisissez un autre nom ou un autre --dest.")
    target.parent.mkdir(parents=True, exist_ok=True)
    # Build beside the target, then rename: an interrupted copy never leaves a half-made plugin behind.
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        count = copy_plugin_template(template, staging, name)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    click.echo(f"Extension « {name} » créée dans {target} ({count} fichiers).")
    click.echo("Ensuite :")
    click.echo(f"  cd {target}")
    click.echo("  pip install -e '.[test]'")
    click.echo("  python -m pytest -q")
    click.echo("Le guide des auteurs d'extensions : docs/plugins.md")


@cli.command()
@click.option("--db", "database_url")
def purge(database_url: str | None) -> None:
    """Oublie les tentatives de connexion, les sessions périmées et les tâches de fond terminées (chaque nuit)."""
    app = cli_app(database_url)
    with app.app_context():
        session = db_session()
        attempts = throttle.purge_old(session, throttle.ThrottlePolicy.from_config(app.config))
        cas_tickets = purge_cas_tickets(session, app.config["PERMANENT_SESSION_LIFETIME"])
        ended = sessions.purge(session, app.config["PERMANENT_SESSION_LIFETIME"])
        finished = purge_finished(session)
        purge_app_visits(session, (utcnow() - timedelta(days=2)).date())  # "counted today" marks of past days
        lines = _plugins_purge(app, session)
        session.commit()
    click.echo(f"{attempts} tentative(s) de connexion, {ended} session(s) et {finished} tâche(s) terminée(s) "
               "oubliées.")
    click.echo(f"{cas_tickets} ticket(s) CAS expiré(s) oublié(s).")
    for line in lines:
        click.echo(line)


def _plugins_purge(app: Flask, session: Session) -> list[str]:
    """Each plugin forgets its expired rows (``preau_purge``), in a savepoint: one that fails is reported."""
    lines = []
    for record, answer in app.extensions["preau.plugins"].call_each(
            "preau_purge", apps=KERNEL_WIDE, guard=session.begin_nested, session=session):
        if isinstance(answer, HookFailure):
            lines.append(f"{record.app_id} : échec de la purge ({answer.error}).")
        elif answer:
            lines.append(str(answer))
    return lines


@cli.group("lifecycle")
def lifecycle() -> None:
    """Cycle de vie des comptes sortis de l'annuaire."""


@lifecycle.command("run")
@click.option("--db", "database_url")
@click.option("--dry-run", is_flag=True, help="Affiche ce qui serait fait, sans rien changer.")
def lifecycle_run(database_url: str | None, dry_run: bool) -> None:
    """Fait avancer les comptes (à lancer chaque nuit) : en attente de suppression → pré-supprimés → supprimés."""
    app = cli_app(database_url)
    with app.app_context():
        session = db_session()
        report = run_lifecycle(session, pending_days=app.config["LIFECYCLE_PENDING_DAYS"],
                               pre_deleted_days=app.config["LIFECYCLE_PRE_DELETED_DAYS"])
        exports = purge_expired(session) if not dry_run else 0
        session.rollback() if dry_run else session.commit()
    prefix = "Simulation : " if dry_run else ""
    click.echo(f"{prefix}{report.pre_deleted} compte(s) pré-supprimé(s) (après "
               f"{app.config['LIFECYCLE_PENDING_DAYS']} jours en attente de suppression), {report.deleted} "
               f"compte(s) supprimé(s) (après {app.config['LIFECYCLE_PRE_DELETED_DAYS']} jours).")
    if not dry_run:
        click.echo(f"{exports} export(s) « Mes données » expiré(s) effacé(s).")


@cli.command("year-transition")
@click.option("--structure", "structure_ref", required=True, help="UAI ou identifiant de la structure.")
@click.option("--db", "database_url")
@click.option("--dry-run", is_flag=True, help="Affiche ce qui serait fait, sans rien changer.")
def year_transition(structure_ref: str, database_url: str | None, dry_run: bool) -> None:
    """Bascule d'année : classes archivées, groupes de classe vidés, aucun contenu supprimé."""

    app = cli_app(database_url)
    with app.app_context():
        session = db_session()
        wanted = [Structure.uai == structure_ref.upper()]
        if structure_ref.isdigit():
            wanted.append(Structure.id == int(structure_ref))
        structure = session.scalar(select(Structure).where(or_(*wanted)))
        if structure is None:
            raise click.ClickException(f"Structure inconnue : {structure_ref}.")
        plan = transition.plan_transition(session, structure)
        for part in plan.structures:
            state = "déjà basculée" if part.already_done else (
                f"{len(part.classes)} classe(s) archivée(s), "
                f"{part.class_members + part.teaching_members} appartenance(s) retirée(s)")
            click.echo(f"{part.structure.name} : {state}")
        if dry_run:
            click.echo(f"Simulation de la bascule {plan.school_year} : rien n'a été changé.")
            return
        try:
            plan = transition.apply_transition(session, structure)
        except DirectoryError as error:
            session.rollback()
            raise click.ClickException(str(error)) from error
        session.commit()
    click.echo(f"Bascule {plan.school_year} faite : {plan.classes} classe(s) archivée(s), "
               f"{plan.memberships} appartenance(s) retirée(s), aucun contenu supprimé.")




# -- background jobs -----------------------------------------------------------------------------------


@cli.group()
def jobs() -> None:
    """Tâches de fond : envoi des courriels, imports, exports."""


@jobs.command("run")
@click.option("--once", is_flag=True, help="Exécute les tâches dues puis s'arrête.")
@click.option("--db", "database_url")
def jobs_run(once: bool, database_url: str | None) -> None:
    """Exécute les tâches de fond (un processus suffit ; plusieurs peuvent tourner sans doublon)."""

    app = cli_app(database_url, JOBS_INLINE_WORKER=False)
    poll = app.config["JOBS_POLL_SECONDS"]
    while True:
        for job in run_pending(app):
            click.echo(f"tâche {job.id} {job.kind} : {job.state}"
                       + (f" ({job.last_error})" if job.last_error else ""))
        if once:
            return
        time.sleep(poll)


@jobs.command("list")
@click.option("--state", type=click.Choice(["queued", "running", "done", "failed", "cancelled"]))
@click.option("--limit", type=int, default=50, show_default=True)
@click.option("--db", "database_url")
def jobs_list(state: str | None, limit: int, database_url: str | None) -> None:
    """Liste les dernières tâches de fond et leur état."""
    app = cli_app(database_url, JOBS_INLINE_WORKER=False)
    with app.app_context():
        rows = list_jobs(db_session(), state=state, limit=limit)
        for job in rows:
            progress = f"{job.progress:>3}%" + (f" {job.progress_message}" if job.progress_message else "")
            error = f"  {job.last_error}" if job.last_error else ""
            click.echo(f"{job.id:>6}  {job.kind:<24} {job.state:<8} essais {job.attempts}/{job.max_attempts}  "
                       f"{progress}  {job.created_at:%Y-%m-%d %H:%M}{error}")
        if not rows:
            click.echo("Aucune tâche.")


# -- accounts ------------------------------------------------------------------------------------------


@cli.command("create-admin")
@click.option("--login", required=True)
@click.option("--first-name", default="Super")
@click.option("--last-name", default="Administrateur")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--db", "database_url")
def create_admin(login: str, first_name: str, last_name: str, password: str, database_url: str | None) -> None:
    """Crée un super-administrateur actif."""
    app = cli_app(database_url)
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
    app = cli_app(database_url)
    upgrade(app.extensions["preau.engine"], app.extensions["preau.plugins"])
    with app.app_context():
        try:
            report = seed_academie(app.extensions["preau.engine"], students=students, seed=random_seed,
                                   progress=lambda msg: click.echo(msg, err=True))
        except SeedError as error:
            raise click.ClickException(str(error)) from error
    click.echo(report.summary())



# -- directory import ----------------------------------------------------------------------------------


def _import_options(pairs: tuple[str, ...]) -> dict[str, Any]:
    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"« {pair} » : attendu clé=valeur", param_hint="--option")
        options[key.strip()] = value.strip()
    return options


def _import_structure_id(session: Any, ref: str | None) -> int | None:
    """``--structure`` takes an id or a UAI."""
    if not ref:
        return None
    found = session.scalar(select(Structure.id).where(
        Structure.id == int(ref) if ref.isdigit() else Structure.uai == ref.strip().upper()))
    if found is None:
        raise click.ClickException(f"structure inconnue : {ref}")
    return found


@cli.command("import")
@click.argument("source_id", metavar="SOURCE")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--dry-run", is_flag=True, help="Simule l'import et montre les différences sans rien écrire.")
@click.option("--database-url", "--db", "database_url", help="URL SQLAlchemy (sinon PREAU_DATABASE_URL).")
@click.option("--structure", "structure_id", help="Structure cible, UAI ou id (sources par établissement).")
@click.option("--option", "-o", "option_pairs", multiple=True, help="Option de la source, clé=valeur.")
@click.option("--rows", default=10, show_default=True, help="Lignes montrées par type de changement.")
def import_command(source_id: str, paths: tuple[str, ...], dry_run: bool, database_url: str | None,
                   structure_id: str | None, option_pairs: tuple[str, ...], rows: int) -> None:
    """Importe un annuaire (aaf, csv…) : fichiers, dossiers ou archives zip."""
    app = cli_app(database_url)
    sources = directory_sources(app)
    if source_id not in sources:
        raise click.ClickException(f"source inconnue : {source_id} (disponibles : {', '.join(sorted(sources))})")
    source, options = sources[source_id], _import_options(option_pairs)

    def progress(percent: int, message: str) -> None:
        click.echo(f"[{percent:3d} %] {message}", err=True)

    with app.app_context():
        session = db_session()
        target_id = _import_structure_id(session, structure_id)
        try:
            result = run_import(session, source, list(paths), dry_run=dry_run, options=options,
                                structure_id=target_id, progress=progress)
        except FeedError as error:
            record_failure(session, source_id, error, dry_run=dry_run, structure_id=target_id)
            session.commit()
            click.echo(f"Erreur : {error}", err=True)
            sys.exit(1)
        except Exception as error:  # an unexpected failure: everything written is rolled back, and said so
            record_failure(session, source_id, error, dry_run=dry_run, structure_id=target_id)
            session.commit()
            click.echo(f"Erreur inattendue, rien n'a été importé : {type(error).__name__}: {error}", err=True)
            sys.exit(1)
        plan = result if isinstance(result, ImportPlan) else result.plan
        if plan.fatal:  # a dry run of a feed with fatal problems: say so, exit non-zero
            session.commit()
            click.echo(import_report.format_report(plan, dry_run=True, rows=rows))
            click.echo(f"Erreur : {problem_text(plan.fatal[0])}", err=True)
            sys.exit(1)
        session.commit()
    click.echo(import_report.format_report(plan, dry_run=dry_run, rows=rows))
    if not isinstance(result, ImportPlan):  # applied: a report
        click.echo(f"Durée : {result.seconds:.1f} s")


def main() -> None:
    sys.exit(cli.main(prog_name="preau"))
