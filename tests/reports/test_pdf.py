"""The PDF: same sections and numbers as the HTML, page numbers, A4 or letter, escaped text."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from alertlens.reports.html import render_html
from alertlens.reports.pdf import render_pdf
from tests.conftest import needs_programs
from tests.reports.conftest import XSS, small_report

pytestmark = needs_programs("pdftotext", "pdfinfo")


def pdf_text(path: Path) -> str:
    """The PDF's text in reading order."""
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def pdf_info(path: Path) -> dict[str, str]:
    """pdfinfo's fields."""
    out = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return dict(line.split(":", 1) for line in out.splitlines() if ":" in line)


@pytest.fixture(scope="module")
def a4(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    path.write_bytes(render_pdf(render_html(small_report())))
    return path


def test_pdf_has_sections_numbers_and_escaped_text(a4: Path) -> None:
    text = pdf_text(a4)
    for heading in (
        "1. Headline",
        "2. Noise audit",
        "3. Response",
        "4. Recurrence",
        "5. On-call load",
        "6. Maturity",
        "7. Data quality",
    ):
        assert heading in text
    assert "4.2 min" in text and "41.2" in text
    assert XSS in text  # shown as literal text, not interpreted
    assert "Raise the threshold from 80 % to 90 %" in text


def test_pdf_is_a4_with_page_n_of_m(a4: Path) -> None:
    info = pdf_info(a4)
    pages = int(info["Pages"])
    assert 3 <= pages <= 15
    assert "(A4)" in info["Page size"]
    text = pdf_text(a4)
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text


def test_letter_paper(tmp_path: Path) -> None:
    path = tmp_path / "letter.pdf"
    path.write_bytes(render_pdf(render_html(small_report(), paper="letter"), paper="letter"))
    assert re.search(r"612 x 792", pdf_info(path)["Page size"])


def test_unknown_paper_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown paper"):
        render_pdf("<p>x</p>", paper="a3")


def test_external_resources_are_never_fetched(tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not an image")
    html = f'<p>x</p><img src="file://{secret}"><img src="http://127.0.0.1:9/x.png">'
    pdf = render_pdf(html)  # WeasyPrint logs and skips images its fetcher refuses
    assert pdf.startswith(b"%PDF")
