"""Measure sentiment and hostility on labelled tweets: a thin wrapper of ``python -m analysis evaluate``.

    .venv/bin/python benchmarks/evaluate.py [--offensive DIR] [--sentiment DIR] [--davidson FILE]
                                            [--split val] [--cases ...] [--json] [--write] [--fit]

Defaults read ``../shared/benchmarks`` (TweetEval offensive and sentiment, Davidson et al.)
and every reconstruction built by ``python -m analysis build-archives``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.__main__ import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["evaluate", *sys.argv[1:]]))
