"""Tests read the bundled archives but never rebuild them (other test processes read them)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bundled_archives import current_archive

from analysis.cases import load_case
from analysis.reconstruction import generator


def test_a_stale_archive_fails_with_the_build_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(generator, "is_current", lambda case: False)
    monkeypatch.setattr(generator, "build_case", lambda *a, **k: pytest.fail("rebuilt in a test"))
    with pytest.raises(pytest.fail.Exception, match="askrkelly.*build-archives --if-missing"):
        current_archive(load_case("askrkelly"))


def test_a_current_archive_is_returned_untouched(monkeypatch: pytest.MonkeyPatch) -> None:
    case = load_case("askrkelly")
    monkeypatch.setattr(generator, "is_current", lambda c: c.id == case.id)
    assert current_archive(case) == Path(case.archive_path)
