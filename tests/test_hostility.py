"""Brand hostility: features, cue terms, sarcasm cues, the combiner and its fitting rule."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.nlp import features, fitting, hostility

COLUMN = {name: features.column(name) for name in hostility.FEATURES}


def probabilities(texts: list[str], terms: tuple[str, ...] = ()) -> np.ndarray:
    return hostility.model().probabilities(features.matrix(texts, terms))


@pytest.mark.parametrize(("terms", "text", "matches"), [
    (["bailout"], "Loved the #bailout money?", True),
    (["foreclosure"], "how many foreclosures this year", True),
    (["whale"], "london WHALE again", True),
    (["cop"], "copyright notice", False),
    ([], "bailout", False),
    (["  ", "#brutality"], "police brutality photo", True),
])
def test_cue_pattern(terms: list[str], text: str, matches: bool) -> None:
    pattern = hostility.cue_pattern(terms)
    assert bool(pattern and pattern.search(text)) is matches


@pytest.mark.parametrize(("text", "cue"), [
    ('So "proud" of our police', "scare_quotes"),
    ("Great time to ask for career advice", "great_time_to"),
    ("Can I have my house back now?", "give_it_back"),
    ("How does it feel to be fined again", "how_does_it_feel"),
    ("this will go well #not", "marked_irony"),
    ("Best. Campaign. Ever.", "best_ever"),
    ("nice hashtag 🙄", "mock_applause"),
    ("Nailed it, bravo", "mock_praise"),
    ("Aww. Such lovely memories", "interjection_praise"),
    ("Love how they handled it", "love_how"),
    ("hahaha what a day", "laughter"),
    ("Good luck with that.", "derision"),
])
def test_sarcasm_cues_are_found(text: str, cue: str) -> None:
    assert cue in hostility.sarcasm_cues(text)


@pytest.mark.parametrize("text", ["Thank you officers for helping me today",
                                  "What time does the Q&A start?"])
def test_plain_text_has_no_sarcasm_cue(text: str) -> None:
    assert hostility.sarcasm_cues(text) == []


def test_feature_matrix_layout() -> None:
    matrix = features.matrix(["hello there", "you are a fucking idiot"])
    assert matrix.shape == (2, len(features.COLUMNS))
    assert features.COLUMNS[:4] == hostility.POLARITY_COLUMNS
    assert matrix[1, COLUMN["profanity_logit"]] > matrix[0, COLUMN["profanity_logit"]]
    assert matrix[1, COLUMN["second_person"]] == 1 and matrix[0, COLUMN["second_person"]] == 0
    assert matrix[1, COLUMN["offensive_terms"]] >= 1


def test_insults_are_more_hostile_than_praise() -> None:
    prob = probabilities(["you are a fucking idiot", "thank you, lovely day at the park"])
    assert prob[0] > 0.5 > prob[1]


def test_cue_terms_drive_the_target_feature() -> None:
    text = "another bailout while families lose their homes"
    without = features.matrix([text])
    with_terms = features.matrix([text], ["bailout"])
    assert without[0, COLUMN["target"]] == 0
    assert with_terms[0, COLUMN["target"]] == 1
    assert probabilities([text], ["bailout"])[0] > probabilities([text])[0]


@pytest.mark.parametrize(("text", "feature"), [
    ("lol this campaign", "mockery"),
    ("whoever approved this is having a long day smh", "mockery"),
    ("Nailed it! 👏", "sarcasm"),
    ("Oh wow. Such a wonderful idea", "sarcasm"),
    ("Shameful. 😡", "condemnation"),
    ("what a bunch of crooks", "condemnation"),
])
def test_context_cues(text: str, feature: str) -> None:
    row = features.matrix([text])[0]
    assert row[COLUMN[feature]] == 1
    assert hostility.model().probabilities(row[None, :])[0] > hostility.model().probabilities(
        row[None, :], context=False)[0]


def test_context_off_ignores_context_features() -> None:
    matrix = features.matrix(["lol nailed it 👏 shameful 😡"], ["bailout"])
    plain = matrix.copy()
    for name in hostility.CONTEXT_FEATURES:
        plain[:, COLUMN[name]] = 0
    model = hostility.model()
    assert model.probabilities(matrix, context=False) == pytest.approx(model.probabilities(plain))


def test_positive_question_about_a_target_reads_as_sarcasm() -> None:
    text = "#AskJPM what is your favorite part of the foreclosure process?"
    assert features.matrix([text])[0, COLUMN["sarcasm"]] == 0
    assert features.matrix([text], ["foreclosure"])[0, COLUMN["sarcasm"]] == 1
    assert probabilities([text], ["foreclosure"])[0] >= hostility.model().threshold


def test_model_combines_features_as_a_logistic() -> None:
    model = hostility.Model({"profanity_logit": 2.0, "sarcasm": 1.0}, intercept=-1.0, threshold=0.5)
    matrix = np.zeros((2, len(hostility.POLARITY_COLUMNS) + len(hostility.FEATURES)))
    matrix[0, COLUMN["profanity_logit"]] = 1.0
    matrix[1, COLUMN["sarcasm"]] = 1.0
    assert model.logits(matrix).tolist() == [1.0, 0.0]
    assert model.probabilities(matrix) == pytest.approx([1 / (1 + np.exp(-1.0)), 0.5])


def test_stored_model_has_every_weight_and_provenance() -> None:
    model = hostility.model()
    assert set(model.weights) == set(hostility.FEATURES)
    assert 0 < model.threshold < 1
    assert "train" in model.provenance["fitted_on"] and "train" in model.provenance["threshold_chosen_on"]
    assert "val never used" in model.provenance["threshold_chosen_on"]
    assert model.ngram_weights is not None


def test_fit_learns_from_train_and_sets_context_priors_by_rule() -> None:
    offensive = ["you are a fucking idiot", "shut up you stupid bitch", "what a piece of shit",
                 "fuck off loser", "you dumb ass clown", "damn moron go away"]
    harmless = ["lovely day at the park", "the meeting starts at noon", "thanks for the help",
                "new photos from the parade", "see you at the game", "great dinner tonight"]
    texts, labels = (offensive + harmless) * 2, np.array(([1] * 6 + [0] * 6) * 2)
    model, info = fitting.fit_hostility(texts, labels, source="hand-made")
    assert set(model.weights) == set(hostility.FEATURES)
    assert model.weights["profanity_logit"] > 0
    assert 0 < info["threshold"] < 1 and info["combiner"]["weights"]
    priors = {model.weights[name] for name in hostility.CONTEXT_FEATURES}
    assert len(priors) == 1 and priors.pop() > 0
    found = features.run(texts)
    generic = dict(zip(features.GENERIC, found.generic.T, strict=True))
    logits = model.intercept + model.ngram_score(found.found) + sum(
        model.weights[name] * generic[name] for name in features.GENERIC)
    assert ((logits >= np.log(model.threshold / (1 - model.threshold))) == labels.astype(bool)).all()
    # The rule: a context cue alone lifts (at least) the most benign 90% of harmless tweets
    # above the threshold.
    harmless_logits = logits[labels == 0] + model.weights["sarcasm"]
    share = (1 / (1 + np.exp(-harmless_logits)) > model.threshold).mean()
    assert share >= 1 - hostility.CONTEXT_QUANTILE


def test_shouting_equals_the_unicode_letter_definition() -> None:
    import pyarrow.compute as pc

    from analysis.nlp import evaluation, vader

    texts = evaluation.read_tweeteval(evaluation.DEFAULT_OFFENSIVE, "val").texts + ["", "ÉCOLE ok", "ABC", "123"]
    column = vader.text_column(texts)
    letters = pc.count_substring_regex(column, r"\pL").to_numpy(zero_copy_only=False)
    upper = pc.count_substring_regex(column, r"\p{Lu}").to_numpy(zero_copy_only=False)
    expected = np.divide(upper, letters, out=np.zeros(len(texts)), where=letters > 0)
    assert hostility.shouting(column).tolist() == expected.tolist()
