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


def test_every_chart_has_titles_and_axis_labels(report: Report) -> None:
    figures = [
        charts.projection_by_team(report.noise.projections, report.team_colors),
        charts.response_spread(
            report.response.ack_spread, report.response.resolve_spread, report.team_colors
        ),
        charts.response_trend(report.response.trend, report.team_colors),
        charts.oncall_load(report.oncall.responders),
        charts.hour_of_week_heatmap(report.oncall.hour_of_week),
    ]
    for fig in figures:
        assert isinstance(fig, Figure)
        titled = fig.get_suptitle() or any(ax.get_title(loc="left") for ax in fig.axes)
        assert titled
        for ax in fig.axes[:2]:
            assert ax.get_xlabel() or ax.get_ylabel()


def test_trend_uses_the_same_colour_for_a_team_everywhere(report: Report) -> None:
    fig = charts.response_trend(report.response.trend, report.team_colors)
    for ax in fig.axes[:2]:
        by_label = {line.get_label(): line.get_color() for line in ax.lines}
        assert by_label == {team: report.team_colors[team] for team in ("payments", "search")}


def test_empty_inputs_give_a_figure_that_says_so() -> None:
    fig = charts.noise_pareto([], 0, {})
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert texts == ["No noisy rules in the analysis window."]
    assert charts.oncall_load([]).axes[0].texts[0].get_text().startswith("No interruptions")
    assert charts.hour_of_week_heatmap([[0] * 24] * 7).axes[0].texts
