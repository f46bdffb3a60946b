"""First journey: open FairLab, pick a bundled dataset, set the spec, see the base rates."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def _choose(page: Page, label: str, option: str) -> None:
    """Open the selectbox labelled ``label`` and click ``option``."""
    box = page.get_by_test_id("stSelectbox").filter(has_text=label)
    box.click()
    page.get_by_role("option", name=option, exact=True).click()


def _chart(page: Page, title: str):
    """The plotly chart whose title is exactly ``title``."""
    heading = page.locator(".gtitle").filter(has_text=re.compile(f"^{re.escape(title)}$"))
    return page.locator(".js-plotly-plot").filter(has=heading)


def test_pick_a_dataset_set_the_spec_and_see_base_rates(app_page: Page) -> None:
    page = app_page
    expect(page.get_by_role("heading", name="Data", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("^UCI Adult"))).to_be_visible()

    _choose(page, "Bundled dataset", "Statlog German credit (1973–75)")
    expect(page.get_by_role("heading", name=re.compile("^Statlog German credit"))).to_be_visible()
    expect(
        page.get_by_role("textbox", name="Bins for age (cut points, comma-separated)")
    ).to_have_value("25")

    _choose(page, "Bundled dataset", "UCI Adult (census income, 1994)")
    expect(page.get_by_role("heading", name=re.compile("^UCI Adult"))).to_be_visible()

    sensitive = page.get_by_test_id("stMultiSelect").filter(has_text="Sensitive attributes")
    sensitive.get_by_role("combobox").click()
    sensitive.get_by_role("combobox").fill("age")
    page.get_by_role("option", name="age", exact=True).click()
    page.keyboard.press("Escape")
    bins = page.get_by_role("textbox", name="Bins for age (cut points, comma-separated)")
    expect(bins).to_have_value("25, 45, 65")

    page.get_by_role("tab", name="age", exact=True).click()
    chart = _chart(page, "Base rate of '>50K' by age")
    expect(chart).to_be_visible()
    expect(chart.get_by_text("≥ 65")).to_be_visible()
    expect(page.get_by_text("ready to audit")).to_be_visible()

    page.get_by_role("tab", name="sex", exact=True).click()
    expect(_chart(page, "Base rate of '>50K' by sex")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1400, "height": 2400})
    expect(_chart(page, "Base rate of '>50K' by sex")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "data_page.png"))
    assert [e for e in page.js_errors if e.startswith("pageerror")] == []  # type: ignore[attr-defined]
