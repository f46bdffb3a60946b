"""A classroom lesson end to end: a teacher opens a shared link, the class predicts before
the reveal, moves a control, walks to the last step's questions, shares the address, and
turns presentation mode on. A link with a payload in it is shown literally."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Page, expect

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
INJECTED = 'img[src="x"], img[onerror]'


def _params(page: Page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}


def _result(page: Page):
    return page.get_by_text(re.compile(r"^Result\. ")).last


def test_walk_a_class_through_one_lesson(page: Page, app_server: str, wait_for_app) -> None:
    page.goto(f"{app_server}/learn?lesson=demographic-parity&step=selection")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Step 1 of 4: Who gets the loan?")).to_be_visible()

    # Predict before you look: nothing is shown until a guess is made and revealed.
    reveal = page.get_by_role("button", name="Reveal the result")
    expect(reveal).to_be_disabled()
    expect(page.get_by_text(re.compile(r"^Result\. "))).to_have_count(0)
    page.get_by_text("lower", exact=True).click()
    expect(reveal).to_be_enabled()
    reveal.click()
    expect(page.get_by_text(re.compile(r"^You guessed lower"))).to_be_visible()
    expect(_result(page)).to_contain_text("of group A and")
    expect(page.locator(".js-plotly-plot").first).to_be_visible()

    # Step 2: move the slider; the result and the address follow.
    page.get_by_role("button", name="Next step →").click()
    expect(page.get_by_role("heading", name="Step 2 of 4: The four-fifths rule")).to_be_visible()
    expect(_result(page)).to_contain_text("a ratio of")
    before = _result(page).text_content()
    slider = page.get_by_role("slider")
    slider.focus()
    slider.press("ArrowRight")
    expect(_result(page)).not_to_have_text(before or "")
    expect(page).to_have_url(re.compile(r"gap=0\.25"))

    # Steps 3 and 4; the last step ends with questions for the class.
    page.get_by_role("button", name="Next step →").click()
    expect(page.get_by_role("heading", name=re.compile("^Step 3 of 4"))).to_be_visible()
    expect(_result(page)).to_contain_text("Among people who would repay")
    page.get_by_role("button", name="Next step →").click()
    expect(page.get_by_role("heading", name=re.compile("^Step 4 of 4"))).to_be_visible()
    page.get_by_text("wider", exact=True).click()
    page.get_by_role("button", name="Reveal the result").click()
    expect(page.get_by_text(re.compile(r"^You guessed wider, and the data agrees"))).to_be_visible()
    expect(page.get_by_role("heading", name="Questions for the class")).to_be_visible()
    expect(page.get_by_role("button", name="Next step →")).to_be_disabled()

    # The address opens exactly here in another tab.
    shared = page.url
    assert _params(page) == {"lesson": "demographic-parity", "step": "small-groups", "share": "0.3"}
    other = page.context.new_page()
    other.goto(shared)
    wait_for_app(other)
    expect(other.get_by_role("heading", name=re.compile("^Step 4 of 4"))).to_be_visible()
    other.close()

    # Presentation mode: larger text, the navigation gives way to the lesson outline.
    expect(page.get_by_role("link", name="Data")).to_be_visible()
    page.get_by_text("Presentation mode", exact=True).click()
    expect(page.get_by_role("link", name="Data")).to_have_count(0)
    expect(
        page.get_by_test_id("stSidebar").get_by_text("▶ 4. Small groups, wide intervals")
    ).to_be_visible()
    expect(page.get_by_test_id("stSidebar").get_by_text("Audit spec")).to_have_count(0)
    wait_for_app(page)
    expect(page).to_have_url(re.compile(r"present=1"))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "learn_page.png"), full_page=True)
    page.get_by_text("Presentation mode", exact=True).click()
    expect(page.get_by_role("link", name="Data")).to_be_visible()
    assert [e for e in page.js_errors if e.startswith("pageerror")] == []  # type: ignore[attr-defined]


def test_a_link_with_a_payload_is_shown_literally(
    page: Page, app_server: str, wait_for_app
) -> None:
    payload = '<img src=x onerror="window.__pwned=1">'
    page.goto(f"{app_server}/learn?lesson={payload}")
    wait_for_app(page)
    expect(page.get_by_text(f"There is no lesson '{payload}'")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("^Step 1 of 4"))).to_be_visible()
    assert page.locator(INJECTED).count() == 0
    assert page.evaluate("window.__pwned") is None
