"""Run the kernel's Alembic migrations, then each plugin's, each with its own version table; write new revisions
named after their branch (``k0015``, ``actualites0003``, ``hello_0002``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from .db import Model
from .models import KERNEL_TABLES
from .plugins import PluginRegistry

KERNEL_VERSIONS = Path(__file__).parent / "migrations" / "versions"


@dataclass(frozen=True)
class Branch:
    name: str
    versions: str
    version_table: str
    owned_tables: frozenset[str]


def branches(registry: PluginRegistry) -> list[Branch]:
    result = [Branch("kernel", str(KERNEL_VERSIONS), "alembic_version", KERNEL_TABLES)]
    for record in registry.active():
        if record.migrations:
            owned = frozenset(t for t in Model.metadata.tables
                              if t.startswith(f"{record.app_id}_") or t in _tables_of_package(record.module))
            result.append(Branch(record.app_id, record.migrations, f"alembic_version_{record.app_id}",
                                 owned - KERNEL_TABLES))
    return result


def _tables_of_package(module: str) -> set[str]:
    """The tables of the models a plugin's package defines: besides those named ``<app id>_…``, the tables a
    subsystem moved out of the kernel kept under their old names (data kept)."""
    package = module.split(":")[0]
    return {table.name for mapper in Model.registry.mappers for table in mapper.tables
            if mapper.class_.__module__ == package or mapper.class_.__module__.startswith(f"{package}.")}


def _config(branch: Branch, connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", branch.versions)
    config.attributes.update(connection=connection, version_table=branch.version_table,
                             owned_tables=branch.owned_tables)
    return config


@dataclass(frozen=True)
class Upgraded:
    """One branch brought up to date: the revisions applied now, oldest first (none: it was up to date)."""

    branch: str
    applied: tuple[str, ...]
    current: str | None


def upgrade(engine: Engine, registry: PluginRegistry, revision: str = "heads") -> list[Upgraded]:
    """Bring the kernel, then every plugin (requirements first), to their latest revision."""
    return [_run(engine, branch, lambda config: command.upgrade(config, revision)) for branch in branches(registry)]


def _run(engine: Engine, branch: Branch, alembic_command: Callable[[Config], object]) -> Upgraded:
    """Run an Alembic command on one branch in one transaction; the revisions it went through, and where it is."""
    steps: list[str] = []
    with engine.begin() as connection:
        config = _config(branch, connection)
        config.attributes["applied"] = steps
        alembic_command(config)
        current = MigrationContext.configure(
            connection, opts={"version_table": branch.version_table}).get_current_revision()
    return Upgraded(branch.name, tuple(steps), current)


def _branch(registry: PluginRegistry, name: str) -> Branch:
    found = next((branch for branch in branches(registry) if branch.name == name), None)
    if found is None:
        raise LookupError(name)
    return found


def downgrade(engine: Engine, registry: PluginRegistry, branch_name: str, target: str) -> Upgraded:
    """Take one branch back to ``target`` (a revision of that branch, ``-1``, or ``base``: a plugin's tables
    dropped before it is uninstalled); the other branches are left alone. The kernel's branch never goes to
    ``base``: plugins' tables refer to its tables.

    :returns: the revisions undone, newest first. :raises LookupError: no such branch, or the kernel to base.
    """
    branch = _branch(registry, branch_name)
    if branch.name == "kernel" and target == "base":
        raise LookupError("kernel")  # drop the database instead
    return _run(engine, branch, lambda config: command.downgrade(config, target))


def revision(engine: Engine, registry: PluginRegistry, branch_name: str, message: str) -> Path:
    """Autogenerate the next revision of the kernel or of one plugin (for developers), named after the branch:
    the id continues the branch's numbering (``actualites0002`` → ``actualites0003``; a plugin's first is
    ``<app id>_0001``, which also carries the branch label), the file is ``NNNN_<message>.py``.

    :returns: the path of the written file. :raises LookupError: no such branch (a plugin without migrations).
    """
    branch = _branch(registry, branch_name)
    with engine.begin() as connection:
        config = _config(branch, connection)
        script_directory = ScriptDirectory.from_config(config)
        heads = script_directory.get_heads()
        if len(heads) > 1:
            raise LookupError(f"{branch_name} has several heads ({', '.join(heads)}): merge them first")
        count = sum(1 for _revision in script_directory.walk_revisions())
        rev_id, number = next_revision_id(branch.name, heads[0] if heads else None, count)
        config.set_main_option("file_template", f"{number:04d}_%%(slug)s")
        # the branch's first revision starts from nothing and names the branch
        script = command.revision(config, message=message, autogenerate=True, rev_id=rev_id,
                                  version_path=branch.versions, branch_label=None if heads else branch.name,
                                  head="head" if heads else "base")
    assert script is not None and not isinstance(script, list)
    return Path(script.path)


_NUMBERED = re.compile(r"^(?P<prefix>.*?)(?P<number>\d+)$")


def next_revision_id(branch: str, head: str | None, count: int = 0) -> tuple[str, int]:
    """The id of the revision after ``head`` in ``branch`` (which holds ``count`` revisions) and its number: the
    head's prefix and width kept (``k0014`` → ``k0015``, ``m0002`` → ``m0003``, ``hello_0001`` → ``hello_0002``);
    a branch's first is ``<branch>_0001``, a head without a number is followed by ``<branch>_<count + 1>``."""
    found = _NUMBERED.match(head or "")
    if found is None:
        return f"{branch}_{count + 1:04d}", count + 1
    number = int(found["number"]) + 1
    return f"{found['prefix']}{number:0{len(found['number'])}d}", number


def current_heads(engine: Engine, registry: PluginRegistry) -> dict[str, tuple[str | None, tuple[str, ...]]]:
    """For each branch: the revision in the database and the latest one in the code."""
    status = {}
    with engine.connect() as connection:
        for branch in branches(registry):
            context = MigrationContext.configure(connection, opts={"version_table": branch.version_table})
            script = ScriptDirectory.from_config(_config(branch, connection))
            status[branch.name] = (context.get_current_revision(), tuple(script.get_heads()))
    return status
