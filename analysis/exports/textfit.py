"""Make text fit a box: measure it with a real font, wrap it, cut it with an ellipsis.

Slides get fixed font sizes and auto-size off, so nothing shrinks or spills: the text itself
is limited to what the box holds. Widths are measured with DejaVu Sans (shipped inside the
pinned matplotlib, so the same on every machine). The deck asks for DejaVu Sans too; a
viewer without it substitutes a narrower face (Arial, Calibri), so the text only gets
shorter than measured. Glyphs DejaVu lacks (emoji, CJK) are counted at ``WIDE_EM`` since the
viewer draws them from a fallback font that is usually wider.
"""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path
from typing import Final

import matplotlib
from fontTools.ttLib import TTFont
from PIL import ImageFont

FONT_NAME: Final = "DejaVu Sans"
FONT_FILE: Final = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
BOLD_FONT_FILE: Final = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans-Bold.ttf"
ELLIPSIS: Final = "…"
# Width of a glyph the font lacks, in em: fallback emoji/CJK faces draw about 1 em, a little
# more with spacing.
WIDE_EM: Final = 1.25
# Renderers keep a small inner margin and round differently: wrap to 94% of the box width.
WIDTH_SAFETY: Final = 0.94
# Line height as a multiple of the font size (PowerPoint and LibreOffice use ~1.2 for
# single spacing; 1.25 leaves room for fallback glyphs that sit taller).
LINE_HEIGHT: Final = 1.25
# Measurement size: widths scale linearly, so measure once at this size and scale.
_MEASURE_PT: Final = 100


@functools.cache
def _font(bold: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(BOLD_FONT_FILE if bold else FONT_FILE), _MEASURE_PT)


@functools.cache
def _covered() -> frozenset[int]:
    cmap = TTFont(str(FONT_FILE), lazy=True)["cmap"].getBestCmap()
    return frozenset(cmap)


@functools.cache
def _char_em(char: str, bold: bool) -> float:
    """Advance width of one character, in em."""
    if unicodedata.category(char) in ("Mn", "Me", "Cf") or char in "\u200b\u200d\ufe0f":
        return 0.0
    if ord(char) not in _covered() or unicodedata.east_asian_width(char) in ("W", "F"):
        return WIDE_EM
    return float(_font(bold).getlength(char)) / _MEASURE_PT


def text_width(text: str, size_pt: float, *, bold: bool = False) -> float:
    """Width of ``text`` in points at ``size_pt`` (sum of advances; no kerning, which only narrows)."""
    return sum(_char_em(c, bold) for c in text) * size_pt


def clean(text: str) -> str:
    """One-paragraph text: line breaks and tabs become spaces, runs of spaces collapse,
    characters an XML file cannot hold (controls, lone surrogates) are dropped."""
    kept = (c for c in text if _xml_char(c))
    return " ".join("".join(kept).split())


def _xml_char(char: str) -> bool:
    code = ord(char)
    if code in (0x9, 0xA, 0xD):
        return True
    if code < 0x20 or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
        return False
    return unicodedata.category(char) != "Cc"


def wrap(text: str, width_pt: float, size_pt: float, *, bold: bool = False) -> list[str]:
    """Greedy word wrap of ``text`` to ``width_pt``; words longer than a line are split."""
    limit = width_pt * WIDTH_SAFETY
    lines: list[str] = []
    current = ""
    for word in clean(text).split(" "):
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, size_pt, bold=bold) <= limit:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        for char in word:
            if current and text_width(current + char, size_pt, bold=bold) > limit:
                lines.append(current)
                current = ""
            current += char
    if current:
        lines.append(current)
    return lines


def fit(text: str, width_pt: float, height_pt: float, size_pt: float, *, bold: bool = False,
        max_lines: int | None = None, more: bool = False) -> str:
    """``text`` cut so that, wrapped at ``size_pt``, it fills at most the box (ellipsis if cut).

    ``more`` says that something after this text was left out: the result then ends with an
    ellipsis even if the text itself fits.
    """
    capacity = max(1, int(height_pt // (size_pt * LINE_HEIGHT)))
    if max_lines is not None:
        capacity = min(capacity, max_lines)
    lines = wrap(text, width_pt, size_pt, bold=bold)
    if len(lines) <= capacity and not more:
        return " ".join(lines)
    kept = lines[:capacity] or [""]
    last = kept[-1]
    limit = width_pt * WIDTH_SAFETY
    while last and text_width(last + ELLIPSIS, size_pt, bold=bold) > limit:
        last = last[:-1]
    kept[-1] = last.rstrip() + ELLIPSIS
    return " ".join(kept)


def lines_needed(text: str, width_pt: float, size_pt: float, *, bold: bool = False) -> int:
    """How many lines ``text`` takes when wrapped to ``width_pt``."""
    return max(1, len(wrap(text, width_pt, size_pt, bold=bold)))


def truncate(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, the last one an ellipsis if anything was cut."""
    value = clean(text)
    return value if len(value) <= limit else value[: max(0, limit - 1)].rstrip() + ELLIPSIS
