"""The Internet Archive items of the Twitter Stream Grab, as data.

Sizes and md5 digests come from the items' ``_files.xml`` (copies in travisbrown/tsg-metadata,
see ``../shared/notes/streamgrab.md`` §1.1). Months without a row here are named by the
naming scheme of their era, with size and digest unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

COLLECTION_URL: Final = "https://archive.org/details/twitterstream"
DOWNLOAD_URL: Final = "https://archive.org/download/{item}/{file}"
DETAILS_URL: Final = "https://archive.org/details/{item}"
# The grab holds about this share of what an independent 1 % collector captured
# (Sequiera & Lin, SIGIR 2017: 94.69 %). Shown beside estimates, never silently applied.
COMPLETENESS: Final = 0.9469
# A tweet is in the sample iff the millisecond part of its snowflake id lies in this window
# (Kergl et al. 2014; Pfeffer et al. 2018): 10 of 1000 milliseconds, p = 1 %.
SAMPLE_MS_WINDOW: Final = (657, 666)
SAMPLING_RATE: Final = (SAMPLE_MS_WINDOW[1] - SAMPLE_MS_WINDOW[0] + 1) / 1000


@dataclass(frozen=True)
class Item:
    """One archive.org item and its data file."""

    month: str                 # "2014-04"
    item: str
    file: str
    bytes: int | None = None
    md5: str | None = None
    note: str = ""

    @property
    def single_file(self) -> bool:
        """False for eras of daily files, where the user picks the days of the case window."""
        return self.file.endswith((".tar", ".zip", ".tar.gz"))

    @property
    def url(self) -> str:
        if not self.single_file:
            return DETAILS_URL.format(item=self.item)
        return DOWNLOAD_URL.format(item=self.item, file=self.file)

    @property
    def size_text(self) -> str:
        if self.bytes is None:
            return "size unknown"
        return f"{self.bytes / 1e9:.1f} GB"


# The months of the bundled cases, with their published sizes and digests.
KNOWN_ITEMS: Final[dict[str, Item]] = {item.month: item for item in (
    Item("2013-11", "archiveteam-twitter-stream-2013-11", "archiveteam-twitter-stream-2013-11.tar",
         46_835_353_600, "74e87922e5d5e92f9cea804c54b67290"),
    Item("2013-12", "archiveteam-twitter-stream-2013-12", "archiveteam-twitter-stream-2013-12.tar",
         48_500_142_080, "358f4c23f22957908d88dc522baef863",
         "The item's second file, -2013-12-b.tar, repeats part of this one: not needed."),
    Item("2014-04", "archiveteam-twitter-stream-2014-04", "archiveteam-twitter-stream-2014-04.tar",
         48_432_414_720, "ec94e3a399184341684a892389e935a8"),
)}
# Files of KNOWN_ITEMS that are not their item's main file but whose digest is published.
EXTRA_FILES: Final[dict[str, tuple[int, str]]] = {
    "archiveteam-twitter-stream-2013-12-b.tar": (23_823_493_120, "e295f7ec7f53f5290d20e33068fa1b30"),
}
# Naming of the monthly items by era (first month, item pattern, file pattern), latest first;
# months after mid-2017 are daily files inside a monthly item: the pattern names the item only.
ERAS: Final[tuple[tuple[str, str, str], ...]] = (
    ("2017-07", "archiveteam-twitter-stream-{month}", "(daily files, see the item)"),
    ("2013-01", "archiveteam-twitter-stream-{month}", "archiveteam-twitter-stream-{month}.tar"),
    ("2012-02", "archiveteam-twitter-{month}", "archiveteam-twitter-{month}.tar"),
    ("2011-09", "archiveteam-json-twitterstream", "(daily zips, see the item)"),
)
MONTH = re.compile(r"(20\d\d)[-_]?(0[1-9]|1[0-2])")


def item_for(month: str) -> Item:
    """The item holding a month (``YYYY-MM``): a known one, or one named by its era's scheme."""
    if month in KNOWN_ITEMS:
        return KNOWN_ITEMS[month]
    for first, item, file in ERAS:
        if month >= first:
            return Item(month, item.format(month=month), file.format(month=month))
    return Item(month, "twitterstream", "(no grab before 2011-09)")


def published_digest(file_name: str) -> tuple[int, str] | None:
    """(bytes, md5) published for a data file of the grab, when known."""
    for item in KNOWN_ITEMS.values():
        if item.file == file_name and item.bytes is not None and item.md5 is not None:
            return item.bytes, item.md5
    return EXTRA_FILES.get(file_name)


def month_of(file_name: str) -> tuple[int, int] | None:
    """(year, month) named by an archive's file name (``…-2014-04.tar``, ``…_2020_07_01.zip``)."""
    found = MONTH.search(file_name)
    return (int(found.group(1)), int(found.group(2))) if found else None
