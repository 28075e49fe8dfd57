"""The report as one self-contained HTML page: Jinja2 with autoescape, CSS inline, charts as PNG
data URIs, no external URL of any kind (it opens offline and prints)."""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from matplotlib.figure import Figure

from alertlens.reports import charts
from alertlens.reports.model import Headline, IndexEntry, Report
from alertlens.reports.units import TimeUnit, time_unit

CHART_DPI = 130


@dataclass(frozen=True)
class Chart:
    """A rendered chart: its PNG as a data URI, pixel size and a text alternative."""

    key: str
    uri: str
    width: int
    height: int
    alt: str


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
    """Every chart of ``report``, keyed by the section that shows it; a section with nothing to
    draw gets no chart (it collapses to one line instead)."""
    colors = report.team_colors
    noise, response, oncall = report.noise, report.response, report.oncall
    figures: dict[str, tuple[Figure, str]] = {
        "weekly": (charts.weekly_trend(report.weekly),
                   f"Incidents, pages and noise share over the last {len(report.weekly)} weeks"),
    }
    if any(p.mtta_median is not None or p.mttr_median is not None for p in report.weekly):
        figures["response_trend"] = (charts.response_trend(report.weekly),
                                     "Weekly median time to acknowledge and to resolve")
    if noise.rules:
        total = noise.noise_pages_total if noise.measure == "pages" else noise.noise_firings_total
        figures["pareto"] = (
            charts.noise_pareto(noise.rules, total, colors, measure=noise.measure),
            f"Pareto chart of noise {noise.measure} per rule with cumulative share",
        )
    if any(p.pages_per_week > 0 for p in noise.projections):
        figures["projection"] = (charts.projection_by_team(noise.projections, colors),
                                 "Pages a week per team now and after the fixes")
    if response.ack_spread or response.resolve_spread:
        figures["spread"] = (
            charts.response_spread(response.ack_spread, response.resolve_spread, colors,
                                   weeks=response.spread_weeks),
            "Box plots of time to acknowledge and resolve per team",
        )
    if oncall.responders:
        figures["oncall"] = (charts.oncall_load(oncall.responders),
                             "Interruptions per responder by business, off and sleep hours")
    if oncall.load:
        figures["load"] = (charts.load_over_weeks(oncall.load, report.window),
                           "Interruptions per responder and week")
    if any(any(row) for row in oncall.hour_of_week):
        figures["heatmap"] = (
            charts.hour_of_week_heatmap(oncall.hour_of_week, subject=oncall.heatmap_subject,
                                        zones=oncall.heatmap_zones),
            f"Heatmap of {oncall.heatmap_subject} by weekday and hour",
        )
    return {key: png_chart(key, fig, alt) for key, (fig, alt) in figures.items()}


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


def card_unit(h: Headline) -> TimeUnit | None:
    """The one time unit of a duration card (its value, last period and average), else None."""
    return time_unit((h.value, h.previous, h.average_4w)) if h.unit == "seconds" else None


def value_text(value: float | None, unit: str, time: TimeUnit | None = None) -> str:
    """A figure in its unit; durations in ``time`` (default: the unit that suits the value)."""
    if unit == "seconds":
        return (time or time_unit([value])).of(value)
    if unit == "share":
        return percent(value)
    return number(value)


def change_text(delta: float | None, unit: str, time: TimeUnit | None = None) -> str:
    """A signed change in the figure's unit (percentage points for shares)."""
    if delta is None or _nan(delta):
        return "–"
    if abs(delta) < 1e-9:
        return "±0"
    sign = "+" if delta > 0 else "−"
    if unit == "seconds":
        return sign + (time or time_unit([delta])).of(abs(delta))
    if unit == "share":
        return f"{sign}{abs(delta) * 100:.1f}\u00a0pp"
    return sign + number(abs(delta))


def in_unit(seconds: float | None, values: Sequence[float | None]) -> str:
    """``seconds`` in the one unit of the column ``values`` it belongs to."""
    return time_unit(values).of(seconds)


def column_unit(rows: Sequence[object], *names: str) -> TimeUnit:
    """The one time unit of the columns ``names`` of ``rows``."""
    return time_unit(getattr(r, n) for r in rows for n in names)


def shorten(text: object, limit: int = 48) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis (the full text goes in a title)."""
    s = "" if text is None else str(text)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def when(value: datetime | None) -> str:
    """A timestamp as ``Mon 17 Nov 14:05 UTC``."""
    return "–" if value is None else value.strftime("%a %d %b %H:%M UTC")


def short_when(value: datetime | None) -> str:
    """A timestamp as ``Mon 17 Nov 14:05`` (the table says UTC)."""
    return "–" if value is None else value.strftime("%a %d %b %H:%M")


def stamp(value: datetime | None) -> str:
    """A timestamp with its year, as ``24 Feb 2021 19:25`` (the table says UTC)."""
    return "–" if value is None else value.strftime("%d %b %Y %H:%M")


def day(value: datetime | date | None) -> str:
    """A date as ``17 Nov 2026``."""
    return "–" if value is None else value.strftime("%d %b %Y")


def _nan(value: float) -> bool:
    return isinstance(value, float) and math.isnan(value)


def takeaways(report: Report) -> list[str]:
    """The few sentences a manager reads first: the trends the data supports, the quiet period,
    the biggest fix, overload."""
    lines: list[str] = []
    what = "week" if report.is_week else "period"
    if report.quiet:
        lines.append(f"A quiet {what}: no incident and no alert in {report.label}.")
    for h in report.headline:
        if h.verdict is not None:
            unit = card_unit(h)
            lines.append(
                f"{h.label}: {h.verdict_text} over {h.weeks} weeks "
                f"({value_text(h.value, h.unit, unit)} in {report.label}, "
                f"{value_text(h.previous, h.unit, unit)} in {report.previous_label})."
            )
    if report.headline and all(h.verdict is None for h in report.headline):
        weeks = len(report.window)
        lines.append(f"No headline figure shows a clear change over the last {weeks} "
                     f"week{'s' if weeks != 1 else ''}.")
    noise = report.noise
    total = noise.noise_pages_total if noise.measure == "pages" else noise.noise_firings_total
    if noise.rules and total > 0:
        top = noise.rules[: min(3, len(noise.rules))]
        amount = sum(r.noise_pages if noise.measure == "pages" else r.noise_firings for r in top)
        name = shorten(top[0].title or top[0].rule_key, 80)
        lines.append(
            f"{len(top)} rule{'s' if len(top) > 1 else ''} cause {percent(amount / total, 0)} of "
            f"all noise {noise.measure}; the top one is “{name}” ({top[0].team or 'no team'})."
        )
    now, after = noise.pages_per_week, noise.projected_pages_per_week
    if now and after is not None and now > 0:
        lines.append(
            f"Applying the recommended fixes would cut pages from {number(now)} to "
            f"{number(after)} a week ({percent((now - after) / now, 0)} fewer)."
        )
    at_risk = [b.responder for b in report.oncall.burnout if b.at_risk]
    if at_risk:
        names = ", ".join(at_risk[:5]) + (" …" if len(at_risk) > 5 else "")
        lines.append(f"{len(at_risk)} responder(s) at risk of burnout: {names}.")
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
        number=number,
        percent=percent,
        value_text=value_text,
        change_text=change_text,
        when=when,
        short_when=short_when,
        shorten=shorten,
        day=day,
        stamp=stamp,
    )
    return env


def render_html(report: Report, *, paper: str = "a4",
                csv_files: Mapping[str, str] | None = None) -> str:
    """``report`` as one self-contained HTML page; ``csv_files`` (table -> relative path) adds
    a download link to each exported table."""
    return (
        _environment()
        .get_template("report.html")
        .render(
            r=report,
            charts=report_charts(report),
            takeaways=takeaways(report),
            paper=paper,
            csv=csv_files or {},
            verdict_class=_verdict_class,
            card_unit=card_unit,
            column_unit=column_unit,
        )
    )


def render_index(entries: Sequence[IndexEntry], *, title: str = "Operational reviews") -> str:
    """The history page linking every review, grouped by scope in the order given."""
    groups: dict[str, list[IndexEntry]] = {}
    for entry in entries:
        groups.setdefault(entry.scope, []).append(entry)
    return _environment().get_template("index.html").render(
        entries=entries, groups=list(groups.items()), title=title)


def _verdict_class(h: Headline) -> str:
    return h.verdict or "flat"
