"""The canonical schema: conform() yields exactly the canonical columns and dtypes."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import schema


def test_empty_table_has_canonical_columns_and_dtypes() -> None:
    table = schema.empty()
    assert list(table.columns) == list(schema.COLUMNS)
    assert {c: str(t) for c, t in table.dtypes.items()} == schema.COLUMNS


def test_conform_keeps_ids_as_strings_and_fills_missing() -> None:
    raw = pd.DataFrame({"id": ["458665477409996800"], "created_at": ["2014-04-22T17:55:46Z"],
                        "extra": [1]})
    table = schema.conform(raw)
    assert table.loc[0, "id"] == "458665477409996800"
    assert table.loc[0, "created_at"] == pd.Timestamp("2014-04-22 17:55:46", tz="UTC")
    assert "extra" not in table.columns
    assert table.loc[0, "hashtags"] == []
    assert not table.loc[0, "is_retweet"]
    assert pd.isna(table.loc[0, "like_count"])


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ({}, "original"),
        ({"is_reply": True}, "reply"),
        ({"is_quote": True, "is_reply": True}, "quote"),
        ({"is_retweet": True, "is_quote": True}, "retweet"),
    ],
)
def test_kind_precedence(flags: dict[str, bool], expected: str) -> None:
    table = schema.conform(pd.DataFrame({"id": ["1"], **{k: [v] for k, v in flags.items()}}))
    assert schema.kind(table).iloc[0] == expected
