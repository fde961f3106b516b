"""Methods: how every score and KPI is made, how accurate it is, and where the data comes from."""

import pandas as pd
import streamlit as st

from analysis import schema
from analysis.metrics import alerts, filters, kpis
from analysis.nlp import evaluation
from ui import boot, data, widgets
from ui.errors import edge

boot.through_navigation()

# Session-state key prefix of a benchmark's "figures" expander (+ the results file's name).
BENCH_OPEN = "bench_open_"

st.title("Methods")
st.markdown("Every number in Backfire is defined here once. The definitions are read from "
            "the same code that computes them, and the accuracy figures from the evaluation "
            "results file written by `python -m analysis evaluate`.")

with edge():
    st.header("Scores per tweet")
    st.markdown(
        "- **Sentiment** starts from NLTK's VADER (lexicon and rules built for social media, "
        "computed column at a time and equal to NLTK's own scores), with emoji read through "
        "VADER's emoji lexicon. Each tweet keeps VADER's *compound* (−1 to 1), the classic "
        "reference, and the *pos/neu/neg* proportions. The *negative / neutral / positive* "
        "label comes from a small model: VADER's four scores plus a valence learnt from 4,200 "
        "human-rated tweets (Hutto & Gilbert 2014) over hashed word and byte n-grams; its "
        "accuracy below is cross-validated.\n"
        "- **Hostility** is the probability that a tweet *attacks the brand or the campaign* "
        "(accusation, mockery including sarcasm, insult or profanity). It is not the same as a "
        "negative mood: a sad tweet about a victim is negative but not hostile, and an "
        "ironic “can't wait to hear about the bonuses!” is positive-sounding but hostile. One "
        "logistic regression, fitted on TweetEval offensive train, weighs hashed word and byte "
        "n-grams (no vocabulary is stored), VADER, an offensive-language model trained on about "
        "200k human-labelled comments (`alt-profanity-check`); the case's target terms (e.g. "
        "*bailout*, *brutality*) and sarcasm cues typical of Q&A hijacks add fixed priors. A "
        "tweet is *hostile* when the probability reaches the threshold chosen by "
        "cross-validation on the training tweets.\n"
        "- **Stances** used by the filters:"
    )
    st.dataframe(pd.DataFrame([{"stance": key, "meaning": label}
                               for key, (label, _) in filters.STANCES.items()]),
                 hide_index=True, width="stretch")

    st.header("Measured accuracy")
    results = evaluation.load_results()
    if not results:
        st.warning("No evaluation results yet: run `python -m analysis evaluate`.")
    else:
        meta = results.get("meta", {})
        st.markdown(f"Measured on {meta.get('date', 'an unknown date')} ({meta.get('machine', '')}, "
                    f"load average {meta.get('load_average', '?')}), split *{meta.get('split', '?')}*; "
                    f"hostility threshold **{meta.get('hostility_threshold', '?')}**. In brackets: "
                    f"bootstrap 95 % intervals ({meta.get('bootstrap', '')}). *Previous* is the model "
                    "Backfire used before: the combiner without n-grams for hostility, VADER's "
                    "compound with tuned cuts for sentiment.")
        rows = pd.DataFrame(evaluation.table_rows(results))
        st.dataframe(rows, hide_index=True, width="stretch", column_config={
            "ours": st.column_config.TextColumn("Backfire"),
            "previous": st.column_config.TextColumn("previous Backfire"),
            "vader": st.column_config.TextColumn("VADER alone"),
            "profanity": st.column_config.TextColumn("profanity-check alone"),
            "target": st.column_config.NumberColumn("Target", format="%.2f"),
        })
        st.caption("References measured by others on TweetEval's test split: offensive macro-F1 "
                   "0.666 (VADER rule), 0.734 (FastText), 0.795 (RoBERTa-base); sentiment "
                   "macro-recall 0.560 (NLTK VADER), 0.629 (SVM). Test splits are not used "
                   "here. Reconstruction rows score the synthetic tweets against the labels "
                   "the generator gave them.")

    st.header("Measured speed and memory")
    st.markdown("Measured by the scripts in `benchmarks/`, read from their committed results "
                "(`benchmarks/results/*.json`); each says when, on which machine and under "
                "which load average it was measured.")
    measured = data.benchmark_results()
    if not measured:
        st.warning("No benchmark results yet: run the scripts in `benchmarks/`.")
    for result in measured:
        st.subheader(result.title, anchor=False)
        st.caption(widgets.md_escape(result.caption()))
        # Each table is drawn when its expander opens: a dozen data grids on a first visit
        # were most of this page's work in the browser.
        table = st.expander(f"The {len(result.rows)} figures", icon=":material/table:",
                            key=f"{BENCH_OPEN}{result.name}", on_change="rerun")
        if table.open:
            with table:
                st.dataframe(pd.DataFrame({"figure": [name for name, _ in result.rows],
                                           "value": [str(value) for _, value in result.rows]}),
                             hide_index=True, width="stretch", key=f"bench_{result.name}")

    st.header("Backfire KPIs")
    st.markdown("\n".join(f"- **{s.label}** ({s.unit}): {s.definition}"
                           for s in kpis.KPIS.values()))
    st.markdown(f"**Alert replay.** The archive is replayed minute by minute from the launch; "
                f"the alert fires at the first minute when {alerts.AlertRule().describe()}. "
                f"It is set beside the brand's first documented reaction in the case events.")
    st.markdown("**Timeline.** Bins from 5 minutes to 1 day, on the clock or aligned on the "
                "launch. Hostile share = hostile tweets / tweets in the bin; the smoothed line "
                "pools 3 neighbouring bins. Empty bins are kept, so gaps show.")

    st.header("Where each case's data comes from")
    cases = data.all_cases()
    st.dataframe(pd.DataFrame([{
        "case": f"#{c.hashtag}", "brand": c.brand,
        "data": ("reconstruction: synthetic tweets calibrated to the cited figures"
                 if c.is_reconstruction else "real archive loaded by a user"),
        "documented facts": len(c.facts), "events": len(c.events),
        "launch": f"{c.launch:%Y-%m-%d %H:%M} UTC" + (" (assumed)" if c.launch_assumed else ""),
    } for c in cases.values()]), hide_index=True, width="stretch")
    widgets.provenance_notice("reconstruction")
    st.markdown("The generator writes tweets from templates per stance (accusation, mockery, "
                "sarcasm, insult, support, neutral…), with volumes, timing, hostile shares and "
                "spin-off hashtags calibrated to the figures in each case's fact sheet, every "
                "one with its source URL and a confidence level. Use the reconstructions to "
                "learn the *shape* of a backfire; do not quote their tweets.")

    st.header("Limitations")
    semantics = "; ".join(f"*{k}*: {v}" for k, v in schema.METRICS_SEMANTICS.items())
    st.markdown(
        "- **Sarcasm and irony** are only partly caught: cues help on Q&A hijacks, but a dry "
        "joke with no cue reads as friendly.\n"
        "- **Hostile ≠ negative**, and neither is *wrong*: many hostile tweets were fair "
        "criticism. The labels describe stance towards the brand, not merit.\n"
        "- **Engagement counts** depend on when the archive was collected: " + semantics +
        ". Stream captures record near-zero counts at posting time, so in-archive "
        "retweets, replies and quotes are used when larger.\n"
        "- **Archives are samples.** Search APIs and streams miss tweets (rate limits, "
        "deletions, suspended accounts); volumes are lower bounds.\n"
        "- **Launch times** can be assumed when the first tweet is lost; such cases say so, "
        "and time-based KPIs move with the launch.\n"
        "- **English-centred.** VADER and the offensive model are trained on English; other "
        "languages are counted but poorly scored."
    )
