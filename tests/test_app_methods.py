"""AppTest of Methods: definitions from the code, accuracy from data/evaluation.json."""

from __future__ import annotations

import pytest
from app_support import assert_clean, open_clean, text_of

from analysis import measurements
from analysis.metrics import kpis
from analysis.nlp import evaluation
from ui.widgets import md_escape

pytestmark = pytest.mark.usefixtures("app_env")


def test_methods_page_reads_definitions_and_accuracy() -> None:
    at = open_clean("methods")
    headers = [h.value for h in at.header]
    assert headers == ["Scores per tweet", "Measured accuracy", "Measured speed and memory",
                       "Backfire KPIs",
                       "Where each case's data comes from", "Limitations"]
    frames = [df.value for df in at.dataframe]
    definitions = next(m.value for m in at.markdown if "**Tweets** (tweets)" in m.value)
    for spec in kpis.KPIS.values():
        assert f"**{spec.label}** ({spec.unit}): {spec.definition}" in definitions
    results = evaluation.load_results()
    assert results, "data/evaluation.json is committed by the scoring work"
    accuracy = next(f for f in frames if "ours" in f.columns)
    assert len(accuracy) == len(evaluation.rows(results))
    text = text_of(at)
    assert "sarcasm" in text.lower() and "Reconstruction" in text
    provenance = next(f for f in frames if "data" in f.columns)
    assert provenance["data"].str.startswith("reconstruction").sum() >= 3


def test_methods_page_shows_every_committed_benchmark_figure() -> None:
    at = open_clean("methods")
    measured = measurements.load()
    assert {m.path.stem for m in measured} >= {"ingest", "score", "metrics", "pages", "load"}
    # each benchmark's table is drawn when its expander is opened
    assert not any("figure" in df.value.columns for df in at.dataframe)
    for result in measured:
        at.session_state[f"bench_open_{result.name}"] = True
    at.run()
    assert_clean(at)
    shown = {df.value["figure"].tolist().__repr__(): df.value for df in at.dataframe
             if "figure" in df.value.columns}
    for result in measured:
        frame = shown[[name for name, _ in result.rows].__repr__()]
        assert frame["value"].tolist() == [str(value) for _, value in result.rows], result.name
    captions = " ".join(c.value for c in at.caption)
    assert all(md_escape(m.measured_at) in captions for m in measured)
    assert "load average" in captions


def test_two_runs_of_one_script_are_two_results(tmp_path) -> None:
    """Two results files of the same script (a run kept as "before") get distinct names, so
    the page's widgets keyed by name never collide (a StreamlitDuplicateElementKey before)."""
    for stem in ("pages", "pages-before"):
        (tmp_path / f"{stem}.json").write_text(
            '{"benchmark": "benchmarks/page_ready.py --repeats 3", "date": "2026-11-30", '
            '"fresh": {"library": {"median_s": 1.99}}}')
    found = measurements.load(tmp_path)
    assert sorted(m.name for m in found) == ["pages", "pages-before"]
    assert sorted(m.title for m in found) == ["Page-ready time in a real browser (pages-before.json)",
                                              "Page-ready time in a real browser (pages.json)"]
    assert {m.measured_at for m in found} == {"2026-11-30"}
    assert ("fresh · library · median_s", 1.99) in found[0].rows


def test_results_files_are_flattened_and_a_broken_one_is_skipped_with_a_warning(
        tmp_path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "ingest.json").write_text(
        '{"benchmark": "ingest", "measured_at": "2026-11-21 11:27 UTC", "machine": "2 cores", '
        '"load_average": 2.0, "figures": {"load_1m": {"tweets_per_s": 56802}, "speedup": 12.5}}')
    (tmp_path / "broken.json").write_text("{not json")
    (result,) = measurements.load(tmp_path)
    assert result.rows == (("load_1m · tweets_per_s", 56802), ("speedup", 12.5))
    assert "broken.json" in caplog.text


def test_every_committed_result_says_when_and_on_what_machine() -> None:
    """Scripts write their metadata in several shapes (a machine record, a date inside each
    run, load averages before the run): every caption names date and machine, never a raw
    record or 'None' (the Methods page showed "? · ? · load average None" for score.json)."""
    for result in measurements.load():
        caption = result.caption()
        assert result.measured_at[:4] == "2026", (result.name, caption)
        assert "cores" in result.machine and "GB" in result.machine, (result.name, caption)
        assert "None" not in caption and "{" not in caption, (result.name, caption)


def test_a_machine_record_and_a_run_date_are_read(tmp_path) -> None:
    (tmp_path / "score.json").write_text(
        '{"real": {"date": "2026-12-01 03:00 UTC", "load_average_before": [0.4, 0.5, 0.6], '
        '"machine": {"nproc": 2, "cpu_model": "AMD EPYC", "ram_gb": 23.5, "python": "3.11.7"}, '
        '"speedup": 6.0}}')
    (result,) = measurements.load(tmp_path)
    assert result.caption() == ("2026-12-01 03:00 UTC · 2 cores (AMD EPYC), 23.5 GB RAM, "
                                "Python 3.11.7 · load average 0.4")
