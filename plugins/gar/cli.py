"""``preau gar export --structure UAI --out DIR``: write a structure's GAR file set."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from preau import Structure, User, cli_app, db_session, setting

from .export import ExportResult, GarExportError, export_structure
from .services import grant_responsable


def export_by_uai(session: Session, uai: str, out_dir: Path) -> tuple[Structure, ExportResult]:
    """Export the structure of that UAI; raises :class:`GarExportError` with a French message."""
    structure = session.scalar(select(Structure).where(Structure.uai == uai.strip().upper()))
    if structure is None:
        raise GarExportError(f"Aucun établissement d'UAI {uai}.")
    ent_id = setting("gar", "ent_id", session=session) or "PREAU"
    return structure, export_structure(session, structure, out_dir, ent_id=ent_id)


def designate_responsable(session: Session, uai: str, login: str) -> str:
    """Grant the function to a member of the structure; returns their name."""
    structure = session.scalar(select(Structure).where(Structure.uai == uai.strip().upper()))
    user = session.scalar(select(User).where(User.login == login))
    if structure is None or user is None:
        raise GarExportError(f"Établissement {uai} ou personne {login} introuvable.")
    if not any(role.structure_id == structure.id for role in user.roles):
        raise GarExportError(f"{user.display_name} n'a aucun rôle dans {structure.name}.")
    grant_responsable(session, user, structure)
    return user.display_name


def register(cli: click.Group) -> None:
    @cli.group("gar")
    def gar() -> None:
        """Médiacentre (GAR) : export de l'annuaire."""

    @gar.command("export")
    @click.option("--structure", "uai", required=True, help="UAI de l'établissement")
    @click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
    @click.option("--db", "database_url", help="URL SQLAlchemy (sinon PREAU_DATABASE_URL ou SQLite local).")
    def export(uai: str, out_dir: Path, database_url: str | None) -> None:
        """Écrit les fichiers GAR-ENT-* de l'établissement dans OUT."""
        with cli_app(database_url).app_context():
            try:
                structure, result = export_by_uai(db_session(), uai, out_dir)
            except GarExportError as error:
                raise click.ClickException(str(error)) from error
        for path in result.files:
            click.echo(str(path))
        counts = ", ".join(f"{name} : {count}" for name, count in result.counts.items())
        click.echo(f"Export GAR {result.degree} de {structure.name} ({counts}).")
        for line in result.skipped:
            click.echo(f"Non exporté — {line}", err=True)

    @gar.command("responsable")
    @click.option("--structure", "uai", required=True, help="UAI de l'établissement")
    @click.option("--login", required=True, help="identifiant de la personne")
    @click.option("--db", "database_url", help="URL SQLAlchemy (sinon PREAU_DATABASE_URL ou SQLite local).")
    def responsable(uai: str, login: str, database_url: str | None) -> None:
        """Désigne le responsable d'affectation des ressources du GAR d'un établissement."""
        with cli_app(database_url).app_context():
            session = db_session()
            try:
                name = designate_responsable(session, uai, login)
            except GarExportError as error:
                raise click.ClickException(str(error)) from error
            session.commit()
        click.echo(f"{name} est responsable d'affectation de l'établissement {uai.upper()}.")
