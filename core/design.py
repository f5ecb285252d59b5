"""The design system's tokens as data: the colours of preau.css with their contrast on white (WCAG 2.x), the
type scale and the spacing scale, for the living page ``/_design`` and the test that keeps them honest."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .types import N_

STYLESHEET = Path(__file__).parent / "static" / "preau.css"
AA_TEXT = 4.5


@dataclass(frozen=True)
class ColourToken:
    name: str  # the custom property, without its leading dashes
    label: str  # French, translated where shown
    value: str  # #rrggbb

    @property
    def contrast(self) -> float:
        return contrast_ratio(self.value, "#ffffff")


COLOURS = (
    ("teacher", N_("Enseignant")), ("student", N_("Élève")), ("relative", N_("Parent")),
    ("personnel", N_("Personnel")), ("guest", N_("Invité")), ("ink", N_("Texte")), ("muted", N_("Texte discret")),
    ("accent", N_("Accent, liens")), ("success", N_("Succès")), ("warning", N_("Attention")),
    ("danger", N_("Danger")),
)
TYPE_SCALE = ("xs", "sm", "md", "lg", "xl", "2xl")
SPACING = ("1", "2", "3", "4", "5", "6")


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours, from 1 to 21."""
    light, dark = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def root_properties(css: str | None = None) -> dict[str, str]:
    """The custom properties declared in the stylesheet's first ``:root`` block."""
    text = STYLESHEET.read_text(encoding="utf-8") if css is None else css
    block = text[text.index(":root {"):]
    block = block[:block.index("\n}")]
    block = re.sub(r"/\*.*?\*/", "", block, flags=re.S)
    return {name: value.strip() for name, value in re.findall(r"--([\w-]+):\s*([^;]+);", block)}


def colour_tokens() -> list[ColourToken]:
    values = root_properties()
    return [ColourToken(name, label, values[name]) for name, label in COLOURS]
