"""Smoke tests for the e2e harness itself: the server starts and the app renders in Chromium."""

from __future__ import annotations

import urllib.request

from playwright.sync_api import Page, expect


def test_health_endpoint_answers_ok(app_server: str) -> None:
    with urllib.request.urlopen(f"{app_server}/_stcore/health", timeout=10) as response:
        assert response.status == 200
        assert response.read().decode().strip() == "ok"


def test_app_renders_without_js_errors(app_page: Page) -> None:
    expect(app_page.get_by_test_id("stApp")).to_be_visible()
    expect(app_page.get_by_test_id("stAppViewContainer")).to_be_visible()
    js_errors: list[str] = app_page.js_errors  # type: ignore[attr-defined]
    page_errors = [error for error in js_errors if error.startswith("pageerror")]
    assert page_errors == [], f"JavaScript errors in the page: {page_errors}"
