"""alt-profanity-check evaluated on the shared tokens equals the package's own predict_prob."""

from __future__ import annotations

import numpy as np
from profanity_check import predict_prob

from analysis.nlp import evaluation, lexicon, profanity, vader


def test_equal_to_the_package_on_labelled_tweets() -> None:
    texts = evaluation.read_tweeteval(evaluation.DEFAULT_OFFENSIVE, "val").texts
    texts += evaluation.read_tweeteval(evaluation.DEFAULT_SENTIMENT, "val").texts
    texts = [lexicon.demojize(text) for text in texts] + ["", "a", "FUCK!!! you", "shit_head x"]
    ours, _, _ = profanity.features(vader.tokenize(texts))
    theirs = np.asarray(predict_prob(texts))
    assert np.abs(ours - theirs).max() < 1e-9


def test_term_features() -> None:
    probability, strongest, count = profanity.features(vader.tokenize(["you fucking idiot shit", "nice day"]))
    assert probability[0] > 0.9 > 0.2 > probability[1]
    assert strongest[0] > profanity.OFFENSIVE_TERM_WEIGHT >= strongest[1] >= 0
    assert count.tolist() == [profanity.COUNT_CAP if count[0] >= profanity.COUNT_CAP else count[0], 0]
