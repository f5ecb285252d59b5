"""A wheel of Préau ships every package: the explicit package list follows the source tree."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _packages_on_disk(directory: str, name: str) -> set[str]:
    base = ROOT / directory
    return {".".join([name, *init.parent.relative_to(base).parts]) for init in base.rglob("__init__.py")
            if "__pycache__" not in init.parts and "templates" not in init.parts}


def test_every_package_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = _packages_on_disk("core", "preau") | _packages_on_disk("plugins", "preau_plugins")
    assert on_disk - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
