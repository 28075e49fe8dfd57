"""The report's charts: each function takes model values and returns a matplotlib Figure.

Object-oriented API only (``Figure`` directly, never pyplot state), so charts can be built in
threads and tests. Text that comes from input data goes through ``plain`` so a ``$`` in an
alert title is drawn as a dollar sign, not parsed as mathtext.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from collections.abc import Iterable, Mapping, Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from alertlens.reports.model import (
    NoisyRule,
    ResponderLoad,
    Spread,
    TeamProjection,
    WeeklyPoint,
)

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


def minutes(seconds: float | None) -> float:
    """Seconds as minutes (NaN for None)."""
    return float("nan") if seconds is None else seconds / 60.0


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


def _minutes_axis(ax: Axes, values: Sequence[float], axis: str = "x") -> None:
    """Log scale when the spread of durations is wide, labelled in minutes either way."""
    positive = [v for v in values if v == v and v > 0]
    if positive and max(positive) / min(positive) > 50:
        (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
        fmt = FuncFormatter(lambda v, _: f"{v:g}")
        (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(fmt)


def noise_pareto(
    rules: Sequence[NoisyRule], total: int, colors: Mapping[str, str], *, top: int = 15
) -> Figure:
    """Horizontal Pareto of the noisiest rules: noise pages per rule and the cumulative share."""
    shown = sorted(rules, key=lambda r: r.noise_pages, reverse=True)[:top]
    fig = _figure(1.2 + 0.32 * max(len(shown), 3))
    title = "Noise Pareto: which few rules make most of the noise"
    if not shown or total <= 0:
        return _empty(fig, title, "No noisy rules in the analysis window.")
    ax = fig.add_subplot()
    ys = list(range(len(shown)))
    labels = [f"{i + 1}. {plain(r.title or r.rule_key, 48)}" for i, r in enumerate(shown)]
    ax.barh(
        ys, [r.noise_pages for r in shown], color=[colors.get(r.team, OTHER_COLOR) for r in shown]
    )
    ax.set_yticks(ys, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("Noise pages (count, analysis window)")
    fig.suptitle(plain(title, 200), x=0.01, ha="left", fontsize=11)
    _style(ax)
    cum = ax.twiny()
    running, shares = 0, []
    for r in shown:
        running += r.noise_pages
        shares.append(running / total)
    cum.plot(shares, ys, color="#333333", marker="o", markersize=3, linewidth=1.2)
    cum.axvline(0.8, color="#999999", linestyle=":", linewidth=1)
    cum.set_xlim(0, 1.02)
    cum.xaxis.set_major_formatter(PercentFormatter(1.0))
    cum.set_xlabel("Cumulative share of all noise pages (line, %)", fontsize=8)
    cum.tick_params(labelsize=8)
    teams = sorted({r.team for r in shown})
    handles = [Patch(color=colors.get(t, OTHER_COLOR), label=plain(t, 30)) for t in teams]
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncols=min(len(handles), 6),
        fontsize=8,
        title="Team",
        title_fontsize=8,
        frameon=False,
    )
    return fig


def projection_by_team(projections: Sequence[TeamProjection], colors: Mapping[str, str]) -> Figure:
    """Pages a week per team now and projected after the recommended fixes."""
    fig = _figure(1.3 + 0.45 * max(len(projections), 2))
    title = "What-if: pages per week now and after the fixes"
    if not projections:
        return _empty(fig, title, "No what-if projection available.")
    ax = fig.add_subplot()
    rows = sorted(projections, key=lambda p: p.pages_per_week, reverse=True)
    ys = list(range(len(rows)))
    now = [p.pages_per_week for p in rows]
    after = [p.projected_pages_per_week for p in rows]
    cols = [colors.get(p.team, OTHER_COLOR) for p in rows]
    ax.barh([y - 0.2 for y in ys], now, height=0.38, color=cols, label="now")
    ax.barh(
        [y + 0.2 for y in ys],
        after,
        height=0.38,
        color="white",
        edgecolor=cols,
        hatch="///",
        label="after fixes",
    )
    for y, a, b in zip(ys, now, after, strict=True):
        ax.text(a, y - 0.2, f" {a:.1f}", va="center", fontsize=8)
        ax.text(b, y + 0.2, f" {b:.1f}", va="center", fontsize=8)
    ax.set_yticks(ys, [plain(p.team, 30) for p in rows], fontsize=9)
    ax.invert_yaxis()
    ax.set_xlabel("Pages per week (count)")
    ax.set_title(plain(title, 200), loc="left", fontsize=11)
    ax.legend(fontsize=8, loc="lower right")
    _style(ax)
    return fig


def response_spread(
    ack: Sequence[Spread], resolve: Sequence[Spread], colors: Mapping[str, str]
) -> Figure:
    """Box plots per team of time to acknowledge and to resolve (box p25–p75, whiskers p10–p90)."""
    groups = sorted({s.group for s in (*ack, *resolve)})
    fig = _figure(1.4 + 0.4 * max(len(groups), 2))
    title = "Response time spread by team (box p25–p75, line median, whiskers p10–p90)"
    if not groups:
        return _empty(fig, title, "No acknowledged or resolved incidents.")
    axes = fig.subplots(1, 2, sharey=True)
    for ax, spreads, name in (
        (axes[0], ack, "Time to acknowledge"),
        (axes[1], resolve, "Time to resolve"),
    ):
        by_group = {s.group: s for s in spreads}
        stats, positions, cols = [], [], []
        for i, g in enumerate(groups):
            s = by_group.get(g)
            if s is None or s.n == 0:
                continue
            stats.append(
                {
                    "label": plain(g, 30),
                    "med": minutes(s.p50),
                    "q1": minutes(s.p25),
                    "q3": minutes(s.p75),
                    "whislo": minutes(s.p10),
                    "whishi": minutes(s.p90),
                    "fliers": [],
                }
            )
            positions.append(i)
            cols.append(colors.get(g, OTHER_COLOR))
        if stats:
            parts = ax.bxp(
                stats,
                positions=positions,
                orientation="horizontal",
                patch_artist=True,
                showfliers=False,
                widths=0.6,
            )
            for box, col in zip(parts["boxes"], cols, strict=True):
                box.set_facecolor(col)
                box.set_alpha(0.75)
            for med in parts["medians"]:
                med.set_color("black")
            _minutes_axis(ax, [float(v) for st in stats for v in (st["whislo"], st["whishi"])])  # type: ignore[arg-type]
        ax.set_yticks(range(len(groups)), [plain(g, 30) for g in groups], fontsize=9)
        ax.set_xlabel(f"{name} (minutes)")
        ax.set_title(name, fontsize=10)
        _style(ax)
    axes[0].invert_yaxis()
    fig.suptitle(plain(title, 200), x=0.01, ha="left", fontsize=11)
    return fig


def response_trend(points: Sequence[WeeklyPoint], colors: Mapping[str, str]) -> Figure:
    """Weekly median time to acknowledge and to resolve, one line per team."""
    fig = _figure(3.2)
    title = "Weekly trend of median response times by team"
    if not points:
        return _empty(fig, title, "No weekly history yet.")
    axes = fig.subplots(1, 2)
    teams = sorted({p.team for p in points})
    for ax, attr, name in (
        (axes[0], "mtta_median", "Median time to acknowledge"),
        (axes[1], "mttr_median", "Median time to resolve"),
    ):
        values: list[float] = []
        for team in teams:
            series = sorted((p for p in points if p.team == team), key=lambda p: p.week_start)
            xs = [p.week_start for p in series]
            ys = [minutes(getattr(p, attr)) for p in series]
            values.extend(ys)
            ax.plot(
                xs,
                ys,
                marker="o",
                markersize=3,
                linewidth=1.4,
                color=colors.get(team, OTHER_COLOR),
                label=plain(team, 30),
            )
        _minutes_axis(ax, values, axis="y")
        ax.set_ylabel(f"{name} (minutes)", fontsize=9)
        ax.set_xlabel("Week starting (UTC)", fontsize=9)
        ax.set_title(name, fontsize=10)
        ax.tick_params(axis="x", labelsize=7, rotation=45)
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    axes[1].legend(fontsize=7, title="Team", title_fontsize=7)
    fig.suptitle(plain(title, 200), x=0.01, ha="left", fontsize=11)
    return fig


def oncall_load(responders: Sequence[ResponderLoad], *, top: int = 20) -> Figure:
    """Interruptions per responder, stacked by business, off and sleep hours; responders with a
    shift over the SRE budget in red."""
    rows = sorted(responders, key=lambda r: r.total, reverse=True)[:top]
    fig = _figure(1.3 + 0.3 * max(len(rows), 3))
    title = "On-call load: interruptions per responder this week"
    if not rows:
        return _empty(fig, title, "No interruptions recorded this week.")
    ax = fig.add_subplot()
    ys = list(range(len(rows)))
    left = [0] * len(rows)
    for attr, name, col in zip(
        ("business_hours", "off_hours", "sleep_hours"),
        ("business hours", "off hours", "sleep hours"),
        HOURS_COLORS,
        strict=True,
    ):
        vals = [getattr(r, attr) for r in rows]
        ax.barh(ys, vals, left=left, color=col, label=name)
        left = [a + b for a, b in zip(left, vals, strict=True)]
    for y, r in zip(ys, rows, strict=True):
        if r.over_budget:
            plural = "s" if r.shifts_over_budget > 1 else ""
            note = f"  {r.shifts_over_budget} shift{plural} over budget"
            ax.text(r.total, y, note, va="center", fontsize=7, color="#d62728")
    labels = [f"{plain(r.responder, 28)} ({plain(r.team, 16)})" for r in rows]
    ax.set_yticks(ys, labels, fontsize=8)
    for tick, r in zip(ax.get_yticklabels(), rows, strict=True):
        if r.over_budget:
            tick.set_color("#d62728")
            tick.set_fontweight("bold")
    ax.invert_yaxis()
    ax.set_xlabel("Interruptions (count, week)")
    ax.set_title(plain(title, 200), loc="left", fontsize=11)
    ax.legend(fontsize=8, loc="lower right")
    _style(ax)
    return fig


def hour_of_week_heatmap(matrix: Sequence[Sequence[int]], *, timezone: str = "UTC") -> Figure:
    """Pages by weekday and hour of day as a heatmap."""
    fig = _figure(2.9)
    title = f"Pages by hour of week ({plain(timezone, 40)})"
    if not matrix or not any(any(row) for row in matrix):
        return _empty(fig, title, "No pages this week.")
    ax = fig.add_subplot()
    image = ax.imshow(
        [list(row) for row in matrix], aspect="auto", cmap="Blues", interpolation="nearest"
    )
    ax.set_yticks(range(7), list(DAYS), fontsize=8)
    ax.set_xticks(range(0, 24, 2), [f"{h:02d}" for h in range(0, 24, 2)], fontsize=8)
    ax.set_xlabel(f"Hour of day ({plain(timezone, 40)})")
    ax.set_ylabel("Weekday")
    ax.set_title(title, loc="left", fontsize=11)
    bar = fig.colorbar(image, ax=ax, pad=0.01)
    bar.ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    bar.set_label("Pages (count)", fontsize=8)
    bar.ax.tick_params(labelsize=8)
    return fig
