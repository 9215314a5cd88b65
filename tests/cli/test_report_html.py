"""The HTML report as a browser draws it: every chart renders (non-empty SVG marks and visible
text) in headless Chromium, offline, not only parses.

Chromium comes from Debian's packages (``.ci/run`` installs it when missing and sets
``TELEPHONY_REQUIRE_BROWSER``, so CI fails rather than skips without it).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from telephony import CallStatus
from telephony.cli import main
from telephony.report import render_html, timeseries
from tests.report.calls import T0, call

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Any host name fails to resolve: the page must need no network.
    "--host-resolver-rules=MAP * ~NOTFOUND",
)

# Added by the test to a copy of the page (the page itself has no script): measures what the
# browser laid out and writes it into the DOM that --dump-dom prints.
PROBE = """<script>
const found = [];
for (const fig of document.querySelectorAll("figure.chart")) {
  const svg = fig.querySelector("svg");
  const box = svg.getBoundingClientRect();
  const shown = (el) => {
    const style = getComputedStyle(el);
    return style.visibility === "visible" && style.display !== "none" && style.opacity !== "0";
  };
  const sized = (el) => { const b = el.getBBox(); return b.width > 0 || b.height > 0; };
  found.push({
    chart: fig.dataset.chart,
    caption: fig.querySelector("figcaption").innerText,
    width: box.width,
    height: box.height,
    lines: [...svg.querySelectorAll("polyline")].filter((p) => p.getTotalLength() > 0).length,
    marks: [...svg.querySelectorAll("polyline, rect, circle")].filter(sized).length,
    texts: [...svg.querySelectorAll("text")]
      .filter((t) => shown(t) && t.getBBox().width > 0 && t.getBBox().height > 0)
      .map((t) => t.textContent),
  });
}
const probe = document.createElement("pre");
probe.id = "probe";
probe.textContent = JSON.stringify(found);
document.body.appendChild(probe);
</script>"""


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("TELEPHONY_REQUIRE_BROWSER"):
            pytest.fail("Chromium is required here (TELEPHONY_REQUIRE_BROWSER) but not installed")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    return found


def run_chromium(page: Path, profile: Path, *extra: str) -> str:
    done = subprocess.run(
        [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def rendered(page: Path, tmp_path: Path) -> list[dict[str, Any]]:
    probed = tmp_path / "probed.html"
    probed.write_text(page.read_text().replace("</body>", PROBE + "</body>"))
    dom = run_chromium(probed, tmp_path / "profile", "--dump-dom")
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    return json.loads(html.unescape(found.group(1)))  # type: ignore[no-any-return]


@pytest.mark.usefixtures("clean_env")
def test_every_chart_of_the_cli_page_is_drawn(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    code = main(["report", "--sandbox", "--seed-calls", "150", "--html", str(page)])
    assert code == 0
    source = page.read_text()
    # Self-contained: nothing to fetch, nothing to run.
    for needle in ("<script", "<link", "src=", "url(", "@import"):
        assert needle not in source

    charts = {chart["chart"]: chart for chart in rendered(page, tmp_path)}
    assert set(charts) == {
        "attempts",
        "answered",
        "asr",
        "ner",
        "acd",
        "cost:USD",
        "status",
        "direction",
        "cause",
    }
    for chart in charts.values():
        assert chart["width"] > 100, chart
        assert chart["height"] > 100, chart
        assert chart["marks"] > 0, chart
        assert {"bandwidth", "restcomm"} <= set(chart["texts"]), chart  # the legend
        assert chart["caption"], chart
    for name in ("attempts", "answered", "asr", "ner", "acd"):
        assert charts[name]["lines"] == 2, charts[name]  # one line per provider
    assert charts["cost:USD"]["lines"] == 1  # only Restcomm reports prices
    assert "100%" in charts["asr"]["texts"]  # the axis is labelled
    assert "completed" in charts["status"]["texts"]
    assert "inbound" in charts["direction"]["texts"]


def test_screenshot_is_made_by_the_same_browser(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(render_html(timeseries([call("a", CallStatus.COMPLETED, created_at=T0)])))
    shot = tmp_path / "shot.png"
    run_chromium(page, tmp_path / "profile", f"--screenshot={shot}", "--window-size=800,600")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
