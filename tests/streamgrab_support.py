"""Tiny Stream Grab downloads built on the fly, in every real layout, with every known defect.

Synthetic text only (no real tweet's wording). ``scenario()`` returns the minute members of
an April 2014 download around the #myNYPD case window (and a second, made-up case on
#myLAPD for multi-case runs), with the ids that must come out. Layout writers put the same
members into a 2013-14 tar (``MM/DD/HH/mm.json.bz2``), a later tar (``YYYY/MM/DD/HH/mm``),
a ``.tar.gz``, a zip, ``.json.gz`` members, or a folder.
"""

from __future__ import annotations

import bz2
import dataclasses
import gzip
import io
import json
import tarfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from analysis.cases import Case, load_case

EPOCH_MS = 1288834974657
IN_SAMPLE_MS = 661  # inside the sample's 657-666 window


def snowflake(when: datetime, ms: int = IN_SAMPLE_MS, seq: int = 0) -> int:
    unix_ms = int(when.timestamp()) * 1000 + ms
    return ((unix_ms - EPOCH_MS) << 22) | (seq & 0x3FFFFF)


def created(when: datetime) -> str:
    return when.strftime("%a %b %d %H:%M:%S +0000 %Y")


_seq = iter(range(1, 1 << 20))


def tweet(when: datetime, text: str, *, tags: tuple[str, ...] = (), mentions: tuple[str, ...] = (),
          urls: tuple[str, ...] = (), retweet_of: dict[str, Any] | None = None,
          quote_of: dict[str, Any] | None = None, ms: int = IN_SAMPLE_MS, user: str = "someone",
          extended_tags: tuple[str, ...] = ()) -> dict[str, Any]:
    """A v1.1 tweet object (created_at first, as the stream writes it)."""
    tid = snowflake(when, ms, next(_seq))
    out: dict[str, Any] = {
        "created_at": created(when), "id": tid, "id_str": str(tid), "text": text,
        "source": "web", "truncated": False, "lang": "en",
        "user": {"id": 1000 + len(user), "id_str": str(1000 + len(user)), "screen_name": user,
                 "name": user.title(), "followers_count": 10, "created_at": created(when - timedelta(days=400))},
        "retweet_count": 0, "favorite_count": 0,
        "entities": {"hashtags": [{"text": t, "indices": [0, len(t) + 1]} for t in tags],
                     "user_mentions": [{"screen_name": m, "id": 7, "id_str": "7"} for m in mentions],
                     "urls": [{"url": u, "expanded_url": u} for u in urls], "symbols": []},
        "filter_level": "medium",
    }
    if retweet_of is not None:
        out["retweeted_status"] = retweet_of
    if quote_of is not None:
        out["quoted_status"] = quote_of
        out["is_quote_status"] = True
    if extended_tags:
        out["truncated"] = True
        out["extended_tweet"] = {"full_text": text, "entities": {
            "hashtags": [{"text": t, "indices": [0, 1]} for t in extended_tags]}}
    return out


def delete(tweet_id: int) -> dict[str, Any]:
    return {"delete": {"status": {"id": tweet_id, "id_str": str(tweet_id), "user_id": 5, "user_id_str": "5"}}}


def line(obj: dict[str, Any]) -> bytes:
    # ensure_ascii like the stream: a fullwidth ＃ arrives as \uff03
    return json.dumps(obj, ensure_ascii=True, separators=(",", ":")).encode()


@dataclass
class Minute:
    """One minute member: its path time and lines; ``streams`` > 1 writes a multi-stream bz2."""

    path_time: datetime
    lines: list[bytes]
    streams: int = 1
    corrupt: bool = False
    gz_ok: bool = True

    def bz2_bytes(self) -> bytes:
        body = b"\n".join(self.lines) + b"\n"
        if self.corrupt:
            return bz2.compress(body)[: len(bz2.compress(body)) // 2]
        if self.streams == 1:
            return bz2.compress(body)
        cut = len(self.lines) // 2
        return (bz2.compress(b"\n".join(self.lines[:cut]) + b"\n")
                + bz2.compress(b"\n".join(self.lines[cut:]) + b"\n"))

    def gz_bytes(self) -> bytes:
        body = b"\n".join(self.lines) + b"\n"
        data = gzip.compress(body, mtime=0)
        return data[: len(data) // 2] if self.corrupt else data


@dataclass
class Scenario:
    minutes: list[Minute]
    expected: dict[str, set[int]]
    deleted: set[int]
    excluded: dict[str, int]            # label -> id, tweets that must not come out
    ms_outside: set[int]
    extra_names: list[tuple[str, bytes]] = field(default_factory=list)  # artefacts, duplicate member


def mylapd_case() -> Case:
    """A made-up second case in the same month (the #myLAPD spin-off) for multi-case runs."""
    base = load_case("mynypd")
    return dataclasses.replace(base, id="mylapd-test", hashtag="myLAPD",
                               launch=base.launch + timedelta(hours=20), reconstruction={
                                   "window_start_hours": -24.0, "window_end_hours": 24.0})


def scenario() -> Scenario:
    """Members around #myNYPD (launch 2014-04-22 17:55:46 UTC, window -6 h … +48 h)."""
    t = datetime(2014, 4, 22, 18, 0, 5, tzinfo=UTC)
    nypd: set[int] = set()
    lapd: set[int] = set()
    excluded: dict[str, int] = {}

    own = tweet(t, "Photo time #myNYPD with the park rangers", tags=("myNYPD",))
    upper = tweet(t + timedelta(seconds=3), "Look #MyNYPD parade", tags=("MyNYPD",))
    original = tweet(t - timedelta(minutes=3), "Original post #myNYPD about a bicycle", tags=("myNYPD",),
                     ms=123, user="origin")
    rt = tweet(t + timedelta(seconds=9), "RT @origin: Original post #myN\u2026", retweet_of=original,
               user="relay")
    full = tweet(t + timedelta(seconds=20), "Fullwidth \uff03myNYPD sign", tags=("myNYPD",))
    quote = tweet(t + timedelta(seconds=30), "Quoting this one", quote_of=original, user="quoter")
    extended = tweet(t + timedelta(seconds=35), "A long one that ends in a tag", extended_tags=("mynypd",))
    nypd |= {own["id"], upper["id"], rt["id"], full["id"], quote["id"], extended["id"]}
    near_x = tweet(t + timedelta(seconds=40), "#mynypdx is another tag", tags=("mynypdx",))
    near_at = tweet(t + timedelta(seconds=41), "hello @myNYPD account", mentions=("myNYPD",))
    near_url = tweet(t + timedelta(seconds=42), "see http://example.org/mynypd page",
                     urls=("http://example.org/mynypd",))
    near_word = tweet(t + timedelta(seconds=43), "the word mynypd without a hash sign")
    excluded |= {"#mynypdx": near_x["id"], "@myNYPD": near_at["id"], "url": near_url["id"],
                 "bare word": near_word["id"], "original (not sampled itself)": original["id"]}
    doomed = tweet(t + timedelta(seconds=50), "Will be deleted #myNYPD", tags=("myNYPD",))
    first = [line(own), line(upper), line(delete(123456789)), b"", line({"scrub_geo": {"user_id": 5}}),
             line(rt), line(full), line({"some_new_message": {"x": 1}}), line(quote), line(near_x),
             line(near_at), line(near_url), line(near_word), line(doomed), line(extended)]

    t2 = datetime(2014, 4, 22, 19, 5, 1, tzinfo=UTC)
    second_stream = tweet(t2, "In the second bz2 stream #myNYPD", tags=("myNYPD",))
    odd_ms = tweet(t2 + timedelta(seconds=2), "Odd millisecond #myNYPD", tags=("myNYPD",), ms=123)
    nypd |= {second_stream["id"], odd_ms["id"]}
    multi = [line(tweet(t2, "filler one")), line(delete(doomed["id"])), line(tweet(t2, "filler two")),
             line(second_stream), line(odd_ms)]

    t3 = datetime(2014, 4, 22, 19, 59, 50, tzinfo=UTC)
    wrong_minute = tweet(t3, "Filed a minute late #myNYPD", tags=("myNYPD",))
    too_early = tweet(datetime(2014, 4, 22, 11, 0, tzinfo=UTC), "Before the window #myNYPD", tags=("myNYPD",))
    nypd.add(wrong_minute["id"])
    excluded["before the window"] = too_early["id"]

    # A path hour four hours off UTC: the tweet is matched by its own time.
    t4 = datetime(2014, 4, 22, 20, 30, 0, tzinfo=UTC)
    shifted = tweet(t4, "Path hour is local time #myNYPD", tags=("myNYPD",))
    both = tweet(t4 + timedelta(seconds=1), "Spreading #myLAPD and #myNYPD", tags=("myLAPD", "myNYPD"))
    nypd |= {shifted["id"], both["id"]}
    lapd.add(both["id"])

    t5 = datetime(2014, 4, 24, 17, 50, 0, tzinfo=UTC)
    last_in = tweet(t5, "Near the end #myNYPD", tags=("myNYPD",))
    after = tweet(datetime(2014, 4, 24, 18, 0, 0, tzinfo=UTC), "After the end #myNYPD", tags=("myNYPD",))
    lapd_only = tweet(datetime(2014, 4, 23, 14, 0, 0, tzinfo=UTC), "LA too #MYLAPD", tags=("MYLAPD",))
    nypd.add(last_in["id"])
    lapd.add(lapd_only["id"])
    excluded["after the window"] = after["id"]

    minutes = [
        Minute(datetime(2014, 4, 22, 18, 0, tzinfo=UTC), first),
        Minute(datetime(2014, 4, 22, 18, 30, tzinfo=UTC), [line(tweet(t, "lost #myNYPD", tags=("myNYPD",)))],
               corrupt=True),
        Minute(datetime(2014, 4, 22, 19, 5, tzinfo=UTC), multi, streams=2),
        Minute(datetime(2014, 4, 22, 19, 59, tzinfo=UTC), [line(tweet(t3, "filler"))]),
        Minute(datetime(2014, 4, 22, 20, 0, tzinfo=UTC), [line(wrong_minute), line(too_early)]),
        Minute(datetime(2014, 4, 23, 0, 30, tzinfo=UTC), [line(shifted), line(both)]),
        Minute(datetime(2014, 4, 23, 14, 0, tzinfo=UTC), [line(lapd_only)]),
        Minute(datetime(2014, 4, 24, 17, 50, tzinfo=UTC), [line(last_in), line(after)]),
        # far outside every window (plus margin): never read
        Minute(datetime(2014, 4, 2, 3, 4, tzinfo=UTC), [line(tweet(datetime(2014, 4, 22, 18, 1, tzinfo=UTC),
                                                                   "never read #myNYPD", tags=("myNYPD",)))]),
    ]
    return Scenario(minutes, {"mynypd": nypd, "mylapd-test": lapd}, {doomed["id"]}, excluded,
                    {odd_ms["id"]})


# --------------------------------------------------------------------------- layouts

Namer = Callable[[datetime, str], str]


def old_name(when: datetime, ext: str) -> str:
    return f"{when:%m/%d/%H/%M}.json.{ext}"


def new_name(when: datetime, ext: str) -> str:
    return f"{when:%Y/%m/%d/%H/%M}.json.{ext}"


def members(sc: Scenario, namer: Namer, ext: str = "bz2", defects: bool = True) -> list[tuple[str, bytes]]:
    """(name, bytes) of every member, with the download leftovers and a wrong-depth duplicate."""
    out = [(namer(m.path_time, ext), m.bz2_bytes() if ext == "bz2" else m.gz_bytes()) for m in sc.minutes]
    if defects:
        first = sc.minutes[0]
        out.insert(1, (f"{first.path_time:%m/%d/%H}/.09.json.bz2.J1uA1l", first.bz2_bytes()[:40]))
        out.append((".nfs000000000123456700000001", b"leftover"))
        out.append((f"{first.path_time:%d/%H/%M}.json.bz2", first.bz2_bytes()))  # wrong depth, same minute
    return out


def write_tar(path: Path, entries: list[tuple[str, bytes]], *, gz: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz" if gz else "w") as tar:
        for name, data in entries:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            tar.addfile(info, io.BytesIO(data))
    return path


def write_zip(path: Path, entries: list[tuple[str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return path


def write_folder(path: Path, entries: list[tuple[str, bytes]]) -> Path:
    for name, data in entries:
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return path


def sample_of_reconstruction(case_id: str, reconstruction: Path, work: Path, out: Path) -> Path:
    """The case's "real sample" made the way the grab made it, from the synthetic
    reconstruction: the tweets whose id's millisecond lies in 657-666, packed by minute into a
    Stream Grab tar, then extracted by the streamgrab command's engine into ``out``."""
    from analysis.ingest.streamgrab import runner
    from analysis.ingest.streamgrab.engines import Engine
    from analysis.ingest.streamgrab.matcher import parse_time, snowflake_ms

    case = load_case(case_id)
    by_minute: dict[datetime, list[bytes]] = {}
    with gzip.open(reconstruction, "rb") as handle:
        for raw in handle:
            record = json.loads(raw)
            if 657 <= snowflake_ms(int(record["id"])) <= 666:
                when = parse_time(record["created_at"])
                assert when is not None
                by_minute.setdefault(when.replace(second=0, microsecond=0), []).append(raw.rstrip(b"\n"))
    entries = [(old_name(m, "bz2"), Minute(m, lines).bz2_bytes()) for m, lines in sorted(by_minute.items())]
    tar = write_tar(work / f"archiveteam-twitter-stream-{case.launch:%Y-%m}.tar", entries)
    runner.extract([tar], [case], out, engine=Engine(workers=1))
    return tar
