"""Label layout: where a chart's labels go so that no label covers another.

Two layouts, both greedy and both in pixels of the plot area (x to the right, y downwards):

- ``in_rows``: event labels on a timeline. Each label starts at its event's line (or ends
  there, near the right edge) and takes the first row, from the top, where it keeps
  ``GAP_PX`` clear of every label already in that row. A label that fits in no row is left
  out (``None``): the chart still shows the event's numbered marker, and the caller lists
  every event, numbered, beside or under the chart.
- ``beside_points``: names beside bubbles (the Anatomy chart). Each name tries the positions
  of ``POSITIONS`` in order and takes the first that stays inside the plot and clear of every
  bubble and every name already placed.

Text is measured generously (``CHAR_EM`` em per character: DejaVu Sans, the charts' font,
averages ~0.55 em), so a drawn label is never wider than the box the layout reserved for it.
The chart builders (``analysis.charts``) turn the result into Plotly annotations and text
positions; tests check the rule on the boxes returned here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

# Width of a character, in em (generous: capitals and digits of DejaVu Sans are ~0.63-0.7 em,
# lower case ~0.55 em).
CHAR_EM: Final = 0.62
# Height of a one-line label, in em (line height), plus its padding and border in px.
LINE_EM: Final = 1.3
PAD_PX: Final = 3
# Clear space kept between two labels (and between a label and a bubble), px.
GAP_PX: Final = 8
# A row label too long for the plot on either side of its line is cut (with an ellipsis) to
# the wider side, if that keeps at least this many characters.
MIN_CHARS: Final = 12
ELLIPSIS: Final = "…"
# Plotly's text positions around a marker, in the order a bubble's name tries them.
POSITIONS: Final[tuple[str, ...]] = (
    "top center", "bottom center", "middle right", "middle left",
    "top right", "top left", "bottom right", "bottom left")


@dataclass(frozen=True)
class Box:
    """A rectangle in plot pixels (y grows downwards)."""

    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: Box, gap: float = 0.0) -> bool:
        """True when the two boxes come closer than ``gap`` px on both axes."""
        return not (self.right + gap <= other.left or other.right + gap <= self.left
                    or self.bottom + gap <= other.top or other.bottom + gap <= self.top)

    def inside(self, width: float, height: float) -> bool:
        return self.left >= 0 and self.top >= 0 and self.right <= width and self.bottom <= height


@dataclass(frozen=True)
class Placed:
    """Where one label went: ``anchor`` is "left"/"right" (a row label starts/ends at its
    x) or a Plotly text position (a bubble's name); ``row`` is 0 for bubble names."""

    index: int
    text: str
    anchor: str
    row: int
    box: Box


def text_size(text: str, font_px: float) -> tuple[float, float]:
    """Generous width and height, px, of ``text`` on one line at ``font_px``."""
    return len(text) * CHAR_EM * font_px + 2 * PAD_PX, LINE_EM * font_px + 2 * PAD_PX


def row_tops(top_px: float, bottom_px: float, font_px: float) -> list[float]:
    """The tops of the rows that fit between ``top_px`` and ``bottom_px`` (a gap between)."""
    height = text_size("", font_px)[1]
    tops: list[float] = []
    y = top_px
    while y + height <= bottom_px:
        tops.append(y)
        y += height + GAP_PX / 2
    return tops


def _fitted(text: str, x: float, width_px: float, font_px: float) -> str:
    """``text``, cut to the wider side of ``x`` when it fits on neither (see ``MIN_CHARS``)."""
    room = max(x, width_px - x) - 2 * PAD_PX
    if text_size(text, font_px)[0] <= max(x, width_px - x):
        return text
    chars = int(room // (CHAR_EM * font_px))
    return text[: chars - 1] + ELLIPSIS if chars >= MIN_CHARS else text


def in_rows(xs_px: Sequence[float], texts: Sequence[str], *, width_px: float,
            tops_px: Sequence[float], font_px: float) -> list[Placed | None]:
    """Row labels for events at ``xs_px`` (see the module docstring); one entry per input."""
    out: list[Placed | None] = [None] * len(texts)
    placed: list[Placed] = []
    for i in sorted(range(len(texts)), key=lambda j: xs_px[j]):
        x = xs_px[i]
        text = _fitted(texts[i], x, width_px, font_px)
        w, h = text_size(text, font_px)
        for row, top in enumerate(tops_px):
            found = None
            for anchor, left in (("left", x), ("right", x - w)):
                box = Box(left, top, left + w, top + h)
                if box.left < 0 or box.right > width_px:
                    continue
                if not any(p.row == row and p.box.overlaps(box, GAP_PX) for p in placed):
                    found = Placed(i, text, anchor, row, box)
                    break
            if found is not None:
                placed.append(found)
                out[i] = found
                break
    return out


def _beside(x: float, y: float, radius: float, w: float, h: float, position: str) -> Box:
    vertical, horizontal = position.split()
    if horizontal == "center":
        left = x - w / 2
    elif horizontal == "right":
        left = x + (radius if vertical == "middle" else radius * 0.7)
    else:
        left = x - w - (radius if vertical == "middle" else radius * 0.7)
    if vertical == "top":
        top = y - radius - h
    elif vertical == "bottom":
        top = y + radius
    else:
        top = y - h / 2
    return Box(left, top, left + w, top + h)


def beside_points(points_px: Sequence[tuple[float, float, float]], texts: Sequence[str], *,
                  width_px: float, height_px: float, font_px: float) -> list[Placed]:
    """Names beside bubbles ``(x, y, radius)`` (see the module docstring). Where bubbles sit on
    one another no position is clear of them all: the name then takes the first position
    clear of the other names inside the plot, else the first clear of the other names."""
    bubbles = [Box(x - r, y - r, x + r, y + r) for x, y, r in points_px]
    placed: list[Placed] = []
    for i, ((x, y, r), text) in enumerate(zip(points_px, texts, strict=True)):
        w, h = text_size(text, font_px)
        others = bubbles[:i] + bubbles[i + 1:]
        scored = []
        for order, position in enumerate(POSITIONS):
            box = _beside(x, y, r, w, h, position)
            free = not any(p.box.overlaps(box, GAP_PX) for p in placed)
            inside = box.inside(width_px, height_px)
            clear = not any(b.overlaps(box, GAP_PX / 2) for b in others)
            # the first position that is free of names, inside and clear of bubbles; failing
            # that, free and inside; failing that, free; failing that, the first
            rank = 0 if free and inside and clear else 1 if free and inside else 2 if free else 3
            scored.append((rank, order, position, box))
        _, _, position, box = min(scored, key=lambda item: (item[0], item[1]))
        placed.append(Placed(i, text, position, 0, box))
    return placed
