"""The plugin contract is documented: every hookspec has a docstring, a section in docs/plugins.md with an
example, and a place in ``preau hooks``. Adding a hook without documenting it fails here."""

import inspect
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from preau import hooks
from preau.cli import cli

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "plugins.md"
HEADING = re.compile(r"^(#{2,6})\s+`?(\w+)`?\s*$", re.MULTILINE)


def _hookspecs():
    # pluggy's HookspecMarker tags each spec with "<project>_spec"; take the markers, not a name prefix.
    return {name: function for name, function in inspect.getmembers(hooks, inspect.isfunction)
            if getattr(function, f"{hooks.PROJECT}_spec", None) is not None}


HOOKSPECS = _hookspecs()


def _guide_sections():
    """{heading text: body up to the next heading of the same or a higher level}."""
    text = GUIDE.read_text(encoding="utf-8")
    headings = list(HEADING.finditer(text))
    sections = {}
    for index, match in enumerate(headings):
        level = len(match.group(1))
        end = next((h.start() for h in headings[index + 1:] if len(h.group(1)) <= level), len(text))
        sections[match.group(2)] = text[match.end():end]
    return sections


def _first_line(function):
    return inspect.cleandoc(function.__doc__ or "").splitlines()[0]


def test_the_contract_has_hookspecs_to_check():
    assert {"preau_app", "preau_rights", "preau_blueprints", "preau_widgets", "preau_connectors"} <= set(HOOKSPECS)


@pytest.mark.parametrize("name", sorted(HOOKSPECS))
def test_every_hookspec_has_a_docstring(name):
    doc = inspect.cleandoc(HOOKSPECS[name].__doc__ or "")
    assert len(doc) > 40, f"{name} in core/hooks.py needs a docstring saying what it returns or when it runs"


@pytest.mark.parametrize("name", sorted(HOOKSPECS))
def test_every_hookspec_has_a_section_with_an_example_in_the_plugin_guide(name):
    sections = _guide_sections()
    assert name in sections, f"docs/plugins.md has no section titled '{name}'"
    body = sections[name]
    assert "@hookimpl" in body and f"def {name}(" in body, f"the section {name} of docs/plugins.md needs an example"


def test_the_plugin_guide_documents_no_hook_that_does_not_exist():
    documented = {title for title in _guide_sections() if title.startswith("preau_")}
    assert documented - set(HOOKSPECS) == set(), "docs/plugins.md documents hooks that core/hooks.py lacks"


@pytest.mark.parametrize("topic", ["Rights", "Widgets", "Connectors", "Settings", "Migrations", "Testing",
                                   "Publishing", "Failure policy"])
def test_the_plugin_guide_covers_each_topic(topic):
    assert re.search(rf"^## {topic}\s*$", GUIDE.read_text(encoding="utf-8"), re.MULTILINE)


def test_preau_hooks_prints_every_hookspec_with_its_first_docstring_line():
    result = CliRunner().invoke(cli, ["hooks"])
    assert result.exit_code == 0, result.output
    for name, function in HOOKSPECS.items():
        assert re.search(rf"^{name}\(", result.output, re.MULTILINE), f"{name} missing from `preau hooks`"
        assert _first_line(function) in result.output


def test_every_public_name_of_preau_is_in_the_plugin_guide():
    import preau

    guide = (Path(__file__).resolve().parent.parent / "docs" / "plugins.md").read_text(encoding="utf-8")
    public_api = guide.split("## The public API", 1)[1].split("\n## ", 1)[0]
    missing = [name for name in preau.__all__ if f"`{name}" not in public_api]
    assert not missing, f"undocumented in docs/plugins.md, 'The public API': {missing}"
