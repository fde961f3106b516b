"""The deep-dive's tabs, as a table: the label (also the URL's ``tab`` value) and the function
that draws the tab. Adding a tab is one entry here plus its section and its AppTest."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from analysis.cases import Case
from ui import sections
from ui.data import View


@dataclass(frozen=True)
class Tab:
    """A deep-dive tab: ``render(case, view)`` draws it (only when it is the open tab)."""

    label: str
    render: Callable[[Case, View], None]


TABS: Final[tuple[Tab, ...]] = (
    Tab("Timeline", sections.timeline),
    Tab("Hostile posts", sections.hostile_posts),
    Tab("Language", sections.language),
    Tab("Themes", sections.themes),
    Tab("People & tags", sections.people),
    Tab("Network", sections.interaction_network),
    Tab("Alert replay", sections.alert_replay),
    Tab("Tweets", sections.browse),
    Tab("Fact sheet", sections.fact_sheet),
)
