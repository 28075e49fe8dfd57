"""The report as one self-contained HTML page: Jinja2 with autoescape, CSS inline, charts as PNG
data URIs, no external URL of any kind (it opens offline and prints)."""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from matplotlib.figure import Figure

from alertlens.reports import charts
from alertlens.reports.model import Headline, Report

CHART_DPI = 130


@dataclass(frozen=True)
class Chart:
    """A rendered chart: its PNG as a data URI, pixel size and a text alternative."""

    key: str
    uri: str
    width: int
    height: int
    alt: str


@dataclass(frozen=True)
class IndexEntry:
    """One dated report in the history index."""

    run_date: str  # YYYY-MM-DD: the folder name
    week: str
    href: str  # relative link to the HTML report
    pdf_href: str | None
    generated_at: str


def png_chart(key: str, fig: Figure, alt: str) -> Chart:
    """``fig`` rendered as a PNG data-URI chart."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=CHART_DPI, facecolor="white", metadata={"Software": None})
    data = buf.getvalue()
    width = int.from_bytes(data[16:20], "big")
    height = int.from_bytes(data[20:24], "big")
    uri = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    return Chart(key, uri, width, height, alt)


def report_charts(report: Report) -> dict[str, Chart]:
    """Every chart of ``report``, keyed by the section that shows it."""
    colors = report.team_colors
    noise, response, oncall = report.noise, report.response, report.oncall
    figures = {
        "pareto": (
            charts.noise_pareto(noise.rules, noise.noise_pages_total, colors),
            "Pareto chart of noise pages per rule with cumulative share",
        ),
        "projection": (
            charts.projection_by_team(noise.projections, colors),
            "Pages per week per team now and after the fixes",
        ),
        "spread": (
            charts.response_spread(response.ack_spread, response.resolve_spread, colors),
            "Box plots of time to acknowledge and resolve per team",
        ),
        "trend": (
            charts.response_trend(response.trend, colors),
            "Weekly median time to acknowledge and resolve per team",
        ),
        "oncall": (
            charts.oncall_load(oncall.responders),
            "Interruptions per responder by business, off and sleep hours",
        ),
        "heatmap": (
            charts.hour_of_week_heatmap(oncall.hour_of_week, timezone=oncall.timezone),
            "Heatmap of pages by weekday and hour",
        ),
    }
    return {key: png_chart(key, fig, alt) for key, (fig, alt) in figures.items()}


def duration(seconds: float | None) -> str:
    """Seconds as a short human duration: ``45 s``, ``4m 12s``, ``1h 05m``, ``2d 03h``."""
    if seconds is None or _nan(seconds):
        return "–"
    s = round(abs(seconds))
    sign = "−" if seconds < 0 else ""
    if s < 60:
        return f"{sign}{s} s"
    if s < 3600:
        return f"{sign}{s // 60}m {s % 60:02d}s"
    if s < 86400:
        return f"{sign}{s // 3600}h {s % 3600 // 60:02d}m"
    return f"{sign}{s // 86400}d {s % 86400 // 3600:02d}h"


def number(value: float | None, digits: int = 1) -> str:
    """A count with thousands separators; non-integers keep ``digits`` decimals."""
    if value is None or _nan(value):
        return "–"
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", "\u202f")
    return f"{value:,.{digits}f}".replace(",", "\u202f")


def percent(share: float | None, digits: int = 1) -> str:
    """A fraction as a percentage: ``0.423`` -> ``42.3 %``."""
    if share is None or _nan(share):
        return "–"
    return f"{share * 100:.{digits}f}\u00a0%"


def value_text(value: float | None, unit: str) -> str:
    """A headline value in its unit."""
    if unit == "seconds":
        return duration(value)
    if unit == "share":
        return percent(value)
    return number(value)


def change_text(delta: float | None, unit: str) -> str:
    """A signed change in the headline's unit (percentage points for shares)."""
    if delta is None or _nan(delta):
        return "–"
    if abs(delta) < 1e-9:
        return "±0"
    sign = "+" if delta > 0 else "−"
    if unit == "seconds":
        return sign + duration(abs(delta))
    if unit == "share":
        return f"{sign}{abs(delta) * 100:.1f}\u00a0pp"
    return sign + number(abs(delta))


def when(value: datetime | None) -> str:
    """A timestamp as ``Mon 17 Nov 14:05 UTC``."""
    return "–" if value is None else value.strftime("%a %d %b %H:%M UTC")


def short_when(value: datetime | None) -> str:
    """A timestamp as ``Mon 17 Nov 14:05`` (the table says UTC)."""
    return "–" if value is None else value.strftime("%a %d %b %H:%M")


def _nan(value: float) -> bool:
    return isinstance(value, float) and math.isnan(value)


def takeaways(report: Report) -> list[str]:
    """The few sentences a manager reads first: significant changes, the biggest fix, overload."""
    lines: list[str] = []
    for h in report.headline:
        if h.verdict is not None:
            lines.append(
                f"{h.label} {'improved' if h.verdict == 'better' else 'got worse'}: "
                f"{value_text(h.value, h.unit)} ({change_text(h.change_vs_previous, h.unit)} vs "
                f"last week, {change_text(h.change_vs_average, h.unit)} vs the 4-week average)."
            )
    if report.headline and all(h.verdict is None for h in report.headline):
        lines.append("No headline figure moved beyond normal week-to-week variation.")
    noise = report.noise
    if noise.rules and noise.noise_pages_total > 0:
        top = noise.rules[: min(3, len(noise.rules))]
        share = sum(r.noise_pages for r in top) / noise.noise_pages_total
        lines.append(
            f"{len(top)} rule{'s' if len(top) > 1 else ''} cause {percent(share, 0)} of all noise "
            f"pages; the top one is “{top[0].title or top[0].rule_key}” ({top[0].team})."
        )
    now = sum(p.pages_per_week for p in noise.projections)
    after = sum(p.projected_pages_per_week for p in noise.projections)
    if now > 0:
        lines.append(
            f"Applying the recommended fixes would cut pages from {number(now)} to "
            f"{number(after)} a week ({percent((now - after) / now, 0)} fewer)."
        )
    over = [r for r in report.oncall.responders if r.over_budget]
    if over:
        names = ", ".join(r.responder for r in over[:5]) + (" …" if len(over) > 5 else "")
        lines.append(f"{len(over)} responder(s) over the on-call budget: {names}.")
    if report.maturity is not None:
        lines.append(
            f"Maturity level {report.maturity.level} of {report.maturity.max_level}: "
            f"{report.maturity.label}."
        )
    return lines


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("alertlens.reports", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        duration=duration,
        number=number,
        percent=percent,
        value_text=value_text,
        change_text=change_text,
        when=when,
        short_when=short_when,
    )
    return env


def render_html(report: Report, *, paper: str = "a4") -> str:
    """``report`` as one self-contained HTML page."""
    return (
        _environment()
        .get_template("report.html")
        .render(
            r=report,
            charts=report_charts(report),
            takeaways=takeaways(report),
            paper=paper,
            verdict_class=_verdict_class,
        )
    )


def render_index(
    entries: Sequence[IndexEntry], *, title: str = "Weekly operational reviews"
) -> str:
    """The history page linking every dated report, newest first."""
    ordered = sorted(entries, key=lambda e: e.run_date, reverse=True)
    return _environment().get_template("index.html").render(entries=ordered, title=title)


def _verdict_class(h: Headline) -> str:
    return h.verdict or "flat"
