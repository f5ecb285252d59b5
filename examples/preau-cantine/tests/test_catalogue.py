"""The plugin's own English catalogue covers every string of its code, and its compiled .mo matches the .po."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent  # the distribution's sources, where babel.cfg lives
PACKAGE = ROOT / "src" / "preau_cantine"
CATALOGUE = PACKAGE / "translations" / "en" / "LC_MESSAGES"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}


def _msgids() -> set[str]:
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(ROOT), method_map, options_map,
                                                                        keywords=KEYWORDS):
        found.add(message[0] if isinstance(message, tuple | list) else message)
    return found


def _translations(catalogue) -> dict[str, str]:
    return {m.id: m.string for m in catalogue if m.id and not m.fuzzy}


def test_every_string_of_the_code_is_translated():
    with open(CATALOGUE / "messages.po", "rb") as po:
        translated = _translations(read_po(po))
    msgids = _msgids()
    assert "Pas de menu publié pour aujourd’hui." in msgids and "Lundi" in msgids  # python and N_ markers
    assert "Modifier les menus de la semaine" in msgids  # templates
    missing = sorted(m for m in msgids if not translated.get(m))
    assert not missing, f"translate these in {CATALOGUE / 'messages.po'} (README.md, Translations): {missing}"


def test_the_compiled_catalogue_matches_its_source():
    with open(CATALOGUE / "messages.po", "rb") as po, open(CATALOGUE / "messages.mo", "rb") as mo:
        assert _translations(read_mo(mo)) == _translations(read_po(po)), "run pybabel compile (README.md)"
