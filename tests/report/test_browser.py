"""The HTML report in a real headless Chromium: charts drawn, no errors, no network."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest

from coach.report.render import render_period
from coach.store import Store
from tests.conftest import GOLDEN
from tests.report.test_render import period

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = GOLDEN / "report" / "team-report.png"
VIEWPORT = {"width": 1000, "height": 800}

if not CHROMIUM.exists() and os.environ.get("COACH_REQUIRE_BROWSER") == "1":
    raise RuntimeError("browser tests required (CI) but /usr/bin/chromium is missing")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Chromium at /usr/bin/chromium (apt-get install -y chromium; .ci/run does)",
)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_team_report_renders_offline(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    from tests.report.conftest import fill

    with Store(tmp_path / "calls.db") as store:
        fill(store)
        html = render_period(period(store), "html")
    page_file = tmp_path / "team-report.html"
    page_file.write_text(html, encoding="utf-8")
    url = page_file.as_uri()

    errors: list[str] = []
    foreign: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))

            def guard(route: object) -> None:
                request_url = route.request.url  # type: ignore[attr-defined]
                if request_url == url:
                    route.continue_()  # type: ignore[attr-defined]
                else:
                    foreign.append(request_url)
                    route.abort()  # type: ignore[attr-defined]

            page.route("**/*", guard)
            page.goto(url, wait_until="load")
            charts = page.locator("svg.chart")
            assert charts.count() == 4
            for index in range(4):
                box = charts.nth(index).bounding_box()
                assert box is not None and box["width"] > 300 and box["height"] > 100
                assert charts.nth(index).is_visible()
            assert page.locator("svg.chart polyline").count() == 3  # one trend line per rep
            assert page.locator("svg.chart rect.cell").count() > 0
            assert page.locator("text=<script>alert('x')</script> & more").count() > 0
            # every moment links to its words in the calls at the end, and the link works
            links = page.eval_on_selector_all(
                "a[href^='#']", "els => els.map(e => e.getAttribute('href').slice(1))"
            )
            assert any("-u-" in target for target in links)
            for target in links:
                assert page.locator(f"[id='{target}']").count() == 1, target
            first = next(target for target in links if "-u-" in target)
            page.locator(f"a[href='#{first}']").first.click()
            assert page.locator(f"[id='{first}']").is_visible()
            assert page.evaluate("location.hash") == f"#{first}"
            assert page.locator(f"[id='{first}'].marked").count() == 1
            page.evaluate("window.scrollTo(0, 0)")
            # the report down to the calls shown in full (those are plain text, and long)
            appendix = page.locator("h2.appendix").bounding_box()
            assert appendix is not None
            top = appendix["y"] + page.evaluate("window.scrollY")
            shot = page.screenshot(
                full_page=True, clip={"x": 0, "y": 0, "width": VIEWPORT["width"], "height": top}
            )
        finally:
            browser.close()

    assert errors == []
    assert foreign == []
    if request.config.getoption("--update-golden"):
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        SCREENSHOT.write_bytes(shot)
    elif not SCREENSHOT.exists():
        pytest.fail(f"golden screenshot {SCREENSHOT} is missing; run pytest --update-golden")
    width, height = png_size(shot)
    golden_width, golden_height = png_size(SCREENSHOT.read_bytes())
    assert width == golden_width
    assert abs(height - golden_height) <= 0.05 * golden_height  # fonts differ a little by host
