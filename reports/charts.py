"""The report's charts: each function takes model values and returns a matplotlib Figure.

Object-oriented API only (``Figure`` directly, never pyplot state), so charts can be built in
threads and tests. Text that comes from input data goes through ``plain`` so a ``$`` in an
alert title is drawn as a dollar sign, not parsed as mathtext.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from alertlens.reports.model import (
    LoadPoint,
    NoisyRuleRow,
    ProjectionRow,
    ResponderRow,
    SpreadRow,
    WeekPoint,
)
from alertlens.reports.units import TimeUnit, time_unit

#: Okabe-Ito: distinguishable for colour-blind readers and in greyscale print; then tab10.
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
)
OTHER_COLOR = "#9a9a9a"
#: Business, off and sleep hours.
HOURS_COLORS: tuple[str, str, str] = ("#56B4E9", "#E69F00", "#5b3a8c")
WIDTH_IN = 7.2  # fits an A4/letter text column at 100 %
DAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def team_colors(teams: Iterable[str]) -> dict[str, str]:
    """One colour per team, stable for a given set of teams (sorted, then the palette in order)."""
    names = sorted({t for t in teams if t})
    return {t: PALETTE[i % len(PALETTE)] for i, t in enumerate(names)}


def plain(text: object, limit: int = 60) -> str:
    """``text`` as a literal chart label: dollars escaped from mathtext, shortened to ``limit``."""
    s = "" if text is None else str(text)
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    return s.replace("\\", "\\\\").replace("$", r"\$")


def _figure(height: float) -> Figure:
    fig = Figure(figsize=(WIDTH_IN, height), layout="constrained", dpi=100)
    fig.set_facecolor("white")
    return fig


def _style(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)


def _empty(fig: Figure, title: str, message: str) -> Figure:
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_title(plain(title, 200), loc="left", fontsize=11)
    ax.text(0.5, 0.5, plain(message, 200), ha="center", va="center", color="#666666")
    return fig


def _log_if_wide(ax: Axes, values: Sequence[float], axis: str = "x") -> None:
    """Log scale when the spread of durations is wide; plain numbers on the axis either way."""
    positive = [v for v in values if v == v and v > 0]
    if positive and max(positive) / min(positive) > 50:
        (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
        fmt = FuncFormatter(lambda v, _: f"{v:g}")
        (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(fmt)


#: Most bars or boxes a chart draws; the tables list the rest.
MAX_ROWS = 15


def _responder_total(r: ResponderRow) -> int:
    return r.business_hours + r.off_hours + r.sleep_hours


def noise_pareto(
    rules: Sequence[NoisyRuleRow], total: int, colors: Mapping[str, str], *,
    measure: str = "pages", top: int = MAX_ROWS,
) -> Figure:
    """Horizontal Pareto of the noisiest rules: noise pages (or, when nothing paged, noise
    firings) per rule and the cumulative share."""
    def amount(r: NoisyRuleRow) -> int:
        return r.noise_pages if measure == "pages" else r.noise_firings

    shown = sorted(rules, key=amount, reverse=True)[:top]
    shown = [r for r in shown if amount(r) > 0]
    fig = _figure(1.2 + 0.32 * max(len(shown), 3))
    title = f"Noise Pareto: which few rules make most of the noise {measure}"
    if not shown or total <= 0:
        return _empty(fig, title, f"No noise {measure} in the counted weeks.")
    ax = fig.add_subplot()
    ys = list(range(len(shown)))
    labels = [f"{i + 1}. {plain(r.name or r.title or r.rule_key, 48)}" for i, r in enumerate(shown)]
    ax.barh(ys, [amount(r) for r in shown], color=[colors.get(r.team, OTHER_COLOR) for r in shown])
    ax.set_yticks(ys, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(f"Noise {measure} (count, counted weeks)")
    fig.suptitle(plain(title, 200), x=0.01, ha="left", fontsize=11)
    _style(ax)
    cum = ax.twiny()
    running, shares = 0, []
    for r in shown:
        running += amount(r)
        shares.append(running / total)
    cum.plot(shares, ys, color="#333333", marker="o", markersize=3, linewidth=1.2)
    cum.axvline(0.8, color="#999999", linestyle=":", linewidth=1)
    cum.set_xlim(0, 1.02)
    cum.xaxis.set_major_formatter(PercentFormatter(1.0))
    cum.set_xlabel(f"Cumulative share of all noise {measure} (line, %)", fontsize=8)
    cum.tick_params(labelsize=8)
    teams = sorted({r.team for r in shown})
    handles = [Patch(color=colors.get(t, OTHER_COLOR), label=plain(t, 30)) for t in teams]
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 6),
               fontsize=8, title="Team", title_fontsize=8, frameon=False)
    return fig


def projection_by_team(projections: Sequence[ProjectionRow], colors: Mapping[str, str], *,
                       top: int = MAX_ROWS) -> Figure:
    """Pages a week per team now and projected after the recommended fixes."""
    rows = sorted(projections, key=lambda p: p.pages_per_week, reverse=True)[:top]
    rows = [p for p in rows if p.pages_per_week > 0]
    fig = _figure(1.3 + 0.45 * max(len(rows), 2))
    title = "What-if: pages a week now and after the fixes"
    if not rows:
        return _empty(fig, title, "No pages in the counted weeks.")
    ax = fig.add_subplot()
    ys = list(range(len(rows)))
    now = [p.pages_per_week for p in rows]
    after = [p.projected_pages_per_week for p in rows]
    cols = [colors.get(p.team, OTHER_COLOR) for p in rows]
    ax.barh([y - 0.2 for y in ys], now, height=0.38, color=cols, label="now")
    ax.barh([y + 0.2 for y in ys], after, height=0.38, color="white", edgecolor=cols,
            hatch="///", label="after fixes")
    for y, a, b in zip(ys, now, after, strict=True):
        ax.text(a, y - 0.2, f" {a:.1f}", va="center", fontsize=8)
        ax.text(b, y + 0.2, f" {b:.1f}", va="center", fontsize=8)
    ax.set_yticks(ys, [plain(p.team, 30) for p in rows], fontsize=9)
    ax.invert_yaxis()
    ax.set_xlabel("Pages a week (count)")
    ax.set_title(plain(title, 200), loc="left", fontsize=11)
    ax.legend(fontsize=8, loc="lower right")
    _style(ax)
    return fig


def response_spread(ack: Sequence[SpreadRow], resolve: Sequence[SpreadRow],
                    colors: Mapping[str, str], *, weeks: Sequence[str] = (),
                    top: int = MAX_ROWS) -> Figure:
    """Box plots per team of time to acknowledge and to resolve (box p25–p75, whiskers
    p10–p90), pooled over ``weeks``; each panel in one time unit."""
    counts: dict[str, int] = {}
    for s in (*ack, *resolve):
        counts[s.group] = counts.get(s.group, 0) + s.n
    groups = sorted(sorted(counts, key=lambda g: -counts[g])[:top])
    fig = _figure(1.5 + 0.4 * max(len(groups), 2))
    pooled = f"{weeks[0]} to {weeks[-1]}, {len(weeks)} weeks pooled" if weeks else "pooled"
    title = f"Response time spread by team ({pooled}; box p25–p75, whiskers p10–p90)"
    if not groups:
        return _empty(fig, title, "No acknowledged or resolved incidents in these weeks.")
    axes = fig.subplots(1, 2, sharey=True)
    for ax, spreads, name in ((axes[0], ack, "Time to acknowledge"),
                              (axes[1], resolve, "Time to resolve (auto-resolved aside)")):
        by_group = {s.group: s for s in spreads}
        shown = [by_group[g] for g in groups if g in by_group and by_group[g].n]
        unit = time_unit([s.p90 for s in shown])
        stats: list[dict[str, Any]] = [{"label": plain(s.group, 30), "med": unit.number(s.p50),
                  "q1": unit.number(s.p25), "q3": unit.number(s.p75),
                  "whislo": unit.number(s.p10), "whishi": unit.number(s.p90), "fliers": []}
                 for s in shown]
        if stats:
            parts = ax.bxp(stats, positions=[groups.index(s.group) for s in shown],
                           orientation="horizontal", patch_artist=True, showfliers=False,
                           widths=0.6)
            for box, s in zip(parts["boxes"], shown, strict=True):
                box.set_facecolor(colors.get(s.group, OTHER_COLOR))
                box.set_alpha(0.75)
            for med in parts["medians"]:
                med.set_color("black")
            _log_if_wide(ax, [v for st in stats for v in (st["whislo"], st["whishi"])])
        ax.set_yticks(range(len(groups)), [plain(g, 30) for g in groups], fontsize=9)
        ax.set_xlabel(f"{name} ({unit.name})")
        ax.set_title(name, fontsize=10)
        _style(ax)
    axes[0].invert_yaxis()
    fig.suptitle(plain(title, 200), x=0.01, ha="left", fontsize=10)
    return fig


def weekly_trend(points: Sequence[WeekPoint]) -> Figure:
    """The trend window week by week: incidents and pages (counts), and the noise share."""
    fig = _figure(3.0)
    title = f"The last {len(points)} weeks: incidents, pages and noise"
    if not points:
        return _empty(fig, title, "No weekly history yet.")
    axes = fig.subplots(1, 2)
    xs = [p.week_start for p in points]
    counts = axes[0]
    # Pages dashed and drawn first: where they equal the incidents both lines stay visible.
    for attr, name, color, marker, style in (("pages", "pages", PALETTE[1], "s", "--"),
                                             ("incidents", "incidents", PALETTE[0], "o", "-")):
        ys = [_nan(getattr(p, attr)) for p in points]
        if any(y == y for y in ys):
            counts.plot(xs, ys, marker=marker, markersize=3, linewidth=1.4, color=color,
                        linestyle=style, label=name)
    counts.set_ylabel("Count a week", fontsize=9)
    counts.set_title("Incidents and pages", fontsize=10)
    counts.yaxis.set_major_locator(MaxNLocator(integer=True))
    counts.legend(fontsize=8)
    share = axes[1]
    ys = [_nan(p.noise_share) for p in points]
    share.plot(xs, ys, marker="o", markersize=3, linewidth=1.4, color=PALETTE[5])
    share.set_ylim(0, 1.02)
    share.yaxis.set_major_formatter(PercentFormatter(1.0))
    share.set_ylabel("Share of alert firings (%)", fontsize=9)
    share.set_title("Noise share" + ("" if any(y == y for y in ys) else " (no alerts)"),
                    fontsize=10)
    for ax in axes:
        ax.set_xlabel("Week starting", fontsize=9)
        ax.tick_params(axis="x", labelsize=7, rotation=45)
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    fig.suptitle(plain(title, 200), x=0.01, ha="left", fontsize=11)
    return fig


def response_trend(points: Sequence[WeekPoint]) -> Figure:
    """The weekly median time to acknowledge and to resolve (auto-resolved incidents aside),
    each in one unit."""
    fig = _figure(3.0)
    title = f"The last {len(points)} weeks: median response times"
    values = [v for p in points for v in (p.mtta_median, p.mttr_median) if v is not None]
    if not values:
        return _empty(fig, title, "No acknowledged or resolved incidents in these weeks.")
    axes = fig.subplots(1, 2)
    xs = [p.week_start for p in points]
    for ax, attr, name, color in ((axes[0], "mtta_median", "Time to acknowledge", PALETTE[0]),
                                  (axes[1], "mttr_median", "Time to resolve (auto-resolved aside)",
                                   PALETTE[2])):
        unit: TimeUnit = time_unit([getattr(p, attr) for p in points])
        ax.plot(xs, [unit.number(getattr(p, attr)) for p in points], marker="o", markersize=3,
                linewidth=1.4, color=color)
        ax.set_ylabel(f"Median ({unit.name})", fontsize=9)
        ax.set_xlabel("Week starting", fontsize=9)
        ax.set_title(name, fontsize=10)
        ax.tick_params(axis="x", labelsize=7, rotation=45)
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    fig.suptitle(plain(title, 200), x=0.01, ha="left", fontsize=11)
    return fig


def _nan(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def oncall_load(responders: Sequence[ResponderRow], *, top: int = 20) -> Figure:
    """Interruptions per responder, stacked by business, off and sleep hours in each one's own
    zone; responders with a shift over the SRE budget in red."""
    rows = sorted(responders, key=_responder_total, reverse=True)[:top]
    fig = _figure(1.3 + 0.3 * max(len(rows), 3))
    title = "On-call load: interruptions per responder in the period"
    if not rows:
        return _empty(fig, title, "No interruptions recorded in the period.")
    ax = fig.add_subplot()
    ys = list(range(len(rows)))
    left = [0] * len(rows)
    for attr, name, col in zip(("business_hours", "off_hours", "sleep_hours"),
                               ("business hours", "off hours", "sleep hours"), HOURS_COLORS,
                               strict=True):
        vals = [getattr(r, attr) for r in rows]
        ax.barh(ys, vals, left=left, color=col, label=name)
        left = [a + b for a, b in zip(left, vals, strict=True)]
    for y, r in zip(ys, rows, strict=True):
        if r.shifts_over_budget:
            plural = "s" if r.shifts_over_budget > 1 else ""
            ax.text(_responder_total(r), y, f"  {r.shifts_over_budget} shift{plural} over budget",
                    va="center", fontsize=7, color="#d62728")
    ax.set_yticks(ys, [f"{plain(r.responder, 28)} ({plain(r.team, 16)})" for r in rows],
                  fontsize=8)
    for tick, r in zip(ax.get_yticklabels(), rows, strict=True):
        if r.shifts_over_budget:
            tick.set_color("#d62728")
            tick.set_fontweight("bold")
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("Interruptions (count)")
    ax.set_title(plain(title, 200), loc="left", fontsize=11)
    ax.legend(fontsize=8, loc="lower right")
    _style(ax)
    return fig


def load_over_weeks(points: Sequence[LoadPoint], weeks: Sequence[str], *,
                    top: int = MAX_ROWS) -> Figure:
    """Interruptions per responder and week of the trend window, as a heat table."""
    totals: dict[str, int] = {}
    for p in points:
        totals[p.responder] = totals.get(p.responder, 0) + p.interruptions
    people = sorted(totals, key=lambda n: (-totals[n], n))[:top]
    fig = _figure(1.4 + 0.28 * max(len(people), 3))
    title = f"Responder load over the last {len(weeks)} weeks (interruptions a week)"
    if not people or not weeks:
        return _empty(fig, title, "No interruptions in these weeks.")
    grid = [[0] * len(weeks) for _ in people]
    column = {w: i for i, w in enumerate(weeks)}
    row = {n: i for i, n in enumerate(people)}
    for p in points:
        if p.responder in row and p.week in column:
            grid[row[p.responder]][column[p.week]] = p.interruptions
    ax = fig.add_subplot()
    image = ax.imshow(grid, aspect="auto", cmap="Oranges", interpolation="nearest")
    for i, line in enumerate(grid):
        for j, v in enumerate(line):
            if v:
                ax.text(j, i, str(v), ha="center", va="center", fontsize=7)
    ax.set_yticks(range(len(people)), [plain(n, 28) for n in people], fontsize=8)
    ax.set_xticks(range(len(weeks)), [w[-3:] for w in weeks], fontsize=8)
    ax.set_xlabel("ISO week")
    ax.set_title(plain(title, 200), loc="left", fontsize=11)
    bar = fig.colorbar(image, ax=ax, pad=0.01)
    bar.ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    bar.set_label("Interruptions (count)", fontsize=8)
    bar.ax.tick_params(labelsize=8)
    return fig


def hour_of_week_heatmap(matrix: Sequence[Sequence[int]], *, subject: str = "pages",
                         zones: Sequence[str] = ("UTC",)) -> Figure:
    """Interruptions (in each responder's own zone) or pages by weekday and hour of day."""
    fig = _figure(2.9)
    where = ("each responder's own time zone" if subject == "interruptions"
             else plain(", ".join(zones), 40))
    title = f"{subject.capitalize()} by hour of week ({where})"
    if not matrix or not any(any(row) for row in matrix):
        return _empty(fig, title, f"No {subject} in the period.")
    ax = fig.add_subplot()
    image = ax.imshow([list(row) for row in matrix], aspect="auto", cmap="Blues",
                      interpolation="nearest")
    ax.set_yticks(range(7), list(DAYS), fontsize=8)
    ax.set_xticks(range(0, 24, 2), [f"{h:02d}" for h in range(0, 24, 2)], fontsize=8)
    ax.set_xlabel("Hour of day (local)" if subject == "interruptions"
                  else f"Hour of day ({plain(', '.join(zones), 40)})")
    ax.set_ylabel("Weekday")
    ax.set_title(plain(title, 200), loc="left", fontsize=11)
    bar = fig.colorbar(image, ax=ax, pad=0.01)
    bar.ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    bar.set_label(f"{subject.capitalize()} (count)", fontsize=8)
    bar.ax.tick_params(labelsize=8)
    return fig
