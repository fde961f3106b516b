"""From task results to one sample per case, the same whatever engine or order ran them.

Matches are taken in archive order (the order given on the command line), then task and
line order; the first copy of a tweet id wins (duplicate members, the 2013-12 and 2013-12-b
tars). Tweets named by a delete notice anywhere in the scanned members are removed. The
lines are written sorted by id, gzip'd without a timestamp (identical bytes for identical
results), then the ``sampling.json`` sidecar: the run's provenance and every count needed to
judge the sample (coverage per hour, the millisecond-window check, path-hour offsets).
"""

from __future__ import annotations

import gzip
import io
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

import orjson

from analysis.ingest.streamgrab import TOOL_VERSION, items
from analysis.ingest.streamgrab.archive import ArchiveIndex, describe
from analysis.ingest.streamgrab.matcher import Query, snowflake_ms, snowflake_time
from analysis.ingest.streamgrab.task import TaskResult
from analysis.store import atomic

SAMPLE_SUFFIX: Final = ".jsonl.gz"
SIDECAR_SUFFIX: Final = ".sampling.json"
# Minute members per path hour of one complete archive.
MINUTES_PER_HOUR: Final = 60
# Ids listed in sampling.json when tweets fall outside the sample's millisecond window.
MAX_LISTED_IDS: Final = 20


@dataclass(frozen=True)
class CaseSample:
    case_id: str
    lines: tuple[str, ...]
    summary: dict[str, Any]


def merge(results: Sequence[TaskResult], queries: Sequence[Query], indexes: Sequence[ArchiveIndex],
          margin_hours: float) -> dict[str, CaseSample]:
    """One sample per query, from every task's result (in any order)."""
    order = {idx.name: i for i, idx in enumerate(indexes)}
    ordered = sorted(results, key=lambda r: (order.get(r.archive, len(order)), r.hour, r.task))
    deletes = {i for r in ordered for i in r.deletes}
    return {q.case_id: _case(q, ordered, deletes, indexes, margin_hours) for q in queries}


def _case(query: Query, results: Sequence[TaskResult], deletes: set[int],
          indexes: Sequence[ArchiveIndex], margin_hours: float) -> CaseSample:
    margin = timedelta(hours=margin_hours)
    lo, hi = query.start - margin, query.end + margin
    kept: dict[int, str] = {}
    duplicates = 0
    for result in results:
        for case, tweet_id, line in result.matches:
            if case != query.case_id:
                continue
            if tweet_id in kept:
                duplicates += 1
            else:
                kept[tweet_id] = line
    deleted = sorted(i for i in kept if i in deletes)
    ids = sorted(i for i in kept if i not in deletes)
    members = [dict(m, archive=r.archive) for r in results for m in r.members
               if lo <= datetime.fromisoformat(m["path_time"]) < hi]
    summary = {
        "tool": "backfire streamgrab", "tool_version": TOOL_VERSION,
        "source": "Internet Archive, Twitter Stream Grab (the ~1 % 'spritzer' sample)",
        "collection": items.COLLECTION_URL,
        "case": query.case_id, "tags": list(query.tags),
        "window": {"start": query.start.isoformat(), "end": query.end.isoformat()},
        "margin_hours": margin_hours,
        "archives": [dict(describe(idx), item=_item(idx)) for idx in indexes],
        "members": _member_counts(members),
        "lines": sum(m["lines"] for m in members),
        "delete_notices": sum(m["deletes"] for m in members),
        "tweets": len(ids),
        "retweets": sum(1 for i in ids if '"retweeted_status":{' in kept[i]),
        "deletes_applied": len(deleted),
        "duplicates_removed": duplicates,
        "outside_window": sum(r.outside_window.get(query.case_id, 0) for r in results),
        "bad_lines": sum(r.bad_lines for r in results),
        "sampling": _sampling(ids),
        "hours": _hours(query, members, ids),
        "path_offset_hours": {str(k): v for k, v in sorted(
            Counter(m["offset_hours"] for m in members if m["offset_hours"] is not None).items())},
    }
    return CaseSample(query.case_id, tuple(kept[i] for i in ids), summary)


def _item(idx: ArchiveIndex) -> str | None:
    month = items.month_of(idx.name)
    return items.item_for(f"{month[0]}-{month[1]:02d}").item if month else None


def _member_counts(members: list[dict[str, Any]]) -> dict[str, Any]:
    failed = [{"archive": m["archive"], "name": m["name"], "reason": m["error"]}
              for m in members if m["error"]]
    return {"scanned": len(members) - len(failed), "failed": len(failed), "failures": failed,
            "bytes": sum(m["bytes"] for m in members)}


def _sampling(ids: list[int]) -> dict[str, Any]:
    """The millisecond-window check: every sampled tweet's id should decode to 657-666."""
    low, high = items.SAMPLE_MS_WINDOW
    ms = Counter(snowflake_ms(i) for i in ids)
    outside = [i for i in ids if not low <= snowflake_ms(i) <= high]
    return {"rate": items.SAMPLING_RATE, "ms_window": [low, high],
            "inside_window": len(ids) - len(outside), "outside_window": len(outside),
            "outside_ids": [str(i) for i in outside[:MAX_LISTED_IDS]],
            "consistent": not outside,
            "ms_histogram": {str(k): v for k, v in sorted(ms.items())},
            "grab_completeness_reference": items.COMPLETENESS}


def _hours(query: Query, members: list[dict[str, Any]], ids: list[int]) -> list[dict[str, Any]]:
    """Per UTC hour of the window: members found by path hour, their lines, and the tweets
    kept (by their own time). An hour with fewer than 60 members has a gap."""
    per_members: Counter[str] = Counter()
    per_lines: Counter[str] = Counter()
    for m in members:
        if m["error"] is None:
            key = m["path_time"][:13]
            per_members[key] += 1
            per_lines[key] += m["lines"]
    per_tweets = Counter(snowflake_time(i).isoformat()[:13] for i in ids)
    rows = []
    hour = query.start.replace(minute=0, second=0, microsecond=0)
    while hour < query.end:
        key = hour.isoformat()[:13]
        rows.append({"hour": hour.isoformat(), "members": per_members[key], "lines": per_lines[key],
                     "tweets": per_tweets[key], "complete": per_members[key] >= MINUTES_PER_HOUR})
        hour += timedelta(hours=1)
    return rows


def write(sample: CaseSample, out_dir: Path, run: Mapping[str, Any]) -> tuple[Path, Path]:
    """``<case>.jsonl.gz`` then ``<case>.sampling.json``, each atomically (the sidecar last:
    a sample is complete once its sidecar exists)."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, filename="") as gz:
        for line in sample.lines:
            gz.write(line.encode("utf-8") + b"\n")
    lines_path = atomic.write_bytes(out_dir / f"{sample.case_id}{SAMPLE_SUFFIX}", buffer.getvalue())
    sidecar = dict(sample.summary, run=dict(run))
    side_path = atomic.write_bytes(out_dir / f"{sample.case_id}{SIDECAR_SUFFIX}",
                                   orjson.dumps(sidecar, option=orjson.OPT_INDENT_2))
    return lines_path, side_path
