"""Plotly figure builders: frames in, ``go.Figure`` out. Pure (no Streamlit).

Shared by the dashboard pages and the slide/HTML exports, so every figure carries its own
title and axis labels and uses the colour-blind-safe palette below. Builders take tidy
frames and the column names to plot; they never compute metrics themselves.

Tweet text never reaches a figure as markup: hover texts go through ``_plain`` which escapes
``<`` and ``>`` (Plotly renders a small HTML subset in hover labels).
"""

from __future__ import annotations

import html
import io
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analysis import labels
from analysis.metrics import kpis

# Okabe & Ito (2008): eight colours distinguishable under the common colour-vision deficiencies.
PALETTE: Final[tuple[str, ...]] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow (last: weak contrast on white)
    "#000000",
)
# Opacity of the cases behind a highlighted one on Compare's overlaid curves.
FADED_OPACITY: Final = 0.3
# Semantic colours, taken from the palette so they stay distinguishable.
HOSTILE: Final[str] = "#D55E00"
SUPPORTIVE: Final[str] = "#0072B2"
NEUTRAL: Final[str] = "#999999"
VOLUME: Final[str] = "#56B4E9"
RETWEETS: Final[str] = "#B3D9F2"  # a lighter tint of VOLUME, for stacked bars
SENTIMENT: Final[str] = "#009E73"
# Text written over a chart (event labels): dark, whatever the colour of its frame.
INK: Final[str] = "#222222"
# Event kinds of the case files (analysis.cases.EVENT_KINDS) -> who acted; each group has a
# marker colour and a legend entry, so the colours of the numbered markers are explained.
EVENT_GROUPS: Final[dict[str, tuple[str, str]]] = {
    # group -> (legend name, colour)
    "campaign": ("Event: the campaign", "#000000"),
    "backlash": ("Event: the backlash", HOSTILE),
    "brand": ("Event: the brand reacts", "#0072B2"),
    "cancellation": ("Event: cancellation", "#CC79A7"),
    "outside": ("Event: media, trends, milestones", "#E69F00"),
    "fade": ("Event: fading", "#999999"),
}
EVENT_GROUP_OF: Final[dict[str, str]] = {
    "launch": "campaign", "ask": "campaign", "teaser": "campaign",
    "hostile_wave": "backlash", "amplifier": "backlash", "spinoff": "backlash",
    "brand_response": "brand", "brand_action": "brand",
    "cancellation": "cancellation",
    "media": "outside", "trend": "outside", "milestone": "outside",
    "fade": "fade",
}
EVENT_COLOURS: Final[dict[str, str]] = {kind: EVENT_GROUPS[group][1]
                                        for kind, group in EVENT_GROUP_OF.items()}
DEFAULT_EVENT_COLOUR: Final[str] = "#666666"
DEFAULT_EVENT_GROUP: Final = "outside"
# Room above the plot: title plus a subtitle line (the provenance notice); a timeline adds
# the lines of its note of events outside the window (``OutsideNote``).
TITLE_ROOM_PX: Final = 96
# Name of the event markers' legend group (a static export lists the events beside the chart
# and leaves the markers' legend entries out).
EVENT_LEGEND_GROUP: Final = "events"
ALERT_TITLE: Final = "Alert replay: rolling hostile share after launch"
NO_ALERT_REPLAY: Final = "No alert replay: the table is not scored."


@dataclass(frozen=True)
class OutsideNote:
    """The note above a timeline listing the events outside its window (number, label, time
    from launch), wrapped. A static export lists every event beside the chart and leaves the
    note out, found by its ``name``."""

    name: str
    # Event labels are cut here (the fact sheet has them whole), and the note is wrapped at
    # about this many characters per line.
    label_chars: int
    line_chars: int
    # Room taken above the plot per line of the note, and the note's gap above the event
    # numbers, in px.
    line_px: int
    gap_px: int


OUTSIDE: Final = OutsideNote(name="outside-window-events", label_chars=48, line_chars=120,
                             line_px=15, gap_px=14)


@dataclass(frozen=True)
class EventNumbers:
    """How a timeline's event markers are numbered: the markers stand in one row, and the
    numbers of events too close to label apart share one label ("2,3"), each in its marker's
    colour, so they never overlap at any chart size. Tests and exports find the labels by
    ``name``."""

    name: str
    # the markers' height, as a share of the tallest bar (the axis reaches 1.3 of it)
    height: float
    # Events closer than this share of the x axis share a label: a digit and its marker take
    # about 16 px, 2.5 % of a 640 px plot.
    apart: float
    # a label character's share of the x axis (7-8 px of 12-14 px digits on a 420 px plot)
    char: float
    # px from a marker's centre up to its label (above the triangle)
    shift_px: int


EVENT_NUMBERS: Final = EventNumbers(name="event-numbers", height=1.08, apart=0.025, char=0.018,
                                    shift_px=7)
# The alert replay's moment labels stand in rows above the plot, in px (rows never overlap,
# whatever the chart's size): a row of 12 px text and its padding, and the gap under the rows.
MOMENT_ROW_PX: Final = 19
MOMENT_GAP_PX: Final = 2
FONT: Final[dict[str, Any]] = {"family": "DejaVu Sans, Arial, sans-serif", "size": 13}
# Hover notes longer than this are cut with an ellipsis (a hover label is not a page).
HOVER_CHARS: Final[int] = 280
# X-axis choices for timelines (columns of ``analysis.timeline.timeline``) -> axis title.
X_AXES: Final[dict[str, str]] = {
    "bin_start": "Time (UTC)",
    "hours_since_launch": "Hours since launch",
}


def _cut(text: object, limit: int) -> str:
    """Text cut to ``limit`` characters (the last one an ellipsis when cut)."""
    value = "" if text is None or text is pd.NA else str(text)
    return value[: limit - 1] + "…" if len(value) > limit else value


def _plain(text: object, limit: int = HOVER_CHARS) -> str:
    """Text safe for a Plotly label: escaped markup, cut to ``limit`` characters."""
    return html.escape(_cut(text, limit), quote=False)


# Legend below the plot area (pixels kept free under the x-axis title): long case names
# never collide with the title, and the legend reads left to right like a caption.
LEGEND_MARGIN: Final[int] = 110
# A grouped legend (one column per group) is sized by its rows: pixels per entry, and the
# room the x-axis ticks and title take above it.
LEGEND_ROW_PX: Final[int] = 20
AXIS_TITLE_PX: Final[int] = 60


def _layout(fig: go.Figure, title: str, *, height: int = 420, legend: bool = True) -> go.Figure:
    fig.update_layout(
        title={"text": _plain(title, 200), "x": 0.0, "xanchor": "left"},
        font=FONT,
        height=height + (LEGEND_MARGIN - 50 if legend else 0),
        margin={"l": 60, "r": 30, "t": 60, "b": LEGEND_MARGIN if legend else 50},
        template="plotly_white",
        colorway=list(PALETTE),
        showlegend=legend,
        legend={"orientation": "h", "yanchor": "top", "y": -0.16 * 420 / height,
                "xanchor": "left", "x": 0.0},
        hoverlabel={"align": "left"},
    )
    return fig


def empty_figure(title: str, message: str) -> go.Figure:
    """A titled figure that says why there is nothing to plot."""
    fig = go.Figure()
    fig.add_annotation(text=_plain(message), showarrow=False, x=0.5, y=0.5,
                       xref="paper", yref="paper", font={"size": 15})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, title, height=300, legend=False)


def _event_hours(events: pd.DataFrame, launch: pd.Timestamp | None) -> pd.Series:
    times = pd.to_datetime(events["time"], utc=True)
    if launch is None:
        raise ValueError("placing events in a window needs the launch time")
    return (times - launch).dt.total_seconds() / 3600.0


def _event_x(events: pd.DataFrame, x: str, launch: pd.Timestamp | None) -> pd.Series:
    if x == "hours_since_launch":
        if launch is None:
            raise ValueError("hours since launch needs the launch time")
        return _event_hours(events, launch)
    return pd.to_datetime(events["time"], utc=True)


def timeline(
    frame: pd.DataFrame,
    *,
    x: str = "bin_start",
    events: pd.DataFrame | None = None,
    launch: pd.Timestamp | None = None,
    title: str = "Volume, hostility and sentiment over time",
    bin_label: str = "bin",
    volume: str = "tweets",
    retweets: str | None = "retweets",
    hostile_share: str = "hostile_share",
    sentiment: str = "mean_compound",
    smooth: str | None = None,
    window: tuple[float, float] | None = None,
    min_tweets: int = 1,
) -> go.Figure:
    """Volume bars (originals + retweets stacked) above hostile-share and mean-sentiment lines.

    ``frame`` has one row per bin (``analysis.timeline.timeline``): an ``x`` column
    (``bin_start`` UTC timestamps or ``hours_since_launch``) and the named metric columns.
    ``events`` (columns time, kind, label, note, source_url, optionally number) become numbered
    vertical markers, coloured by who acted (legend), with a hover note and its source.
    ``window`` (hours since launch, needs ``launch``) fixes the x axis; events outside it are
    listed under the chart instead of stretching the axis. Bins with fewer than ``min_tweets``
    tweets get no share or sentiment point.
    """
    if frame.empty:
        return empty_figure(title, "No tweets in this selection.")
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.06,
                        row_heights=[0.58, 0.42], specs=[[{}], [{"secondary_y": True}]])
    xs = frame[x]
    if retweets is not None and retweets in frame:
        originals = frame[volume] - frame[retweets]
        fig.add_bar(x=xs, y=originals, name="Originals, replies, quotes", marker_color=VOLUME,
                    row=1, col=1)
        fig.add_bar(x=xs, y=frame[retweets], name="Retweets", marker_color=RETWEETS, row=1, col=1)
        fig.update_layout(barmode="stack", bargap=0.05)
    else:
        fig.add_bar(x=xs, y=frame[volume], name="Tweets", marker_color=VOLUME, row=1, col=1)
    thin = frame[volume].to_numpy(dtype=float) < min_tweets
    share = (frame[smooth] if smooth and smooth in frame else frame[hostile_share]).mask(thin)
    mood = frame[sentiment].mask(thin)
    # Few bins: markers too, so a line of two points (or one) is still visible.
    mode = "lines+markers" if len(frame) <= SHORT_SERIES else "lines"
    fig.add_scatter(x=xs, y=share, name="Hostile share", mode=mode,
                    line={"color": HOSTILE, "width": 2.5}, row=2, col=1, secondary_y=False)
    fig.add_scatter(x=xs, y=mood, name="Mean sentiment (VADER)", mode=mode,
                    line={"color": SENTIMENT, "width": 2, "dash": "dot"}, row=2, col=1,
                    secondary_y=True)
    fig.update_yaxes(title_text=f"Tweets per {bin_label}", row=1, col=1)
    fig.update_yaxes(title_text="Hostile share", tickformat=".0%", range=[0, 1.02], dtick=0.25,
                     row=2, col=1, secondary_y=False)
    fig.update_yaxes(title_text="Mean sentiment", range=[-1, 1], dtick=0.5, row=2, col=1,
                     secondary_y=True, showgrid=False, zeroline=True)
    fig.update_xaxes(title_text=X_AXES.get(x, x), row=2, col=1)
    if window is not None and launch is not None:
        fig.update_xaxes(range=_x_range(window, x, launch))
    lines = 0
    if events is not None and not events.empty:
        events = _numbered(events)
        if window is not None and launch is not None:
            hours = _event_hours(events, launch)
            inside = hours.between(window[0], window[1]).to_numpy()
            lines = _note_outside(fig, events.loc[~inside], hours.loc[~inside])
            events = events.loc[inside]
        if not events.empty:
            _add_events(fig, events, x, launch,
                        top=float(np.nanmax(frame[volume].to_numpy(float))),
                        extent=_axis_extent(frame[x], _event_x(events, x, launch), window, x,
                                            launch))
    # "normal": the event entries flow in the legend row instead of stacking as a group.
    fig = _layout(fig, title, height=560).update_layout(legend_traceorder="normal")
    if lines:  # the title (and subtitle) pinned to the top, the note under them
        fig.update_layout(margin_t=TITLE_ROOM_PX + OUTSIDE.line_px * lines,
                          title_yref="container", title_y=1.0, title_yanchor="top", title_pad_t=12)
    return fig


# Up to this many bins, the lines get markers too.
SHORT_SERIES: Final = 12


def _x_range(window: tuple[float, float], x: str, launch: pd.Timestamp) -> list[Any]:
    if x == "hours_since_launch":
        return [window[0], window[1]]
    return [launch + pd.Timedelta(hours=window[0]), launch + pd.Timedelta(hours=window[1])]


def _numbered(events: pd.DataFrame) -> pd.DataFrame:
    """Events with a ``number`` column (1 = the earliest), kept if the caller gave one."""
    if "number" in events.columns:
        return events
    ordered = events.sort_values("time", kind="stable")
    return ordered.assign(number=range(1, len(ordered) + 1))


def _note_outside(fig: go.Figure, events: pd.DataFrame, hours: pd.Series) -> int:
    """List the events outside the x axis above the chart (number, label, time from launch),
    wrapped; returns the number of lines (the caller makes room for them under the title)."""
    if events.empty:
        return 0
    items = [f"{int(row.number)} {_plain(row.label, OUTSIDE.label_chars)} ({kpis.format_offset(h)})"
             for row, h in zip(events.itertuples(), hours, strict=True)]
    lines: list[str] = []
    for item in items:
        if lines and len(lines[-1]) + len(item) + 2 <= OUTSIDE.line_chars:
            lines[-1] += "; " + item
        else:
            lines.append(item)
    fig.add_annotation(text="Outside this window: " + "<br>".join(lines), showarrow=False,
                       name=OUTSIDE.name,
                       xref="paper", yref="paper", x=0.0, y=1.0, xanchor="left",
                       yanchor="bottom", yshift=OUTSIDE.gap_px, align="left",
                       font={"size": 11, "color": "#555555"})
    return len(lines)


def _axis_extent(xs: pd.Series, event_xs: pd.Series, window: tuple[float, float] | None,
                 x: str, launch: pd.Timestamp | None) -> tuple[float, float]:
    """(start, end) of the x axis, in the units of ``_as_number``: the window's when it fixes
    the axis, else from the first to the last bin or event."""
    if window is not None and launch is not None:
        low, high = _as_number(pd.Series(_x_range(window, x, launch)))
        return float(low), float(high)
    position = np.concatenate([_as_number(xs), _as_number(event_xs)])
    return (float(position.min()), float(position.max())) if len(position) else (0.0, 0.0)


def _event_clusters(frame: pd.DataFrame, start: float, span: float) -> list[pd.DataFrame]:
    """The events in x order, in runs that share a label: an event joins the run before it
    when it is closer than ``EVENT_NUMBERS.apart`` of the axis's ``span`` to the run's last
    event, or when its number would touch the run's label (``EVENT_NUMBERS.char`` a
    character, labels centred on their run but never starting before the axis)."""
    ordered = frame.sort_values("x", kind="stable")
    position = (_as_number(ordered["x"]) - start) / span if span > 0 else np.zeros(len(ordered))
    numbers = list(ordered["number"])
    runs: list[list[int]] = []
    for i in range(len(ordered)):
        if runs:
            run = runs[-1]
            width = _label_width([numbers[j] for j in run])
            reach = max((position[run[0]] + position[run[-1]]) / 2 - width / 2, 0.0) + width
            if (position[i] - position[run[-1]] < EVENT_NUMBERS.apart
                    or position[i] - _label_width([numbers[i]]) / 2 < reach + EVENT_NUMBERS.char):
                run.append(i)
                continue
        runs.append([i])
    return [ordered.iloc[run] for run in runs]


def _label_width(numbers: Sequence[Any]) -> float:
    """A label's width as a share of the x axis: its numbers and the commas between them."""
    return (sum(len(str(int(n))) for n in numbers) + len(numbers) - 1) * EVENT_NUMBERS.char


def _middle(values: pd.Series) -> Any:
    """Halfway between the first and the last of ``values`` (numbers or timestamps)."""
    return values.iloc[0] + (values.iloc[-1] - values.iloc[0]) / 2


def _as_number(values: pd.Series) -> np.ndarray:
    """x values as floats (timestamps in nanoseconds), to measure distances along the axis."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return pd.to_datetime(values, utc=True).astype("int64").to_numpy(dtype=float)
    return values.to_numpy(dtype=float)


def _add_events(fig: go.Figure, events: pd.DataFrame, x: str, launch: pd.Timestamp | None,
                top: float, extent: tuple[float, float]) -> None:
    xs = _event_x(events, x, launch)
    groups = [EVENT_GROUP_OF.get(str(k), DEFAULT_EVENT_GROUP) for k in events["kind"]]
    colours = [EVENT_GROUPS[g][1] for g in groups]
    # One dashed line per event across both panels, set in one go (add_vline per event is
    # quadratic in plotly and took most of a rerun).
    line = {"width": 1, "dash": "dash"}
    fig.update_layout(shapes=[
        {"type": "line", "xref": xref, "yref": yref, "x0": value, "x1": value, "y0": 0, "y1": 1,
         "line": {**line, "color": colour}, "opacity": 0.7}
        for value, colour in zip(xs, colours, strict=True)
        for xref, yref in (("x", "y domain"), ("x2", "y2 domain"))
    ])
    # The markers (their numbers kept as the traces' text), then the labels (``EventNumbers``).
    frame = events.assign(x=list(xs), group=groups)
    for group, (name, colour) in EVENT_GROUPS.items():
        part = frame.loc[frame["group"] == group]
        if part.empty:
            continue
        hover = [f"<b>{int(row.number)}. {_plain(row.label, 120)}</b><br>{_plain(row.note)}"
                 f"<br>source: {_plain(row.source_url, 120)}" for row in part.itertuples()]
        fig.add_scatter(x=part["x"], y=[top * EVENT_NUMBERS.height] * len(part), mode="markers", name=name,
                        legendgroup=EVENT_LEGEND_GROUP,
                        text=[str(int(n)) for n in part["number"]],
                        marker={"symbol": "triangle-down", "size": 12, "color": colour,
                                "line": {"color": "white", "width": 1}},
                        customdata=[_plain(label, 60) for label in part["label"]],
                        hovertext=hover, hoverinfo="text", cliponaxis=False, row=1, col=1)
    start, end = extent
    span = end - start
    for cluster in _event_clusters(frame, start, span):
        # centred on its run, but kept inside the axis (not over the y axis's tick labels)
        middle = float(_as_number(pd.Series([_middle(cluster["x"])]))[0])
        half = _label_width(list(cluster["number"])) / 2 * span
        anchor = "left" if middle - half < start else "right" if middle + half > end else "center"
        fig.add_annotation(
            x={"left": cluster["x"].iloc[0], "right": cluster["x"].iloc[-1]}.get(
                anchor, _middle(cluster["x"])),
            xanchor=anchor, y=top * EVENT_NUMBERS.height, xref="x", yref="y",
            text=",".join(f'<span style="color:{EVENT_GROUPS[g][1]}">{int(n)}</span>'
                          for n, g in zip(cluster["number"], cluster["group"], strict=True)),
            showarrow=False, yanchor="bottom", yshift=EVENT_NUMBERS.shift_px,
            font={"size": 12}, bgcolor="rgba(255,255,255,0.85)", name=EVENT_NUMBERS.name)
    fig.update_yaxes(range=[0, top * 1.3], row=1, col=1)


def compare_curves(
    frames: Mapping[str, pd.DataFrame],
    *,
    y: str,
    title: str,
    y_title: str,
    x: str = "hours_since_launch",
    normalise: bool = False,
    percent: bool = False,
    groups: Mapping[str, str] | None = None,
    focus: str | None = None,
) -> go.Figure:
    """One line per case, aligned on ``x`` (hours since launch by default).

    ``normalise`` divides each curve by its own peak, so cases of different size compare.
    ``groups`` (label -> group title, e.g. "Reconstructions") groups the legend entries, so
    eight cases read as a few labelled groups; a ninth case and later get dashed lines.
    ``focus`` (a label) draws that case bold and fades the others to thin lines.
    """
    fig = go.Figure()
    titled: set[str] = set()
    for i, (label, frame) in enumerate(frames.items()):
        if frame.empty:
            continue
        ys = frame[y].astype(float)
        if normalise:
            peak = float(np.nanmax(ys.to_numpy())) if len(ys) else 0.0
            ys = ys / peak if peak > 0 else ys
        group = (groups or {}).get(label)
        extra: dict[str, object] = {}
        if group:
            extra = {"legendgroup": group}
            if group not in titled:
                extra["legendgrouptitle_text"] = _plain(group, 40)
                titled.add(group)
        faded = focus is not None and label != focus
        fig.add_scatter(x=frame[x], y=ys, mode="lines", name=_plain(label, 60),
                        opacity=FADED_OPACITY if faded else 1.0,
                        line={"color": PALETTE[i % len(PALETTE)],
                              "width": 1.2 if faded else 3.2 if focus else 2.2,
                              "dash": "solid" if i < len(PALETTE) else "dash"}, **extra)
    if not fig.data:
        return empty_figure(title, "No case selected or no tweets to compare.")
    fig.update_xaxes(title_text=X_AXES.get(x, x))
    fig.update_yaxes(title_text=y_title, tickformat=".0%" if percent or normalise else None)
    fig = _layout(fig, title)
    if groups:  # a click hides one case, not its whole group
        fig.update_layout(legend_groupclick="toggleitem")
        _legend_rows(fig, max(Counter(groups.get(label) for label in frames).values()) + 1)
    return fig


def _legend_rows(fig: go.Figure, rows: int) -> None:
    """Room under the x-axis title for a legend ``rows`` entries tall (a grouped legend
    stacks each group's entries): the figure grows, the plot area keeps its height."""
    plot_px = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
    bottom = AXIS_TITLE_PX + LEGEND_ROW_PX * rows
    fig.update_layout(height=fig.layout.margin.t + plot_px + bottom, margin_b=bottom,
                      legend_y=-AXIS_TITLE_PX / plot_px)


def sample_vs_reconstruction(volume: pd.DataFrame, *, title: str) -> go.Figure:
    """Tweets per hour since launch: the reconstruction, and the real sample's estimate
    (count / p) with its 95 % Poisson band (columns of ``sampling.volume_comparison``)."""
    if volume.empty:
        return empty_figure(title, "No tweets in either dataset.")
    fig = go.Figure()
    x = volume["hours"]
    fig.add_scatter(x=pd.concat([x, x[::-1]]), y=pd.concat([volume["high"], volume["low"][::-1]]),
                    fill="toself", fillcolor="rgba(213, 94, 0, 0.18)", line={"width": 0},
                    hoverinfo="skip", name="Real sample: 95 % interval")
    fig.add_scatter(x=x, y=volume["estimate"], mode="lines+markers", name="Real sample: estimate (count ÷ p)",
                    line={"color": HOSTILE, "width": 2}, marker={"size": 4},
                    customdata=volume["in_sample"],
                    hovertemplate="%{x:.0f} h: ≈ %{y:,.0f} (in sample: %{customdata})<extra></extra>")
    fig.add_scatter(x=x, y=volume["reconstruction"], mode="lines", name="Reconstruction (synthetic)",
                    line={"color": SUPPORTIVE, "width": 2, "dash": "dot"},
                    hovertemplate="%{x:.0f} h: %{y:,.0f}<extra></extra>")
    fig.update_xaxes(title_text=X_AXES["hours_since_launch"])
    fig.update_yaxes(title_text="Tweets per hour")
    return _layout(fig, title)


def small_multiples(
    frames: Mapping[str, pd.DataFrame],
    *,
    title: str = "Each case's timeline, hours since launch",
    x: str = "hours_since_launch",
    volume: str = "tweets",
    hostile_share: str = "hostile_share",
    columns: int = 3,
) -> go.Figure:
    """A grid with one small timeline per case: volume bars and the hostile share."""
    items = [(label, frame) for label, frame in frames.items() if not frame.empty]
    if not items:
        return empty_figure(title, "No case selected or no tweets to compare.")
    cols = min(columns, len(items))
    rows = int(np.ceil(len(items) / cols))
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[_plain(lbl, 40) for lbl, _ in items],
                        specs=[[{"secondary_y": True}] * cols] * rows,
                        horizontal_spacing=0.08, vertical_spacing=0.18)
    for i, (_, frame) in enumerate(items):
        r, c = i // cols + 1, i % cols + 1
        fig.add_bar(x=frame[x], y=frame[volume], marker_color=VOLUME, name="Tweets",
                    showlegend=i == 0, row=r, col=c)
        fig.add_scatter(x=frame[x], y=frame[hostile_share], mode="lines", name="Hostile share",
                        line={"color": HOSTILE, "width": 2}, showlegend=i == 0,
                        row=r, col=c, secondary_y=True)
        fig.update_yaxes(title_text="Tweets" if c == 1 else None, row=r, col=c)
        fig.update_yaxes(range=[0, 1.02], tickformat=".0%", dtick=0.25, showgrid=False,
                         title_text="Hostile share" if c == cols else None,
                         row=r, col=c, secondary_y=True)
        fig.update_xaxes(title_text=X_AXES.get(x, x), row=r, col=c)
    return _layout(fig, title, height=320 * rows + 80)


def bars(
    frame: pd.DataFrame,
    *,
    label: str,
    value: str,
    title: str,
    x_title: str,
    y_title: str,
    colour: str | Sequence[str] = SUPPORTIVE,
    hover: str | None = None,
    percent: bool = False,
) -> go.Figure:
    """Horizontal bars, largest on top: the shape of every ranked list (terms, accounts, tags)."""
    if frame.empty:
        return empty_figure(title, "Nothing to rank in this selection.")
    ordered = frame.iloc[::-1]
    colours = colour if isinstance(colour, str) else list(colour)[::-1]
    fig = go.Figure(go.Bar(
        x=ordered[value], y=[_plain(v, 40) for v in ordered[label]], orientation="h",
        marker_color=colours,
        hovertext=[_plain(v) for v in ordered[hover]] if hover else None,
    ))
    fig.update_xaxes(title_text=x_title, tickformat=".0%" if percent else None)
    fig.update_yaxes(title_text=y_title, automargin=True)
    return _layout(fig, title, height=max(300, 26 * len(frame) + 120), legend=False)


def distinctive_terms(
    frame: pd.DataFrame,
    *,
    term: str = "term",
    score: str = "z",
    title: str = "Distinctive terms: hostile vs supportive tweets",
    top: int = 15,
) -> go.Figure:
    """Diverging bars of log-odds z-scores: positive = typical of hostile tweets."""
    if frame.empty:
        return empty_figure(title, "Too few tweets to contrast hostile and other tweets.")
    ordered = frame.sort_values(score)
    picked = pd.concat([ordered.head(top), ordered.tail(top)]).drop_duplicates(subset=[term])
    picked = picked.sort_values(score, ascending=False)  # bars() puts the first row on top
    fig = bars(picked, label=term, value=score, title=title,
               x_title="Log-odds z-score (→ hostile, ← supportive/other)", y_title="Term",
               colour=[HOSTILE if v > 0 else SUPPORTIVE for v in picked[score]])
    fig.update_xaxes(zeroline=True)
    return fig.update_layout(height=max(360, 20 * len(picked) + 120))


def top_accounts(
    frame: pd.DataFrame,
    *,
    account: str = "author",
    count: str = "tweets",
    title: str = "Accounts that posted most",
    x_title: str = "Tweets posted",
    colour: str = SUPPORTIVE,
) -> go.Figure:
    """Ranked accounts (posted most, or amplified most: pass the matching count column)."""
    labelled = frame.assign(**{account: ["@" + str(a) for a in frame[account]]}) if len(frame) else frame
    return bars(labelled, label=account, value=count, title=title, x_title=x_title,
                y_title="Account", colour=colour)


def hashtag_cooccurrence(
    frame: pd.DataFrame,
    *,
    tag: str = "hashtag",
    count: str = "tweets",
    spinoff: str | None = "spinoff",
    title: str = "Hashtags used alongside the campaign tag",
    x_title: str = "Tweets using both tags",
) -> go.Figure:
    """Co-occurring hashtags; spin-offs of the campaign tag in the hostile colour."""
    if frame.empty:
        return empty_figure(title, "No other hashtags in this selection.")
    labelled = frame.assign(**{tag: ["#" + str(t) for t in frame[tag]]})
    colours: str | list[str] = SUPPORTIVE
    if spinoff and spinoff in frame:
        colours = [HOSTILE if bool(s) else SUPPORTIVE for s in frame[spinoff]]
    fig = bars(labelled, label=tag, value=count, title=title, x_title=x_title,
               y_title="Hashtag", colour=colours)
    if spinoff and spinoff in frame and bool(frame[spinoff].any()):
        fig.add_annotation(text="orange: spin-off of the campaign tag", showarrow=False,
                           xref="paper", yref="paper", x=1, y=1.06, xanchor="right",
                           font={"size": 11, "color": HOSTILE})
    return fig


def wordcloud_image(frequencies: Mapping[str, float], *, hostile: bool, width: int = 800,
                    height: int = 400) -> np.ndarray:
    """A word-cloud picture (RGB array) of term frequencies, in one colour-blind-safe hue."""
    from wordcloud import WordCloud  # imported lazily: it loads fonts and PIL on import

    colour = HOSTILE if hostile else SUPPORTIVE
    cloud = WordCloud(width=width, height=height, background_color="white", random_state=7,
                      prefer_horizontal=0.95, color_func=lambda *a, **k: colour,
                      collocations=False, max_words=120)
    cleaned = {str(k): float(v) for k, v in frequencies.items() if float(v) > 0}
    if not cleaned:
        return np.full((height, width, 3), 255, dtype=np.uint8)
    return np.asarray(cloud.generate_from_frequencies(cleaned).to_array())


def wordcloud_png(frequencies: Mapping[str, float], *, hostile: bool) -> bytes:
    """``wordcloud_image`` as PNG bytes: what the Language tab shows (no re-encoding per
    rerun) and what a case's summaries keep on disk."""
    from PIL import Image  # imported lazily, as wordcloud is: only when a cloud is drawn

    out = io.BytesIO()
    Image.fromarray(wordcloud_image(frequencies, hostile=hostile)).save(out, format="PNG")
    return out.getvalue()


# Hours-axis tick steps of the alert chart (round values), chosen for about 6-12 ticks.
HOUR_TICKS: Final[tuple[float, ...]] = (0.25, 0.5, 1.0, 2.0, 3.0, 6.0, 12.0, 24.0, 48.0)
MAX_HOUR_TICKS: Final = 12


def hour_tick(horizon_hours: float) -> float:
    """A round tick step (hours) giving at most ``MAX_HOUR_TICKS`` ticks over the horizon."""
    return next((t for t in HOUR_TICKS if horizon_hours / t <= MAX_HOUR_TICKS), HOUR_TICKS[-1])


def case_alert_replay(report: kpis.KpiReport, *, title: str = ALERT_TITLE) -> go.Figure:
    """The alert replay of a case's KPIs (``report.alert``), with the moment it was hijacked:
    the deep-dive's and the exports' chart."""
    replay = report.alert
    if replay is None:
        return empty_figure(title, NO_ALERT_REPLAY)
    return alert_replay(replay.series, min_share=replay.rule.min_share,
                        fired_minutes=replay.fired_minutes, reaction_hours=replay.reaction_hours,
                        reaction_label=replay.reaction_label,
                        hijack_minutes=report.values.get("time_to_hijack_minutes"), title=title)


def alert_replay(
    series: pd.DataFrame,
    *,
    min_share: float,
    fired_minutes: float | None,
    reaction_hours: float | None,
    reaction_label: str | None = None,
    hijack_minutes: float | None = None,
    title: str = ALERT_TITLE,
    max_points: int = 3000,
) -> go.Figure:
    """The alert rule's rolling hostile share per minute, its threshold, and the moments that
    matter: when the tag was hijacked, when the alert would have fired and when the brand
    actually reacted.

    ``series`` is ``analysis.alerts.AlertReplay.series`` (minute, tweets_in_window,
    hostile_share_in_window, firing); it is thinned to ``max_points`` for drawing. The share
    line is drawn above the volume bars (bars on the first y axis, at the right).
    """
    if series.empty:
        return empty_figure(title, "No tweets after launch to replay.")
    horizon = series["minute"].max()
    if reaction_hours is not None:  # show the reaction, plus a margin, not weeks of tail
        horizon = min(horizon, max(reaction_hours * 60 * 1.25, (fired_minutes or 0) * 1.5, 180))
    shown = series.loc[series["minute"] <= horizon]
    step = max(1, len(shown) // max_points)
    shown = shown.iloc[::step]
    hours = shown["minute"] / 60.0
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_bar(x=hours, y=shown["tweets_in_window"], name="Tweets in the window",
                marker_color=RETWEETS, secondary_y=False)
    fig.add_scatter(x=hours, y=shown["hostile_share_in_window"], mode="lines",
                    name="Hostile share in the window", line={"color": HOSTILE, "width": 2.5},
                    secondary_y=True)
    fig.add_hline(y=min_share, line={"color": "#000000", "dash": "dot", "width": 1},
                  secondary_y=True)
    fig.add_annotation(x=1.0, xref="x domain", y=min_share, yref="y2", xanchor="right",
                       yanchor="bottom", text=f"alert threshold {min_share:.0%}",
                       showarrow=False, font={"size": 12}, bgcolor="rgba(255,255,255,0.85)")
    moments = [
        (hijack_minutes, "#000000", "dash", f"hijacked: {kpis.format_duration(hijack_minutes)}"),
        (fired_minutes, HOSTILE, "solid", f"alert fires: {kpis.format_duration(fired_minutes)}"),
        (None if reaction_hours is None else reaction_hours * 60, SUPPORTIVE, "solid",
         f"{_plain(reaction_label or 'brand reacts', 200)}: {kpis.format_duration((reaction_hours or 0) * 60)}"),
    ]
    placed = [m for m in moments if m[0] is not None]
    for row, (minutes, colour, dash, text) in enumerate(placed):
        x = float(minutes or 0) / 60.0
        fig.add_vline(x=x, line={"color": colour, "width": 2, "dash": dash})
        # Labels stacked one per line above the plot (in px: rows never overlap, whatever the
        # chart's size), so long ones stay whole.
        fig.add_annotation(x=x, xref="x", y=1.0, yref="paper", yanchor="bottom",
                           yshift=MOMENT_GAP_PX + MOMENT_ROW_PX * (len(placed) - 1 - row),
                           text=text, showarrow=False, xanchor="left" if x < horizon / 120
                           else "right", font={"size": 12, "color": colour},
                           bgcolor="rgba(255,255,255,0.85)")
    fig.update_xaxes(title_text="Hours since launch", dtick=hour_tick(horizon / 60.0),
                     range=[0, horizon / 60.0])
    fig.update_yaxes(title_text="Hostile share", tickformat=".0%",
                     range=[0, 1.02], dtick=0.25, side="left", secondary_y=True)
    fig.update_yaxes(title_text="Tweets", showgrid=False, side="right",
                     rangemode="tozero", secondary_y=False)
    fig.update_layout(bargap=0)
    fig = _layout(fig, title, height=440)
    # Title and subtitle pinned to the top; the moment labels in rows under them.
    return fig.update_layout(margin_t=TITLE_ROOM_PX + MOMENT_ROW_PX * len(placed) + MOMENT_GAP_PX,
                             title_yref="container",
                             title_y=1.0, title_yanchor="top", title_pad_t=12)


# Upright event labels on the themes chart: their size, and the least distance between two
# of them in px of a plot as wide as a story chart's (a line of text and a gap).
THEME_LABEL_PX: Final = 10
THEME_LABEL_SEP_PX: Final = THEME_LABEL_PX * labels.LINE_EM + labels.GAP_PX


def theme_shares(
    frame: pd.DataFrame,
    *,
    names: Sequence[str],
    x: str = "hours_since_launch",
    title: str = "Themes over time",
    events: pd.DataFrame | None = None,
    launch: pd.Timestamp | None = None,
) -> go.Figure:
    """Stacked areas: each theme's share of the themed tweets per bin (``themes.shares_over_time``),
    with the case's events as labelled dashed lines."""
    if frame.empty:
        return empty_figure(title, "Too few tweets per bin to show the themes over time.")
    fig = go.Figure()
    for theme, name in enumerate(names):
        part = frame.loc[frame["theme"] == theme]
        fig.add_scatter(x=part[x], y=part["share"], mode="lines", stackgroup="themes",
                        name=_plain(name, 50), line={"width": 0.5,
                                                    "color": PALETTE[theme % len(PALETTE)]},
                        customdata=part["tweets"],
                        hovertemplate="%{y:.0%} (%{customdata:,} tweets)<extra>"
                                      + _plain(name, 50) + "</extra>")
    if events is not None and not events.empty:
        events = _numbered(events)
        xs = _event_x(events, x, launch)
        lo, hi = frame[x].min(), frame[x].max()
        last = -np.inf
        for value, kind, label, number in zip(xs, events["kind"], events["label"],
                                              events["number"], strict=True):
            if lo <= value <= hi:
                fig.add_vline(x=value, line={"color": EVENT_COLOURS.get(str(kind), DEFAULT_EVENT_COLOUR),
                                             "dash": "dash", "width": 1})
                # an upright label takes a line's height across: one too close to the last
                # label drawn would cover it, so that event keeps its line only
                at = (value - lo) / (hi - lo) * STORY_PLOT_PX[0] if hi > lo else 0.0
                if at - last < THEME_LABEL_SEP_PX:
                    continue
                last = at
                fig.add_annotation(x=value, y=1.0, yref="paper",
                                   text=f"{int(number)} " + _plain(label, 28), showarrow=False,
                                   textangle=-90, xanchor="right", yanchor="top",
                                   font={"size": THEME_LABEL_PX}, name=EVENT_LABEL_NAME)
    fig.update_xaxes(title_text=X_AXES.get(x, x))
    fig.update_yaxes(title_text="Share of themed tweets", tickformat=".0%", range=[0, 1])
    return _layout(fig, title, height=440)


def theme_stability(themes: pd.DataFrame, *, halves: float | None,
                    title: str = "How stable are the themes?") -> go.Figure:
    """One bar per theme (``themes.report``'s table): how closely it was found again when the
    themes were fitted on two random halves of the texts (matched cosine, 1 = the same), with
    the halves' mean as a dashed line."""
    known = themes.dropna(subset=["stability"])
    if known.empty:
        return empty_figure(title, "Stability not measured.")
    fig = go.Figure(go.Bar(
        x=known["stability"], y=[_plain(n, 40) for n in known["name"]], orientation="h",
        marker_color=[PALETTE[int(t) % len(PALETTE)] for t in known["theme"]],
        text=[f"{v:.2f}" for v in known["stability"]], textposition="auto",
        hovertemplate="%{y}: %{x:.2f}<extra></extra>", showlegend=False))
    if halves is not None:
        fig.add_vline(x=halves, line={"color": NEUTRAL, "dash": "dash", "width": 1.5})
    fig.update_xaxes(title_text="Stability",
                     range=[0, 1])
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, title, height=320, legend=False)


# Network drawing: edge tiers by weight (one trace each: Plotly lines share one width per trace).
EDGE_TIERS: Final[tuple[tuple[float, float, str], ...]] = (
    (0.5, 1.0, "#D0D0D0"), (2.0, 3.0, "#A0A0A0"), (3.5, float("inf"), "#707070"))


def network(
    nodes: pd.DataFrame,
    edges: pd.DataFrame,
    *,
    title: str = "Who interacted with whom",
    labelled: int = 12,
) -> go.Figure:
    """Accounts as dots (size: interactions, colour: community; star: the brand, diamond:
    a broker) and their interactions as grey lines (darker and thicker: more of them).

    ``nodes`` and ``edges`` are ``analysis.metrics.network.Network``'s frames.
    """
    if nodes.empty:
        return empty_figure(title, "No interactions of this kind in this selection.")
    pos = nodes.set_index("account")[["x", "y"]]
    fig = go.Figure()
    weights = edges["weight"].to_numpy(float) if len(edges) else np.zeros(0)
    cuts = np.quantile(weights, [0.5, 0.9]) if len(weights) else np.zeros(2)
    tier_of = np.searchsorted(cuts, weights, side="right")
    for tier, (width, _limit, colour) in enumerate(EDGE_TIERS):
        xs: list[float | None] = []
        ys: list[float | None] = []
        for row in edges.loc[tier_of == tier].itertuples(index=False):
            a, b = pos.loc[row.source], pos.loc[row.target]
            xs += [float(a.x), float(b.x), None]
            ys += [float(a.y), float(b.y), None]
        if xs:
            fig.add_scatter(x=xs, y=ys, mode="lines", hoverinfo="skip", showlegend=False,
                            line={"width": width, "color": colour})
    strength = (nodes["in_weight"] + nodes["out_weight"]).to_numpy(float)
    sizes = 8 + 30 * np.sqrt(strength / max(float(strength.max()), 1.0))
    ranked = set(nodes.sort_values(["in_weight", "account"], ascending=[False, True])
                 ["account"].head(labelled))
    show = [bool(a in ranked or b or r) for a, b, r in
            zip(nodes["account"], nodes["broker"], nodes["brand"], strict=True)]
    symbols = ["star" if b else "diamond" if r else "circle"
               for b, r in zip(nodes["brand"], nodes["broker"], strict=True)]
    colours = [PALETTE[int(c) % (len(PALETTE) - 1)] if c >= 0 else NEUTRAL for c in nodes["community"]]
    hover = [f"<b>@{_plain(r.account, 40)}</b>{' (the brand)' if r.brand else ''}"
             f"{' · broker' if r.broker else ''}<br>community {int(r.community) + 1}"
             f"<br>{int(r.out_weight):,} out · {int(r.in_weight):,} in"
             f"<br>betweenness {r.betweenness:.3f}" for r in nodes.itertuples()]
    fig.add_scatter(
        x=nodes["x"], y=nodes["y"], mode="markers+text", showlegend=False,
        text=[("@" + _plain(a, 30)) if s else "" for a, s in zip(nodes["account"], show, strict=True)],
        textposition="top center", textfont={"size": 11}, hovertext=hover, hoverinfo="text",
        marker={"size": np.where(nodes["brand"], np.maximum(sizes, 22), sizes), "color": colours,
                "symbol": symbols, "line": {"color": ["#000000" if b or r else "white" for b, r in
                                                      zip(nodes["brand"], nodes["broker"], strict=True)],
                                            "width": [2 if b or r else 1 for b, r in
                                                      zip(nodes["brand"], nodes["broker"], strict=True)]}})
    for name, symbol in (("the brand", "star"), ("broker", "diamond"), ("account", "circle")):
        fig.add_scatter(x=[None], y=[None], mode="markers", name=name,
                        marker={"symbol": symbol, "size": 12, "color": NEUTRAL,
                                "line": {"color": "#000000", "width": 1}})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x")
    return _layout(fig, title, height=620)


# Event labels written on a chart: cut to this many characters, at this size (px), laid out
# in rows so that no label covers another (``analysis.labels.in_rows``).
EVENT_LABEL_CHARS: Final = 42
EVENT_LABEL_PX: Final = 15
# The ``name`` of every event-label annotation (tests and slides find them by it).
EVENT_LABEL_NAME: Final = "event-label"
# The plot area of a story chart in the app (px, the timeline's default height, the width of
# a centred page on a 1440 px screen less the axes): labels are laid out for it.
STORY_PLOT_PX: Final = (820, 450)
# The top panel of ``timeline`` (row_heights 0.58 of the plot less its 0.06 spacing); label
# rows start under the numbered markers (the top 20% of the panel).
TOP_PANEL_SHARE: Final = 0.58 * (1 - 0.06)
LABELS_FROM: Final = 0.2


def event_label_layout(events: pd.DataFrame, *, x_range: tuple[float, float],
                       plot_px: tuple[int, int] = STORY_PLOT_PX, x: str = "hours_since_launch",
                       launch: pd.Timestamp | None = None, font_px: int = EVENT_LABEL_PX,
                       max_chars: int = EVENT_LABEL_CHARS
                       ) -> tuple[list[labels.Placed | None], float]:
    """Where each event's label goes (``None``: no room, the numbered marker stays) and the
    top panel's height in px. Labels read "number label", the number of its marker."""
    events = _numbered(events)
    lo, hi = float(x_range[0]), float(x_range[1])
    values = [float(v) for v in _event_x(events, x, launch)] if x == "hours_since_launch" else \
        [pd.Timestamp(v).value / 3.6e12 for v in _event_x(events, x, launch)]
    width, height = plot_px
    xs = [(v - lo) / (hi - lo) * width if hi > lo else 0.0 for v in values]
    # measured and cut as the reader sees them; escaped when drawn (``label_events``)
    texts = [f"{int(n)} {_cut(label, max_chars)}"
             for n, label in zip(events["number"], events["label"], strict=True)]
    panel = height * TOP_PANEL_SHARE
    tops = labels.row_tops(panel * LABELS_FROM, panel, font_px)
    return labels.in_rows(xs, texts, width_px=width, tops_px=tops, font_px=font_px), panel


def label_events(fig: go.Figure, events: pd.DataFrame, *, x_range: tuple[float, float],
                 plot_px: tuple[int, int] = STORY_PLOT_PX, x: str = "hours_since_launch",
                 launch: pd.Timestamp | None = None, font_px: int = EVENT_LABEL_PX,
                 max_chars: int = EVENT_LABEL_CHARS) -> go.Figure:
    """Write each event's label on the chart (top panel), from its dashed line, so a class
    reads them without hovering: "3 Statement: …", 3 being the event's marker. Labels never
    cover one another (``event_label_layout``); an event without room keeps its numbered
    marker only, so the caller lists every event, numbered, with the chart."""
    if events.empty:
        return fig
    events = _numbered(events)
    slots, panel = event_label_layout(events, x_range=x_range, plot_px=plot_px, x=x,
                                      launch=launch, font_px=font_px, max_chars=max_chars)
    xs = list(_event_x(events, x, launch))
    for slot, value, kind in zip(slots, xs, events["kind"], strict=True):
        if slot is None:
            continue
        fig.add_annotation(
            x=value, xref="x", y=1 - slot.box.top / panel, yref="y domain", yanchor="top",
            xanchor=slot.anchor, text=html.escape(slot.text, quote=False), showarrow=False,
            name=EVENT_LABEL_NAME,
            font={"size": font_px, "color": INK},
            bordercolor=EVENT_COLOURS.get(str(kind), DEFAULT_EVENT_COLOUR), borderwidth=1,
            bgcolor="rgba(255,255,255,0.9)", borderpad=2)
    return fig


# The Anatomy chart's plot area in the app (px: 480 px high less the margins; the width of a
# wide page less the axis and the colour bar): names are laid out for it. Its axes get this
# much room (share of the span) around the bubbles.
PATTERN_PLOT_PX: Final = (700, 370)
PATTERN_PAD: Final = 0.15
PATTERN_LABEL_PX: Final = 14


def _padded(lo: float, hi: float) -> tuple[float, float]:
    pad = (hi - lo) * PATTERN_PAD if hi > lo else max(abs(hi), 1.0) * PATTERN_PAD
    return lo - pad, hi + pad


def pattern_layout(xs: Sequence[float], ys: Sequence[float], sizes: Sequence[float],
                   names: Sequence[str], *, plot_px: tuple[int, int] = PATTERN_PLOT_PX
                   ) -> tuple[list[labels.Placed], tuple[float, float], tuple[float, float]]:
    """Where each bubble's name goes (``labels.beside_points``), with the x range and the
    log10 y range that the layout assumed (the chart sets them)."""
    x_range = _padded(min(xs), max(xs))
    logs = [float(np.log10(max(v, 1e-9))) for v in ys]
    y_range = _padded(min(logs), max(logs))
    width, height = plot_px
    points = [((x - x_range[0]) / (x_range[1] - x_range[0]) * width,
               (y_range[1] - ly) / (y_range[1] - y_range[0]) * height, size / 2)
              for x, ly, size in zip(xs, logs, sizes, strict=True)]
    return (labels.beside_points(points, list(names), width_px=width, height_px=height,
                                 font_px=PATTERN_LABEL_PX), x_range, y_range)


def pattern(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    label: str,
    size: str,
    colour: str,
    title: str,
    x_title: str,
    y_title: str,
    colour_title: str,
) -> go.Figure:
    """One bubble per case: ``x`` against ``y`` (log scale), bubble area by ``size``, colour by
    ``colour`` (a share, orange = high), each case named beside its bubble where the name
    covers neither another bubble nor another name (``pattern_layout``)."""
    known = frame.dropna(subset=[x, y])
    if known.empty:
        return empty_figure(title, "No case has both numbers.")
    sizes = known[size].fillna(0).to_numpy(float)
    scaled = 18 + 42 * np.sqrt(sizes / max(float(sizes.max()), 1.0))
    names = [_plain(v, 30) for v in known[label]]
    placed, x_range, y_range = pattern_layout(known[x].astype(float).tolist(),
                                              known[y].astype(float).tolist(),
                                              scaled.tolist(), names)
    fig = go.Figure(go.Scatter(
        x=known[x], y=known[y], mode="markers+text", text=names,
        textposition=[p.anchor for p in placed], textfont={"size": PATTERN_LABEL_PX},
        marker={"size": scaled, "color": known[colour], "colorscale": [[0, SUPPORTIVE], [1, HOSTILE]],
                "cmin": 0, "cmax": 1, "line": {"color": "#333333", "width": 1},
                "colorbar": {"title": {"text": colour_title}, "tickformat": ".0%"}},
        hovertemplate="%{text}<br>" + x_title + ": %{x:.1f}<br>" + y_title + ": %{y:,.0f}<extra></extra>",
        cliponaxis=False,
    ))
    fig.update_xaxes(title_text=x_title, range=list(x_range))
    fig.update_yaxes(title_text=y_title, type="log", range=list(y_range))
    return _layout(fig, title, height=480, legend=False)
