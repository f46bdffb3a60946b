"""The mitigation journey: Adult → run the comparison → pick a technique on the chart →
see its per-group metrics next to the baseline's."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def test_run_a_comparison_pick_a_point_and_see_its_groups(app_page: Page) -> None:
    page = app_page
    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Model", exact=True).click()
    page.get_by_role("button", name="Train", exact=True).click()
    expect(
        page.get_by_role("heading", name=re.compile("^Performance: Logistic regression"))
    ).to_be_visible()

    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Mitigate", exact=True).click()
    expect(page.get_by_role("heading", name="Mitigate", exact=True)).to_be_visible()
    page.get_by_role("button", name="Run the comparison").click()
    # The default comparison on Adult: a heavy job, so a long wait here only.
    expect(page.get_by_role("heading", name="Comparison")).to_be_visible(timeout=300_000)
    expect(page.get_by_text(re.compile(r"^What changed: ")).last).to_be_visible(timeout=30_000)
    # The per-group chart's title names the chosen technique.
    chosen = page.locator(".js-plotly-plot text.gtitle").filter(has_text="against the baseline")
    expect(chosen).to_have_text(
        re.compile(r"^Selection rate by sex:\s*Reweighing against"), timeout=30_000
    )
    before = chosen.text_content()

    # Click a point of the trade-off chart: the last of the technique points (the ring that
    # marks the chosen one is drawn after them).
    chart = page.locator(".js-plotly-plot").first
    points = chart.locator(".scatterlayer .trace .points path")
    expect(points.first).to_be_visible(timeout=30_000)
    assert points.count() >= 9  # baseline, eight techniques, the ring
    points.nth(points.count() - 2).click(force=True)
    # While the rerun runs, the old chart and the new one can both be on the page: wait for a
    # title naming another technique, then for the old one to go.
    other = chosen.filter(has_not_text="Reweighing")
    expect(other.last).to_be_visible(timeout=30_000)
    expect(chosen).to_have_count(1, timeout=30_000)
    assert chosen.text_content() != before
    # The rerun replaces the previous technique's summary: wait until only one is left.
    expect(page.get_by_text(re.compile(r"^What changed: "))).to_have_count(1, timeout=30_000)
    expect(page.get_by_text(re.compile(r"^What changed: ")).last).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1400, "height": 2400})
    page.screenshot(path=str(ARTIFACTS / "mitigate_page.png"), full_page=True)
    assert [e for e in page.js_errors if e.startswith("pageerror")] == []  # type: ignore[attr-defined]
