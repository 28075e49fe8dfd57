"""Charts: labelled, coloured per team, and literal about text that comes from data."""

from __future__ import annotations

from matplotlib.cbook import is_math_text
from matplotlib.figure import Figure

from alertlens.reports import charts
from alertlens.reports.model import Report
from tests.reports.conftest import DOLLAR


def test_team_colors_are_distinct_and_stable() -> None:
    first = charts.team_colors(["search", "payments", "db"])
    again = charts.team_colors(["db", "payments", "search", "search"])
    assert first == again
    assert len(set(first.values())) == 3


def test_plain_keeps_dollars_out_of_mathtext() -> None:
    label = charts.plain(DOLLAR)
    assert is_math_text(DOLLAR)
    assert not is_math_text(label)
    assert charts.plain("x" * 100, limit=10) == "x" * 9 + "…"


def test_pareto_has_one_bar_per_rule_and_a_cumulative_line(report: Report) -> None:
    fig = charts.noise_pareto(
        report.noise.rules, report.noise.noise_pages_total, report.team_colors
    )
    ax = fig.axes[0]
    assert len(ax.patches) == len(report.noise.rules)
    assert "Noise pages" in ax.get_xlabel()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert any(r"\$5" in label for label in labels)
    line = fig.axes[1].lines[0]
    assert line.get_xdata()[-1] == sum(r.noise_pages for r in report.noise.rules) / 130
    colors = {tuple(p.get_facecolor()[:3]) for p in ax.patches}
    assert len(colors) == 2  # two teams, two colours


def test_pareto_counts_firings_when_nothing_paged(report: Report) -> None:
    fig = charts.noise_pareto(report.noise.rules, 130, report.team_colors, measure="firings")
    assert "Noise firings" in fig.axes[0].get_xlabel()


def test_every_chart_has_titles_and_axis_labels(report: Report) -> None:
    figures = [
        charts.projection_by_team(report.noise.projections, report.team_colors),
        charts.response_spread(report.response.ack_spread, report.response.resolve_spread,
                               report.team_colors, weeks=report.response.spread_weeks),
        charts.weekly_trend(report.weekly),
        charts.response_trend(report.weekly),
        charts.oncall_load(report.oncall.responders),
        charts.load_over_weeks(report.oncall.load, report.window),
        charts.hour_of_week_heatmap(report.oncall.hour_of_week, subject="interruptions"),
    ]
    for fig in figures:
        assert isinstance(fig, Figure)
        titled = fig.get_suptitle() or any(ax.get_title(loc="left") for ax in fig.axes)
        assert titled
        for ax in fig.axes[:2]:
            assert ax.get_xlabel() or ax.get_ylabel()


def test_the_box_plots_say_which_weeks_they_pool(report: Report) -> None:
    fig = charts.response_spread(report.response.ack_spread, report.response.resolve_spread,
                                 report.team_colors, weeks=report.response.spread_weeks)
    assert "2026-W44 to 2026-W47, 4 weeks pooled" in fig.get_suptitle()
    units = {ax.get_xlabel().rsplit("(", 1)[1] for ax in fig.axes[:2]}
    assert units == {"min)", "h)"}  # one unit per panel, chosen by its values


def test_the_heatmap_names_the_responders_zones(report: Report) -> None:
    fig = charts.hour_of_week_heatmap(report.oncall.hour_of_week, subject="interruptions")
    assert "each responder's own time zone" in fig.axes[0].get_title(loc="left")
    pages = charts.hour_of_week_heatmap(report.oncall.hour_of_week, zones=("Europe/Berlin",))
    assert "Europe/Berlin" in pages.axes[0].get_xlabel()
