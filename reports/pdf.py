"""The report as PDF: the same HTML laid out by WeasyPrint for A4 or US letter."""

from __future__ import annotations

from typing import Final

#: Paper names the report accepts, as CSS ``@page { size }`` values.
PAPERS: Final = ("a4", "letter")


def render_pdf(html: str, *, paper: str = "a4") -> bytes:
    """``html`` (a self-contained page from ``render_html``) as PDF bytes on ``paper``."""
    if paper not in PAPERS:
        raise ValueError(f"unknown paper {paper!r}; choose one of {', '.join(PAPERS)}")
    # Imported here: WeasyPrint loads Pango at import, which an HTML-only run never needs.
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    # Only data: URIs: the page is self-contained and rendering must never reach out.
    fetcher = URLFetcher(allowed_protocols=("data",))
    page = CSS(string=f"@page {{ size: {paper}; }}")
    return HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=[page])
