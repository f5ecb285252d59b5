"""The versions of Préau, re-exported by :mod:`preau`: kernel modules read them here, never through the package
(the public facade sits above the whole kernel)."""

from __future__ import annotations

__version__ = "0.1.0"
"""The package's version (pyproject.toml's ``version``)."""

API_VERSION = "1.0.0"
"""The version of the plugin API (SemVer), separate from the package's ``__version__``: a manifest's
``requires_preau`` is checked against it. A new public name bumps the minor, a removed or changed one the major
(after a minor release in which it warned, see :func:`preau.deprecated`)."""
