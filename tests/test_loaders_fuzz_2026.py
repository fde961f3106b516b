"""A fast property test in CI: the fuzz benchmark's mutations of the real archives of the 2020s
(X web captures, edited v2 pages, Bluesky, Mastodon) always end as a table whose counts
reconcile or as a clear one-line error, never as another exception.

``benchmarks/fuzz.py`` runs the same mutations over every real file 10,000+ times."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path
from types import ModuleType

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.store.paths import PROJECT_ROOT, SHARED_DIR

FILES = ("x_web_tweet_replies.json", "v2_twarc2_edited.jsonl", "bluesky_thread_view_post.json",
         "mastodon_tag_timeline.json", "csv_twarc_csv_noflat.csv", "bluesky_post_record.json")


def _fuzz_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fuzz_benchmark", PROJECT_ROOT / "benchmarks" / "fuzz.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FUZZ = _fuzz_module()
ORIGINALS = {name: (SHARED_DIR / "real-archives" / name).read_bytes() for name in FILES}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(FILES), mutation=st.sampled_from(sorted(FUZZ.MUTATIONS)),
       seed=st.integers(0, 2**32 - 1))
def test_mutated_real_archives_load_or_fail_clearly(name: str, mutation: str, seed: int) -> None:
    data = FUZZ.MUTATIONS[mutation](ORIGINALS[name], random.Random(seed))
    kind, detail = FUZZ.outcome(data, Path(name).name)
    assert kind in ("loaded", "clear_error"), detail
