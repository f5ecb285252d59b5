"""The import contracts of pyproject.toml hold (import-linter, as .ci/run checks them): the kernel imports no plugin,
plugins import only ``preau`` and ``preau.testing``, a plugin imports another only through a declared requirement's
public module, the kernel's layers, no import cycle in the kernel. docs/architecture.md explains them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = {contract["id"]: contract
             for contract in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]}


def _lint_imports(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    script = Path(sys.executable).with_name("lint-imports")  # the one of this environment (import-linter)
    return subprocess.run([str(script), "--no-cache", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300, check=False)


def test_every_import_contract_is_kept():
    result = _lint_imports()
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in result.stdout


def test_the_plugin_template_imports_only_the_public_surface():
    """plugin_template/pyproject.toml has its own contract, the one an outside editor starts from."""
    template = ROOT / "plugin_template"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(template / "src"), os.environ.get("PYTHONPATH", "")])}
    result = _lint_imports(cwd=template, env=env)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "Contracts: 1 kept, 0 broken." in result.stdout


def test_the_contracts_are_the_five_of_the_boundary():
    assert set(CONTRACTS) == {"kernel-imports-no-plugin", "plugins-public-api", "plugins-independent",
                              "kernel-layers", "kernel-acyclic"}


def test_every_kernel_module_has_its_place_in_a_layer():
    graph = grimp.build_graph("preau", cache_dir=None)
    placed = [tail.strip().strip("()") for layer in CONTRACTS["kernel-layers"]["layers"]
              for tail in re.split(r"[|:]", layer)]
    split = {name.rsplit(".", 1)[0] for name in placed}  # the packages placed module by module (their __init__)
    unplaced = sorted(module for module in graph.modules if module != "preau" and module not in split
                      and not any(module == name or module.startswith(name + ".") for name in placed))
    assert unplaced == [], "name these modules in a layer of the 'kernel-layers' contract (pyproject.toml)"


def test_a_plugin_uses_another_only_through_a_declared_requirements_public_module(app):
    records = {record.app_id: record for record in app.extensions["preau.plugins"].records.values()}
    graph = grimp.build_graph("preau_plugins", cache_dir=None)
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            user, used = importer.split(".")[1:2], imported.split(".")[1:2]
            if not user or not used or user == used:
                continue
            manifest = records[user[0]].manifest
            assert used[0] in (*manifest.requires, *manifest.optional_requires), f"{importer} imports {imported}"
            assert imported == f"preau_plugins.{used[0]}.api", f"{importer}: import {used[0]}'s public module only"


def test_an_outside_plugin_that_imports_a_kernel_module_breaks_the_public_api_contract(tmp_path):
    package = tmp_path / "preau_probe"
    package.mkdir()
    (package / "__init__.py").write_text("from preau import hookimpl\n", encoding="utf-8")
    (package / "views.py").write_text("from preau.rights import grant\n", encoding="utf-8")
    contract = CONTRACTS["plugins-public-api"]
    (tmp_path / ".importlinter").write_text(
        "[importlinter]\nroot_packages =\n    preau\n    preau_probe\n\n"
        "[importlinter:contract:public-api]\n"
        f"name = {contract['name']}\ntype = forbidden\nsource_modules = preau_probe\n"
        f"forbidden_modules = {' '.join(contract['forbidden_modules'])}\n"
        f"allow_indirect_imports = {contract['allow_indirect_imports']}\n", encoding="utf-8")
    env = {"PYTHONPATH": str(tmp_path), "PATH": str(Path(sys.executable).parent)}
    result = _lint_imports(cwd=tmp_path, env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "preau_probe is not allowed to import preau.rights" in result.stdout
    assert "preau_probe.views -> preau.rights" in result.stdout
