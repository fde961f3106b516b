"""URL state: the query-parameter names every page shares, so a link reproduces the view.

Widgets bind to these keys with ``bind="query-params"`` (the key *is* the URL parameter) and
``persist_state="session"`` (the value survives a page switch within the session).
"""

from __future__ import annotations

from typing import Any, Final

# The shared keys. Short, because they end up in links people paste into chats.
CASE: Final = "case"          # deep-dive: the case shown
CASES: Final = "cases"        # compare: the cases side by side
AXIS: Final = "axis"          # timeline x axis: clock time or hours since launch
BIN: Final = "bin"            # timeline bin size
RETWEETS: Final = "rts"       # retweets in or out
WINDOW: Final = "hours"       # time window, hours since launch
KEYWORD: Final = "q"          # keyword filter
LANGS: Final = "lang"         # language filter
STANCE: Final = "stance"      # stance filter
PLATFORM: Final = "platform"  # platform filter (cases that mix X, Bluesky, Mastodon, …)
NORMALISE: Final = "norm"     # compare: normalise volume to each case's peak
DATASET: Final = "dataset"    # deep-dive: reconstruction, real 1 % sample, or both side by side
FULL: Final = "full"          # timeline and time slider: the whole archive, not the window
RELATION: Final = "net"       # deep-dive network: retweet, reply or mention
SORT: Final = "sort"          # library: order of the case cards
FOCUS: Final = "focus"        # compare: the case brought forward, the others faded
CHAPTER: Final = "chapter"    # story: the chapter shown
GRID: Final = "grid"          # compare: the small multiples' expander is open

BOUND: Final[dict[str, Any]] = {"bind": "query-params", "persist_state": "session"}

# Bin sizes offered by the timeline: label (shown, and written in the URL) -> the key of
# ``analysis.timeline.BIN_SIZES``; "Auto" lets ``analysis.metrics.span`` choose from the span.
AUTO_BIN: Final = "Auto"
BIN_SIZES: Final[dict[str, str | None]] = {
    AUTO_BIN: None,
    "1 min": "1min",
    "5 min": "5min",
    "15 min": "15min",
    "30 min": "30min",
    "1 hour": "1h",
    "3 hours": "3h",
    "6 hours": "6h",
    "12 hours": "12h",
    "1 day": "1D",
    "1 week": "7D",
    "30 days": "30D",
}
DEFAULT_BIN: Final = AUTO_BIN
AXES: Final[dict[str, str]] = {"Hours since launch": "hours_since_launch",
                               "Clock time (UTC)": "bin_start"}
