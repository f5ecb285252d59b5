"""docs/plugins.md's worked example ("A complete example: preau-cantine") quotes examples/preau-cantine as it is,
and that example uses only the kernel's public surface: ``preau`` (its public names) and ``preau.testing``.

The example's own tests run in CI, in a virtualenv of their own (.ci/run); these checks need no install."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import preau

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "plugins.md"
EXAMPLE = ROOT / "examples" / "preau-cantine"
PACKAGE = "examples/preau-cantine/src/preau_cantine"
# A quote is marked just above its fenced block: "file" is the whole file, "excerpt" a run of whole lines of it.
QUOTE = re.compile(r"^<!-- (file|excerpt): (\S+) -->\n```\w*\n(.*?)\n```$", re.MULTILINE | re.DOTALL)
PUBLIC_MODULES = {"preau", "preau.testing"}


def _quotes() -> list[tuple[str, str, str]]:
    return QUOTE.findall(GUIDE.read_text(encoding="utf-8"))


def test_the_guide_walks_through_the_examples_main_files():
    quoted = {path for _kind, path, _body in _quotes()}
    main_files = {f"{PACKAGE}/{name}" for name in ("__init__.py", "places.py", "menus.py", "views.py",
                                                    "widget.py", "models.py")}
    assert main_files <= quoted, f"docs/plugins.md no longer quotes {sorted(main_files - quoted)}"
    assert "\n## A complete example: preau-cantine\n" in GUIDE.read_text(encoding="utf-8")


@pytest.mark.parametrize(("kind", "path", "body"), _quotes(), ids=lambda value: value[:60].replace("\n", " "))
def test_each_quote_is_the_files_text(kind, path, body):
    text = (ROOT / path).read_text(encoding="utf-8")
    if kind == "file":
        assert body + "\n" == text, f"docs/plugins.md quotes an old {path}: copy the file into the guide again"
    else:
        assert f"\n{body}\n" in f"\n{text}", f"docs/plugins.md quotes lines that {path} no longer has as they are"


def _example_files() -> list[Path]:
    return sorted(p for p in EXAMPLE.rglob("*.py") if not any(part.endswith(".egg-info") or part == "build"
                                                              for part in p.relative_to(EXAMPLE).parts))


def _kernel_names(path: Path) -> list[str]:
    """Each kernel module a file imports, and each name it takes from ``preau`` as ``preau.<name>``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append(node.module)
            if node.module == "preau":
                found += [f"preau.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "preau":
            found.append(f"preau.{node.attr}")
    return [name for name in found if name == "preau" or name.startswith("preau.")]


def test_the_example_uses_only_the_public_surface():
    used = {(path.relative_to(ROOT), name) for path in _example_files() for name in _kernel_names(path)}
    assert len({name for _path, name in used}) > 10  # the walk sees the example's imports
    public = PUBLIC_MODULES | {f"preau.{name}" for name in preau.__all__}
    offenders = sorted(f"{path}: {name}" for path, name in used if name not in public)
    assert not offenders, "examples/preau-cantine may use only preau's public names and preau.testing:\n" + \
        "\n".join(offenders)
