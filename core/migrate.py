"""Run the kernel's Alembic migrations, then each plugin's, each with its own version table."""

from __future__ import annotations

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
                              if t.startswith(f"{record.app_id}_") and t not in KERNEL_TABLES)
            result.append(Branch(record.app_id, record.migrations, f"alembic_version_{record.app_id}", owned))
    return result


def _config(branch: Branch, connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", branch.versions)
    config.attributes.update(connection=connection, version_table=branch.version_table,
                             owned_tables=branch.owned_tables)
    return config


def upgrade(engine: Engine, registry: PluginRegistry, revision: str = "heads") -> list[str]:
    """Bring the kernel, then every plugin, to their latest revision. Returns the branches touched."""
    done = []
    for branch in branches(registry):
        with engine.begin() as connection:
            command.upgrade(_config(branch, connection), revision)
        done.append(branch.name)
    return done


def revision(engine: Engine, registry: PluginRegistry, branch_name: str, message: str) -> None:
    """Autogenerate a new revision for the kernel or one plugin (for developers)."""
    branch = next(b for b in branches(registry) if b.name == branch_name)
    with engine.begin() as connection:
        command.revision(_config(branch, connection), message=message, autogenerate=True,
                         version_path=branch.versions)


def current_heads(engine: Engine, registry: PluginRegistry) -> dict[str, tuple[str | None, tuple[str, ...]]]:
    """For each branch: the revision in the database and the latest one in the code."""
    status = {}
    with engine.connect() as connection:
        for branch in branches(registry):
            context = MigrationContext.configure(connection, opts={"version_table": branch.version_table})
            script = ScriptDirectory.from_config(_config(branch, connection))
            status[branch.name] = (context.get_current_revision(), tuple(script.get_heads()))
    return status
