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
import os
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
from analysis.nlp import (
    features,
    fitting,
    hostility,
    scoring,
    scoring_model,
    sentiment,
    sentiment_model,
)
from analysis.nlp.measures import (
    BOOTSTRAP_RESAMPLES,
    best_sentiment_thresholds,
    binary_scores,
    bootstrap_interval,
    macro_f1,
    macro_recall,
    sentiment_codes,
)
from analysis.store import atomic, paths

BENCHMARKS_DIR: Final = paths.SHARED_DIR / "benchmarks"
DEFAULT_OFFENSIVE: Final = BENCHMARKS_DIR / "tweeteval" / "offensive"
DEFAULT_SENTIMENT: Final = BENCHMARKS_DIR / "tweeteval" / "sentiment"
DEFAULT_DAVIDSON: Final = BENCHMARKS_DIR / "davidson" / "labeled_data.csv"
RESULTS_FILE: Final = paths.PROJECT_ROOT / "data" / "evaluation.json"
# Targets from issues 3 and 12 (reference points were measured on TweetEval's test split).
TARGETS: Final = {"offensive": 0.78, "sentiment": 0.64, "davidson": None, "reconstruction": 0.85}
# Davidson classes counted as hostile: 0 hate speech, 1 offensive language (2 = neither).
DAVIDSON_HOSTILE: Final = (0, 1)
# The standard "VADER alone" rule for offensiveness: a negative compound score.
VADER_OFFENSIVE_AT_MOST: Final = -0.05
# alt-profanity-check used alone, at its own default decision point.
PROFANITY_ALONE_THRESHOLD: Final = 0.5
# Truth-file stance values that mark a sarcastic (ironic, mocking) tweet.
SARCASM_STANCE_MARKERS: Final = ("sarcas", "iron", "mock")
# The scorers compared on every row of the results table, in column order.
SCORERS: Final = ("ours", "previous", "vader", "profanity")


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
def with_interval(truth: np.ndarray, predicted: np.ndarray, metric: str = "macro_f1") -> dict[str, Any]:
    """A figure with its bootstrap 95 % interval (binary scores too for two classes)."""
    function = macro_f1 if metric == "macro_f1" else macro_recall
    low, high = bootstrap_interval(truth, predicted, function)
    out: dict[str, Any] = {metric: function(truth, predicted), "interval": [low, high]}
    if metric == "macro_f1":
        out = {**binary_scores(truth, predicted), **out}
    return out


def evaluate_offensive(data: Labelled, fitted: hostility.Model, workers: int | None = None) -> dict[str, Any]:
    """Hostility vs offensive labels, with every baseline, each with a bootstrap interval.

    A benchmark of general tweets has no campaign, so the headline figure is the generic
    model (context cues off); ``with_context_cues`` shows the full model switched on anyway
    (laughter or irony markers then count as attacks, which they are not outside a hijack).
    Baselines: VADER alone (negative compound), alt-profanity-check alone, and the combiner
    used before issue 12 (generic features, no n-grams; refitted on train by ``--fit``).
    """
    matrix = scoring.feature_matrix(data.texts, (), workers)
    ours = fitted.probabilities(matrix, context=False) >= fitted.threshold
    result: dict[str, Any] = {**with_interval(data.labels, ours), "n": len(data.texts),
                              "threshold": fitted.threshold, "threshold_chosen_on":
                              fitted.provenance.get("threshold_chosen_on", ""), "context_cues": False}
    full = fitted.probabilities(matrix) >= fitted.threshold
    result["with_context_cues"] = with_interval(data.labels, full)
    result["baselines"] = {name: with_interval(data.labels, predicted)
                           for name, predicted in _baselines(matrix).items()}
    return result


def _baselines(matrix: np.ndarray) -> dict[str, np.ndarray]:
    profanity = 1 / (1 + np.exp(-matrix[:, features.column("profanity_logit")]))
    out = {
        "vader_only": matrix[:, features.column("compound")] <= VADER_OFFENSIVE_AT_MOST,
        "profanity_check_only": profanity >= PROFANITY_ALONE_THRESHOLD,
    }
    combiner = scoring_model.load().get("baselines", {}).get("hostility_combiner")
    if combiner:
        logit = combiner["intercept"] + sum(
            weight * matrix[:, features.column(name)] for name, weight in combiner["weights"].items())
        out["old_combiner"] = 1 / (1 + np.exp(-logit)) >= combiner["threshold"]
    return out


def evaluate_sentiment(data: Labelled, cuts: tuple[float, float]) -> dict[str, Any]:
    """Macro recall over 3 classes: the sentiment model (cross-validated on this split, since
    its 18 combiner weights are fitted on it), VADER at the standard ±0.05 (nothing fitted),
    VADER with tuned cuts (2-fold: even rows choose, odd rows measure, and back)."""
    matrix = features.matrix(data.texts)
    inputs = matrix[:, [features.column(name) for name in sentiment_model.INPUTS]]
    compound = matrix[:, features.column("compound")]
    y = data.labels
    result: dict[str, Any] = {"n": len(data.texts),
                              "thresholds": {"negative_at_most": cuts[0], "positive_at_least": cuts[1]}}
    labeller = sentiment_model.model()
    if labeller.fitted and np.bincount(y, minlength=len(sentiment.LABELS)).min() < fitting.FOLDS:
        own = pd.Series(labeller.labels(inputs)).map(
            {label: i for i, label in enumerate(sentiment.LABELS)}).to_numpy(dtype=int)
        result |= with_interval(y, own, "macro_recall")
        result["protocol"] = "stored model, not cross-validated (fewer than 5 tweets in a class)"
    elif labeller.fitted:
        folds = fitting.cross_validated_labels(inputs, y)
        cross = [macro_recall(y, row) for row in folds]
        result |= with_interval(y, folds[0], "macro_recall")
        result["macro_recall"] = float(np.mean(cross))
        result["repeats"] = cross
        result["protocol"] = "repeated stratified 5-fold cross-validation on this split (x3)"
        in_sample = pd.Series(labeller.labels(inputs)).map(
            {label: i for i, label in enumerate(sentiment.LABELS)}).to_numpy(dtype=int)
        result["in_sample_macro_recall"] = macro_recall(y, in_sample)
    else:
        result |= with_interval(y, sentiment_codes(compound, cuts), "macro_recall")
        result["protocol"] = "thresholds on VADER compound"
    halves = (slice(0, None, 2), slice(1, None, 2))
    tuned = np.zeros(len(y), dtype=int)
    for choose, measure in (halves, halves[::-1]):
        pair = best_sentiment_thresholds(y[choose], compound[choose])
        tuned[measure] = sentiment_codes(compound[measure], pair)
    result["baselines"] = {
        "nltk_vader_standard": with_interval(y, sentiment_codes(compound, sentiment.STANDARD_THRESHOLDS), "macro_recall"),
        "vader_tuned_cuts_2fold": with_interval(y, tuned, "macro_recall"),
    }
    rated_only = scoring_model.load().get("baselines", {}).get("sentiment_rated_only")
    if rated_only and rated_only.get("inputs") == list(sentiment_model.INPUTS):
        logits = inputs @ np.asarray(rated_only["coef"]).T + np.asarray(rated_only["intercept"])
        result["baselines"]["rated_tweets_only"] = {
            **with_interval(y, np.argmax(logits, axis=1), "macro_recall"),
            "protocol": "combiner fitted on Hutto & Gilbert's rated tweets only; this split held out"}
    return result


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
        **with_interval(expected, got, "macro_f1"), "f1_interval": _f1_interval(expected, got),
        "n": len(joined), "cue_terms": list(cue_terms),
        "sarcasm_recall": float(got[sarcastic & expected].mean()) if (sarcastic & expected).any() else None,
        "sarcastic_n": int(sarcastic.sum()),
        "sarcasm_recall_interval": _recall_interval(got[sarcastic & expected]),
        "baselines": {
            name: {**binary_scores(expected, predicted), "f1_interval": _f1_interval(expected, predicted)}
            for name, predicted in (
                ("vader_only", joined["compound"].to_numpy() <= VADER_OFFENSIVE_AT_MOST),
                ("profanity_check_only", _profanity_only(joined["text"])))
        },
    }


def _recall_interval(hits: np.ndarray) -> list[float] | None:
    """Bootstrap interval of a recall (the share of ``hits`` that are true)."""
    if not hits.size:
        return None
    ones = np.ones(hits.size, dtype=int)
    return list(bootstrap_interval(ones, hits.astype(int), lambda t, p: float(p.mean())))


def _f1_interval(truth: np.ndarray, predicted: np.ndarray) -> list[float]:
    """Bootstrap interval of the hostile class's F1."""
    return list(bootstrap_interval(truth, predicted, lambda t, p: binary_scores(t, p)["f1"]))


def _profanity_only(text: pd.Series) -> np.ndarray:
    # Imported here: loading alt-profanity-check unpickles its models (about 1 s), which the
    # Methods page (it imports this module for the stored results) should not pay.
    from profanity_check import predict_prob

    return np.asarray(predict_prob(list(scoring.scoring_texts(text)))) >= PROFANITY_ALONE_THRESHOLD


# ---------------------------------------------------------------- fitting and results
def fit(offensive_dir: Path, sentiment_dir: Path, split: str, ground_truth: Path) -> dict[str, Any]:
    """Fit hostility (train only) and the sentiment model (rated tweets + ``split``); store them."""
    train = read_tweeteval(offensive_dir, "train")
    hostile, info = fitting.fit_hostility(train.texts, train.labels, source="TweetEval offensive")
    senti = read_tweeteval(sentiment_dir, split)
    labeller, found = fitting.fit_sentiment(fitting.read_ground_truth(ground_truth), senti.texts, senti.labels,
                                            source=f"TweetEval sentiment {split}")
    compound = sentiment.polarities(senti.texts)[:, 0]
    cuts = best_sentiment_thresholds(senti.labels, compound)
    fallback = {
        "negative_at_most": cuts[0], "positive_at_least": cuts[1],
        "provenance": {
            "chosen_on": f"TweetEval sentiment {split} split ({len(senti.texts)} tweets), max macro recall "
                         "over a 0.05 grid; used only when no sentiment model is stored",
            "date": datetime.now(UTC).strftime("%Y-%m-%d"), "command": fitting.COMMAND,
        },
    }
    fitting.save(hostile, labeller, fallback, info["combiner"], found["rated_only"])
    return scoring_model.load()


def machine() -> str:
    """CPU model, cores, memory and Python, for the figures' provenance."""
    model = platform.processor() or platform.machine()
    memory = ""
    try:
        info = Path("/proc/cpuinfo").read_text(encoding="utf-8")
        model = next((line.split(":", 1)[1].strip() for line in info.splitlines()
                      if line.startswith("model name")), model)
        meminfo = Path("/proc/meminfo").read_text(encoding="utf-8")
        kilobytes = next(int(line.split()[1]) for line in meminfo.splitlines() if line.startswith("MemTotal:"))
        memory = f", {kilobytes / 1024 ** 2:.1f} GB"
    except (OSError, StopIteration):
        pass
    return f"{model}, {scoring.default_workers()} cores{memory}, Python {platform.python_version()}"


def run(*, offensive: Path | None, sentiment_dir: Path | None, davidson: Path | None,
        split: str, cases: Sequence[str], workers: int | None = None) -> dict[str, Any]:
    """Every requested evaluation, as the JSON-ready dict printed by ``--json``."""
    fitted = hostility.model()
    results: dict[str, Any] = {}
    load = os.getloadavg()
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
        "load_average": [round(x, 2) for x in load],
        "sentiment_model": sentiment_model.model().provenance,
        "bootstrap": f"{BOOTSTRAP_RESAMPLES} resamples of the tweets, percentile 95 % interval",
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


def _figure(found: dict[str, Any] | None, metric: str) -> tuple[float | None, list[float] | None]:
    if not found or found.get(metric) is None:
        return None, None
    return float(found[metric]), found.get("interval") if metric != "f1" else None


def rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per figure: dataset, n, metric, ours, the previous Backfire model, VADER,
    alt-profanity-check, target; each value with its bootstrap 95 % interval (``*_interval``).

    "previous" is the model the app used before issue 12: the combiner without n-grams for
    hostility, VADER's compound with tuned cuts (2-fold) for sentiment.
    """
    out: list[dict[str, Any]] = []
    split = results.get("meta", {}).get("split", "")

    def row(dataset: str, n: int, metric: str, key: str, ours: dict[str, Any] | None,
            previous: dict[str, Any] | None, vader: dict[str, Any] | None,
            profanity: dict[str, Any] | None, target: float | None, protocol: str) -> None:
        entry: dict[str, Any] = {"dataset": dataset, "n": n, "metric": metric}
        for name, found in (("ours", ours), ("previous", previous), ("vader", vader), ("profanity", profanity)):
            entry[name], entry[f"{name}_interval"] = _figure(found, key)
            if key == "f1" and found:
                entry[f"{name}_interval"] = found.get("f1_interval")
        entry["target"], entry["protocol"] = target, protocol
        out.append(entry)

    for key, name in (("offensive", f"TweetEval offensive {split}"), ("davidson", "Davidson (all)")):
        if key in results:
            found, base = results[key], results[key]["baselines"]
            row(name, found["n"], "macro-F1", "macro_f1", found, base.get("old_combiner"), base["vader_only"],
                base["profanity_check_only"], TARGETS[key],
                f"threshold {found['threshold']} chosen on train by cross-validation")
    if "sentiment" in results:
        found, base = results["sentiment"], results["sentiment"]["baselines"]
        row(f"TweetEval sentiment {split}", found["n"], "macro-recall", "macro_recall", found,
            base.get("vader_tuned_cuts_2fold"), base["nltk_vader_standard"], None, TARGETS["sentiment"],
            found.get("protocol", ""))
        if "rated_tweets_only" in base:
            row(f"TweetEval sentiment {split}, model fitted on rated tweets only", found["n"], "macro-recall",
                "macro_recall", base["rated_tweets_only"],
                None, None, None, TARGETS["sentiment"], base["rated_tweets_only"]["protocol"])
    for case, found in results.get("reconstruction", {}).items():
        base = found["baselines"]
        row(f"reconstruction {case}", found["n"], "F1 hostile", "f1", found, None, base["vader_only"],
            base["profanity_check_only"], TARGETS["reconstruction"], "generator's labels (synthetic)")
        sarcasm = ({"f1": found["sarcasm_recall"], "f1_interval": found.get("sarcasm_recall_interval")}
                   if found.get("sarcasm_recall") is not None else None)
        row(f"reconstruction {case}", found["sarcastic_n"], "sarcasm recall", "f1", sarcasm, None, None, None,
            None, "generator's labels (synthetic)")
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


def table_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    """``rows`` for display: each figure as text with its interval, e.g. ``0.767 [0.743–0.791]``."""
    shown = []
    for row in rows(results):
        cells = dict(zip(SCORERS, figure_cells(row), strict=True))
        shown.append({"dataset": row["dataset"], "n": row["n"], "metric": row["metric"], **cells,
                      "target": row["target"], "protocol": row["protocol"]})
    return shown


def markdown(results: dict[str, Any]) -> str:
    """The results as a Markdown table (docs, Methods page), intervals in brackets."""
    lines = ["| dataset | n | metric | Backfire | previous Backfire | VADER alone | "
             "alt-profanity-check alone | target |",
             "|---|---:|---|---:|---:|---:|---:|---:|"]
    for row in rows(results):
        cells = [*figure_cells(row), figure_text(row["target"])]
        lines.append(f"| {row['dataset']} | {row['n']:,} | {row['metric']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def figure_cells(row: dict[str, Any], *, dash: str = "–") -> list[str]:
    """The ``SCORERS``' figures of one row of ``rows``, as ``figure_text``."""
    return [figure_text(row[key], row.get(f"{key}_interval"), dash=dash) for key in SCORERS]


def figure_text(value: object, interval: Sequence[float] | None = None, *, dash: str = "–") -> str:
    """A figure as every table shows it: three decimals and its 95 % interval in brackets
    (``0.767 [0.743–0.791]``); ``dash`` alone when there is no figure. The CLI passes "-"
    (plain ASCII for any terminal)."""
    if value is None:
        return dash
    text = f"{float(value):.3f}"  # type: ignore[arg-type]
    return f"{text} [{interval[0]:.3f}{dash}{interval[1]:.3f}]" if interval else text
