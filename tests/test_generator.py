"""The archive generator: deterministic bytes, real v1.1 structure, ground truth for every
non-retweet, consistent engagement, no real tweet wording, and the build-archives command."""

from __future__ import annotations

import csv
import gzip
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from bundled_archives import current_archive

from analysis.__main__ import main
from analysis.cases import HOSTILE_STANCES, STANCES, case_from_dict, load_case
from analysis.errors import CaseError
from analysis.reconstruction.generator import build_case, is_current, reconstruction_of
from analysis.schema import SNOWFLAKE_EPOCH_MS

SMALL = "askrkelly"  # the smallest bundled case: fast enough to build in every test

# Wording of real tweets quoted in ../shared/case-facts.md. Only the brand's own launch tweet
# may carry its own short quote; nothing else in an archive may reuse real wording.
REAL_QUOTES = (
    "one baton at a time",
    "hearts and minds",
    "favourite type of whale",
    "favorite type of whale",
    "can i have my house back",
    "back to the drawing board",
    "bad idea. back to",
    "snarkpocalypse",
    # the brands' own launch tweets: paraphrased in the case files, never copied
    "do you have a photo w/ a member of the nypd",
    "tweet your q early",
    "i kind of welcome the attention",
    "we really broke the numbers",
    "brouhaha",
    "did i miss #askjpm",
)
# Real handles named in case-facts: the archives must not use them (brand accounts aside).
REAL_HANDLES = {"occupywallstnyc", "reformedbroker", "kimanifilm", "vanvanmt", "caseyjaldridge",
                "ocongress", "laronroland", "lukewearechange", "socialak47", "laura_dimon"}


def _read(path: Path) -> list[dict]:
    with gzip.open(path, "rb") as f:
        return [orjson.loads(line) for line in f]


def _truth(path: Path) -> dict[str, tuple[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return {r["tweet_id"]: (r["stance"], r["hostile"]) for r in csv.DictReader(f)}


@pytest.fixture(scope="module")
def small_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("small")
    build_case(load_case(SMALL), out_dir=out)
    return out


def test_same_seed_same_bytes(small_build: Path, tmp_path: Path) -> None:
    build_case(load_case(SMALL), out_dir=tmp_path)
    for name in (f"{SMALL}.jsonl.gz", f"{SMALL}.truth.csv"):
        assert (tmp_path / name).read_bytes() == (small_build / name).read_bytes(), name
    other = tmp_path / "other"
    build_case(load_case(SMALL), out_dir=other, seed=7)
    assert (other / f"{SMALL}.jsonl.gz").read_bytes() != (small_build / f"{SMALL}.jsonl.gz").read_bytes()


def test_gzip_header_is_reproducible(small_build: Path) -> None:
    header = (small_build / f"{SMALL}.jsonl.gz").read_bytes()[:10]
    assert header[4:8] == b"\0\0\0\0", "mtime must be 0"
    assert header[3] & 0x08 == 0, "no file name in the header"


def test_truth_covers_every_non_retweet_once(small_build: Path) -> None:
    rows = _read(small_build / f"{SMALL}.jsonl.gz")
    truth = _truth(small_build / f"{SMALL}.truth.csv")
    originals = {r["id_str"] for r in rows if "retweeted_status" not in r}
    retweets = {r["id_str"] for r in rows if "retweeted_status" in r}
    assert set(truth) == originals and not set(truth) & retweets
    for stance, hostile in truth.values():
        assert stance in STANCES and hostile == str(int(stance in HOSTILE_STANCES))
    assert {s for s, _ in truth.values()} >= {"accusation", "mockery", "sarcasm", "insult",
                                              "support", "neutral", "offtopic", "spam", "brand"}


def test_v1_structure_is_real(small_build: Path) -> None:
    rows = _read(small_build / f"{SMALL}.jsonl.gz")
    by_id = {r["id_str"]: r for r in rows}
    for r in rows:
        assert r["id_str"] == str(r["id"]) and len(r["full_text"]) <= 140
        ms = (r["id"] >> 22) + SNOWFLAKE_EPOCH_MS
        stamp = r["created_at"]
        parsed = datetime.strptime(stamp, "%a %b %d %H:%M:%S +0000 %Y").replace(tzinfo=UTC)
        assert int(parsed.timestamp()) == ms // 1000, "snowflake id matches created_at"
        for tag in r["entities"]["hashtags"]:
            start, end = tag["indices"]
            assert r["full_text"][start:end] == "#" + tag["text"]
        if "retweeted_status" in r:
            src = r["retweeted_status"]
            assert src["id_str"] in by_id and "retweeted_status" not in src
            assert r["full_text"].startswith(f"RT @{src['user']['screen_name']}: ")
            assert src["id"] < r["id"]
            assert r["retweet_count"] == src["retweet_count"] and r["favorite_count"] == 0
        if r.get("is_quote_status"):
            assert r["quoted_status"]["id_str"] == r["quoted_status_id_str"] in by_id
            assert "quoted_status" not in r["quoted_status"], "one level of embedding, as in v1.1"
        if r["in_reply_to_status_id_str"]:
            target = by_id[r["in_reply_to_status_id_str"]]
            assert r["in_reply_to_screen_name"] == target["user"]["screen_name"]
            assert r["full_text"].startswith("@" + target["user"]["screen_name"])


def test_engagement_agrees_with_the_cascades(small_build: Path) -> None:
    rows = list({r["id_str"]: r for r in _read(small_build / f"{SMALL}.jsonl.gz")}.values())
    cascades = Counter(r["retweeted_status"]["id_str"] for r in rows if "retweeted_status" in r)
    for r in rows:
        if "retweeted_status" not in r:
            assert r["retweet_count"] == cascades.get(r["id_str"], 0)
    sizes = sorted(cascades.values(), reverse=True)
    assert sizes[0] >= 20 * sizes[len(sizes) // 2], "heavy-tailed cascades"


def test_the_mix_of_kinds_languages_spam_and_duplicates(small_build: Path) -> None:
    path = small_build / f"{SMALL}.jsonl.gz"
    with gzip.open(path, "rb") as f:
        lines = f.read().splitlines()
    assert len(lines) > len(set(lines)), "overlapping pages repeat a few lines"
    rows = list({r["id_str"]: r for r in (orjson.loads(x) for x in lines)}.values())
    brand = load_case(SMALL).brand_account
    kinds = Counter("rt" if "retweeted_status" in r else "quote" if r.get("is_quote_status")
                    else "reply" if r["in_reply_to_status_id_str"] else "original" for r in rows)
    assert 0.5 <= kinds["rt"] / len(rows) <= 0.6
    assert kinds["quote"] > 10 and kinds["reply"] > 100
    assert sum(r["in_reply_to_screen_name"] == brand for r in rows) > 50
    langs = Counter(r["lang"] for r in rows)
    assert langs["en"] / len(rows) > 0.95 and len(langs) >= 3
    texts = Counter((r["full_text"]) for r in rows if "retweeted_status" not in r)
    spam = [t for t, n in texts.items() if n >= 5]
    assert spam, "spam accounts post identical texts"
    spam_ids = {r["id_str"] for r in rows if r["full_text"] in spam}
    assert len(spam_ids) >= 10


@pytest.mark.slow
@pytest.mark.parametrize("case_id", ["mynypd", "askjpm", "askrkelly"])
def test_no_real_wording_and_synthetic_handles(case_id: str) -> None:
    case = load_case(case_id)
    path = current_archive(case)
    with gzip.open(path, "rb") as f:
        for line in f:
            r = orjson.loads(line)
            if "retweeted_status" in r:
                continue
            text = r["full_text"].lower()
            assert not any(q in text for q in REAL_QUOTES), r["full_text"]
            assert r["user"]["screen_name"].lower() not in REAL_HANDLES


def test_scale_writes_n_tweets(tmp_path: Path) -> None:
    result = build_case(load_case(SMALL), out_dir=tmp_path, scale=3000)
    assert result.archive.name == f"{SMALL}-3000.jsonl.gz"
    assert abs(result.tweets - 3000) <= 3000 * 0.05 + 40  # Poisson noise plus the fixed tweets


def test_command_if_missing_skips_current_archives(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["build-archives", "--case", SMALL, "--out", str(tmp_path), "--if-missing"]
    assert main(args) == 0
    assert "askrkelly:" in capsys.readouterr().out
    assert is_current(load_case(SMALL), out_dir=tmp_path)
    assert main(args + ["--json"]) == 0
    report = orjson.loads(capsys.readouterr().out)
    assert report["built"] == [] and report["up_to_date"] == [SMALL]
    (tmp_path / f"{SMALL}.truth.csv").unlink()
    assert main(args) == 0
    assert "askrkelly:" in capsys.readouterr().out


def test_command_errors_are_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["build-archives", "--case", "nosuchcase", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: unknown case 'nosuchcase'") and "Traceback" not in err


def test_a_fourth_reconstruction_builds_from_its_file(tmp_path: Path) -> None:
    data = dict(load_case(SMALL).raw)
    data["id"] = "askfourth"
    case = case_from_dict(data, source=load_case(SMALL).source)
    result = build_case(case, out_dir=tmp_path)
    assert result.archive.name == "askfourth.jsonl.gz" and result.tweets > 1000


@pytest.mark.parametrize(("key", "value", "message"), [
    ("rate", [[5, 1], [1, 2]], "'reconstruction.rate'"),
    ("retweet_share", "lots", "'reconstruction.retweet_share': expected a number, got 'lots'"),
    ("seed", True, "'reconstruction.seed': expected a number, got True"),
    ("brand_name", " ", "'reconstruction.brand_name': expected a non-empty string"),
    ("stance_mix", [{"at": 0, "rage": 1.0}], "'reconstruction.stance_mix[0]'"),
    ("brand_tweets", [{"hours": 0}], "'reconstruction.brand_tweets[0]'"),
])
def test_bad_reconstruction_tables_name_the_key(key: str, value: object, message: str) -> None:
    case = load_case(SMALL)
    data = dict(case.raw)
    data["reconstruction"] = {**case.raw["reconstruction"], key: value}
    with pytest.raises(CaseError, match=message.replace("[", r"\[").replace("]", r"\]")):
        reconstruction_of(case_from_dict(data, source=case.source))


def test_unknown_grammar_slot_is_reported(tmp_path: Path) -> None:
    case = load_case(SMALL)
    data = dict(case.raw)
    grammar = dict(case.raw["reconstruction"]["grammar"])
    grammar["templates"] = {**grammar["templates"], "mockery": ["{nosuchslot} {tag}"]}
    data["reconstruction"] = {**case.raw["reconstruction"], "grammar": grammar}
    with pytest.raises(CaseError, match=r"unknown slot \{nosuchslot\}"):
        build_case(case_from_dict(data, source=case.source), out_dir=tmp_path)
