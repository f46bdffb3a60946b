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
import re
import threading
import time
from collections import defaultdict

from _app_server import CHROMIUM_ARGS, print_latency_table, rss_mb, running_app
from playwright.async_api import Page, async_playwright, expect

HEAVY = {"train (first)", "explain one row (first)"}


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
            self.samples.append((time.monotonic() - self._start, rss_mb(self.pid)))
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
        print_latency_table(times, HEAVY)

        await asyncio.sleep(args.ttl + 15)
        baseline = rss_mb(sampler.pid)
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
            peak = max(peak, rss_mb(sampler.pid))
            if (i + 1) % 10 == 0:
                print(f"  {i + 1} sessions opened and closed: {rss_mb(sampler.pid):.0f} MB")
        await asyncio.sleep(args.ttl + 15)
        after = rss_mb(sampler.pid)
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
    with running_app("--server.disconnectedSessionTTL", str(args.ttl)) as (url, server):
        sampler = MemorySampler(server.pid)
        sampler.start()
        try:
            asyncio.run(_main(args, url, sampler))
        finally:
            sampler.stop()
    series = sampler.samples
    if series:
        step = max(1, len(series) // 20)
        print(
            "\nserver memory over time (s, MB): "
            + ", ".join(f"{t:.0f}:{m:.0f}" for t, m in series[::step])
        )


if __name__ == "__main__":
    main()
