"""A wheel of Préau ships every package: the explicit package list follows the source tree."""

import hashlib
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


def test_the_license_file_is_the_agpl_that_pyproject_promises():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "AGPL-3.0-or-later" and project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_bytes()
    assert text.startswith(b"                    GNU AFFERO GENERAL PUBLIC LICENSE\n"
                           b"                       Version 3, 19 November 2007\n")
    # gnu.org's agpl-3.0.txt, verbatim (no additional terms)
    assert hashlib.sha256(text).hexdigest() == "0d96a4ff68ad6d4b6f1f30f713b18d5184912ba8dd389f86aa7710db079abcb0"
