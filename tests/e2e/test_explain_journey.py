"""The explanation journey: train → explain the model → pick a row → SHAP and LIME side by side."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def test_train_explain_pick_a_row_and_see_shap_and_lime(app_page: Page) -> None:
    page = app_page
    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Model", exact=True).click()
    page.get_by_role("button", name="Train", exact=True).click()
    expect(
        page.get_by_role("heading", name=re.compile("^Performance: Logistic regression"))
    ).to_be_visible()

    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Explain", exact=True).click()
    expect(page.get_by_role("heading", name="Explain", exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Plan: LinearExplainer on 1,000 of"))).to_be_visible()
    page.get_by_role("button", name="Explain the model").click()
    expect(page.get_by_text(re.compile(r"1,000 of [\d,]+ rows explained"))).to_be_visible()
    charts = page.locator(".js-plotly-plot")
    expect(charts).to_have_count(3)
    expect(page.get_by_text("mean |SHAP value|", exact=False).first).to_be_visible()

    page.get_by_text("One row", exact=True).click()
    page.get_by_text("Most confident errors", exact=True).click()
    # The bold headings of the two explanations (the glossary links above say "LIME" too).
    expect(page.locator("strong").get_by_text("SHAP", exact=True)).to_be_visible()
    expect(page.locator("strong").get_by_text("LIME", exact=True)).to_be_visible()
    expect(charts).to_have_count(2)
    # A rerun replaces the first row's explanation with the chosen one's: wait for one of each.
    fidelity = re.compile(r"^(Local fidelity: LIME's prediction|LIME's local model predicts)")
    expect(page.get_by_text(fidelity)).to_have_count(1)
    expect(page.get_by_text(re.compile(r"base value .* → model output"))).to_have_count(1)
    expect(
        page.get_by_text(re.compile(r"(tell the same story|tell different stories)"))
    ).to_be_visible()

    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Fairness", exact=True).click()
    page.get_by_text("Report", exact=True).click()
    expect(page.get_by_text("Also included: explanations (1,000 rows).")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="report.html").click()
    report = Path(download.value.path()).read_text("utf-8")
    assert "Explanations" in report and "LinearExplainer" in report
    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Explain", exact=True).click()
    expect(page.locator("strong").get_by_text("SHAP", exact=True)).to_be_visible()

    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1400, "height": 1800})
    page.screenshot(path=str(ARTIFACTS / "explain_page.png"), full_page=True)
    assert [e for e in page.js_errors if e.startswith("pageerror")] == []  # type: ignore[attr-defined]
