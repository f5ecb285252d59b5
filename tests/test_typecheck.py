"""Type checking: mypy finds no error (strict on the plugin contract and the public surface), the hook specs take
typed arguments, and plugins see the real types of ``preau``'s public names.

The mypy run takes about 30 s: it is marked ``typecheck`` (deselect it with ``-m "not typecheck"``) and runs in
an xdist group of its own, so that one worker takes it while the others go on.
"""

import ast
import os
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.typecheck
@pytest.mark.xdist_group("typecheck")
def test_mypy_finds_no_error():
    result = subprocess.run([str(ROOT / ".ci" / "typecheck")], cwd=ROOT, capture_output=True, text=True,
                            timeout=900, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert result.returncode == 0, f"mypy (.ci/typecheck) found errors:\n{result.stdout[-6000:]}{result.stderr}"
    assert "Success: no issues found" in result.stdout


def _hookspecs() -> list[ast.FunctionDef]:
    tree = ast.parse((ROOT / "core" / "hooks.py").read_text())
    return [node for node in tree.body if isinstance(node, ast.FunctionDef)
            and any("hookspec" in ast.unparse(decorator) for decorator in node.decorator_list)]


def test_every_hook_spec_is_typed_without_any_for_its_arguments():
    specs = _hookspecs()
    assert len(specs) > 15
    for spec in specs:
        assert spec.returns is not None, f"{spec.name}: no return type"
        for argument in spec.args.args:
            assert argument.annotation is not None, f"{spec.name}({argument.arg}): no type"
            assert ast.unparse(argument.annotation) != "Any", f"{spec.name}({argument.arg}) is typed Any"


def _type_checking_names(tree: ast.Module) -> dict[str, tuple[str, str]]:
    """What ``if TYPE_CHECKING:`` in preau/__init__.py gives type checkers: public name -> (module, attribute)."""
    block = next(node for node in tree.body if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING")
    imported: dict[str, tuple[str, str]] = {}
    names: dict[str, tuple[str, str]] = {}
    for node in block.body:
        if isinstance(node, ast.ImportFrom):
            assert node.level == 1, ast.unparse(node)
            for alias in node.names:
                imported[alias.asname or alias.name] = (node.module or "", alias.name)
        elif isinstance(node, ast.Assign):  # a public name that differs from the kernel's: name = _imported
            (target,) = node.targets
            assert isinstance(target, ast.Name) and isinstance(node.value, ast.Name), ast.unparse(node)
            names[target.id] = imported.pop(node.value.id)
    for name, origin in imported.items():
        # `from m import x as x` re-exports it (mypy's no_implicit_reexport); a private alias must be assigned
        assert not name.startswith("_"), f"{name} is imported but not given its public name"
        names[name] = origin
    return names


def test_type_checkers_see_every_public_name_where_it_comes_from():
    tree = ast.parse((ROOT / "core" / "__init__.py").read_text())
    lazy = next(ast.literal_eval(node.value) for node in tree.body
                if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "_LAZY")
    seen = _type_checking_names(tree)
    assert {name: tuple(origin) for name, origin in lazy.items()} == seen, (
        "preau/__init__.py: the `if TYPE_CHECKING:` imports must name the same public names as _LAZY, from the same "
        "places (`from .module import attribute as public_name`; a public name that differs from the attribute: "
        "`from .module import attribute as _public_name`, then `public_name = _public_name`)")


def test_installed_plugins_get_the_types():
    """PEP 561: a py.typed marker in each package, shipped in the wheel, so mypy reads an installed preau."""
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    for package, directory in (("preau", "core"), ("preau_plugins", "plugins")):
        assert (ROOT / directory / "py.typed").is_file()
        assert "py.typed" in package_data[package]


def test_mypy_configuration_is_strict_on_the_plugin_contract():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    strict = next(block for block in config["overrides"] if block.get("disallow_untyped_defs"))
    assert {"preau", "preau.hooks", "preau.types", "preau.testing", "preau.plugins"} <= set(strict["module"])
    for flag in ("disallow_untyped_defs", "disallow_any_generics", "warn_return_any", "no_implicit_reexport",
                 "disallow_untyped_calls", "strict_equality"):
        assert strict.get(flag) is True, flag
    assert "ignore_missing_imports" not in config  # only per untyped third-party package
