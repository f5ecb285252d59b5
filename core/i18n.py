"""Where the translations come from: the kernel's catalogue and each plugin's own (docs/i18n.md).

A plugin package may ship ``translations/<lang>/LC_MESSAGES/messages.po`` and its compiled ``messages.mo``
beside its ``__init__.py``. Flask-Babel merges the catalogues of every directory into one per language, a later
directory winning over an earlier one for the same msgid: the plugins' directories come first (in loading
order) and the kernel's last, so a plugin adds msgids and translates its own strings, but can never change how
the kernel's strings read.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType

from flask import Flask

from .plugins import PluginRecord, PluginRegistry

TRANSLATIONS = "translations"


def plugin_translation_directory(module: ModuleType | None) -> Path | None:
    """The ``translations/`` directory of a plugin package, if it has one (a single-module plugin has none)."""
    paths = getattr(module, "__path__", None)
    if not paths:
        return None
    directory = Path(next(iter(paths))) / TRANSLATIONS
    return directory if directory.is_dir() else None


def _package_of(record: PluginRecord) -> ModuleType | None:
    """The module a plugin was loaded from: the plugin itself, or the module of a ``module:object`` entry point
    (a ``preau.link_plugin`` object lives in its package, which holds the catalogue)."""
    if isinstance(record.plugin, ModuleType):
        return record.plugin
    return sys.modules.get(record.module.partition(":")[0])


def install_translations(app: Flask, registry: PluginRegistry) -> None:
    """Put the active plugins' catalogues before the kernel's in the application's translation directories."""
    babel = app.extensions["babel"]
    plugin_dirs = [str(directory) for record in registry.active()
                   if (directory := plugin_translation_directory(_package_of(record))) is not None]
    babel.translation_directories = [*plugin_dirs, *babel.translation_directories]
