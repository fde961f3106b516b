"""Measuring the scores on labelled tweets: TweetEval, Davidson et al., the reconstructions.

Datasets are read from directories given by the caller, so anyone can point the evaluation
at held-out data of the same layout:

- TweetEval layout: ``<dir>/<split>_text.txt`` and ``<dir>/<split>_labels.txt``, one tweet
  (label) per line. Offensive: 0 not, 1 offensive. Sentiment: 0 negative, 1 neutral,
  2 positive.
- Davidson et al. (2017) ``labeled_data.csv``: ``class`` 0 hate, 1 offensive, 2 neither;
  hostile = hate or offensive.
- Reconstructions: ``<archives>/<case>.jsonl.gz`` and ``<case>.truth.csv``
  (``tweet_id,stance,hostile``) written by ``python -m analysis build-archives``.

Benchmark text is read for evaluation only; nothing of it is stored.
"""

from __future__ import annotations

import html
import json
import platform
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from analysis import cases
from analysis.errors import ArchiveError, BackfireError
from analysis.ingest import loaders
from analysis.nlp import hostility, lexicon, scoring, scoring_model, sentiment
from analysis.nlp.measures import (
    best_sentiment_thresholds,
    binary_scores,
    macro_recall,
    sentiment_codes,
)
from analysis.store import atomic, paths

BENCHMARKS_DIR: Final = paths.SHARED_DIR / "benchmarks"
DEFAULT_OFFENSIVE: Final = BENCHMARKS_DIR / "tweeteval" / "offensive"
DEFAULT_SENTIMENT: Final = BENCHMARKS_DIR / "tweeteval" / "sentiment"
DEFAULT_DAVIDSON: Final = BENCHMARKS_DIR / "davidson" / "labeled_data.csv"
RESULTS_FILE: Final = paths.PROJECT_ROOT / "data" / "evaluation.json"
# Targets from issue 3 (reference points were measured on TweetEval's test split).
TARGETS: Final = {"offensive": 0.78, "sentiment": 0.60, "davidson": None, "reconstruction": 0.85}
# Davidson classes counted as hostile: 0 hate speech, 1 offensive language (2 = neither).
DAVIDSON_HOSTILE: Final = (0, 1)
# The standard "VADER alone" rule for offensiveness: a negative compound score.
VADER_OFFENSIVE_AT_MOST: Final = -0.05
# alt-profanity-check used alone, at its own default decision point.
PROFANITY_ALONE_THRESHOLD: Final = 0.5
# Truth-file stance values that mark a sarcastic (ironic, mocking) tweet.
SARCASM_STANCE_MARKERS: Final = ("sarcas", "iron", "mock")


@dataclass(frozen=True)
class Labelled:
    """Texts with integer labels, read from a benchmark file."""

    texts: list[str]
    labels: np.ndarray
    source: str


# ---------------------------------------------------------------- readers
def read_tweeteval(directory: Path, split: str) -> Labelled:
    """``<split>_text.txt`` + ``<split>_labels.txt``; line counts must agree."""
    text_file, label_file = directory / f"{split}_text.txt", directory / f"{split}_labels.txt"
    for path in (text_file, label_file):
        if not path.is_file():
            raise BackfireError(f"{path}: not found (expected the TweetEval layout "
                                f"<split>_text.txt and <split>_labels.txt)")
    texts = text_file.read_text(encoding="utf-8").splitlines()
    raw = label_file.read_text(encoding="utf-8").splitlines()
    if len(texts) != len(raw):
        raise ArchiveError(f"{len(raw)} labels for {len(texts)} texts in {text_file.name}",
                           path=str(label_file))
    labels = np.empty(len(raw), dtype=int)
    for number, value in enumerate(raw, start=1):
        try:
            labels[number - 1] = int(value.strip())
        except ValueError:
            raise ArchiveError(f"label {value!r} is not an integer", path=str(label_file),
                               line=number, column=1) from None
    return Labelled(texts, labels, f"{directory.name} {split}")


def read_davidson(path: Path) -> Labelled:
    """Davidson et al.'s CSV: hostile (1) = hate speech or offensive, 0 = neither."""
    if not path.is_file():
        raise BackfireError(f"{path}: not found (expected Davidson et al.'s labeled_data.csv)")
    frame = pd.read_csv(path, usecols=["class", "tweet"])
    texts = [html.unescape(str(t)) for t in frame["tweet"]]
    labels = frame["class"].isin(DAVIDSON_HOSTILE).to_numpy(dtype=int)
    return Labelled(texts, labels, path.name)


# ---------------------------------------------------------------- evaluations
def evaluate_offensive(data: Labelled, fitted: hostility.Model, workers: int | None = None) -> dict[str, Any]:
    """Hostility vs offensive labels, with VADER-only and profanity-check-only baselines.

    A benchmark of general tweets has no campaign, so the headline figure is the generic
    model (context cues off); ``with_context_cues`` shows the full model switched on anyway
    (laughter or irony markers then count as attacks, which they are not outside a hijack).
    """
    matrix = scoring.feature_matrix(data.texts, (), workers)
    ours = fitted.probabilities(matrix, context=False) >= fitted.threshold
    result: dict[str, Any] = {**binary_scores(data.labels, ours), "n": len(data.texts),
                              "threshold": fitted.threshold, "context_cues": False}
    full = fitted.probabilities(matrix) >= fitted.threshold
    result["with_context_cues"] = binary_scores(data.labels, full)
    result["baselines"] = {name: binary_scores(data.labels, predicted)
                           for name, predicted in _baselines(matrix).items()}
    return result


def _baselines(matrix: np.ndarray) -> dict[str, np.ndarray]:
    profanity = 1 / (1 + np.exp(-matrix[:, _column("profanity_logit")]))
    return {
        "vader_only": matrix[:, 0] <= VADER_OFFENSIVE_AT_MOST,
        "profanity_check_only": profanity >= PROFANITY_ALONE_THRESHOLD,
    }


def _column(feature: str) -> int:
    return len(hostility.POLARITY_COLUMNS) + hostility.FEATURES.index(feature)


def evaluate_sentiment(data: Labelled, cuts: tuple[float, float]) -> dict[str, Any]:
    """Macro recall over 3 classes, ours vs plain NLTK VADER (no emoji, ±0.05)."""
    ours = sentiment.polarities(data.texts)[:, 0]
    stock = lexicon.analyzer()
    plain = np.asarray([stock.polarity_scores(t)["compound"] for t in data.texts])
    return {
        "macro_recall": macro_recall(data.labels, sentiment_codes(ours, cuts)),
        "n": len(data.texts),
        "thresholds": {"negative_at_most": cuts[0], "positive_at_least": cuts[1]},
        "baselines": {
            "nltk_vader_standard": {"macro_recall": macro_recall(
                data.labels, sentiment_codes(plain, sentiment.STANDARD_THRESHOLDS))},
            "with_emoji_standard_thresholds": {"macro_recall": macro_recall(
                data.labels, sentiment_codes(ours, sentiment.STANDARD_THRESHOLDS))},
        },
    }


def evaluate_reconstruction(case_id: str, archive: Path, truth_file: Path, cue_terms: Sequence[str],
                            fitted: hostility.Model, workers: int | None = None) -> dict[str, Any]:
    """Hostile vs not against the generator's truth; sarcastic tweets' recall on their own."""
    table = loaders.load(archive).table
    truth = pd.read_csv(truth_file, dtype={"tweet_id": "string", "stance": "string"})
    truth = truth.rename(columns={"hostile": "truth_hostile"})
    scored = scoring.score(table, cue_terms=cue_terms, workers=workers)
    joined = truth.merge(scored[["id", "text", "hostile", "compound"]],
                         left_on="tweet_id", right_on="id", how="inner")
    expected = joined["truth_hostile"].astype(str).str.lower().isin(["1", "true"]).to_numpy()
    got = joined["hostile"].to_numpy(dtype=bool)
    stance = joined["stance"].fillna("").str.lower()
    sarcastic = stance.str.contains("|".join(SARCASM_STANCE_MARKERS)).to_numpy(dtype=bool)
    return {
        **binary_scores(expected, got), "n": len(joined), "cue_terms": list(cue_terms),
        "sarcasm_recall": float(got[sarcastic & expected].mean()) if (sarcastic & expected).any() else None,
        "sarcastic_n": int(sarcastic.sum()),
        "baselines": {
            "vader_only": binary_scores(expected, joined["compound"].to_numpy() <= VADER_OFFENSIVE_AT_MOST),
            "profanity_check_only": binary_scores(expected, _profanity_only(joined["text"])),
        },
    }


def _profanity_only(text: pd.Series) -> np.ndarray:
    # Imported here: loading alt-profanity-check unpickles its models (about 1 s), which the
    # Methods page (it imports this module for the stored results) should not pay.
    from profanity_check import predict_prob

    return np.asarray(predict_prob(list(scoring.scoring_texts(text)))) >= PROFANITY_ALONE_THRESHOLD


# ---------------------------------------------------------------- fitting and results
def fit(offensive_dir: Path, sentiment_dir: Path, split: str) -> dict[str, Any]:
    """Fit the hostility combiner and choose the sentiment thresholds; store them."""
    train = read_tweeteval(offensive_dir, "train")
    val = read_tweeteval(offensive_dir, split)
    fitted = hostility.fit((train.texts, train.labels), (val.texts, val.labels),
                           source="TweetEval offensive")
    senti = read_tweeteval(sentiment_dir, split)
    compound = sentiment.polarities(senti.texts)[:, 0]
    cuts = best_sentiment_thresholds(senti.labels, compound)
    even, odd = slice(0, None, 2), slice(1, None, 2)
    half = best_sentiment_thresholds(senti.labels[even], compound[even])
    model = {
        "hostility": fitted.to_dict(),
        "sentiment": {
            "negative_at_most": cuts[0], "positive_at_least": cuts[1],
            "provenance": {
                "chosen_on": f"TweetEval sentiment {split} split ({len(senti.texts)} tweets), "
                             "max macro recall over a 0.05 grid (no train split is provided)",
                "heldout_check": {
                    "thresholds_from_even_rows": list(half),
                    "macro_recall_on_odd_rows": macro_recall(
                        senti.labels[odd], sentiment_codes(compound[odd], half)),
                },
                "date": datetime.now(UTC).strftime("%Y-%m-%d"),
                "command": "python -m analysis evaluate --fit",
            },
        },
    }
    scoring_model.save(model)
    return model


def machine() -> str:
    return f"{platform.machine()}, {scoring.default_workers()} cores, Python {platform.python_version()}"


def run(*, offensive: Path | None, sentiment_dir: Path | None, davidson: Path | None,
        split: str, cases: Sequence[str], workers: int | None = None) -> dict[str, Any]:
    """Every requested evaluation, as the JSON-ready dict printed by ``--json``."""
    fitted = hostility.model()
    results: dict[str, Any] = {}
    if offensive is not None:
        results["offensive"] = evaluate_offensive(read_tweeteval(offensive, split), fitted, workers)
    if sentiment_dir is not None:
        results["sentiment"] = evaluate_sentiment(read_tweeteval(sentiment_dir, split),
                                                  sentiment.thresholds())
    if davidson is not None:
        results["davidson"] = evaluate_offensive(read_davidson(davidson), fitted, workers)
    results["reconstruction"] = {case: _reconstruction(case, fitted, workers) for case in cases}
    results["meta"] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(), "split": split,
        "hostility_threshold": fitted.threshold,
        "sentiment_thresholds": list(sentiment.thresholds()),
        "targets": TARGETS,
        "model": fitted.provenance,
        "command": "python -m analysis evaluate",
    }
    return results


def _reconstruction(case_id: str, fitted: hostility.Model, workers: int | None) -> dict[str, Any]:
    archive = paths.archives_dir() / f"{case_id}.jsonl.gz"
    truth = paths.archives_dir() / f"{case_id}.truth.csv"
    for path in (archive, truth):
        if not path.is_file():
            raise BackfireError(f"{path}: not found (run: python -m analysis build-archives)")
    terms = list(cases.load_case(case_id).target_terms)
    return evaluate_reconstruction(case_id, archive, truth, terms, fitted, workers)


def available_cases() -> list[str]:
    """Cases whose reconstructed archive and truth file both exist."""
    folder = paths.archives_dir()
    return sorted(p.name.removesuffix(".truth.csv") for p in folder.glob("*.truth.csv")
                  if (folder / p.name.replace(".truth.csv", ".jsonl.gz")).is_file())


def rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per figure: dataset, n, metric, ours, the two baselines, target."""
    out: list[dict[str, Any]] = []
    split = results.get("meta", {}).get("split", "")
    for key, metric in (("offensive", "macro_f1"), ("davidson", "macro_f1")):
        if key in results:
            found = results[key]
            base = found["baselines"]
            out.append({"dataset": f"TweetEval offensive {split}" if key == "offensive" else "Davidson (all)",
                        "n": found["n"], "metric": "macro-F1", "ours": found[metric],
                        "vader": base["vader_only"][metric],
                        "profanity": base["profanity_check_only"][metric], "target": TARGETS[key]})
    if "sentiment" in results:
        found = results["sentiment"]
        out.append({"dataset": f"TweetEval sentiment {split}", "n": found["n"], "metric": "macro-recall",
                    "ours": found["macro_recall"],
                    "vader": found["baselines"]["nltk_vader_standard"]["macro_recall"],
                    "profanity": None, "target": TARGETS["sentiment"]})
    for case, found in results.get("reconstruction", {}).items():
        base = found["baselines"]
        out.append({"dataset": f"reconstruction {case}", "n": found["n"], "metric": "F1 hostile",
                    "ours": found["f1"], "vader": base["vader_only"]["f1"],
                    "profanity": base["profanity_check_only"]["f1"], "target": TARGETS["reconstruction"]})
        out.append({"dataset": f"reconstruction {case}", "n": found["sarcastic_n"],
                    "metric": "sarcasm recall", "ours": found["sarcasm_recall"], "vader": None,
                    "profanity": None, "target": None})
    return out


def write(results: dict[str, Any], path: Path | None = None) -> None:
    """Store the results (JSON, atomically) for the README and the Methods page."""
    with atomic.atomic_writer(path or RESULTS_FILE) as out:
        out.write((json.dumps(results, indent=2) + "\n").encode("utf-8"))


def load_results(path: Path | None = None) -> dict[str, Any]:
    """The stored results, or ``{}`` if none were written yet."""
    path = path or RESULTS_FILE
    if not path.is_file():
        return {}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def markdown(results: dict[str, Any]) -> str:
    """The results as a Markdown table (README, Methods page)."""
    lines = ["| dataset | n | metric | ours | VADER alone | alt-profanity-check alone | target |",
             "|---|---:|---|---:|---:|---:|---:|"]
    for row in rows(results):
        cells = [_fmt(row[key]) for key in ("ours", "vader", "profanity", "target")]
        lines.append(f"| {row['dataset']} | {row['n']:,} | {row['metric']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _fmt(value: object) -> str:
    return "–" if value is None else f"{float(value):.3f}"  # type: ignore[arg-type]
