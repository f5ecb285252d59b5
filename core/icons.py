"""The bundled icon set (Lucide, vendored as one SVG sprite in static/vendor/lucide/) and the colours of tiles.

Manifests, links and connectors name an icon of this set; templates draw it with the macro ``icon`` of
``_icons.html``. Tile colours are CSS hex colours on which white text stays readable (WCAG AA, 4.5:1).
"""

from __future__ import annotations

import difflib
import json
import re
from functools import cache
from pathlib import Path

ICON_DIR = Path(__file__).parent / "static" / "vendor" / "lucide"
SPRITE = "vendor/lucide/sprite.svg"  # under the static folder
DEFAULT_ICON = "layout-grid"
MIN_CONTRAST = 4.5  # white text on the colour: WCAG 2 AA for normal text
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")

# A tile without a colour of its own takes its theme's (each ≥ 4.5:1 against white).
THEME_COLOURS = {
    "Pédagogie": "#2f6f3e",
    "Vie scolaire": "#9a4a00",
    "Communication": "#1d5fa8",
    "Ressources": "#6b3fa0",
    "Orientation": "#a3324a",
    "Outils": "#44546a",
}
DEFAULT_COLOUR = THEME_COLOURS["Outils"]


@cache
def icon_tags() -> dict[str, list[str]]:
    """Every bundled icon name with Lucide's search words (the picker searches both)."""
    data: dict[str, list[str]] = json.loads((ICON_DIR / "icons.json").read_text(encoding="utf-8"))
    return data


def icon_names() -> list[str]:
    """The names of the bundled icons (e.g. ``"school"``, ``"calendar"``, ``"book-open"``), in the set's order:
    the values ``AppManifest.icon``, ``MenuItem.icon`` and the macro ``icon(name)`` of ``_icons.html`` accept."""
    return list(icon_tags())


def is_icon(name: object) -> bool:
    return isinstance(name, str) and name in icon_tags()


def icon_hint(name: str) -> str:
    """The end of an error message about an unknown icon: the closest names, and where the list is."""
    close = difflib.get_close_matches(str(name), icon_names(), n=3, cutoff=0.5)
    nearest = f"did you mean {', '.join(close)}? " if close else ""
    return f"{nearest}the names are listed by preau.icon_names() ({len(icon_names())} Lucide icons)"


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _rgb(colour: str) -> tuple[int, int, int]:
    digits = colour[1:]
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def contrast_with_white(colour: str) -> float:
    """The WCAG contrast ratio of white text on ``colour`` (``#rgb`` or ``#rrggbb``), from 1 to 21."""
    r, g, b = (_channel(v) for v in _rgb(colour))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 1.05 / (luminance + 0.05)


def is_colour(value: object) -> bool:
    return isinstance(value, str) and bool(_HEX.match(value))


def readable_colour(colour: str) -> str:
    """``colour`` (lower case, 6 digits), darkened step by step until white text on it reaches 4.5:1."""
    r, g, b = _rgb(colour)
    factor = 1.0
    while contrast_with_white(f"#{int(r * factor):02x}{int(g * factor):02x}{int(b * factor):02x}") < MIN_CONTRAST:
        factor -= 0.02
    return f"#{int(r * factor):02x}{int(g * factor):02x}{int(b * factor):02x}"


def colour_problem(colour: object) -> str | None:
    """Why ``colour`` cannot be a tile's colour (in English, for manifest errors), or None when it can."""
    if not is_colour(colour):
        return f"colour {colour!r} must be a CSS hex colour such as '#1d5fa8'"
    assert isinstance(colour, str)
    ratio = contrast_with_white(colour)
    if ratio < MIN_CONTRAST:
        return (f"white text on colour {colour} has a contrast of {ratio:.2f}:1, below {MIN_CONTRAST}:1; "
                f"a darker shade such as {readable_colour(colour)} passes")
    return None


def tile_colour(colour: str | None, theme: str) -> str:
    """The colour a tile is drawn with: its own, else its theme's."""
    return colour or THEME_COLOURS.get(theme, DEFAULT_COLOUR)
