"""Exported cells cannot run as spreadsheet formulas (analysis.safety)."""

from __future__ import annotations

import csv
import io
import unicodedata

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis import safety

DANGEROUS = [
    '=HYPERLINK("http://x","y")',
    "@SUM(1)",
    "-2+3",
    "+1",
    "\t=cmd",
    "\r=cmd",
    "=1+1",
    "  =1+1",             # leading spaces
    "\u3000=1+1",         # ideographic space
    "\u200b=1+1",         # zero-width space
    "\ufeff@SUM(A1)",     # BOM
    "\u200f-1",           # right-to-left mark
    "\uff1dcmd|' /C calc'!A0",  # full-width equals
    "\uff0b1",            # full-width plus
    "\uff0d1",            # full-width minus
    "\uff20SUM(1)",       # full-width at
    "\ufe66 1",           # small equals
    "\u22121",            # minus sign
]

HARMLESS = [
    "hello =1+1",
    "#myNYPD this is fine",
    "RT @someone: =1",
    "'=already quoted",
    "",
    "   ",
    "1-2",
    "a@b.com",
    "مرحبا =",
    "😀=",
]


@pytest.mark.parametrize("text", DANGEROUS)
def test_dangerous_cells_get_a_leading_quote(text: str) -> None:
    assert safety.neutralise_cell(text) == "'" + text


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_cells_are_unchanged(text: str) -> None:
    assert safety.neutralise_cell(text) == text


@pytest.mark.parametrize("value", [-2, -2.5, 3, None, pd.NA, pd.Timestamp("2014-04-22", tz="UTC")])
def test_non_text_values_are_unchanged(value: object) -> None:
    assert safety.neutralise_cell(value) is value


def test_frame_keeps_numeric_columns_numeric() -> None:
    frame = pd.DataFrame({
        "text": pd.array(["=1+1", "ok", None], dtype="string"),
        "delta": [-2, 5, -7],
        "score": [-0.5, 0.25, -1.0],
        "likes": pd.array([-1, None, 3], dtype="Int64"),
        "tags": [["=x", "y"], [], ["@z"]],
    })
    out = safety.neutralise_frame(frame)
    assert out["text"].tolist()[:2] == ["'=1+1", "ok"]
    assert out["text"].isna().tolist() == [False, False, True]
    assert out["delta"].tolist() == [-2, 5, -7]
    assert out["score"].dtype == "float64"
    assert str(out["likes"].dtype) == "Int64"
    assert out["text"].dtype == frame["text"].dtype
    assert out["tags"].tolist() == [["'=x", "y"], [], ["'@z"]]
    assert frame["text"].tolist()[0] == "=1+1", "the input frame must not be modified"


def test_safe_csv_round_trip_keeps_numbers_and_neutralises_text() -> None:
    frame = pd.DataFrame({
        "text": ['=HYPERLINK("http://x","y")', "@SUM(1)", "-2+3", "\t=cmd"],
        "delta": [-2, -3, 4, 0],
        "mentions": [["a"], ["=b", "c"], [], ["d"]],
    })
    data = safety.to_safe_csv(frame)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert rows[0] == ["text", "delta", "mentions"]
    body = rows[1:]
    assert [r[0] for r in body] == ["'" + t for t in frame["text"]]
    assert [r[1] for r in body] == ["-2", "-3", "4", "0"]
    assert [r[2] for r in body] == ["a", "'=b c", "", "d"]
    # numbers are written bare (unquoted) so spreadsheets read them as numbers
    assert "\n'-2" not in data.decode() and ",-2," in data.decode()
    parsed = pd.read_csv(io.BytesIO(data))
    assert parsed["delta"].dtype.kind == "i"


def test_safe_csv_bom_is_optional() -> None:
    frame = pd.DataFrame({"a": ["x"]})
    assert safety.to_safe_csv(frame, bom=True).startswith(b"\xef\xbb\xbf")
    assert not safety.to_safe_csv(frame).startswith(b"\xef\xbb\xbf")


def _first_meaningful(text: str) -> str | None:
    for char in text:
        if char in "\t\r\n":
            return char
        if unicodedata.category(char) in safety.SKIPPED_CATEGORIES:
            continue
        return char
    return None


@given(st.text())
def test_property_output_never_starts_a_formula(text: str) -> None:
    out = safety.neutralise_cell(text)
    assert isinstance(out, str)
    first = _first_meaningful(out)
    assert first is None or unicodedata.normalize("NFKC", first)[:1] not in "=+-@\t\r\n"
    # nothing is lost: either unchanged or the original behind one quote
    assert out == text or out == "'" + text
    # idempotent: a neutralised cell is safe
    assert safety.neutralise_cell(out) == out


@given(st.lists(st.text(), min_size=1, max_size=20))
def test_property_csv_cells_are_inert_and_recoverable(texts: list[str]) -> None:
    frame = pd.DataFrame({"text": pd.array(texts, dtype="string")})
    data = safety.to_safe_csv(frame)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))[1:]
    assert len(rows) == len(texts)
    for (cell,), original in zip(rows, texts, strict=True):
        assert not safety.is_dangerous(cell)
        assert cell in (original, "'" + original)


def test_categorical_text_and_headers_are_neutralised() -> None:
    frame = pd.DataFrame({"=label": pd.Categorical(["=a", "'=a", "b"]), "n": [-1, 2, 3]})
    rows = list(csv.reader(io.StringIO(safety.to_safe_csv(frame).decode())))
    assert rows[0] == ["'=label", "n"]
    assert [r[0] for r in rows[1:]] == ["'=a", "'=a", "b"]
    assert [r[1] for r in rows[1:]] == ["-1", "2", "3"]
