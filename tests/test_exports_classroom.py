"""The instructor's deck of a bundled case: prompts on slides, answers only in the notes,
synthetic posts labelled and never linked, themes and glossary, rendered by LibreOffice."""

from __future__ import annotations

from pathlib import Path

import pytest
from exports_support import assert_slides_render
from pptx import Presentation

from analysis import exports, pipeline, story
from analysis.metrics import kpis
from analysis.store import paths

ARTIFACTS = paths.PROJECT_ROOT / "artifacts" / "exports" / "classroom"
CASE = "askrkelly"  # the smallest bundled case: the deck builds in seconds


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, app_data_dir: Path
          ) -> tuple[pipeline.Loaded, Path]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BACKFIRE_DATA_DIR", str(app_data_dir))
        item = pipeline.load(CASE)
        payload = exports.export_bytes([item], "classroom")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{CASE}.pptx"
    path.write_bytes(payload)
    return item, path


def _texts(slide: object) -> str:
    return "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)  # type: ignore[attr-defined]


def _notes(slide: object) -> str:
    return slide.notes_slide.notes_text_frame.text  # type: ignore[attr-defined]


def test_format_is_registered() -> None:
    spec = exports.FORMATS["classroom"]
    assert spec.file_name("backfire-x") == "backfire-x.classroom.pptx"
    assert "instructor" in spec.label


def test_prompts_on_slides_answers_in_notes(built: tuple[pipeline.Loaded, Path]) -> None:
    item, path = built
    deck = Presentation(str(path))
    slides = list(deck.slides)
    case = item.case
    report = kpis.for_case(case, item.table)
    prompts = [ch for ch in case.chapters if ch.prompt]
    assert prompts
    for chapter in prompts:
        answer = story.reveal(item.table, case, chapter, report)
        assert answer is not None and answer.known
        slide = next(s for s in slides if chapter.prompt in _texts(s))
        assert f"ANSWER: {answer.text}" in _notes(slide)
        assert "ANSWER" not in _texts(slide)
    titles = [_texts(s).split("\n")[0] for s in slides]
    for chapter in case.chapters:
        assert any(t.startswith(f"{story.PHASE_TITLES[chapter.phase]}: ") for t in titles)
    assert len(slides) >= 1 + len(case.chapters) + len(prompts) + 3  # + themes, discuss, glossary
    assert "What the crowd talked about, and when" in titles
    discuss = [s for s in slides if _texts(s).startswith("Discuss")]
    assert discuss and all(q.concept in "\n".join(_notes(s) for s in discuss)
                           for q in case.discussion)
    glossary = "\n".join(_texts(s) for s in slides if _texts(s).startswith("Glossary"))
    for term in ("Hashtag hijack", "Amplification", "Hostile vs negative", "Log-odds", "Sample"):
        assert term in glossary


def test_synthetic_posts_are_labelled_and_never_linked(built: tuple[pipeline.Loaded, Path]) -> None:
    _, path = built
    deck = Presentation(str(path))
    chapter_text = "\n".join(_texts(s) for s in deck.slides)
    assert "(synthetic post)" in chapter_text
    assert "Reconstruction" in _texts(deck.slides[0])
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                for para in shape.text_frame.paragraphs:
                    for run in para.runs:
                        assert run.hyperlink.address is None


def test_renders_with_libreoffice(built: tuple[pipeline.Loaded, Path], tmp_path: Path) -> None:
    """Every slide through LibreOffice Impress and pdftoppm; PNGs stay in
    artifacts/exports/classroom/ for a human to look at."""
    _, path = built
    assert_slides_render(path, ARTIFACTS, tmp_path)
