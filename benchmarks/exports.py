"""How long each export takes, for one case and for the comparison of the bundled cases.

    .venv/bin/python benchmarks/exports.py [--cases mynypd askjpm askrkelly] [--out benchmarks/out]

Scored tables come from the cache (scored once before timing starts). Prints one line per
export: seconds (wall clock) and output size. The first chart image also starts Chromium
(kaleido), so it is timed separately ("chromium start").
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis import pipeline  # noqa: E402
from analysis.exports import FORMATS, content, images  # noqa: E402

ROOT = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=["mynypd", "askjpm", "askrkelly"])
    parser.add_argument("--out", type=Path, default=ROOT / "out")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    items = {case: pipeline.load(case) for case in args.cases}
    print(f"load scored tables (cache): {time.perf_counter() - started:.1f} s "
          f"({', '.join(f'{k} {len(v.table):,} tweets' for k, v in items.items())})")
    started = time.perf_counter()
    import plotly.graph_objects as go

    images.figure_png(go.Figure(go.Scatter(x=[0, 1], y=[0, 1])), width=200, height=100)
    print(f"chromium start (first kaleido image): {time.perf_counter() - started:.1f} s")
    runs = {args.cases[0]: [items[args.cases[0]]]}
    if len(args.cases) > 1:
        runs["+".join(args.cases)] = list(items.values())
    for name, selected in runs.items():
        started = time.perf_counter()
        content.build(selected)
        print(f"{name}: content model {time.perf_counter() - started:.1f} s")
        for key, fmt in FORMATS.items():
            started = time.perf_counter()
            data = fmt.render(selected, None)
            elapsed = time.perf_counter() - started
            (args.out / fmt.file_name(f"export-{name}")).write_bytes(data)
            print(f"{name}: {key:<4} {elapsed:6.1f} s  {len(data) / 1e6:6.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
