"""Evaluation: metrics on hand-made labels, dataset readers, the evaluate command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import f1_score, recall_score

from analysis.__main__ import main
from analysis.errors import ArchiveError, BackfireError
from analysis.nlp import evaluation, measures


def write_split(folder: Path, split: str, texts: list[str], labels: list[int | str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{split}_text.txt").write_text("\n".join(texts) + "\n", encoding="utf-8")
    (folder / f"{split}_labels.txt").write_text("\n".join(map(str, labels)) + "\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize(("truth", "predicted", "expected"), [
    # class 0: P=1, R=1/2, F1=2/3; class 1: P=2/3, R=1, F1=4/5 -> macro 11/15
    ([0, 0, 1, 1], [0, 1, 1, 1], 11 / 15),
    ([0, 1, 0, 1], [0, 1, 0, 1], 1.0),
    ([0, 1], [1, 0], 0.0),
])
def test_macro_f1_by_hand(truth: list[int], predicted: list[int], expected: float) -> None:
    assert measures.macro_f1(truth, predicted) == pytest.approx(expected)


@pytest.mark.parametrize(("truth", "predicted", "expected"), [
    # recalls: negative 1/2, neutral 1, positive 0/1 -> 1/2
    ([0, 0, 1, 2], [0, 1, 1, 1], 0.5),
    ([0, 1, 2], [0, 1, 2], 1.0),
])
def test_macro_recall_by_hand(truth: list[int], predicted: list[int], expected: float) -> None:
    assert measures.macro_recall(truth, predicted) == pytest.approx(expected)


def test_measures_match_sklearn_with_unseen_predicted_class() -> None:
    rng = np.random.default_rng(0)
    truth, predicted = rng.integers(0, 3, 200), rng.integers(0, 4, 200)
    assert measures.macro_recall(truth, predicted) == pytest.approx(
        recall_score(truth, predicted, average="macro", zero_division=0))
    assert measures.macro_f1(truth, predicted) == pytest.approx(
        f1_score(truth, predicted, average="macro", zero_division=0))


def test_bootstrap_interval_brackets_the_figure_and_narrows_with_more_data() -> None:
    rng = np.random.default_rng(1)
    truth = rng.integers(0, 2, 2000)
    predicted = np.where(rng.random(2000) < 0.8, truth, 1 - truth)
    small = measures.bootstrap_interval(truth[:200], predicted[:200], measures.macro_f1)
    large = measures.bootstrap_interval(truth, predicted, measures.macro_f1)
    assert large[0] < measures.macro_f1(truth, predicted) < large[1]
    assert large[1] - large[0] < small[1] - small[0]
    assert measures.bootstrap_interval(truth, predicted, measures.macro_f1) == large


def test_binary_scores_by_hand() -> None:
    scores = measures.binary_scores(np.array([1, 1, 1, 0]), np.array([1, 1, 0, 1]))
    assert scores["precision"] == pytest.approx(2 / 3)
    assert scores["recall"] == pytest.approx(2 / 3)
    assert scores["f1"] == pytest.approx(2 / 3)


def test_best_threshold_separates_perfectly_separable_scores() -> None:
    truth = np.array([0, 0, 1, 1])
    cut = measures.best_threshold(truth, np.array([0.1, 0.3, 0.62, 0.9]))
    assert 0.3 < cut <= 0.62


def test_best_sentiment_thresholds_by_hand() -> None:
    truth = np.array([0, 0, 1, 1, 2, 2])
    low, high = measures.best_sentiment_thresholds(truth, np.array([-0.5, -0.4, -0.2, 0.2, 0.4, 0.5]))
    assert -0.4 <= low < -0.2 and 0.2 < high <= 0.4


def test_read_tweeteval(tmp_path: Path) -> None:
    folder = write_split(tmp_path / "off", "val", ["a", "b"], [0, 1])
    data = evaluation.read_tweeteval(folder, "val")
    assert data.texts == ["a", "b"] and data.labels.tolist() == [0, 1]


def test_read_tweeteval_names_the_bad_line(tmp_path: Path) -> None:
    folder = write_split(tmp_path / "off", "val", ["a", "b", "c"], [0, "x", 1])
    with pytest.raises(ArchiveError, match=r"val_labels.txt, line 2, column 1"):
        evaluation.read_tweeteval(folder, "val")


def test_read_tweeteval_counts_must_agree(tmp_path: Path) -> None:
    folder = write_split(tmp_path / "off", "val", ["a", "b"], [0])
    with pytest.raises(ArchiveError, match="1 labels for 2 texts"):
        evaluation.read_tweeteval(folder, "val")


def test_read_davidson_maps_hate_and_offensive_to_hostile(tmp_path: Path) -> None:
    path = tmp_path / "labeled.csv"
    path.write_text(",count,hate_speech,offensive_language,neither,class,tweet\n"
                    "0,3,3,0,0,0,a &amp; b\n1,3,0,3,0,1,c\n2,3,0,0,3,2,d\n", encoding="utf-8")
    data = evaluation.read_davidson(path)
    assert data.labels.tolist() == [1, 1, 0]
    assert data.texts[0] == "a & b"


def tiny_benchmarks(root: Path) -> list[str]:
    offensive = write_split(root / "offensive", "val",
                            ["you are a fucking idiot", "lovely day at the park",
                             "shut up you stupid bitch", "the meeting starts at noon"], [1, 0, 1, 0])
    senti = write_split(root / "sentiment", "val",
                        ["I hate this so much", "The train leaves at 9", "I love it 😍"], [0, 1, 2])
    davidson = root / "davidson.csv"
    davidson.write_text("count,hate_speech,offensive_language,neither,class,tweet\n"
                        "3,0,3,0,1,fuck you loser\n3,0,0,3,2,nice weather\n", encoding="utf-8")
    return ["--offensive", str(offensive), "--sentiment", str(senti), "--davidson", str(davidson),
            "--split", "val", "--cases"]


def test_evaluate_command_json_contract(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", *tiny_benchmarks(tmp_path), "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert results["offensive"]["n"] == 4 and results["offensive"]["macro_f1"] == pytest.approx(1.0)
    assert results["sentiment"]["n"] == 3 and results["sentiment"]["macro_recall"] == pytest.approx(1.0)
    assert results["davidson"]["n"] == 2
    assert results["reconstruction"] == {}
    assert {"vader_only", "profanity_check_only", "old_combiner"} <= set(results["offensive"]["baselines"])
    low, high = results["offensive"]["interval"]
    assert low <= results["offensive"]["macro_f1"] <= high
    assert {"nltk_vader_standard", "vader_tuned_cuts_2fold"} <= set(results["sentiment"]["baselines"])
    assert "interval" in results["sentiment"]["baselines"]["nltk_vader_standard"]
    assert len(results["meta"]["load_average"]) == 3


def test_evaluate_command_prints_a_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", *tiny_benchmarks(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "TweetEval offensive val" in out and "macro-recall" in out and "Davidson" in out
    assert "95 % intervals" in out and "[" in out


def test_evaluate_write_stores_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "evaluation.json"
    monkeypatch.setattr(evaluation, "RESULTS_FILE", target)
    assert main(["evaluate", *tiny_benchmarks(tmp_path), "--write"]) == 0
    assert json.loads(target.read_text())["offensive"]["n"] == 4


def test_missing_dataset_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", "--offensive", str(tmp_path / "nope"), "--skip", "sentiment", "davidson",
                 "--cases"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "val_text.txt: not found" in err and "Traceback" not in err


def test_missing_reconstruction_is_a_clear_error(isolated_data: Path) -> None:
    with pytest.raises(BackfireError, match="build-archives"):
        evaluation.run(offensive=None, sentiment_dir=None, davidson=None, split="val", cases=["mynypd"])


def test_committed_results_follow_the_contract() -> None:
    results = evaluation.load_results()
    assert {"macro_f1", "n"} <= set(results["offensive"])
    assert {"macro_recall", "n"} <= set(results["sentiment"])
    assert {"macro_f1", "n"} <= set(results["davidson"])
    for case in results["reconstruction"].values():
        assert {"f1", "sarcasm_recall"} <= set(case)
    assert {"date", "machine", "split", "hostility_threshold", "load_average"} <= set(results["meta"])
    assert "interval" in results["offensive"] and "old_combiner" in results["offensive"]["baselines"]
    assert "cross-validation" in results["sentiment"]["protocol"]


@pytest.mark.slow
def test_evaluate_reproduces_the_committed_figures(capsys: pytest.CaptureFixture[str]) -> None:
    """The real TweetEval val splits give exactly the figures in data/evaluation.json."""
    committed = evaluation.load_results()
    assert main(["evaluate", "--skip", "davidson", "--cases", "--json"]) == 0
    fresh = json.loads(capsys.readouterr().out)
    assert fresh["offensive"]["macro_f1"] == pytest.approx(committed["offensive"]["macro_f1"])
    assert fresh["sentiment"]["macro_recall"] == pytest.approx(committed["sentiment"]["macro_recall"])


def test_reconstruction_scores_against_a_hand_made_truth(real_archives: Path, tmp_path: Path) -> None:
    """F1 and sarcasm recall against a truth file whose answers are known by construction."""
    from analysis.ingest import loaders
    from analysis.nlp import hostility, scoring

    archive = real_archives / "v2_twarc2_flat.jsonl"
    scored = scoring.score(loaders.load(archive).table, cue_terms=["brexit"], workers=1)
    originals = scored[~scored["is_retweet"]].drop_duplicates("id")
    flagged = originals[originals["hostile"]]["id"].tolist()
    missed = originals[~originals["hostile"]]["id"].tolist()
    assert len(flagged) >= 2 and len(missed) >= 2
    # Truth: every flagged tweet is hostile (two of them sarcastic), plus one sarcastic miss.
    lines = ["tweet_id,stance,hostile"]
    lines += [f"{tid},{'sarcasm' if i < 2 else 'accusation'},1" for i, tid in enumerate(flagged)]
    lines += [f"{missed[0]},sarcasm,1"] + [f"{tid},support,0" for tid in missed[1:]]
    truth = tmp_path / "case.truth.csv"
    truth.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = evaluation.evaluate_reconstruction("case", archive, truth, ["brexit"], hostility.model(), 1)
    assert result["n"] == len(originals)
    assert result["precision"] == pytest.approx(1.0)
    assert result["recall"] == pytest.approx(len(flagged) / (len(flagged) + 1))
    assert result["sarcasm_recall"] == pytest.approx(2 / 3)
    assert result["sarcastic_n"] == 3
