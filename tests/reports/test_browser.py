"""The HTML report in headless Chromium: it loads with no script running or failing, every chart
decodes with a real size, and a screenshot can be taken."""

from __future__ import annotations

import html as htmllib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from alertlens.reports.html import render_html
from tests.conftest import needs_programs
from tests.reports.conftest import small_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.services,
    needs_programs("chromium"),
]

#: Installed first in <head>: records errors and alert() calls, then writes what it saw.
PROBE = """<script>
window.__seen = [];
window.onerror = function (m) { window.__seen.push("error: " + m); };
window.alert = function (m) { window.__seen.push("alert: " + m); };
window.addEventListener("load", function () {
  var out = document.createElement("pre");
  out.id = "probe";
  out.textContent = JSON.stringify({
    seen: window.__seen,
    scripts: document.scripts.length,
    images: Array.prototype.map.call(document.images, function (i) {
      return [i.naturalWidth, i.naturalHeight, i.getBoundingClientRect().width];
    })
  });
  document.body.appendChild(out);
});
</script>"""


def chromium(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Headless Chromium with a private profile and no background network."""
    assert CHROMIUM is not None
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp / 'profile'}",
        "--virtual-time-budget=5000",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)


def probed(page: str, tmp: Path) -> dict:
    """What the probe saw after loading ``page`` with the probe injected first."""
    path = tmp / "probed.html"
    path.write_text(page.replace("<head>", "<head>" + PROBE, 1), encoding="utf-8")
    result = chromium(tmp, "--dump-dom", path.as_uri())
    found = re.search(r'<pre id="probe">(.*?)</pre>', result.stdout, re.S)
    assert found, f"probe did not report; stderr: {result.stderr[-2000:]}"
    return json.loads(htmllib.unescape(found.group(1)))


def test_report_loads_cleanly_with_sized_charts(tmp_path: Path) -> None:
    seen = probed(render_html(small_report()), tmp_path)
    assert seen["seen"] == []
    assert seen["scripts"] == 1  # the probe itself: the report runs no script of its own
    assert len(seen["images"]) == 8
    for width, height, shown in seen["images"]:
        assert width > 300 and height > 100 and shown > 300


def test_probe_catches_errors_and_broken_images(tmp_path: Path) -> None:
    page = (
        "<html><head></head><body><script>alert(1); undefined_function();</script>"
        '<img src="data:image/png;base64,AAAA"></body></html>'
    )
    seen = probed(page, tmp_path)
    assert any(s.startswith("alert") for s in seen["seen"])
    assert any(s.startswith("error") for s in seen["seen"])
    assert seen["images"][0][0] == 0


def test_screenshot(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(render_html(small_report()), encoding="utf-8")
    shot = tmp_path / "shot.png"
    chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,1600", page.as_uri())
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG")
    assert int.from_bytes(data[16:20], "big") == 1280
