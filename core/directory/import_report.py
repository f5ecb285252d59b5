"""``preau import SOURCE PATH…``: dry run or apply a directory feed from the command line.

    preau import aaf /data/aaf-2013 --dry-run
    preau import csv eleves.csv --structure 12 -o profile=student

Progress goes to stderr (percent and phase), the report (counts, first rows of the diff, problems) to stdout.
A fatal problem exits with status 1 and names the file and line; nothing is written then.
"""

from __future__ import annotations

import sys
from typing import Any

import click

ACTIONS = {"created": "créés", "updated": "modifiés", "unchanged": "inchangés", "reactivated": "réactivés"}
KIND_LABELS = {"structures": "Structures", "classes": "Classes", "groups": "Groupes", "subjects": "Matières",
               "mefs": "MEF", "persons": "Personnes", "teachers": "  enseignants", "students": "  élèves",
               "relatives": "  responsables", "personnel": "  personnels", "guests": "  invités"}
CHANGE_LABELS = {"created": "création", "updated": "modification", "pending_deletion": "attente de suppression",
                 "reactivated": "réactivation"}


def format_report(plan: Any, *, dry_run: bool, rows: int = 10, problems: int = 20) -> str:
    """The readable report: counts per kind, the first rows of each kind of change, the problems."""
    from .imports import problem_text
    from .sync_plan import RECORD_KINDS

    lines = ["Simulation (rien n'a été écrit)." if dry_run else "Import appliqué."]
    for kind in RECORD_KINDS:
        counts = plan.counts.get(kind, {})
        if any(counts.values()):
            lines.append(f"{KIND_LABELS[kind]:<16} " + ", ".join(
                f"{n} {ACTIONS[a]}" for a, n in counts.items() if n))
    lines.append(f"Comptes absents du flux (attente de suppression) : {plan.counts.get('pending_deletion', 0)}")
    for kind, changes in plan.first_changes(rows).items():
        lines.append(f"— {kind} :")
        for change in changes:
            fields = f" ({', '.join(change.fields)})" if change.fields else ""
            lines.append(f"    {CHANGE_LABELS.get(change.action, change.action)} : {change.label} "
                         f"[{change.external_id}]{fields}")
    if plan.problems:
        lines.append(f"Problèmes : {len(plan.problems)}")
        lines.extend(f"    {problem_text(p)}" for p in plan.problems[:problems])
        if len(plan.problems) > problems:
            lines.append(f"    … et {len(plan.problems) - problems} autres")
    return "\n".join(lines)


def _options(pairs: tuple[str, ...]) -> dict[str, Any]:
    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"« {pair} » : attendu clé=valeur", param_hint="--option")
        options[key.strip()] = value.strip()
    return options


def _structure_id(session: Any, ref: str | None) -> int | None:
    """``--structure`` takes an id or a UAI."""
    from sqlalchemy import select

    from ..models import Structure

    if not ref:
        return None
    found = session.scalar(select(Structure.id).where(
        Structure.id == int(ref) if ref.isdigit() else Structure.uai == ref.strip().upper()))
    if found is None:
        raise click.ClickException(f"structure inconnue : {ref}")
    return found


@click.command("import")
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
    from ..cli import _make_app
    from ..db import db_session
    from .imports import directory_sources, problem_text, record_failure, run_import
    from .sync import FeedError, ImportPlan

    app = _make_app(database_url)
    sources = directory_sources(app)
    if source_id not in sources:
        raise click.ClickException(f"source inconnue : {source_id} (disponibles : {', '.join(sorted(sources))})")
    source, options = sources[source_id], _options(option_pairs)

    def progress(percent: int, message: str) -> None:
        click.echo(f"[{percent:3d} %] {message}", err=True)

    with app.app_context():
        session = db_session()
        structure_id = _structure_id(session, structure_id)
        try:
            result = run_import(session, source, list(paths), dry_run=dry_run, options=options,
                                structure_id=structure_id, progress=progress)
        except FeedError as error:
            record_failure(session, source_id, error, dry_run=dry_run, structure_id=structure_id)
            session.commit()
            click.echo(f"Erreur : {error}", err=True)
            sys.exit(1)
        except Exception as error:  # an unexpected failure: everything written is rolled back, and said so
            record_failure(session, source_id, error, dry_run=dry_run, structure_id=structure_id)
            session.commit()
            click.echo(f"Erreur inattendue, rien n'a été importé : {type(error).__name__}: {error}", err=True)
            sys.exit(1)
        plan = result if isinstance(result, ImportPlan) else result.plan
        if plan.fatal:  # a dry run of a feed with fatal problems: say so, exit non-zero
            session.commit()
            click.echo(format_report(plan, dry_run=True, rows=rows))
            click.echo(f"Erreur : {problem_text(plan.fatal[0])}", err=True)
            sys.exit(1)
        session.commit()
    click.echo(format_report(plan, dry_run=dry_run, rows=rows))
    if not dry_run:
        click.echo(f"Durée : {result.seconds:.1f} s")
