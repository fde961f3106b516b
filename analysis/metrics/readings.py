"""How to read the headline numbers: the gaps a student asks about, explained in words.

- The headline hostile share (every tweet, retweets and the run-up included, as the classifier
  scores them) against the share the case's sources report (e.g. "> 80 % critical").
- Mean VADER sentiment staying positive through a hijack: VADER scores words, and sarcastic
  praise ("great job") reads as positive.
- "Hijacked after 30 min" against an alert that fires after 106 min: two rules that count
  different tweets.

Each function returns plain sentences (markdown-free), or None when there is nothing to explain.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from analysis.metrics import kpis

# Fact labels that carry a reported share of critical tweets (case files, any case).
REPORTED_SHARE_WORDS: Final[tuple[str, ...]] = ("critical", "hostile", "negative", "angry")
# VADER's conventional cut for a positive compound score.
POSITIVE_COMPOUND: Final = 0.05
# Stances of the reconstructions' ground truth that are sarcasm.
SARCASM_STANCE: Final = "sarcasm"


def reported_share(facts: Sequence[Any]) -> str | None:
    """The value of the first fact whose label names a share of critical tweets."""
    for fact in facts:
        label = str(getattr(fact, "label", "")).lower()
        if any(word in label for word in REPORTED_SHARE_WORDS):
            return str(fact.value)
    return None


def _truth(path: Path | None) -> pd.DataFrame | None:
    if path is None or not path.is_file():
        return None
    return pd.read_csv(path, dtype={"tweet_id": str, "stance": str, "hostile": int})


def hostile_share_gap(case: Any, table: pd.DataFrame) -> str | None:
    """Why the headline hostile share differs from what the sources (or the reconstruction's
    own labels) say. None for an unscored table."""
    if "hostile" not in table.columns or not len(table):
        return None
    hostile = table["hostile"].fillna(False).to_numpy(dtype=bool)
    after = (table["created_at"] >= case.launch).fillna(False).to_numpy(dtype=bool)
    original = ~table["is_retweet"].to_numpy(dtype=bool)
    parts = [f"The headline share ({hostile.mean():.0%}) counts every tweet in view as the "
             "classifier scores it: retweets, the run-up before launch and off-topic posts "
             "included."]
    focus = after & original
    if focus.any():
        parts.append(f"Among original posts after the launch it is "
                     f"{hostile[focus].mean():.0%}.")
    truth = _truth(getattr(case, "truth_path", None) if getattr(case, "is_reconstruction", False)
                   else None)
    if truth is not None:
        labelled = table[["id"]].assign(hostile_pred=hostile, after=after).merge(
            truth, left_on="id", right_on="tweet_id", how="inner")
        if len(labelled):
            written = labelled.loc[labelled["after"], "hostile"].mean()
            missed = 1 - labelled.loc[labelled["hostile"] == 1, "hostile_pred"].mean()
            parts.append(f"The reconstruction was written with {written:.0%} hostile tweets "
                         f"after launch; the classifier misses {missed:.0%} of the hostile "
                         "ones (sarcasm and bare links above all), so it reads lower.")
    reported = reported_share(getattr(case, "facts", ()))
    if reported:
        parts.append(f"What the sources say: {reported}. Published shares are estimates over "
                     "a different sample (a vendor's count, or a reading of the coverage), "
                     "not a count of this archive.")
    return " ".join(parts)


def sentiment_gap(case: Any, table: pd.DataFrame) -> str | None:
    """Why mean VADER sentiment can stay positive while the tag is hijacked."""
    if not {"hostile", "compound"} <= set(table.columns) or not len(table):
        return None
    hostile = table["hostile"].fillna(False).to_numpy(dtype=bool)
    compound = table["compound"].to_numpy(dtype=float)
    if not hostile.any():
        return None
    positive = np.nanmean(compound[hostile] >= POSITIVE_COMPOUND)
    parts = [f"Mean VADER sentiment is {np.nanmean(compound):+.2f} (−1 to +1). VADER scores "
             f"words, not intent: {positive:.0%} of the hostile tweets read as positive to it, "
             "because sarcasm praises (\u201cgreat job\u201d, \u201cso proud\u201d) and the "
             "campaign's own upbeat words are repeated in mockery."]
    truth = _truth(getattr(case, "truth_path", None) if getattr(case, "is_reconstruction", False)
                   else None)
    if truth is not None:
        sarcastic = set(truth.loc[truth["stance"] == SARCASM_STANCE, "tweet_id"])
        rows = table["id"].astype(str).isin(sarcastic).to_numpy()
        if rows.any():
            parts.append(f"The reconstruction's sarcastic tweets average "
                         f"{np.nanmean(compound[rows]):+.2f}.")
    parts.append("Hostility is the measure of the backlash here; sentiment shows its tone.")
    return " ".join(parts)


def hijack_and_alert(report: kpis.KpiReport) -> str | None:
    """Why the time to hijack and the alert replay give different minutes."""
    hijack = report.values.get("time_to_hijack_minutes")
    replay = report.alert
    if hijack is None or replay is None or replay.fired_minutes is None:
        return None
    rule = replay.rule
    bin_minutes = int(kpis.HIJACK_BIN.total_seconds() // 60)
    window = kpis.HIJACK_WINDOW_BINS * bin_minutes
    return (f"Hijacked after {hijack:.0f} min, alert after {replay.fired_minutes} min: the two "
            f"count different things. The time to hijack is where the first sustained "
            f"{window}-minute stretch of original posts (retweets left out, {bin_minutes}-minute "
            f"bins, at least {kpis.HIJACK_MIN_ORIGINALS} originals, {kpis.HIJACK_SHARE:.0%} or "
            f"more hostile) begins. The alert counts every tweet, retweets included, and can "
            f"only fire at the end of a {rule.window_minutes}-minute window in which "
            f"{rule.min_share:.0%} of all tweets are hostile: retweets of the ask and of friendly "
            f"posts hold its share down, so it fires later. A listening tool sees the alert's "
            f"view; the hijack time is the post-mortem's.")

