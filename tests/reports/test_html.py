"""The HTML report: escaped, self-contained, plain-spoken, and showing the numbers it was given."""

from __future__ import annotations

import html as htmllib
import re

import pytest

from alertlens.reports import html
from alertlens.reports.model import Report
from alertlens.reports.units import time_unit
from tests.reports.conftest import HASH, XSS, quiet_report, small_report


@pytest.fixture(scope="module")
def page() -> str:
    return html.render_html(small_report())


def test_data_text_is_escaped(page: str) -> None:
    assert XSS not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page.lower()


def test_page_is_self_contained(page: str) -> None:
    assert not re.search(r"https?://", page)
    refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)""", page)
    assert refs, "expected images and in-page links"
    assert all(ref.startswith(("data:", "#")) for ref in refs)
    assert "@import" not in page and "url(" not in page


def test_csv_links_point_next_to_the_page() -> None:
    page = html.render_html(small_report(), csv_files={"incidents": "tables/incidents.csv"})
    assert 'href="tables/incidents.csv"' in page
    assert page.count('class="csv"') == 1


def test_every_section_is_there(page: str) -> None:
    for anchor in ("headline", "noise", "response", "recurrence", "oncall", "maturity", "quality",
                   "method"):
        assert f'id="{anchor}"' in page
    assert page.count('src="data:image/png;base64,') == 8


def _card(page: str, key: str) -> str:
    found = re.search(rf'data-key="{key}">(.*?)</div>\s*</div>', page, re.S)
    assert found is not None, key
    return htmllib.unescape(found.group(1))


def test_headline_cards_say_the_verdict_in_words(page: str) -> None:
    pages = _card(page, "pages")
    assert "1\u202f234" in pages and "−266" in pages
    assert "getting better, confident" in pages and "12 weeks" in pages
    assert "p = 0.004" in pages  # in the hover text, not on the badge
    assert "no clear change" in _card(page, "incidents")
    assert "not enough data" in _card(page, "mtta_median")
    assert "p=" not in page and "Theil–Sen/Mann–Kendall" not in page


def test_one_unit_per_figure(page: str) -> None:
    mtta = _card(page, "mtta_median")  # 252 s, 300 s, 290 s: all in minutes
    assert "4.2\u00a0min" in mtta and "5.0\u00a0min" in mtta and "4.8\u00a0min" in mtta
    mttr = _card(page, "mttr_median")  # 7380 s and 6000 s: hours
    assert "2.0\u00a0h" in mttr and "1.7\u00a0h" in mttr
    assert not re.search(r"\d+m \d+s", page)  # no "4m 12s" mixing minutes with seconds
    assert "resolved the instant" in mttr  # the data-quality warning sits beside the figure


def test_long_identifiers_are_shortened_with_the_full_value_on_hover(page: str) -> None:
    assert f'title="{HASH}"' in page
    assert HASH not in re.sub(r'title="[^"]*"', "", page)


def test_noise_audit_lists_reasons_fixes_projection_storms_and_runbooks(
    page: str, report: Report
) -> None:
    for rule in report.noise.rules:
        assert htmllib.escape(rule.recommendation, quote=False) in page
        for reason in rule.reasons:
            assert reason in page
    assert "12.5" in page and "42" in page
    assert "Alert storms" in page and "2.67" in page
    assert "Paging rules without a runbook" in page


def test_recurrence_shows_the_fix_and_its_evidence(page: str) -> None:
    assert "PRB0042 on INC-7" in page and ">recurred<" in page
    row = re.search(r'data-status="no fix recorded">(.*?)</tr>', page, re.S)
    assert row is not None and "held" not in row.group(1)


def test_on_call_shows_burnout_with_its_evidence_and_the_zones(page: str) -> None:
    assert "at risk</span>: 3.0 sleep-hour interruptions a week" in page
    assert "Europe/Berlin" in page


def test_a_quiet_week_collapses_every_empty_section_to_one_line() -> None:
    page = html.render_html(quiet_report())
    empty = re.findall(r'<p class="empty">(.*?)</p>', page, re.S)
    assert any("No incidents were opened in 2026-W47" in e for e in empty)
    assert any("nothing to audit" in e for e in empty)
    assert any("no response to measure" in e for e in empty)
    assert any("No repeat incidents" in e for e in empty)
    assert page.count('src="data:image/png;base64,') == 2  # the 12-week trends only
    lines = html.takeaways(quiet_report())
    assert lines[0] == "A quiet week: no incident and no alert in 2026-W47."
    assert not any("improved" in line for line in lines)


def test_takeaways_only_claim_supported_trends(report: Report) -> None:
    lines = html.takeaways(report)
    assert any(line.startswith("Pages: getting better, confident over 12 weeks") for line in lines)
    assert any(line.startswith("Noise share: getting worse, tentative") for line in lines)
    assert not any(line.startswith("Incidents") for line in lines)
    assert any("62 to 27.5 a week" in line for line in lines)
    assert any("at risk of burnout: alice" in line for line in lines)


@pytest.mark.parametrize(("values", "unit", "shown"), [
    ([45.0, 100.0], "s", "45\u00a0s"), ([45.0, 3000.0], "min", "0.8\u00a0min"),
    ([45.0, 90000.0], "h", "0.0\u00a0h"), ([45.0, 400000.0], "days", "0.0\u00a0days"),
    ([None], "s", "45\u00a0s"),
])
def test_time_unit(values: list[float | None], unit: str, shown: str) -> None:
    chosen = time_unit(values)
    assert chosen.name == unit
    assert chosen.of(45.0) == shown
    assert chosen.of(None) == "–"


@pytest.mark.parametrize(
    ("delta", "unit", "text"),
    [
        (None, "count", "–"),
        (0.0, "count", "±0"),
        (-266, "count", "−266"),
        (0.022, "share", "+2.2\u00a0pp"),
        (-48, "seconds", "−48\u00a0s"),
        (2.5, "count", "+2.5"),
    ],
)
def test_change_text(delta: float | None, unit: str, text: str) -> None:
    assert html.change_text(delta, unit) == text
