"""The pure Plotly builders: titles, axis labels, palette, events, and inert tweet text."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from analysis import charts

LAUNCH = pd.Timestamp("2014-04-22 15:00", tz="UTC")


def _timeline(n: int = 6) -> pd.DataFrame:
    starts = pd.date_range(LAUNCH, periods=n, freq="1h")
    tweets = np.arange(1, n + 1) * 10
    return pd.DataFrame({
        "bin_start": starts,
        "hours_since_launch": np.arange(n, dtype=float),
        "tweets": tweets,
        "retweets": tweets // 2,
        "hostile_share": np.linspace(0.1, 0.9, n),
        "mean_compound": np.linspace(0.3, -0.5, n),
    })


EVENTS = pd.DataFrame({
    "time": [LAUNCH, LAUNCH + pd.Timedelta(hours=3)],
    "kind": ["launch", "response"],
    "label": ["Launch", "Brand <b>reply</b>"],
    "note": ["first tweet", "<script>alert(1)</script>"],
    "source_url": ["https://example.org/a", "https://example.org/b"],
})


def _has_titles(fig: go.Figure) -> None:
    assert fig.layout.title.text
    for axis in (fig.layout.xaxis, fig.layout.yaxis):
        assert axis.title.text or not axis.visible


def _event_traces(fig: go.Figure) -> list[go.Scatter]:
    return [t for t in fig.data if str(t.name).startswith("Event: ")]


@pytest.mark.parametrize("x", list(charts.X_AXES))
def test_timeline_has_bars_lines_events_and_labels(x: str) -> None:
    fig = charts.timeline(_timeline(), x=x, events=EVENTS, launch=LAUNCH, bin_label="hour")
    names = [trace.name for trace in fig.data]
    assert names[:2] == ["Originals, replies, quotes", "Retweets"]
    assert {"Hostile share", "Mean sentiment (VADER)"} <= set(names)
    assert fig.layout.xaxis2.title.text == charts.X_AXES[x]
    assert fig.layout.yaxis.title.text == "Tweets per hour"
    events = _event_traces(fig)
    # one legend entry per group of who acted: the campaign (launch), and "response" is an
    # unknown kind, drawn in the default group
    assert [t.name for t in events] == ["Event: the campaign", "Event: media, trends, milestones"]
    assert [list(t.text) for t in events] == [["1"], ["2"]]  # numbered in time order
    if x == "hours_since_launch":
        assert [list(t.x) for t in events] == [[0.0], [3.0]]
    # a vertical event line per event, across both panels
    assert len(fig.layout.shapes) == 2 * 2
    assert len({str(pd.Timestamp(s.x0)) for s in fig.layout.shapes}) == 2


def test_every_event_kind_has_a_legend_group() -> None:
    from analysis.cases import EVENT_KINDS

    assert set(EVENT_KINDS) <= set(charts.EVENT_GROUP_OF)


def test_hover_notes_are_escaped_not_markup() -> None:
    fig = charts.timeline(_timeline(), events=EVENTS, launch=LAUNCH)
    hover = " ".join(h for t in _event_traces(fig) for h in t.hovertext)
    assert "<script>" not in hover and "&lt;script&gt;" in hover
    assert "&lt;b&gt;reply&lt;/b&gt;" in hover


def test_events_outside_the_window_are_listed_not_drawn() -> None:
    events = pd.concat([EVENTS, pd.DataFrame({
        "time": [LAUNCH - pd.Timedelta(hours=200), LAUNCH + pd.Timedelta(hours=440)],
        "kind": ["teaser", "media"], "label": ["Teaser", "Coverage <i>late</i>"],
        "note": ["", ""], "source_url": ["", ""]})], ignore_index=True)
    fig = charts.timeline(_timeline(), x="hours_since_launch", events=events, launch=LAUNCH,
                          window=(-2.0, 72.0))
    drawn = sorted(x for t in _event_traces(fig) for x in t.x)
    assert drawn == [0.0, 3.0]
    assert list(fig.layout.xaxis2.range) == [-2.0, 72.0]
    note = next(a.text for a in fig.layout.annotations if a.text.startswith("Outside"))
    assert "1 Teaser (-8 days)" in note and "4 Coverage &lt;i&gt;late&lt;/i&gt; (+18 days)" in note


def test_no_share_line_for_bins_with_too_few_tweets() -> None:
    frame = _timeline().assign(tweets=[1, 2, 30, 40, 3, 50], retweets=0)
    fig = charts.timeline(frame, min_tweets=5)
    share = next(t for t in fig.data if t.name == "Hostile share")
    mood = next(t for t in fig.data if t.name == "Mean sentiment (VADER)")
    for trace in (share, mood):
        known = [not np.isnan(v) for v in trace.y]
        assert known == [False, False, True, True, False, True]


def test_timeline_without_rows_says_so() -> None:
    fig = charts.timeline(_timeline().iloc[0:0])
    assert fig.layout.annotations[0].text == "No tweets in this selection."
    assert fig.layout.title.text


@pytest.mark.parametrize("normalise", [False, True])
def test_compare_curves_one_line_per_case(normalise: bool) -> None:
    small = _timeline()
    big = _timeline().assign(tweets=lambda f: f["tweets"] * 100)
    fig = charts.compare_curves({"a": small, "b": big}, y="tweets", title="Volume",
                                y_title="Tweets", normalise=normalise)
    assert [t.name for t in fig.data] == ["a", "b"]
    _has_titles(fig)
    if normalise:
        assert max(fig.data[0].y) == pytest.approx(1.0)
        assert max(fig.data[1].y) == pytest.approx(1.0)
    else:
        assert max(fig.data[1].y) == 100 * max(fig.data[0].y)


@pytest.mark.parametrize("cases", [3, 8])
def test_grouped_legend_keeps_the_plot_area(cases: int) -> None:
    """Eight cases in one legend group stack eight rows under the chart: the figure grows so
    that the plot area keeps its height and the legend starts below the x-axis title."""
    frames = {f"#case{i}": _timeline() for i in range(cases)}
    plain = charts.compare_curves(dict(list(frames.items())[:1]), y="tweets", title="Volume",
                                  y_title="Tweets")
    fig = charts.compare_curves(frames, y="tweets", title="Volume", y_title="Tweets",
                                groups=dict.fromkeys(frames, "Reconstructions (synthetic)"))

    def plot_px(f: go.Figure) -> float:
        return f.layout.height - f.layout.margin.t - f.layout.margin.b
    assert plot_px(fig) == plot_px(plain)
    assert fig.layout.margin.b >= charts.AXIS_TITLE_PX + charts.LEGEND_ROW_PX * (cases + 1)
    assert -fig.layout.legend.y * plot_px(fig) >= charts.AXIS_TITLE_PX


def test_small_multiples_grid() -> None:
    frames = {name: _timeline() for name in ("a", "b", "c", "d")}
    fig = charts.small_multiples(frames, columns=3)
    assert [a.text for a in fig.layout.annotations][:4] == ["a", "b", "c", "d"]
    assert sum(t.name == "Tweets" for t in fig.data) == 4
    assert sum(bool(t.showlegend) for t in fig.data) == 2


def test_distinctive_terms_diverge() -> None:
    terms = pd.DataFrame({"term": ["whale", "bailout", "thanks", "great"], "z": [5.0, 3.0, -2.0, -4.0]})
    fig = charts.distinctive_terms(terms, top=2)
    bar = fig.data[0]
    assert list(bar.y) == ["great", "thanks", "bailout", "whale"]
    assert list(bar.marker.color) == [charts.SUPPORTIVE, charts.SUPPORTIVE, charts.HOSTILE, charts.HOSTILE]
    _has_titles(fig)


def test_accounts_and_hashtags() -> None:
    accounts = pd.DataFrame({"author": ["a", "b"], "tweets": [5, 3]})
    fig = charts.top_accounts(accounts)
    assert list(fig.data[0].y) == ["@b", "@a"]
    tags = pd.DataFrame({"hashtag": ["mynypd", "nypd"], "tweets": [9, 4], "spinoff": [True, False]})
    fig = charts.hashtag_cooccurrence(tags)
    assert list(fig.data[0].y) == ["#nypd", "#mynypd"]
    assert list(fig.data[0].marker.color) == [charts.SUPPORTIVE, charts.HOSTILE]


def test_palette_is_colour_blind_safe_set() -> None:
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"}
    assert set(charts.PALETTE) == okabe_ito
    assert charts.HOSTILE in okabe_ito and charts.SUPPORTIVE in okabe_ito


def test_wordcloud_image() -> None:
    image = charts.wordcloud_image({"whale": 10, "bailout": 5}, hostile=True, width=200, height=100)
    assert image.shape == (100, 200, 3)
    assert (image != 255).any()
    blank = charts.wordcloud_image({}, hostile=False, width=50, height=20)
    assert (blank == 255).all()


def test_alert_replay_marks_hijack_alert_and_reaction() -> None:
    minutes = np.arange(1, 600)
    series = pd.DataFrame({"minute": minutes, "tweets_in_window": minutes % 50,
                           "hostile_share_in_window": np.linspace(0, 1, len(minutes)),
                           "firing": minutes > 300})
    label = "Apology posted on the brand's own account after a long night of replies"
    fig = charts.alert_replay(series, min_share=0.5, fired_minutes=106, reaction_hours=4.0,
                              reaction_label=label, hijack_minutes=30)
    texts = [a.text for a in fig.layout.annotations]
    assert "hijacked: 30 min" in texts and "alert fires: 106 min" in texts
    assert f"{label}: 4.0 h" in [t.replace("&#x27;", "'") for t in texts]  # the label whole
    assert fig.layout.xaxis.title.text == "Hours since launch"
    # the view stops a margin after the reaction instead of showing the whole tail
    assert max(fig.data[1].x) <= 4.0 * 1.25 + 1e-9
    # the share line is drawn above the bars: it sits on the overlaying (second) y axis
    bars, line = fig.data
    assert bars.type == "bar" and line.type == "scatter" and line.yaxis == "y2"
    assert fig.layout.yaxis2.side == "left" and fig.layout.yaxis2.tickformat == ".0%"
    # round ticks: 0, 0.5, 1 ... hours
    assert fig.layout.xaxis.dtick == 0.5 and fig.layout.yaxis2.dtick == 0.25


@pytest.mark.parametrize(("hours", "tick"), [(1.5, 0.25), (5, 0.5), (40, 6.0), (170, 24.0)])
def test_hour_ticks_are_round(hours: float, tick: float) -> None:
    assert charts.hour_tick(hours) == tick


def _number_labels(fig: go.Figure) -> list[str]:
    """The event numbers' labels, as a reader sees them (colour spans dropped)."""
    return [re.sub(r"<[^>]+>", "", a.text) for a in fig.layout.annotations
            if a.name == charts.EVENT_NUMBERS.name]


@pytest.mark.parametrize("x", list(charts.X_AXES))
def test_close_events_share_one_label_and_every_number_is_drawn_once(x: str) -> None:
    """Events minutes apart would draw their numbers on top of each other: they share one
    label ("2,3"), each number in its marker's colour; events far apart keep their own."""
    minutes = [0, 150, 157, 60 * 20, 60 * 20 + 5, 60 * 44]  # the axis: 48 h
    events = pd.DataFrame({
        "time": [LAUNCH + pd.Timedelta(minutes=m) for m in minutes],
        "kind": ["ask", "hostile_wave", "amplifier", "brand_response", "media", "fade"],
        "label": [f"event {i}" for i in range(len(minutes))],
        "note": [""] * len(minutes), "source_url": [""] * len(minutes)})
    fig = charts.timeline(_timeline(48), x=x, events=events, launch=LAUNCH, bin_label="hour")
    assert _number_labels(fig) == ["1", "2,3", "4,5", "6"]
    labels = [a for a in fig.layout.annotations if a.name == charts.EVENT_NUMBERS.name]
    colours = re.findall(r"color:(#[0-9A-Fa-f]{6})", labels[2].text)
    assert colours == [charts.EVENT_COLOURS["brand_response"], charts.EVENT_COLOURS["media"]]
    # a label at the axis's start begins there (not over the y axis's tick labels)
    assert [a.xanchor for a in labels] == ["left", "center", "center", "center"]
    # the markers still carry their own numbers (the slide's event list is checked on them)
    drawn = sorted(int(n) for t in _event_traces(fig) for n in t.text)
    assert drawn == [1, 2, 3, 4, 5, 6]


def test_numbers_that_would_touch_share_a_label() -> None:
    """Two-digit numbers need more room than the minimum gap: 10 and 11 an hour apart on a
    48 h axis (2 %) share a label; 1 and 2 three hours apart do not."""
    hours = [0, 3, *range(6, 13)] + [30, 31]
    events = pd.DataFrame({
        "time": [LAUNCH + pd.Timedelta(hours=h) for h in hours], "kind": ["media"] * len(hours),
        "label": ["e"] * len(hours), "note": [""] * len(hours), "source_url": [""] * len(hours)})
    fig = charts.timeline(_timeline(48), x="hours_since_launch", events=events, launch=LAUNCH)
    labels = _number_labels(fig)
    assert labels[:2] == ["1", "2"]
    assert labels[-1] == "10,11"
    assert sorted(int(n) for label in labels for n in label.split(",")) == list(range(1, 12))
