"""Running a directory import from a source plugin: read, plan or apply, record the run.

Shared by ``preau import``, the ``directory.import`` job and the imports page. Transactions stay with the
caller: :func:`run_import` writes in the session and never commits; :func:`record_failure` rolls back what
the failed import wrote and records the failure (the caller commits that record).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from ..models._time import utcnow
from ..plugins import KERNEL_WIDE
from ..types import DirectorySource
from .feed import Feed
from .sync import FeedError, ImportPlan, ImportReport, apply_import, plan_import, record_run

Progress = Callable[[int, str], Any]


def directory_sources(app: Flask) -> dict[str, DirectorySource]:
    """The sources the active plugins give, by id."""
    sources: dict[str, DirectorySource] = {}
    registry = app.extensions["preau.plugins"]
    for _record, result in registry.call_each("preau_directory_sources", apps=KERNEL_WIDE):
        for source in result if isinstance(result, list | tuple) else ():
            if isinstance(source, DirectorySource):
                sources.setdefault(source.id, source)
    return sources


def read_feed(source: DirectorySource, paths: Sequence[Path | str], options: dict[str, Any] | None = None,
              *, structure_id: int | None = None, progress: Progress | None = None) -> Feed:
    """Read files through ``source``; a structure-scoped source imports into ``structure_id``."""
    options = dict(options or {})
    if structure_id is not None:
        options.setdefault("structure_id", structure_id)
    kwargs: dict[str, Any] = {}
    if progress is not None and "progress" in inspect.signature(source.read).parameters:
        kwargs["progress"] = progress
    feed = source.read([Path(p) for p in paths], options, **kwargs)
    if not isinstance(feed, Feed):
        raise FeedError(f"la source {source.id} n'a pas produit de flux.")
    if structure_id is not None and not source.academy_wide and feed.target_structure_id is None:
        feed.target_structure_id = structure_id
    return feed


def run_import(session: Session, source: DirectorySource, paths: Sequence[Path | str], *, dry_run: bool,
               options: dict[str, Any] | None = None, structure_id: int | None = None, actor: Any = None,
               progress: Progress | None = None) -> ImportPlan | ImportReport:
    """Read and plan (dry run, recorded in the history) or apply. Raises :class:`FeedError` on a fatal problem."""
    progress = progress or (lambda _percent, _message: None)
    started = utcnow()
    progress(1, "Lecture des fichiers")
    feed = read_feed(source, paths, options, structure_id=structure_id, progress=progress)
    if dry_run:
        progress(40, "Comparaison avec l'annuaire")
        plan = plan_import(session, feed)
        record_run(session, plan, source=source.id, structure_id=feed.target_structure_id or structure_id,
                   actor=actor, dry_run=True, started=started, state="failed" if plan.fatal else "done")
        progress(100, "Terminé")
        return plan
    return apply_import(session, feed, actor=actor, progress=progress)


def record_failure(session: Session, source_id: str, error: BaseException, *, dry_run: bool,
                   structure_id: int | None = None, actor: Any = None) -> None:
    """Undo what the failed import wrote, then note the failure in the history (the caller commits)."""
    session.rollback()
    problems = getattr(error, "problems", None) or []
    record_run(session, None, source=source_id, structure_id=structure_id, actor=actor, dry_run=dry_run,
               state="failed", message=str(error), problems=problems)


def problem_text(problem: Any) -> str:
    place = problem.place
    where = place.file + (f", ligne {place.line}" if place.line else "")
    where += f", colonne {place.column}" if place.column else ""
    return f"{where} : {problem.message}"
