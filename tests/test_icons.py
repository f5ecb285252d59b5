"""The bundled icon set (a Lucide subset in one SVG sprite) and the icon and colour of every tile's manifest."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from preau import AppManifest, MenuItem
from preau.icons import ICON_DIR, THEME_COLOURS, contrast_with_white, icon_names, readable_colour
from preau.plugins import PluginRegistry
from preau.types import ManifestError


def test_the_sprite_holds_exactly_the_listed_icons_and_keeps_the_licence():
    listed = [line for line in (ICON_DIR / "icons.txt").read_text().splitlines() if line and line[0] != "#"]
    sprite = (ICON_DIR / "sprite.svg").read_text()
    assert re.findall(r'<symbol id="([a-z0-9-]+)"', sprite) == listed == icon_names()
    assert 150 <= len(listed) <= 250
    assert "ISC License" in (ICON_DIR / "LICENSE").read_text()
    assert "lucide-static@" in (ICON_DIR / "VERSION").read_text()
    assert "<script" not in sprite and "href=" not in sprite  # paths only: nothing to run, nothing to fetch


def test_an_unknown_icon_is_refused_with_the_closest_names():
    manifest = AppManifest(id="cantine", name="Cantine", version="1", editor="x", icon="newspapr")
    with pytest.raises(ManifestError, match=r"icon 'newspapr'.*newspaper.*preau.icon_names\(\)"):
        manifest.validate()


@pytest.mark.parametrize("colour, message", [("red", "CSS hex colour"), ("#12345", "CSS hex colour"),
                                             ("#ffcc00", r"contrast of 1\.\d\d:1.*such as #")])
def test_a_colour_white_text_cannot_be_read_on_is_refused(colour, message):
    with pytest.raises(ManifestError, match=message):
        AppManifest(id="cantine", name="Cantine", version="1", editor="x", colour=colour).validate()
    with pytest.raises(ManifestError, match=message):
        MenuItem("cantine.week", "Semaine", "/apps/cantine/", "cantine.access", colour=colour).validate("cantine")


def test_the_suggested_darker_shade_passes_and_the_theme_colours_are_readable():
    for colour in ("#ffcc00", "#ffffff", "#7fdbff", "#abc"):
        assert contrast_with_white(readable_colour(colour)) >= 4.5
    assert all(contrast_with_white(c) >= 4.5 for c in THEME_COLOURS.values())


def test_every_built_in_app_has_an_icon_and_a_readable_colour_of_its_own():
    registry = PluginRegistry()
    registry.load()
    apps = [r for r in registry.active() if r.manifest.is_app]
    assert len(apps) >= 10 and not registry.broken()
    for record in apps:
        assert record.manifest.icon in icon_names() and record.manifest.icon != "layout-grid", record.app_id
        assert contrast_with_white(record.manifest.colour) >= 4.5, record.app_id


def test_the_template_and_the_example_plugin_set_theirs():
    root = Path(__file__).resolve().parent.parent
    for path in ("core/plugin_template/src/preau_hello/__init__.py-tpl",
                 "examples/preau-cantine/src/preau_cantine/__init__.py"):
        text = (root / path).read_text()
        icon = re.search(r'icon="([a-z0-9-]+)"', text)
        colour = re.search(r'colour="(#[0-9a-f]{6})"', text)
        assert icon and icon.group(1) in icon_names() and colour and contrast_with_white(colour.group(1)) >= 4.5
