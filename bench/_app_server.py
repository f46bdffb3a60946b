"""What the browser and load benchmarks share: a FairLab server of their own, its memory
and CPU, and a latency table."""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
]


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, timeout: float = 60) -> None:
    """Wait until Streamlit's health endpoint answers ``ok``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("streamlit did not start")


@contextmanager
def running_app(*options: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Run ``streamlit run app.py`` on a free loopback port, with extra ``--option value``
    pairs; yield its base URL and process, and stop it (and its children) afterwards."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", *options],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        wait_healthy(url)
        yield url, server
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def rss_mb(pid: int) -> float:
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


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_idle(pid: int, *, below: float = 0.1, timeout: float = 180) -> float:
    """Wait until the server's background warm-up (numba kernels, lessons) is done: its
    CPU use stays below ``below`` of a core over a second. Returns the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        before = _cpu_seconds(pid)
        time.sleep(1.0)
        if _cpu_seconds(pid) - before < below:
            break
    return time.monotonic() - started


def _p95(values: list[float]) -> float:
    return values[max(0, int(round(0.95 * len(values))) - 1)]


def print_latency_table(times: Mapping[str, list[float]], heavy: Iterable[str]) -> None:
    """p50 / p95 / max per kind of interaction, then over the kinds not in ``heavy``."""
    heavy = set(heavy)
    print(f"{'interaction':<28}{'n':>5}{'p50 s':>9}{'p95 s':>9}{'max s':>9}")
    light: list[float] = []
    for kind, values in sorted(times.items()):
        values = sorted(values)
        print(
            f"{kind:<28}{len(values):>5}{statistics.median(values):>9.2f}"
            f"{_p95(values):>9.2f}{values[-1]:>9.2f}"
        )
        if kind not in heavy:
            light += values
    light.sort()
    print(
        f"non-heavy interactions: n = {len(light)}, p50 {statistics.median(light):.2f} s, "
        f"p95 {_p95(light):.2f} s (target ≤ 2 s)"
    )
