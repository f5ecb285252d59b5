"""The marketplace: installed plugins (broken ones with their error) and a plugin index (docs/plugin-index.md)
that says what could be installed and how; `preau plugins index FILE` validates an index, naming line and field."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from preau.cli import cli
from preau.portal.marketplace import SAMPLE_INDEX, IndexError_, parse_index

VALID = {"name": "carnet", "distribution": "preau-carnet", "version": "1.0.0", "description": "Carnet de liaison",
         "editor": "Exemple", "preau": ">=1.0,<2"}


def _index(*plugins) -> str:
    return json.dumps({"format": 1, "plugins": list(plugins)}, indent=2, ensure_ascii=False)


def _issues(text: str) -> list[tuple[int, str]]:
    with pytest.raises(IndexError_) as caught:
        parse_index(text)
    return [(issue.line, issue.field) for issue in caught.value.issues]


def test_the_shipped_sample_index_is_valid():
    entries = parse_index(SAMPLE_INDEX.read_text(encoding="utf-8"))
    assert len(entries) >= 3
    assert entries[1].pip_command == "pip install 'preau-cahier-textes==0.3.2'"


def test_an_invalid_field_is_reported_with_its_line_and_path():
    text = _index(VALID, {**VALID, "name": "agenda", "version": "deux"})
    expected_line = next(n for n, line in enumerate(text.splitlines(), 1) if '"deux"' in line)
    assert _issues(text) == [(expected_line, "plugins[1].version")]


def test_missing_unknown_and_mistyped_fields_are_each_named():
    broken = {key: value for key, value in VALID.items() if key != "editor"}
    text = _index({**broken, "colour": "red", "screenshots": "x.png"})
    fields = {field for _line, field in _issues(text)}
    assert fields == {"plugins[0].editor", "plugins[0].colour", "plugins[0].screenshots"}


@pytest.mark.parametrize("change, field", [
    ({"preau": "plus que 1"}, "plugins[0].preau"), ({"distribution": "pas un nom"}, "plugins[0].distribution"),
    ({"name": "Majuscule"}, "plugins[0].name"), ({"homepage": "javascript:alert(1)"}, "plugins[0].homepage"),
    ({"description": "  "}, "plugins[0].description"),
])
def test_bad_values_are_named(change, field):
    assert [f for _l, f in _issues(_index({**VALID, **change}))] == [field]


def test_broken_json_names_its_line_and_a_duplicate_name_is_refused():
    assert _issues('{"format": 1,\n"plugins": [\n  {"name": }\n]}') == [(3, "(JSON)")]
    assert [f for _l, f in _issues(_index(VALID, VALID))] == ["plugins[1].name"]
    assert [f for _l, f in _issues(json.dumps({"format": 2, "plugins": []}))] == ["format"]


def test_the_cli_validates_a_file_and_exits_2_naming_line_and_field(tmp_path):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(_index(VALID), encoding="utf-8")
    bad.write_text(_index({**VALID, "version": "deux"}), encoding="utf-8")
    ok = CliRunner().invoke(cli, ["plugins", "index", str(good)])
    assert ok.exit_code == 0 and "1 extension" in ok.output
    failed = CliRunner().invoke(cli, ["plugins", "index", str(bad)])
    line = next(n for n, text in enumerate(bad.read_text().splitlines(), 1) if '"deux"' in text)
    assert failed.exit_code == 2
    assert f"ligne {line}, champ plugins[0].version" in failed.output


def test_the_plugins_command_still_lists_installed_plugins():
    result = CliRunner().invoke(cli, ["plugins"])
    assert "messaging" in result.output
    lines = result.output.splitlines()
    after = {line.split()[0]: lines[i + 1].strip() for i, line in enumerate(lines[:-1]) if line and line[0] != " "}
    assert after["timetable"] == "nécessite : pronote (facultative)"  # its requirements, for the operator
    assert after["aaf"] == "nature : directory_source"  # not an app to enable


def test_the_marketplace_shows_installed_plugins_their_errors_and_what_can_be_installed(school, login_as):
    page = login_as(school.admin).get("/admin/marketplace").get_data(as_text=True)
    assert "Messagerie" in page and "messaging.access" in page  # an installed plugin with its rights
    assert "manifest exploded" in page  # a broken plugin (tests/conftest.py) with its error
    assert "pip install &#39;preau-cahier-textes==0.3.2&#39;" in page  # installable, with the command
    assert "incompatible avec l'API des extensions 1.0.0" in page  # preau-agenda needs the plugin API >= 2
    assert "installée (version" in page  # messaging is in the sample index and installed


def test_a_configured_index_file_is_read_and_an_invalid_one_is_reported(app, school, login_as, tmp_path,
                                                                         monkeypatch):
    own = tmp_path / "index.json"
    own.write_text(_index({**VALID, "name": "cantine", "distribution": "preau-cantine"}), encoding="utf-8")
    monkeypatch.setitem(app.config, "PLUGIN_INDEX", str(own))
    client = login_as(school.admin)
    assert "preau-cantine==1.0.0" in client.get("/admin/marketplace").get_data(as_text=True)
    own.write_text(_index({**VALID, "version": "deux"}), encoding="utf-8")
    page = client.get("/admin/marketplace").get_data(as_text=True)
    assert "index des extensions est invalide" in page and "plugins[0].version" in page


def test_the_marketplace_is_for_administrators_only(school, login_as):
    assert login_as(school.teacher).get("/admin/marketplace").status_code == 403


def test_compatibility_is_the_plugin_api_version_as_for_requires_preau():
    """An index entry's ``preau`` range is checked as a manifest's ``requires_preau``: against API_VERSION."""
    from preau import API_VERSION, __version__
    from preau.portal.marketplace import offers

    entries = parse_index(_index({**VALID, "preau": f"=={API_VERSION}"}, {**VALID, "name": "agenda",
                                                                         "preau": f"=={__version__}"}))
    compatible = {offer.entry.name: offer.compatible for offer in offers(entries, {}, API_VERSION)}
    assert compatible == {"carnet": True, "agenda": __version__ == API_VERSION}
