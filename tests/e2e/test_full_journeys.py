"""The journeys a person takes from start to finish, in Debian's Chromium.

1. bundled dataset → train → fairness → explain → mitigate → download the report, then open
   the report file with the network cut off and check that it renders;
2. upload a CSV holding a model's predictions → audit → report;
3. a messy upload → a clear message → fix the spec → results.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
from playwright.sync_api import Browser, Page, expect

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
SLOW = 300_000  # heavy jobs: a comparison of techniques on Adult


def _no_page_errors(page: Page) -> None:
    assert [e for e in page.js_errors if e.startswith("pageerror")] == []  # type: ignore[attr-defined]


def _upload(page: Page, path: Path) -> None:
    page.get_by_text("Upload a CSV", exact=True).click()
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="Upload a CSV file")
    expect(uploader).to_be_visible()
    uploader.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    expect(page.get_by_text(path.name).first).to_be_visible()


def _choose(page: Page, label: str, option: str) -> None:
    """Pick ``option`` in the selectbox labelled ``label`` (its list may close while the
    page reruns, so open it again if the option does not show)."""
    box = page.get_by_test_id("stSelectbox").filter(has_text=label)
    choice = page.get_by_role("option", name=option, exact=True)
    for _ in range(3):
        box.click()
        try:
            expect(choice).to_be_visible(timeout=5_000)
        except AssertionError:
            page.keyboard.press("Escape")
            continue
        choice.click()
        break
    expect(choice).to_be_hidden()


def _download_report(page: Page) -> Path:
    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Fairness", exact=True).click()
    page.get_by_text("Report", exact=True).click()
    expect(page.get_by_role("heading", name="The report")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="report.html").click()
    return Path(download.value.path())


def _open_offline(browser: Browser, report: Path) -> Page:
    """Open the report file in a fresh context where every network request fails."""
    context = browser.new_context()
    context.route(re.compile(r"^https?://"), lambda route: route.abort())
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(report.resolve().as_uri())
    expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible()
    assert errors == []
    return page


def test_bundled_dataset_to_a_report_that_opens_offline(
    app_page: Page, browser: Browser, tmp_path: Path
) -> None:
    page = app_page
    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Model", exact=True).click()
    page.get_by_role("button", name="Train", exact=True).click()
    expect(
        page.get_by_role("heading", name=re.compile("^Performance: Logistic regression"))
    ).to_be_visible()

    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Fairness", exact=True).click()
    expect(page.get_by_text("Disparities between groups of sex", exact=True)).to_be_visible()

    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Explain", exact=True).click()
    page.get_by_role("button", name="Explain the model").click()
    expect(page.get_by_text(re.compile(r"1,000 of [\d,]+ rows explained"))).to_be_visible()

    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Mitigate", exact=True).click()
    techniques = page.get_by_test_id("stMultiSelect").filter(has_text="Techniques")
    techniques.get_by_role("button", name=re.compile("Clear all", re.I)).click()
    techniques.get_by_role("combobox").click()
    techniques.get_by_role("combobox").fill("Threshold optimizer")
    page.get_by_role("option", name="Threshold optimizer · demographic parity").click()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Run the comparison").click()
    expect(page.get_by_text(re.compile(r"^What changed: ")).last).to_be_visible(timeout=SLOW)

    report = _download_report(page)
    text = report.read_text("utf-8")
    for section in ("Fairness by sex", "Explanations", "Mitigation techniques compared"):
        assert section in text, section
    saved = tmp_path / "report.html"
    saved.write_text(text, "utf-8")
    offline = _open_offline(browser, saved)
    expect(offline.get_by_text("Fairness by sex").first).to_be_visible()
    assert offline.locator(".js-plotly-plot").count() >= 3
    ARTIFACTS.mkdir(exist_ok=True)
    offline.screenshot(path=str(ARTIFACTS / "report_offline.png"))
    _no_page_errors(page)


def _predictions_file(path: Path) -> Path:
    rng = np.random.default_rng(7)
    n = 600
    gender = rng.choice(["woman", "man"], n)
    age = rng.integers(20, 65, n)
    score = np.clip(rng.normal(0.45 + 0.1 * (gender == "man"), 0.2, n), 0, 1).round(3)
    hired = np.where(rng.random(n) < score, "yes", "no")
    pd.DataFrame(
        {
            "gender": gender,
            "age": age,
            "experience": rng.integers(0, 30, n),
            "hired": hired,
            "prediction": np.where(score >= 0.5, "yes", "no"),
            "score": score,
        }
    ).to_csv(path, index=False)
    return path


def test_upload_predictions_audit_them_and_keep_the_report(app_page: Page, tmp_path: Path) -> None:
    page = app_page
    _upload(page, _predictions_file(tmp_path / "hiring_predictions.csv"))
    expect(page.get_by_role("heading", name="hiring_predictions.csv")).to_be_visible()
    expect(page.get_by_text("ready to audit")).to_be_visible()

    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Fairness", exact=True).click()
    expect(page.get_by_text("Auditing predictions in the file on 600 rows")).to_be_visible()
    expect(page.get_by_text("Disparities between groups of gender", exact=True)).to_be_visible()

    report = _download_report(page).read_text("utf-8")
    assert "hiring_predictions.csv" in report and "Fairness by gender" in report
    _no_page_errors(page)


def test_a_messy_upload_says_what_to_fix_and_then_gives_results(
    app_page: Page, tmp_path: Path
) -> None:
    page = app_page
    rng = np.random.default_rng(3)
    n = 400
    frame = pd.DataFrame(
        {
            "Région": rng.choice(["Île-de-France", "Bretagne", "Normandie"], n),
            "Sexe": rng.choice(["femme", "homme"], n),
            "Âge": rng.integers(18, 70, n),
            "Revenu": rng.integers(900, 5000, n),
            "Décision": rng.choice(["accordé", "refusé", "en attente"], n),
        }
    )
    messy = tmp_path / "dossiers.csv"
    messy.write_bytes(frame.to_csv(index=False, sep=";").encode("latin-1"))
    _upload(page, messy)
    expect(page.get_by_role("heading", name="dossiers.csv")).to_be_visible()

    # Three outcomes: the app asks which one is positive, under the widget that fixes it.
    _choose(page, "Outcome (target) column", "Décision")
    expect(
        page.get_by_text(re.compile("choose which value counts as the positive"))
    ).to_be_visible()
    expect(page.get_by_text(re.compile("problem\\(s\\) to fix on the Data page"))).to_be_visible()

    _choose(page, "Positive (favourable) outcome", "accordé")
    expect(page.get_by_text("ready to audit")).to_be_visible()

    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Model", exact=True).click()
    page.get_by_role("button", name="Train", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("^Performance: "))).to_be_visible()
    page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Fairness", exact=True).click()
    expect(page.get_by_text(re.compile("^Disparities between groups of")).first).to_be_visible()
    _no_page_errors(page)
