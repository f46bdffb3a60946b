"""The audit journey: bundled dataset → train → fairness table → move a threshold → report."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def test_train_assess_move_the_threshold_and_download_the_report(app_page: Page) -> None:
    page = app_page
    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Model", exact=True).click()
    expect(page.get_by_role("heading", name="Model", exact=True)).to_be_visible()
    page.get_by_role("button", name="Train", exact=True).click()
    expect(
        page.get_by_role("heading", name=re.compile("^Performance: Logistic regression"))
    ).to_be_visible()
    expect(page.get_by_test_id("stMetricValue").first).to_have_text(re.compile(r"0\.8\d\d"))

    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Fairness", exact=True).click()
    expect(page.get_by_text("Disparities between groups of sex", exact=True)).to_be_visible()
    page.get_by_text("Threshold explorer", exact=True).click()
    expect(page.get_by_role("heading", name="Threshold explorer")).to_be_visible()

    value = page.get_by_test_id("stMarkdown").filter(has_text="Accuracy at this threshold")
    before = value.inner_text()
    slider = page.get_by_role("slider").last
    slider.focus()
    for _ in range(15):
        slider.press("ArrowLeft")
    expect(value).not_to_have_text(before)

    page.get_by_text("Report", exact=True).click()
    expect(page.get_by_role("heading", name="The report")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="report.html").click()
    report = Path(download.value.path()).read_text("utf-8")
    assert "FairLab audit report" in report
    assert "Fairness by sex" in report and "demographic parity difference" in report
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1400, "height": 2600})
    page.screenshot(path=str(ARTIFACTS / "fairness_page.png"))
    assert [e for e in page.js_errors if e.startswith("pageerror")] == []  # type: ignore[attr-defined]


def test_a_deep_link_opens_the_page_with_the_app_around_it(page: Page, app_server: str) -> None:
    page.goto(f"{app_server}/fairness")
    expect(page.get_by_role("heading", name="Fairness", exact=True)).to_be_visible()
    expect(page.get_by_text("Get predictions on the Model page first")).to_be_visible()
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("UCI Adult (census income, 1994)")).to_be_visible()
