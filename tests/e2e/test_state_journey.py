"""The user's choices in the browser (issue 12): a walk across pages over an upload keeps
the score threshold, the positive prediction values, the source and the model just
trained; a reload (F5) finds the same source and spec."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
from playwright.sync_api import Browser, Page, expect

THRESHOLD = "Threshold (score ≥ threshold is a positive prediction)"
BINS = "Bins for age (cut points, comma-separated)"


def _no_page_errors(page: Page) -> None:
    assert [e for e in page.js_errors if e.startswith("pageerror")] == []  # type: ignore[attr-defined]


def _people_file(path: Path, n: int = 400, seed: int = 0) -> Path:
    """A ;-separated COMPAS-like file: a decile score, a Low/Medium/High text prediction."""
    rng = np.random.default_rng(seed)
    score = rng.integers(1, 11, n)
    pd.DataFrame(
        {
            "race": rng.choice(["African-American", "Caucasian", "Hispanic"], n),
            "sex": rng.choice(["Female", "Male"], n, p=[0.3, 0.7]),
            "age": rng.integers(18, 70, n),
            "priors": rng.poisson(2.0, n),
            "decile": score,
            "risk": np.where(score <= 4, "Low", np.where(score <= 7, "Medium", "High")),
            "recid": (rng.random(n) < score / 12).astype(int),
        }
    ).to_csv(path, sep=";", index=False)
    return path


def _upload(page: Page, path: Path) -> None:
    page.get_by_text("Upload a CSV", exact=True).click()
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="Upload a CSV file")
    uploader.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    expect(page.get_by_role("heading", name=path.name)).to_be_visible()


def _choose(page: Page, label: str, option: str) -> None:
    """Pick ``option`` in the selectbox labelled ``label`` (reopening it if a rerun closed it)."""
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
    expect(box.get_by_role("combobox")).to_have_value(option)


def _add(page: Page, label: str, option: str) -> None:
    box = page.get_by_test_id("stMultiSelect").filter(has_text=label)
    box.get_by_role("combobox").click()
    box.get_by_role("combobox").fill(option)
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")
    expect(box).to_contain_text(option)


def _field(page: Page, label: str):
    return page.get_by_label(label, exact=True).and_(page.locator("input"))


def _type(page: Page, label: str, text: str) -> None:
    field = _field(page, label)
    field.fill(text)
    field.press("Enter")


def _sidebar(page: Page):
    return page.get_by_test_id("stSidebar")


def _go(page: Page, name: str, heading: str) -> None:
    page.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()


def _set_scores_and_predictions(page: Page) -> None:
    page.get_by_text("The file already holds a model's predictions or scores").click()
    _choose(page, "Score column", "decile")
    _type(page, THRESHOLD, "5")
    expect(_sidebar(page)).to_contain_text("decile ≥ 5")
    _choose(page, "Prediction column", "risk")
    _add(page, "Values that mean a positive prediction", "Medium")
    _add(page, "Values that mean a positive prediction", "High")
    expect(_sidebar(page)).to_contain_text("ready to audit")


def _data_page_shows_the_choices(page: Page) -> None:
    expect(_field(page, THRESHOLD)).to_have_value("5")
    positives = page.get_by_test_id("stMultiSelect").filter(
        has_text="Values that mean a positive prediction"
    )
    expect(positives).to_contain_text("Medium")
    expect(positives).to_contain_text("High")
    expect(page.get_by_role("radio", name="Upload a CSV")).to_be_checked()
    expect(_sidebar(page)).to_contain_text("decile ≥ 5")
    expect(page.get_by_text("outside the scores")).to_have_count(0)


def test_a_walk_across_pages_keeps_what_the_user_set(app_page: Page, tmp_path: Path) -> None:
    page = app_page
    _upload(page, _people_file(tmp_path / "people.csv"))
    _set_scores_and_predictions(page)

    _go(page, "Fairness", "Fairness")
    expect(_sidebar(page)).to_contain_text("decile ≥ 5")
    _go(page, "Data", "Data")
    _data_page_shows_the_choices(page)

    _go(page, "Model", "Model")
    page.get_by_text("Train a model here", exact=True).click()
    for title in ("Logistic regression", "Random forest"):
        _choose(page, "Model", title)
        page.get_by_role("button", name="Train").click()
        performance = page.get_by_role("heading", name=re.compile(f"^Performance: {title}"))
        expect(performance).to_be_visible(timeout=60_000)
        expect(_sidebar(page)).to_contain_text(f"Auditing: {title}")
    _go(page, "Fairness", "Fairness")
    expect(page.get_by_text(re.compile(r"^Auditing Random forest"))).to_be_visible()
    _go(page, "Data", "Data")
    _data_page_shows_the_choices(page)
    expect(_sidebar(page)).to_contain_text("Auditing: Random forest")
    # "Bundled" still does something: it offers the bundled dataset.
    page.get_by_text("Bundled dataset", exact=True).click()
    expect(page.get_by_role("button", name=re.compile("^Use UCI Adult"))).to_be_visible()
    _no_page_errors(page)


def test_a_reload_finds_the_same_source_and_spec(
    app_page: Page, tmp_path: Path, wait_for_app, browser: Browser
) -> None:
    page = app_page
    _upload(page, _people_file(tmp_path / "people.csv"))
    _set_scores_and_predictions(page)
    _type(page, BINS, "30, 50")
    expect(_field(page, BINS)).to_have_value("30, 50")
    wait_for_app(page)
    _go(page, "Fairness", "Fairness")
    expect(page).to_have_url(re.compile(r"[?&]ws=[A-Za-z0-9_-]{20,}"))
    address = page.url

    page.reload()
    wait_for_app(page)
    assert page.url == address
    expect(page.get_by_role("heading", name="Fairness", exact=True)).to_be_visible()
    expect(_sidebar(page)).to_contain_text("people.csv")
    expect(_sidebar(page)).to_contain_text("decile ≥ 5")
    _go(page, "Data", "Data")
    expect(page.get_by_role("heading", name="people.csv")).to_be_visible()
    _data_page_shows_the_choices(page)
    expect(_field(page, BINS)).to_have_value("30, 50")
    expect(page.get_by_text("your upload people.csv")).to_be_visible()
    _no_page_errors(page)

    # Another browser given the same address never reaches the upload.
    other = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        stranger = other.new_page()
        stranger.goto(address)
        wait_for_app(stranger)
        expect(stranger.get_by_text("unknown or has expired")).to_be_visible()
        expect(stranger.get_by_test_id("stSidebar")).to_contain_text("UCI Adult")
        expect(stranger.get_by_test_id("stSidebar")).not_to_contain_text("people.csv")
        assert "ws=" in stranger.url and stranger.url != address
    finally:
        other.close()
