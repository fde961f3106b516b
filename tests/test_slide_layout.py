"""The slides' layout boxes (``analysis.exports.deck.Box``): each split covers its box, the
parts do not overlap, and gaps are where they are asked for."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from analysis.exports.deck import BODY, Box

SIZES = st.integers(min_value=1_000, max_value=10_000_000)


@given(SIZES, SIZES, st.floats(0.05, 0.95), st.integers(0, 200_000))
def test_split_x_and_split_y_cover_the_box_around_the_gap(width: int, height: int, share: float,
                                                           gap: int) -> None:
    box = Box(100, 200, width, height)
    left, right = box.split_x(int(width * share), gap)
    assert (left.left, left.top, left.height) == (box.left, box.top, box.height)
    assert right.left == left.left + left.width + gap
    assert left.width + gap + right.width == box.width
    top, bottom = box.split_y(int(height * share), gap)
    assert (top.left, top.width) == (bottom.left, bottom.width) == (box.left, box.width)
    assert bottom.top == top.top + top.height + gap
    assert top.height + gap + bottom.height == box.height


@given(st.integers(1, 6), st.integers(0, 100_000))
def test_columns_and_rows_are_equal_and_gap_apart(count: int, gap: int) -> None:
    for parts, start, size in ((BODY.columns(count, gap), "left", "width"),
                               (BODY.rows(count, gap), "top", "height")):
        assert len(parts) == count
        assert len({getattr(p, size) for p in parts}) == 1
        assert getattr(parts[0], start) == getattr(BODY, start)
        for a, b in zip(parts, parts[1:], strict=False):
            assert getattr(b, start) == getattr(a, start) + getattr(a, size) + gap
        end = getattr(parts[-1], start) + getattr(parts[-1], size)
        assert getattr(BODY, start) + getattr(BODY, size) - count <= end <= getattr(BODY, start) + getattr(BODY, size)


def test_a_box_is_what_python_pptx_takes() -> None:
    assert tuple(BODY.emu()) == tuple(BODY)
    assert BODY.inner_width_pt() < BODY.emu()[2].pt
