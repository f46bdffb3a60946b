"""Playwright harness for browser journeys through the running Streamlit app.

Fixtures:
    app_server  (session)  base URL of a headless ``streamlit run app.py`` on a free loopback port
    browser     (session)  Chromium from ``/usr/bin/chromium`` (Debian's; never downloaded)
    page        (function) fresh context + page; ``page.js_errors`` collects page errors and
                           console errors; a full-page screenshot is saved on failure
    wait_for_app (function) the :func:`wait_for_app` helper, so tests need not import conftest
    app_page    (function) ``page`` already opened on the app and finished running

Every test under ``tests/e2e`` is marked ``e2e`` (deselect with ``-m "not e2e"``).
Set ``FAIRLAB_E2E_APP=/path/to/script.py`` to serve another script (for harness checks only).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

E2E_DIR = Path(__file__).resolve().parent
REPO_ROOT = E2E_DIR.parents[1]
ARTIFACTS_DIR = E2E_DIR / "artifacts"
SERVER_LOG = ARTIFACTS_DIR / "streamlit-server.log"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
STARTUP_TIMEOUT_S = 60.0
POLL_INTERVAL_S = 0.2
DEFAULT_TIMEOUT_MS = 30_000
VIEWPORT = {"width": 1400, "height": 1000}

# Assertions wait as long as actions do: a model fit on a busy 2-core machine can take
# longer than Playwright's default of 5 s for expect().
expect.set_options(timeout=DEFAULT_TIMEOUT_MS)

CHROMIUM_MISSING_MESSAGE = (
    f"Chromium not found at {CHROMIUM}. Install it with "
    "`apt-get install -y --no-install-recommends chromium` (the e2e tests never download browsers)."
)


def _env_flag(name: str) -> bool:
    """Whether environment variable ``name`` holds a true value (1, true, yes, on)."""
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _log_tail(path: Path, *, lines: int = 60) -> str:
    """The last ``lines`` lines of a log file, or a note that it is missing."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


def _health_ok(url: str) -> bool:
    """Whether the Streamlit health endpoint at ``url`` answers "ok"."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200 and response.read().decode().strip() == "ok"
    except (urllib.error.URLError, OSError):
        return False


def _stop_process_group(proc: subprocess.Popen[bytes]) -> None:
    """Terminate ``proc`` and its process group; kill it if it does not exit in 10 s."""
    if proc.poll() is not None:
        return
    for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


# ---------------------------------------------------------------------------------------------
# Hooks
# ---------------------------------------------------------------------------------------------


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test under tests/e2e with ``e2e`` (this hook sees the whole session)."""
    for item in items:
        if item.path.is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Record each phase's report on the item as ``rep_setup`` / ``rep_call`` / ``rep_teardown``."""
    report: pytest.TestReport = yield
    setattr(item, f"rep_{report.when}", report)
    return report


# ---------------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def app_server() -> Iterator[str]:
    """Run the app headless on a free loopback port; yield its base URL (http://127.0.0.1:PORT)."""
    script = Path(os.environ.get("FAIRLAB_E2E_APP") or REPO_ROOT / "app.py").resolve()
    if not script.is_file():
        pytest.fail(f"The app script {script} does not exist. Run the tests from a full checkout.")

    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
        # No reruns because a file changed under us while the suite runs.
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)

    with SERVER_LOG.open("wb") as log:
        proc = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group, so teardown can stop all of it
        )
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT_S
            while not _health_ok(f"{base_url}/_stcore/health"):
                if proc.poll() is not None:
                    pytest.fail(
                        f"Streamlit exited with code {proc.returncode} during start-up. "
                        f"Log {SERVER_LOG}:\n{_log_tail(SERVER_LOG)}"
                    )
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"Streamlit did not answer {base_url}/_stcore/health within "
                        f"{STARTUP_TIMEOUT_S:.0f} s. Log {SERVER_LOG}:\n{_log_tail(SERVER_LOG)}"
                    )
                try:  # a pause that ends at once if the server exits
                    proc.wait(timeout=POLL_INTERVAL_S)
                except subprocess.TimeoutExpired:
                    pass
            yield base_url
        finally:
            _stop_process_group(proc)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless; skipped when missing, except under CI where that fails."""
    if not CHROMIUM.exists():
        if _env_flag("CI"):
            pytest.fail(f"CI must run the browser tests. {CHROMIUM_MISSING_MESSAGE}")
        pytest.skip(CHROMIUM_MISSING_MESSAGE)

    playwright: Playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh page; ``page.js_errors`` lists page errors and console errors as strings."""
    context = browser.new_context(viewport=VIEWPORT)
    new_page = context.new_page()
    new_page.set_default_timeout(DEFAULT_TIMEOUT_MS)

    js_errors: list[str] = []
    new_page.on("pageerror", lambda error: js_errors.append(f"pageerror: {error}"))
    new_page.on(
        "console",
        lambda message: (
            js_errors.append(f"console.error: {message.text}") if message.type == "error" else None
        ),
    )
    new_page.js_errors = js_errors  # type: ignore[attr-defined]

    try:
        yield new_page
    finally:
        failed = any(
            getattr(request.node, f"rep_{when}", None) is not None
            and getattr(request.node, f"rep_{when}").failed
            for when in ("setup", "call")
        )
        if failed:
            _save_screenshot(new_page, request.node.name)
        context.close()


def _save_screenshot(page: Page, test_name: str) -> None:
    """Save a full-page screenshot to tests/e2e/artifacts/<test name>.png, never raising."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS_DIR / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', test_name)}.png"
    try:
        page.screenshot(path=str(path), full_page=True, timeout=10_000)
        print(f"\nScreenshot saved to {path}")
    except Exception as error:  # noqa: BLE001 - a failed screenshot must not hide the test failure
        print(f"\nCould not save a screenshot to {path}: {error}")


def wait_for_app(page: Page, *, timeout: float = DEFAULT_TIMEOUT_MS) -> None:
    """Wait until the app is connected and its script has finished running.

    Use it after ``page.goto``. After a click that triggers a rerun, wait for the element you
    expect to appear (Playwright's ``expect``) — the rerun may not have started yet.
    """
    page.locator('[data-testid="stApp"][data-test-connection-state="CONNECTED"]').wait_for(
        state="attached", timeout=timeout
    )
    # "initial" until the first run starts; "running" / "rerunRequested" while it runs.
    page.locator(
        '[data-testid="stApp"]:is([data-test-script-state="notRunning"],'
        '[data-test-script-state="compilationError"])'
    ).wait_for(state="attached", timeout=timeout)
    running_icon = '[data-testid="stStatusWidget"] [data-testid="stStatusWidgetRunningIcon"]'
    page.locator(running_icon).wait_for(state="hidden", timeout=timeout)


@pytest.fixture(name="wait_for_app")
def wait_for_app_fixture() -> Callable[..., None]:
    """The :func:`wait_for_app` helper, for tests: ``wait_for_app(page)``."""
    return wait_for_app


@pytest.fixture
def app_page(page: Page, app_server: str) -> Page:
    """``page`` opened on the app's start page, with the first script run finished."""
    page.goto(app_server)
    wait_for_app(page)
    return page
