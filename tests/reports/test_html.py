"""The HTML report: escaped, self-contained, and showing the numbers it was given."""

from __future__ import annotations

import re

import pytest

from alertlens.reports import html
from alertlens.reports.model import Report
from tests.reports.conftest import XSS


@pytest.fixture(scope="module")
def page() -> str:
    from tests.reports.conftest import small_report

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


def test_every_section_is_there(page: str) -> None:
    for anchor in ("headline", "noise", "response", "recurrence", "oncall", "maturity", "quality"):
        assert f'id="{anchor}"' in page
    assert page.count('src="data:image/png;base64,') == 6


def test_headline_numbers_changes_and_verdicts(page: str, report: Report) -> None:
    pages = re.search(r'data-key="pages">(.*?)</div>\s*</div>', page, re.S)
    assert pages is not None
    card = pages.group(1)
    assert "1\u202f234" in card and "−266" in card and "better" in card
    incidents = re.search(r'data-key="incidents">(.*?)</div>\s*</div>', page, re.S)
    assert incidents is not None and "no clear trend" in incidents.group(1)
    assert "4m 12s" in page  # MTTA median 252 s
    assert "41.2\u00a0%" in page


def test_noise_audit_lists_reasons_fixes_and_projection(page: str, report: Report) -> None:
    for rule in report.noise.rules:
        assert rule.recommendation in page
        for reason in rule.reasons:
            assert reason in page
    assert "12.5" in page and "42" in page


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "–"), (45, "45 s"), (252, "4m 12s"), (7380, "2h 03m"), (90000, "1d 01h")],
)
def test_duration(seconds: float | None, text: str) -> None:
    assert html.duration(seconds) == text


@pytest.mark.parametrize(
    ("delta", "unit", "text"),
    [
        (None, "count", "–"),
        (0.0, "count", "±0"),
        (-266, "count", "−266"),
        (0.022, "share", "+2.2\u00a0pp"),
        (-48, "seconds", "−48 s"),
        (2.5, "count", "+2.5"),
    ],
)
def test_change_text(delta: float | None, unit: str, text: str) -> None:
    assert html.change_text(delta, unit) == text


def test_takeaways_only_claim_supported_trends(report: Report) -> None:
    lines = html.takeaways(report)
    assert any(line.startswith("Pages improved") for line in lines)
    assert any(line.startswith("Noise share got worse") for line in lines)
    assert not any(line.startswith("Incidents") for line in lines)
    assert any("62 to 27.5 a week" in line for line in lines)
