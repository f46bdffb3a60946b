"""Security journeys in a real browser.

(a) Column names and values that are script, HTML, markdown and LaTeX payloads travel
through every page (Data, Model, Fairness and its three views, Explain with the whole-model
explanation, Mitigate with a comparison): nothing runs, no element is injected, and the
payload text is shown literally.

(b) Two browser contexts on one server upload different files: each sees only its own
columns and its own results.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd
from playwright.sync_api import Browser, Dialog, Page, expect

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'
LINK = '<a href="javascript:window.__pwned=1">click me</a>'
MARKDOWN_LINK = "[x](javascript:alert(1))"
LATEX = "$\\frac{}{}$"
FILE_NAME = "<img src=x onerror=window.__pwned=1>.csv"

# What must never appear in the DOM: an element built from a payload.
INJECTED = 'img[src="x"], img[onerror], script:has-text("__pwned"), a[href^="javascript:" i]'
# A small comparison: the baseline, one pre- and one post-processing technique.
SMALL_COMPARISON = ("Reweighing", "Threshold optimizer · demographic parity")


def _payload_csv() -> bytes:
    n = 200
    rng = np.random.default_rng(11)
    index = np.arange(n)
    group = np.array([IMG, SCRIPT, LATEX])[index % 3]
    hired = np.where(rng.random(n) < np.where(index % 3 == 0, 0.35, 0.6), "yes", "no")
    frame = pd.DataFrame(
        {
            "sex": np.where(index % 2 == 0, "F", "M"),
            IMG: group,  # the sensitive attribute: its groups are payloads too
            SCRIPT: rng.integers(0, 40, n),  # a numeric feature
            MARKDOWN_LINK: np.array([MARKDOWN_LINK, LINK, "plain"])[index % 3],  # a feature
            "experience": rng.integers(0, 30, n),
            "hired": hired,
        }
    )
    return frame.to_csv(index=False).encode()


def _upload(page: Page, name: str, content: bytes, wait_for_app: Callable[..., None]) -> None:
    """Choose "Upload a CSV" and give the file chooser ``content`` as a file called ``name``."""
    page.get_by_text("Upload a CSV", exact=True).click()
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="Upload a CSV file")
    expect(uploader).to_be_visible()
    wait_for_app(page)
    uploader.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content}
    )
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()


def _assert_nothing_ran(page: Page, dialogs: list[str], where: str) -> None:
    assert dialogs == [], f"{where}: a dialog opened: {dialogs}"
    assert page.evaluate("() => typeof window.__pwned") == "undefined", where
    injected = page.locator(INJECTED)
    assert injected.count() == 0, f"{where}: {injected.first.evaluate('e => e.outerHTML')}"
    errors = [e for e in page.js_errors if e.startswith("pageerror")]  # type: ignore[attr-defined]
    assert errors == [], f"{where}: {errors}"


def _go(page: Page, title: str) -> None:
    """Open a page from the sidebar navigation."""
    page.get_by_test_id("stSidebarNavLink").filter(has_text=title).click()
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()


def _visible_text(page: Page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


def _choose_in_multiselect(page: Page, label: str, typed: str, option: str) -> None:
    box = page.get_by_test_id("stMultiSelect").filter(has_text=label)
    box.get_by_role("combobox").click()
    box.get_by_role("combobox").fill(typed)
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")


def test_script_payloads_never_run_on_any_page(
    app_page: Page, wait_for_app: Callable[..., None]
) -> None:
    page = app_page
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)

    # Data: upload, then audit by the payload column (its groups are payloads as well).
    _upload(page, FILE_NAME, _payload_csv(), wait_for_app)
    _choose_in_multiselect(page, "Sensitive attributes", "onerror", IMG)
    expect(page.get_by_role("tab", name=IMG, exact=True)).to_be_visible()
    features = page.get_by_test_id("stMultiSelect").filter(has_text="Features a model may use")
    expect(features).to_contain_text(SCRIPT)
    expect(features).to_contain_text(MARKDOWN_LINK)
    wait_for_app(page)
    text = _visible_text(page)
    assert FILE_NAME in text and IMG in text
    _assert_nothing_ran(page, dialogs, "Data")

    # Model: train on the payload features.
    _go(page, "Model")
    page.get_by_role("button", name="Train", exact=True).click()
    expect(
        page.get_by_role("heading", name=re.compile("^Performance: Logistic regression"))
    ).to_be_visible()
    wait_for_app(page)
    _assert_nothing_ran(page, dialogs, "Model")

    # Fairness: the three views.
    _go(page, "Fairness")
    page.get_by_role("tab", name=IMG, exact=True).click()
    expect(page.get_by_text(f"Disparities between groups of {IMG}", exact=True)).to_be_visible()
    wait_for_app(page)
    text = _visible_text(page)
    assert IMG in text and SCRIPT in text and LATEX in text
    _assert_nothing_ran(page, dialogs, "Fairness: groups and disparities")
    page.get_by_text("Threshold explorer", exact=True).click()
    expect(page.get_by_role("heading", name="Threshold explorer")).to_be_visible()
    expect(page.get_by_text("Accuracy at this threshold")).to_be_visible()
    wait_for_app(page)
    _assert_nothing_ran(page, dialogs, "Fairness: threshold explorer")
    page.get_by_text("Report", exact=True).click()
    expect(page.get_by_role("heading", name="The report")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="report.html").click()
    report = download.value.path().read_text("utf-8")
    assert SCRIPT not in report and IMG not in report and "&lt;script&gt;" in report
    wait_for_app(page)
    _assert_nothing_ran(page, dialogs, "Fairness: report")

    # Explain: the whole-model explanation, in the payload features.
    _go(page, "Explain")
    page.get_by_role("button", name="Explain the model").click()
    expect(page.get_by_text(re.compile(r"rows? explained"))).to_be_visible()
    expect(page.locator(".js-plotly-plot").first).to_be_visible()
    wait_for_app(page)
    text = _visible_text(page)
    assert SCRIPT in text and MARKDOWN_LINK in text
    _assert_nothing_ran(page, dialogs, "Explain")

    # Mitigate: a small comparison, for groups of the payload column.
    _go(page, "Mitigate")
    attribute = page.get_by_test_id("stSelectbox").filter(has_text="Mitigate for groups of")
    attribute.click()
    page.get_by_role("option", name=IMG, exact=True).click()
    expect(attribute.get_by_role("combobox")).to_have_value(IMG)
    techniques = page.get_by_test_id("stMultiSelect").filter(has_text="Techniques")
    techniques.get_by_role("button", name="Clear all").click()
    expect(techniques.get_by_label("Remove Reweighing", exact=True)).to_have_count(0)
    wait_for_app(page)
    for technique in SMALL_COMPARISON:
        _choose_in_multiselect(page, "Techniques", technique.split(" ·")[0], technique)
        expect(techniques.get_by_label(f"Remove {technique}", exact=True)).to_have_count(1)
        wait_for_app(page)
    page.get_by_role("button", name="Run the comparison").click()
    expect(page.get_by_role("heading", name="Comparison")).to_be_visible(timeout=120_000)
    expect(page.get_by_text(re.compile(r"^What changed: ")).last).to_be_visible()
    wait_for_app(page)
    assert IMG in _visible_text(page) and SCRIPT in _visible_text(page)
    _assert_nothing_ran(page, dialogs, "Mitigate")

    # Back on the Data page the payloads are still text.
    _go(page, "Data")
    expect(page.get_by_role("heading", name=FILE_NAME)).to_be_visible()
    wait_for_app(page)
    _assert_nothing_ran(page, dialogs, "Data again")


def _csv(columns: dict[str, object]) -> bytes:
    return pd.DataFrame(columns).to_csv(index=False).encode()


ALICE = _csv(
    {
        "alice_secret": np.arange(120) % 17,
        "sex": np.where(np.arange(120) % 2, "alice-woman", "alice-man"),
        "y_pred": np.where(np.arange(120) % 3, "yes", "no"),
        "hired": np.where(np.arange(120) % 4, "yes", "no"),
    }
)
BOB = _csv(
    {
        "bob_secret": np.arange(90) % 13,
        "race": np.where(np.arange(90) % 2, "bob-group-x", "bob-group-y"),
        "y_pred": np.where(np.arange(90) % 5, 1, 0),
        "approved": np.where(np.arange(90) % 3, 1, 0),
    }
)


def test_two_users_see_only_their_own_data(
    browser: Browser, app_server: str, wait_for_app: Callable[..., None]
) -> None:
    contexts = [browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in range(2)]
    try:
        alice, bob = (context.new_page() for context in contexts)
        for page in (alice, bob):  # both sessions start at once
            page.set_default_timeout(30_000)
            page.goto(app_server)
        for page in (alice, bob):
            wait_for_app(page)
        _upload(alice, "alice.csv", ALICE, wait_for_app)
        _upload(bob, "bob.csv", BOB, wait_for_app)

        for page, own, other in (
            (alice, ("alice_secret", "alice-woman"), ("bob_secret", "bob-group", "bob.csv")),
            (bob, ("bob_secret", "bob-group-x"), ("alice_secret", "alice-", "alice.csv")),
        ):
            # Data page: own columns in the spec widgets, and own groups in the charts.
            wait_for_app(page)
            features = page.get_by_test_id("stMultiSelect").filter(
                has_text="Features a model may use"
            )
            expect(features).to_contain_text(own[0])
            expect(page.locator(".js-plotly-plot").filter(has_text=own[1]).first).to_be_visible()
            html = page.content()
            assert not [name for name in other if name in html], other

            # Fairness page: the predictions in the file, audited by own groups only.
            _go(page, "Fairness")
            expect(page.get_by_text("predictions in the file").first).to_be_visible()
            expect(page.locator(".js-plotly-plot").filter(has_text=own[1]).first).to_be_visible()
            wait_for_app(page)
            html = page.content()
            assert not [name for name in other if name in html], other
            _go(page, "Data")
            wait_for_app(page)
    finally:
        for context in contexts:
            context.close()
