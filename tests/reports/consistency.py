"""What "no figure contradicts another" means for one rendered review, as checks a test runs:
every figure on the page traces to one field of the report model, the model agrees with
summary.json and with the exported CSV tables, and no section says the opposite of another."""

from __future__ import annotations

import csv
import html as htmllib
import re
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from alertlens.ingest.metrics_schema import Summary
from alertlens.reports import html as render
from alertlens.reports.model import Report
from alertlens.reports.units import time_unit

FIELD = re.compile(r'data-field="([^"]+)"[^>]*>([^<]*)<')


def page_fields(page: str) -> list[tuple[str, str]]:
    """Every (field, shown text) the page marks as a figure, in page order."""
    return [(name, htmllib.unescape(text).strip()) for name, text in FIELD.findall(page)]


def expected_fields(report: Report) -> dict[str, list[str]]:
    """The text each figure field must show, computed from the model alone."""
    out: dict[str, list[str]] = {}

    def add(name: str, text: str) -> None:
        out.setdefault(name, []).append(text)

    for h in report.headline:
        unit = render.card_unit(h)
        add(f"headline.{h.key}.value", render.value_text(h.value, h.unit, unit))
        add(f"headline.{h.key}.previous", render.value_text(h.previous, h.unit, unit))
        add(f"headline.{h.key}.average_4w", render.value_text(h.average_4w, h.unit, unit))
        add(f"headline.{h.key}.change_vs_previous",
            render.change_text(h.change_vs_previous, h.unit, unit))
        add(f"headline.{h.key}.change_vs_average",
            render.change_text(h.change_vs_average, h.unit, unit))
        add(f"headline.{h.key}.verdict_text", h.verdict_text)
        add(f"headline.{h.key}.weeks", f"{h.weeks} week{'s' if h.weeks != 1 else ''}")
        add(f"headline.{h.key}.note", h.note)
    add("incidents.count", str(len(report.incidents)))
    n = report.noise
    add("noise.rules", str(len(n.rules)))
    add("noise.rules_total", str(n.rules_total))
    add("noise.noise_share", render.percent(n.noise_share))
    add("noise.pages_per_week", render.number(n.pages_per_week))
    add("noise.projected_pages_per_week", render.number(n.projected_pages_per_week))
    add("noise.compression_ratio", render.number(n.compression_ratio, 2))
    s = report.response
    for name in ("incidents", "human_handled", "auto_resolved", "never_acknowledged"):
        add(f"response.{name}", str(getattr(s, name)))
    add("response.acknowledged_share", render.percent(s.acknowledged_share))
    add("response.escalation_rate", render.percent(s.escalation_rate))
    add("response.mtta_median", time_unit([s.mtta_median, s.mtta_p90]).of(s.mtta_median))
    add("response.mttr_median", time_unit([s.mttr_median, s.mttr_p90, s.mttr_auto_median]).of(
        s.mttr_median))
    for warning in s.warnings:
        add("response.warning", warning)
    for row in report.recurrences[:12]:
        add("recurrence.last_seen", render.stamp(row.last_seen))
    if report.maturity is not None:
        add("maturity.level", str(report.maturity.level))
    return out


def assert_figures_trace_to_fields(report: Report, page: str) -> int:
    """Every marked figure shows exactly its model field; returns how many were checked."""
    expected = expected_fields(report)
    seen: dict[str, int] = {}
    checked = 0
    for name, text in page_fields(page):
        if name in ("label", "weeks_counted", "burnout.at_risk"):
            continue
        assert name in expected, f"figure {name!r} on the page traces to no model field"
        i = seen.get(name, 0)
        seen[name] = i + 1
        candidates = expected[name]
        wanted = candidates[i] if name.startswith(("recurrence.", "response.warning")) else None
        if wanted is not None:
            assert text == wanted, (name, text, wanted)
        else:
            assert text in candidates, (name, text, candidates)
        checked += 1
    return checked


def assert_agrees_with_summary(report: Report, summary: Mapping[str, Any]) -> None:
    """The organisation's default review and summary.json tell the same story."""
    assert report.label == summary[Summary.review_week]
    assert report.weeks_counted == summary[Summary.weeks]
    assert report.first_week == summary[Summary.first_week]
    assert list(report.window) == summary[Summary.trend_weeks]
    for h in report.headline:
        trend = summary[Summary.trends][h.key]
        assert h.verdict_text == trend["verdict"], h.key
        assert h.weeks == trend["n"], h.key
        assert h.value == summary[Summary.headlines][h.key]["this_week"], h.key
        assert h.previous == summary[Summary.headlines][h.key]["previous_week"], h.key
    assert len(report.noise.rules) == summary[Summary.noisy_rules]
    assert report.noise.rules_total == summary[Summary.rules]
    assert report.noise.noise_share == summary[Summary.noise_share]
    assert report.noise.pages_per_week == summary[Summary.pages_per_week]
    assert report.noise.projected_pages_per_week == summary[
        Summary.projected_pages_per_week_after_fixes]


def assert_agrees_with_tables(report: Report, folder: Path) -> None:
    """The CSV files hold the rows the page summarises."""
    tables = folder / "tables"

    def rows(name: str) -> list[dict[str, str]]:
        path = tables / f"{name}.csv"
        if not path.is_file():
            return []
        with path.open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    assert len(rows("incidents")) == len(report.incidents)
    assert len(rows("noisy_rules")) == len(report.noise.rules)
    assert len(rows("recurrence")) == len(report.recurrences)
    weekly = rows("weekly")
    assert [r["week"] for r in weekly] == list(report.window)
    headline = {r["key"]: r for r in rows("headline")}
    for h in report.headline:
        shown = headline[h.key]["value"]
        assert (shown == "" if h.value is None else float(shown) == h.value), h.key
    if report.is_week and weekly:
        last = weekly[-1]
        cards = {h.key: h for h in report.headline}
        assert float(last["incidents"]) == cards["incidents"].value == len(report.incidents)


def assert_no_section_contradicts_another(report: Report, page: str,
                                          fix_quiet: timedelta = timedelta(days=14)) -> None:
    """The quiet note, the noise lead and chart, the verdicts and the recurrence statuses."""
    cards = {h.key: h for h in report.headline}
    if report.is_week:
        assert report.quiet == (cards["incidents"].value == 0 and not report.incidents
                                and "A quiet week" in " ".join(report.notes))
    if report.noise.rules:
        assert "No noise" not in page and "Pareto chart of noise" in page
    else:
        assert "Pareto chart" not in page
    for h in report.headline:
        if h.verdict is not None:
            assert h.weeks >= report.min_weeks and h.verdict_text.startswith("getting")
        if h.verdict_text == "not enough data":
            assert h.weeks < report.min_weeks and h.verdict is None
    end = report.end + timedelta(days=1)
    for row in report.recurrences:
        if row.status == "held":
            assert row.fix_at is not None and row.last_seen <= row.fix_at
            assert row.last_seen.date() < end - fix_quiet, row.key  # nothing fired lately
        if row.fix_at is None:
            assert row.status == "no fix recorded"
    for line in render.takeaways(report):
        assert "improved: 0" not in line and "p=" not in line


def assert_consistent(report: Report, page: str, folder: Path,
                      summary: Mapping[str, Any] | None) -> int:
    """Every check above; returns the number of figures traced."""
    checked = assert_figures_trace_to_fields(report, page)
    if summary is not None:
        assert_agrees_with_summary(report, summary)
    assert_agrees_with_tables(report, folder)
    assert_no_section_contradicts_another(report, page)
    return checked
