"""The Streamlit config enforces the safety rules that live outside the code."""

from __future__ import annotations

import tomllib
from pathlib import Path

from analysis.ingest import uploads

CONFIG = tomllib.loads((Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml")
                       .read_text(encoding="utf-8"))


def test_grid_toolbar_exports_are_disabled() -> None:
    # Streamlit's own CSV download does no formula escaping; ours (analysis.safety) does.
    assert CONFIG["client"]["disableDataExport"] is True


def test_upload_cap_matches_the_app_cap() -> None:
    assert CONFIG["server"]["maxUploadSize"] == uploads.MAX_UPLOAD_MB
