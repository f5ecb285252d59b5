"""A person's own folders: create, rename, move (never into itself or a descendant), delete."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..models import FOLDER_NAME_MAX, Delivery, Folder
from . import MessagingError, not_found


@dataclass
class FolderNode:
    folder: Folder
    depth: int
    children: list[FolderNode] = field(default_factory=list)


def folders_of(session: Session, user_id: int) -> list[Folder]:
    return list(session.scalars(select(Folder).where(Folder.user_id == user_id).order_by(Folder.name, Folder.id)))


def folder_tree(session: Session, user_id: int) -> list[FolderNode]:
    """The folders in display order (depth first, by name), each with its depth."""
    folders = folders_of(session, user_id)
    children: dict[int | None, list[Folder]] = {}
    for folder in folders:
        children.setdefault(folder.parent_id, []).append(folder)
    ordered: list[FolderNode] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for folder in children.get(parent_id, []):
            ordered.append(FolderNode(folder, depth))
            walk(folder.id, depth + 1)

    walk(None, 0)
    return ordered


def get_folder(session: Session, user_id: int, folder_id: int) -> Folder:
    folder = session.get(Folder, folder_id)
    if folder is None or folder.user_id != user_id:
        raise not_found(_("Ce dossier n'existe pas."))
    return folder


def _clean_name(name: str | None) -> str:
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise MessagingError(_("Donnez un nom au dossier."), 400, "empty_name")
    if len(cleaned) > FOLDER_NAME_MAX:
        raise MessagingError(_("Le nom du dossier dépasse %(max)d caractères.", max=FOLDER_NAME_MAX), 400,
                             "name_too_long")
    return cleaned


def _check_unique(session: Session, user_id: int, parent_id: int | None, name: str, own_id: int | None) -> None:
    siblings = session.scalars(select(Folder).where(
        Folder.user_id == user_id,
        Folder.parent_id.is_(None) if parent_id is None else Folder.parent_id == parent_id))
    if any(f.name.casefold() == name.casefold() and f.id != own_id for f in siblings):
        raise MessagingError(_("Un dossier « %(name)s » existe déjà à cet endroit.", name=name), 400,
                             "duplicate_name")


def create_folder(session: Session, user_id: int, name: str, parent_id: int | None = None) -> Folder:
    cleaned = _clean_name(name)
    if parent_id is not None:
        get_folder(session, user_id, parent_id)
    _check_unique(session, user_id, parent_id, cleaned, None)
    folder = Folder(user_id=user_id, name=cleaned, parent_id=parent_id)
    session.add(folder)
    session.flush()
    return folder


def rename_folder(session: Session, user_id: int, folder_id: int, name: str) -> Folder:
    folder = get_folder(session, user_id, folder_id)
    cleaned = _clean_name(name)
    _check_unique(session, user_id, folder.parent_id, cleaned, folder.id)
    folder.name = cleaned
    session.flush()
    return folder


def descendant_ids(session: Session, user_id: int, folder_id: int) -> set[int]:
    """The folder and every folder below it."""
    parents = {f.id: f.parent_id for f in folders_of(session, user_id)}
    found = {folder_id}
    changed = True
    while changed:
        changed = False
        for child, parent in parents.items():
            if parent in found and child not in found:
                found.add(child)
                changed = True
    return found


def move_folder(session: Session, user_id: int, folder_id: int, new_parent_id: int | None) -> Folder:
    folder = get_folder(session, user_id, folder_id)
    if new_parent_id is not None:
        get_folder(session, user_id, new_parent_id)
        if new_parent_id in descendant_ids(session, user_id, folder.id):
            raise MessagingError(_("Un dossier ne peut pas être déplacé dans lui-même ni dans l'un de ses "
                                   "sous-dossiers."), 400, "folder_cycle")
    _check_unique(session, user_id, new_parent_id, folder.name, folder.id)
    folder.parent_id = new_parent_id
    session.flush()
    return folder


def delete_folder(session: Session, user_id: int, folder_id: int) -> None:
    """Delete a folder and its sub-folders; their messages go back to their box (nothing is lost)."""
    get_folder(session, user_id, folder_id)
    doomed = descendant_ids(session, user_id, folder_id)
    session.execute(update(Delivery).where(Delivery.user_id == user_id, Delivery.folder_id.in_(doomed))
                    .values(folder_id=None))
    session.execute(delete(Folder).where(Folder.user_id == user_id, Folder.id.in_(doomed)))
    session.flush()
