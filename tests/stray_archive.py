"""A real archive plus a few stray tweets from years earlier (the case of issue 9, item 1).

The real twarc2 search page of ../shared (100 tweets of 22 September 2021, #Brexit) gets a
second page with copies of three of its tweets dated 2010-2012 under new ids, as a collector
merging old files would produce: 3 of 103 tweets lie years before the rest.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Final

import pandas as pd

from tests.conftest import REAL_ARCHIVES

SOURCE: Final = REAL_ARCHIVES / "v2_twarc2_brexit.jsonl"
STRAY_DATES: Final = ("2010-03-01T10:00:00.000Z", "2011-06-14T12:30:00.000Z",
                      "2012-02-01T08:15:00.000Z")
# The real tweets' first minute (the launch a user would give for this archive).
LAUNCH: Final = pd.Timestamp("2021-09-22 16:25", tz="UTC")


def write(dest: Path) -> Path:
    """``dest``: the real page, then a page of three stray tweets; returns ``dest``."""
    text = SOURCE.read_text(encoding="utf-8").strip()
    page = json.loads(text.splitlines()[0])
    stray = copy.deepcopy(page)
    stray["data"] = []
    for number, date in enumerate(STRAY_DATES, start=1):
        tweet = copy.deepcopy(page["data"][number])
        tweet["created_at"] = date
        tweet["id"] = tweet["conversation_id"] = str(number)
        tweet.pop("referenced_tweets", None)
        stray["data"].append(tweet)
    stray["meta"] = {"result_count": len(stray["data"])}
    dest.write_text(text + "\n" + json.dumps(stray) + "\n", encoding="utf-8")
    return dest
