"""Fitting the shipped models on small hand-made data: readers, protocol, stored weights."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import numpy as np
import pytest

from analysis.errors import BackfireError
from analysis.nlp import features, fitting, sentiment_model

POSITIVE = ["I love this so much", "what a wonderful day", "great job, thank you", "best news ever",
            "so happy for you", "amazing food and friends"]
NEGATIVE = ["I hate this", "what an awful day", "terrible service, never again", "worst news ever",
            "so sad and angry", "disgusting food and rude staff"]
NEUTRAL = ["the train leaves at nine", "meeting moved to room 4", "new post on the blog",
           "tickets go on sale friday", "the store opens at ten", "read the report here"]


def ground_truth_tar(tmp_path: Path) -> Path:
    lines = [f"{i}\t{rating}\t{text}" for i, (rating, text) in enumerate(
        [(2.5, t) for t in POSITIVE] + [(-2.5, t) for t in NEGATIVE] + [(0.1, t) for t in NEUTRAL])]
    payload = ("\n".join(lines) + "\n").replace("and", "&amp;").encode("utf-8")
    path = tmp_path / "hutto_ICWSM_2014.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        info = tarfile.TarInfo(fitting.GROUND_TRUTH_MEMBER)
        info.size = len(payload)
        archive.addfile(info, io.BytesIO(payload))
    return path


def test_ground_truth_reader_unescapes_html_and_reads_ratings(tmp_path: Path) -> None:
    rated = fitting.read_ground_truth(ground_truth_tar(tmp_path))
    assert len(rated.texts) == 18 and rated.ratings[0] == 2.5
    assert "amazing food & friends" in rated.texts
    with pytest.raises(BackfireError, match="pip download"):
        fitting.read_ground_truth(tmp_path / "missing.tar.gz")


def test_sentiment_fit_learns_valence_and_reports_cross_validation(tmp_path: Path) -> None:
    rated = fitting.read_ground_truth(ground_truth_tar(tmp_path))
    texts = NEGATIVE + NEUTRAL + POSITIVE
    labels = np.repeat([0, 1, 2], 6)
    model, info = fitting.fit_sentiment(rated, texts, labels, source="hand-made")
    assert model.fitted and model.coef.shape == (3, len(sentiment_model.INPUTS))
    found = features.run(["so happy and amazing", "awful and rude"])
    valence = model.valence(found.polarity, found.found)
    assert valence[0] > 0 > valence[1]
    assert "cross-validated" in model.provenance["val_figure"]
    assert 0 <= info["cross_validated_macro_recall"] <= 1
    assert info["cross_validated_predictions"].shape == (18,)
    rated_only = info["rated_only"]
    assert rated_only["inputs"] == list(sentiment_model.INPUTS) and len(rated_only["coef"]) == 3
    assert rated_only["classes"] == [6, 6, 6]  # ±2.5 and the neutral 0.1 (within NEUTRAL_RATING)
