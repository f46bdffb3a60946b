"""Many users on one FairLab server: interaction latency under load, and memory over time.

Starts FairLab on a free loopback port, then

1. drives ``--users`` concurrent browser sessions (one Chromium, one context each) through
   bundled dataset → train → fairness (groups, threshold explorer with slider moves) →
   explain one row (SHAP and LIME), timing every interaction from the click until the
   element it should produce is visible; prints p50 / p95 / max per kind of interaction
   and overall for the non-heavy ones (target: p95 ≤ 2 s with 10 sessions);
2. samples the server's resident memory every half second throughout, then opens and
   closes ``--churn`` more sessions one after another, waits for Streamlit to drop the
   disconnected sessions (``server.disconnectedSessionTTL`` + a margin) and compares the
   memory with the warm baseline taken after the first wave (target: within 10 %).

    python bench/bench_load.py [--users 10] [--churn 50] [--ttl 120]

Heavy jobs (SHAP batches, LIME stability, mitigation) are not timed here: they queue
through one worker slot per core, with a visible message, by design.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

from playwright.async_api import Page, async_playwright, expect

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_threshold_browser import CHROMIUM_ARGS, _free_port, _wait_healthy  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
HEAVY = {"train (first)", "explain one row (first)"}


def _rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (from /proc)."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


class MemorySampler(threading.Thread):
    """Samples the server's memory every ``interval`` seconds until stopped."""

    def __init__(self, pid: int, interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._start = time.monotonic()

    def run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.monotonic() - self._start, _rss_mb(self.pid)))
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()


async def _settled(page: Page) -> None:
    """Wait until the app's script run has finished (as tests/e2e/conftest.py does)."""
    await page.locator(
        '[data-testid="stApp"]:is([data-test-script-state="notRunning"],'
        '[data-test-script-state="compilationError"])'
    ).wait_for(state="attached", timeout=120_000)


async def _timed(  # noqa: ANN001
    page: Page, times: dict[str, list[float]], kind: str, action, check
) -> None:
    """Time ``action`` until ``check`` passes, then let the page finish its run."""
    start = time.perf_counter()
    await action()
    await check()
    times[kind].append(time.perf_counter() - start)
    await _settled(page)


async def _session(page: Page, url: str, times: dict[str, list[float]], first: bool) -> None:
    suffix = " (first)" if first else ""
    await _timed(
        page,
        times,
        "open the app",
        lambda: page.goto(url),
        lambda: expect(page.get_by_role("heading", name=re.compile("^UCI Adult"))).to_be_visible(
            timeout=120_000
        ),
    )
    await _timed(
        page,
        times,
        "go to a page",
        lambda: page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Model").click(),
        lambda: expect(page.get_by_role("button", name="Train", exact=True)).to_be_visible(
            timeout=120_000
        ),
    )
    await _timed(
        page,
        times,
        "train" + suffix,
        lambda: page.get_by_role("button", name="Train", exact=True).click(),
        lambda: expect(page.get_by_role("heading", name=re.compile("^Performance:"))).to_be_visible(
            timeout=120_000
        ),
    )
    await _timed(
        page,
        times,
        "go to a page",
        lambda: (
            page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Fairness").click()
        ),
        lambda: expect(
            page.get_by_text("Disparities between groups of sex", exact=True)
        ).to_be_visible(timeout=120_000),
    )
    await _timed(
        page,
        times,
        "switch a view",
        lambda: page.get_by_text("Threshold explorer", exact=True).click(),
        lambda: expect(page.get_by_role("heading", name="Threshold explorer")).to_be_visible(
            timeout=120_000
        ),
    )
    container = page.get_by_test_id("stSlider").filter(has_text="Threshold").last
    slider = container.get_by_role("slider")
    await slider.focus()
    for _ in range(5):
        start = time.perf_counter()
        await slider.press("ArrowLeft")
        value = float(await container.get_by_test_id("stSliderThumbValue").inner_text())
        await page.wait_for_function(
            "text => [...document.querySelectorAll('.js-plotly-plot text')]"
            ".some(node => node.textContent === text)",
            arg=f"threshold {value:.3g}",
            polling="raf",
            timeout=120_000,
        )
        times["move the threshold"].append(time.perf_counter() - start)
    await _timed(
        page,
        times,
        "go to a page",
        lambda: (
            page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Explain").click()
        ),
        lambda: expect(page.get_by_role("heading", name="Explain", exact=True)).to_be_visible(
            timeout=120_000
        ),
    )
    await _timed(
        page,
        times,
        "explain one row" + suffix,
        lambda: page.get_by_text("One row", exact=True).click(),
        lambda: expect(page.get_by_text(re.compile(r"^Local fit R²"))).to_be_visible(
            timeout=120_000
        ),
    )


def _summary(times: dict[str, list[float]]) -> None:
    print(f"{'interaction':<28}{'n':>5}{'p50 s':>9}{'p95 s':>9}{'max s':>9}")
    light: list[float] = []
    for kind, values in sorted(times.items()):
        values = sorted(values)
        p95 = values[max(0, int(round(0.95 * len(values))) - 1)]
        print(
            f"{kind:<28}{len(values):>5}{statistics.median(values):>9.2f}{p95:>9.2f}"
            f"{values[-1]:>9.2f}"
        )
        if kind not in HEAVY:
            light += values
    light.sort()
    p95 = light[max(0, int(round(0.95 * len(light))) - 1)]
    print(
        f"non-heavy interactions: n = {len(light)}, p50 {statistics.median(light):.2f} s, "
        f"p95 {p95:.2f} s (target ≤ 2 s)"
    )


async def _main(args: argparse.Namespace, url: str, sampler: MemorySampler) -> None:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        # Warm-up: one session computes what everyone then shares (training, SHAP rows).
        warm_times: dict[str, list[float]] = defaultdict(list)
        context = await browser.new_context(viewport={"width": 1400, "height": 1400})
        warm_page = await context.new_page()
        warm_page.set_default_timeout(120_000)
        await _session(warm_page, url, warm_times, first=True)
        await context.close()
        print(
            f"warm-up session: train {warm_times['train (first)'][0]:.1f} s, explain one row "
            f"{warm_times['explain one row (first)'][0]:.1f} s"
        )

        times: dict[str, list[float]] = defaultdict(list)
        contexts = [
            await browser.new_context(viewport={"width": 1400, "height": 1400})
            for _ in range(args.users)
        ]
        pages = [await c.new_page() for c in contexts]
        for page in pages:
            page.set_default_timeout(120_000)
        start = time.perf_counter()
        await asyncio.gather(*(_session(p, url, times, first=False) for p in pages))
        wall = time.perf_counter() - start
        for context in contexts:
            await context.close()
        print(f"\n{args.users} concurrent sessions, {wall:.1f} s wall time")
        _summary(times)

        await asyncio.sleep(args.ttl + 15)
        baseline = _rss_mb(sampler.pid)
        print(f"\nwarm baseline after the first wave closed and expired: {baseline:.0f} MB")
        peak = baseline
        for i in range(args.churn):
            context = await browser.new_context(viewport={"width": 1400, "height": 1000})
            page = await context.new_page()
            await page.goto(url)
            await expect(page.get_by_role("heading", name=re.compile("^UCI Adult"))).to_be_visible(
                timeout=120_000
            )
            await (
                page.get_by_test_id("stSidebarNavItems")
                .get_by_role("link", name="Fairness")
                .click()
            )
            await expect(page.get_by_role("heading", name="Fairness", exact=True)).to_be_visible(
                timeout=120_000
            )
            await context.close()
            peak = max(peak, _rss_mb(sampler.pid))
            if (i + 1) % 10 == 0:
                print(f"  {i + 1} sessions opened and closed: {_rss_mb(sampler.pid):.0f} MB")
        await asyncio.sleep(args.ttl + 15)
        after = _rss_mb(sampler.pid)
        change = (after - baseline) / baseline
        print(
            f"after {args.churn} sessions opened and closed (and expired): {after:.0f} MB, "
            f"{change:+.1%} against the warm baseline (target within ±10 %); peak {peak:.0f} MB"
        )
        await browser.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--churn", type=int, default=50)
    parser.add_argument(
        "--ttl", type=int, default=120, help="the server's disconnectedSessionTTL, in seconds"
    )
    args = parser.parse_args()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.disconnectedSessionTTL",
            str(args.ttl),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    sampler = MemorySampler(server.pid)
    try:
        _wait_healthy(url)
        sampler.start()
        asyncio.run(_main(args, url, sampler))
    finally:
        sampler.stop()
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    series = sampler.samples
    if series:
        step = max(1, len(series) // 20)
        print(
            "\nserver memory over time (s, MB): "
            + ", ".join(f"{t:.0f}:{m:.0f}" for t, m in series[::step])
        )


if __name__ == "__main__":
    main()
