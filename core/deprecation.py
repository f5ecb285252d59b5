"""Deprecating a public name: it keeps working and warns for at least one minor version of the plugin API.

The policy (docs/plugins.md, "Versions and deprecations"): a public name of ``preau`` that is renamed or goes
away is first deprecated in a minor release of :data:`preau.API_VERSION`; using it then emits a
:class:`DeprecationWarning` naming its replacement and the API version that removes it. It is removed in the
next major version, never before a minor release has shipped the warning.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def deprecation_message(name: str, replacement: str, *, since: str, removal: str) -> str:
    return (f"{name} is deprecated since Préau API {since} and will be removed in API {removal}: "
            f"use {replacement} instead")


def warn_deprecated(name: str, replacement: str, *, since: str, removal: str, stacklevel: int = 3) -> None:
    """Emit the :class:`DeprecationWarning` of the policy for ``name`` (``stacklevel`` 3: the caller's caller)."""
    warnings.warn(deprecation_message(name, replacement, since=since, removal=removal), DeprecationWarning,
                  stacklevel=stacklevel)


def deprecated(replacement: str, *, since: str, removal: str) -> Callable[[F], F]:
    """Mark a public function (or class) as deprecated: each call warns, naming ``replacement`` and the API
    version ``removal`` that removes it, then runs it unchanged. Plugins may use it for their own public module::

        @preau.deprecated("preau_cantine.api.menu_of", since="1.2", removal="2.0")
        def menu_for_week(): ...
    """

    def decorate(function: F) -> F:
        name = f"{function.__module__}.{function.__qualname__}"

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            warn_deprecated(name, replacement, since=since, removal=removal)
            return function(*args, **kwargs)

        wrapper.__dict__["__deprecated__"] = deprecation_message(name, replacement, since=since, removal=removal)
        return wrapper  # type: ignore[return-value]

    return decorate
