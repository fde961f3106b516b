"""AppTest of the Case deep-dive: every tab on every bundled case, filters and bin size."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_support import (
    BUNDLED,
    assert_clean,
    case_label,
    figure,
    metric,
    open_page,
    served,
    text_of,
    values,
)

from analysis import cases, pipeline
from analysis.metrics import terms, themes
from analysis.store import summaries as summary_store
from ui.widgets import md_escape

pytestmark = pytest.mark.usefixtures("app_env")

TABS = ["Timeline", "Hostile posts", "Language", "Themes", "People & tags", "Network",
        "Alert replay", "Tweets", "Fact sheet"]
HEADLINE = ["Tweets", "Hostile share", "Time to hijack", "Peak hourly rate"]


def _open(case_id: str, tab: str = "Timeline", **query: object):
    return open_page("case", {"case": case_label(case_id), "tab": tab, **query})


@pytest.mark.parametrize("case_id", BUNDLED)
def test_header_notice_and_kpis(case_id: str) -> None:
    at = _open(case_id)
    assert_clean(at)
    from analysis.cases import load_case

    case = load_case(case_id)
    assert at.title[0].value.replace("\\", "") == f"#{case.hashtag}"
    assert "Reconstruction" in text_of(at)
    for label in HEADLINE:
        assert metric(at, label) not in ("", "n/a"), label
    assert any("attacked" in m.value for m in at.markdown)  # the one-sentence takeaway


@pytest.mark.parametrize("tab", TABS)
@pytest.mark.parametrize("case_id", BUNDLED)
def test_every_tab_renders(case_id: str, tab: str) -> None:
    at = _open(case_id, tab)
    assert_clean(at)
    if tab == "Timeline":
        fig = figure(at, "volume, hostility and sentiment")
        names = {t.get("name") for t in fig["data"]}
        assert {"Hostile share", "Mean sentiment (VADER)"} <= names
        assert any(str(n).startswith("Event: ") for n in names)  # numbered, in the legend
    elif tab == "Hostile posts":
        table = at.dataframe[0].value
        assert {"text", "author", "kind", "engagement", "hostile_prob", "url"} <= set(table.columns)
        # synthetic posts: no link anywhere, the header says they are synthetic examples
        assert len(table) > 0 and table["url"].isna().all()
        assert "url" not in at.dataframe[0].proto.column_order
        assert "synthetic examples" in text_of(at)
        assert set(table["kind"]) <= {"original", "reply", "quote"}
    elif tab == "Language":
        assert len(at.get("imgs")) >= 1 or len(at.get("image")) >= 1
        figure(at, "words that set hostile")
    elif tab == "Themes":
        fig = figure(at, "themes' share of tweets")
        table = at.dataframe[0].value
        assert len(table) == 5 and table["share"].sum() == pytest.approx(1.0)
        assert {t.get("name") for t in fig["data"]} >= set(table["name"])
        assert any("two random halves" in c.value for c in at.caption)
    elif tab == "People & tags":
        figure(at, "posted most")
        figure(at, "amplified most")
        figure(at, "Hashtags used alongside")
    elif tab == "Network":
        fig = figure(at, "retweets among the")
        nodes = next(t for t in fig["data"] if t.get("mode") == "markers+text")
        assert "star" in values(nodes["marker"]["symbol"])  # the brand's account
        assert "diamond" in values(nodes["marker"]["symbol"])  # brokers
        assert any("communities (Louvain)" in c.value for c in at.caption)
    elif tab == "Alert replay":
        assert any("listening alert" in s.value for s in at.subheader)
        figure(at, "Alert replay")
    elif tab == "Tweets":
        table = at.dataframe[0].value
        assert len(table) > 0 and {"text", "author", "url"} <= set(table.columns)
        assert at.text[0].value == table["text"].iloc[0]  # the selected tweet, as plain text
        assert table["url"].isna().all()
        assert not [b for b in at.get("link_button")]  # no "Open on Twitter" for a synthetic post
        assert "synthetic example, not a real post" in text_of(at)
    else:  # Fact sheet: every fact and event written out in full, each with its source
        case = cases.load_case(case_id)
        text = text_of(at)
        assert case.facts and all(md_escape(fact.value) in text for fact in case.facts)
        assert all(md_escape(event.label) in text for event in case.events)
        assert text.count("[source](") >= sum(1 for f in case.facts if f.source_url.startswith("http"))


def test_bin_size_changes_the_timeline() -> None:
    hourly = figure(_open("mynypd", bin="1 hour"), "volume, hostility")
    fine = figure(_open("mynypd", bin="15 min"), "volume, hostility")
    assert len(values(fine["data"][0]["x"])) > 2 * len(values(hourly["data"][0]["x"]))
    assert "per 15 min" in fine["layout"]["title"]["text"]


def test_the_timeline_opens_on_the_hours_around_launch() -> None:
    """#AskJPM's teasers a week before and coverage weeks after no longer stretch the axis;
    they are listed above the chart. The full-range switch (in the URL) shows everything."""
    at = _open("askjpm")
    assert_clean(at)
    fig = figure(at, "volume, hostility")
    assert values(fig["layout"]["xaxis2"]["range"]) == [-2.0, 72.0]
    hours = values(fig["data"][0]["x"])
    assert min(hours) >= -2 and max(hours) < 72 and len(hours) <= 150
    outside = [a["text"] for a in fig["layout"]["annotations"] if a["text"].startswith("Outside")]
    assert outside and "days)" in outside[0]
    assert any("launch −2 h … +72 h (switch on" in c.value for c in at.caption)

    full = _open("askjpm", full="true")
    assert_clean(full)
    whole = figure(full, "volume, hostility")
    lo, hi = values(whole["layout"]["xaxis2"]["range"])
    assert lo < -100 and hi >= 72  # the whole archive: the teaser days included
    # the late coverage (18 days on) is past the last tweet: still listed, not stretching
    late = [a["text"] for a in whole["layout"]["annotations"] if a["text"].startswith("Outside")]
    assert late and "+18 days" in late[0] and "-8 days" not in late[0]


def test_askrkelly_axis_ends_with_its_data() -> None:
    fig = figure(_open("askrkelly"), "volume, hostility")
    assert values(fig["layout"]["xaxis2"]["range"])[1] <= 72


def test_a_bin_too_fine_for_the_window_is_widened() -> None:
    at = _open("askjpm", full="true", bin="1 min")
    assert_clean(at)
    fig = figure(at, "volume, hostility")
    assert len(values(fig["data"][0]["x"])) <= 1500
    assert any("1 min bins would draw more than" in c.value for c in at.caption)


def test_axis_switch_changes_the_x_axis() -> None:
    hours = figure(_open("askjpm"), "volume, hostility")
    clock = figure(_open("askjpm", axis="Clock time (UTC)"), "volume, hostility")
    assert hours["layout"]["xaxis2"]["title"]["text"] == "Hours since launch"
    assert clock["layout"]["xaxis2"]["title"]["text"] == "Time (UTC)"


def test_stance_filter_applies_to_kpis_and_charts() -> None:
    everything = _open("askjpm")
    hostile = _open("askjpm", stance="Hostile")
    assert_clean(hostile)
    total = int(metric(everything, "Tweets").replace(",", ""))
    kept = int(metric(hostile, "Tweets").replace(",", ""))
    assert 0 < kept < total
    assert metric(hostile, "Hostile share") == "100.0%"
    assert any("Filtered:" in c.value for c in hostile.caption)


def test_keyword_and_retweet_filters() -> None:
    everything = _open("mynypd")
    no_rts = _open("mynypd", rts="false")
    nothing = _open("mynypd", q="zzqx-no-such-word")
    assert_clean(no_rts)
    assert_clean(nothing)
    total = int(metric(everything, "Tweets").replace(",", ""))
    assert 0 < int(metric(no_rts, "Tweets").replace(",", "")) < total
    assert metric(nothing, "Tweets") == "0"


def test_case_choice_survives_a_page_switch() -> None:
    at = open_page("case")
    at.selectbox(key="case").set_value("mynypd").run()
    assert at.title[0].value.replace("\\", "") == "#myNYPD"
    at.switch_page("pages/compare.py").run()
    assert_clean(at)
    at.switch_page("pages/case.py").run()
    assert at.title[0].value.replace("\\", "") == "#myNYPD"


def test_post_mortem_report_is_built_on_request() -> None:
    at = _open("askrkelly", stance="Hostile")
    at.selectbox(key="case_export_fmt").set_value("html").run()
    assert not [b for b in at.download_button if b.label.startswith("Download backfire-")]
    next(b for b in at.button if b.label == "Build it").click().run()
    assert_clean(at)
    labels = [b.label for b in at.download_button]
    assert "Download backfire-askrkelly.html" in labels


@pytest.mark.parametrize(("url", "kept"), [
    ("https://example.org/a", True), ("HTTP://example.org", True),
    ("javascript:alert(1)", False), ("data:text/html,<script>", False), ("", False),
])
def test_only_web_addresses_become_links(url: str, kept: bool) -> None:
    from ui.widgets import web_link

    assert (web_link(url) == url) is kept


@pytest.mark.parametrize("tab", TABS)
def test_an_empty_view_says_so_on_every_tab(tab: str) -> None:
    at = _open("askrkelly", tab, q="zzqx-no-such-word")
    assert_clean(at)
    assert metric(at, "Tweets") == "0"


@pytest.mark.parametrize(("keyword", "escaped"), [
    ("[x](javascript:alert(1))", r"\[x\]\(javascript:alert\(1\)\)"),
    ("![i](http://e/x.png)", r"\!\[i\]\(http://e/x\.png\)"),
])
def test_a_keyword_from_the_url_is_shown_as_text(keyword: str, escaped: str) -> None:
    at = _open("askjpm", q=keyword)
    assert_clean(at)
    filtered = [c.value for c in at.caption if "Filtered:" in c.value]
    assert filtered and escaped in filtered[0]
    assert keyword not in text_of(at)  # nowhere as live markdown


def test_exports_of_a_reconstruction_say_so(csv_downloads: dict[str, object]) -> None:
    at = _open("mynypd")
    assert_clean(at)
    fig = figure(at, "volume, hostility and sentiment")
    assert "Reconstruction" in fig["layout"]["title"]["subtitle"]["text"]
    frame = served(csv_downloads["mynypd-tweets.csv"])
    assert frame.columns[0] == "provenance" and set(frame["provenance"]) == {"reconstruction"}
    timeline_bins = next(f for name, f in csv_downloads.items() if "timeline" in name)
    assert set(timeline_bins["provenance"]) == {"reconstruction"}  # type: ignore[index]


@pytest.mark.parametrize("relation", ["Replies", "Mentions"])
def test_network_relation_switch(relation: str) -> None:
    at = _open("askjpm", "Network", net=relation)  # the URL carries the label shown
    assert_clean(at)
    fig = figure(at, f"{relation.lower()} among the")
    assert any(t.get("mode") == "markers+text" for t in fig["data"])
    assert any(relation == "Replies" and "replied to" in c.value
               or relation == "Mentions" and "mentioned" in c.value for c in at.caption)


def test_a_window_kept_from_another_case_does_not_stop_the_page() -> None:
    """Library -> #AskJPM (full range, -172 h) -> library -> #AskRKelly by its card's link:
    the kept window lies outside #AskRKelly's slider; it is dropped, not an exception."""
    at = open_page("case", {"case": case_label("askrkelly")}, state={"hours": (-172.0, 72.0)})
    assert not at.exception, [e.value for e in at.exception]
    low, high = at.slider(key="hours").value
    assert low >= -3.0 and high <= 400.0


def test_language_and_themes_render_from_the_stored_summaries(
        own_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tabs' first open in a server reads the case's summaries from disk (written by
    ``python -m analysis prepare``): a fresh data folder (no table of it in memory) whose
    summaries are stored, and computing them would fail."""
    root = own_data
    stored = pipeline.summaries(pipeline.load("askjpm"))  # read or computed, and stored
    assert list((root / "cache").glob(f"*{summary_store.SUFFIX}"))

    def computing(*args: object, **kwargs: object) -> None:
        raise AssertionError("computed on the page instead of read from the stored summaries")

    monkeypatch.setattr(themes, "fit_case", computing)
    monkeypatch.setattr(terms, "language", computing)
    at = _open("askjpm", "Themes")
    assert_clean(at)
    assert list(at.dataframe[0].value["name"]) == stored.fitted().names
    at = _open("askjpm", "Language")
    assert_clean(at)
    assert len(at.get("imgs")) >= 1 or len(at.get("image")) >= 1
    shown = figure(at, "words that set hostile")
    drawn = {str(v) for trace in shown["data"] for v in values(trace.get("y"))}
    assert drawn and drawn <= set(stored.language.distinctive["term"])


def test_timeline_caption_states_the_window_drawn() -> None:
    """The caption names the hours the chart shows: #myNYPD's tweets end before +72 h, so the
    default window is cut (the caption said '−2 h … +72 h' under a chart ending at +48 h)."""
    at = _open("mynypd")
    assert_clean(at)
    end = values(figure(at, "volume, hostility")["layout"]["xaxis2"]["range"])[1]
    assert end < 72
    caption = next(c.value for c in at.caption if c.value.startswith("Showing"))
    assert f"launch −2 h … +{end:g} h (launch −2 h … +72 h, cut to where the tweets are)" in caption
