"""``python -m analysis kpis CASE``: every backfire KPI of a case or an archive."""

from __future__ import annotations

import argparse
import json
from typing import Any

from analysis import pipeline
from analysis.metrics import alerts, kpis

NAME = "kpis"
HELP = ("print every KPI of a case (id), of an archive file, or of every case (all); "
        "a readable table or --json")
ALL = pipeline.ALL


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case", metavar="CASE",
                        help=f"a case id, a case file (.toml), an archive path, or '{ALL}'")
    parser.add_argument("--json", action="store_true", help="print JSON (null KPIs explained in notes)")
    parser.add_argument("--threshold", type=float, default=None,
                        help="hostility threshold (default: the model's, chosen on validation data)")
    parser.add_argument("--alert-share", type=float, default=alerts.DEFAULT_MIN_SHARE,
                        help=f"alert rule: hostile share X (default {alerts.DEFAULT_MIN_SHARE})")
    parser.add_argument("--alert-window", type=int, default=alerts.DEFAULT_WINDOW_MINUTES,
                        help=f"alert rule: rolling window Y in minutes (default {alerts.DEFAULT_WINDOW_MINUTES})")
    parser.add_argument("--alert-min-tweets", type=int, default=alerts.DEFAULT_MIN_TWEETS,
                        help=f"alert rule: minimum tweets Z in the window (default {alerts.DEFAULT_MIN_TWEETS})")


def run(args: argparse.Namespace) -> int:
    rule = alerts.AlertRule(args.alert_share, args.alert_window, args.alert_min_tweets)
    reports = {name: report for name, report in _reports(args.case, args.threshold, rule)}
    if args.json:
        payload: Any = ({name: r.to_dict() for name, r in reports.items()} if args.case == ALL
                        else next(iter(reports.values())).to_dict())
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        return 0
    for name, report in reports.items():
        print(render(name, report))
    return 0


def _reports(target: str, threshold: float | None,
             rule: alerts.AlertRule) -> list[tuple[str, kpis.KpiReport]]:
    loaded = (pipeline.load_all(threshold=threshold) if target == ALL
              else {target: pipeline.load(target, threshold=threshold)})
    return [(one.case.id, one.kpis(rule)) for one in loaded.values()]


def render(name: str, report: kpis.KpiReport) -> str:
    """A readable KPI table: label, value, then the notes."""
    launch = "n/a" if report.launch is None else report.launch.strftime("%Y-%m-%d %H:%M UTC")
    assumed = " (assumed)" if report.launch_assumed else ""
    lines = [f"{name} — launch {launch}{assumed}"]
    width = max(len(spec.label) for spec in kpis.KPIS.values())
    for key, spec in kpis.KPIS.items():
        lines.append(f"  {spec.label:<{width}}  {kpis.format_value(key, report.values.get(key))}")
    if report.alert is not None:
        lines.append(f"  {report.alert.sentence()}")
    for key, reason in report.notes.items():
        label = kpis.KPIS[key].label if key in kpis.KPIS else key
        lines.append(f"  note: {label}: {reason}")
    return "\n".join(lines) + "\n"
