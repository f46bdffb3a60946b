"""Benchmark: histogram gradient boosting on Adult, idle and with another core busy.

Loads the bundled Adult dataset with its default spec, splits it (test size 0.3, seed 0)
and fits the zoo's ``hist_gradient_boosting`` (default hyperparameters) four ways:
the machine idle or one core kept busy by a busy-loop process this script starts and
stops itself, each with no thread limit (``threads=None``: OpenMP's one thread per core)
and with FairLab's default limit (``threads=1``). Each fit runs ``--repeat`` times; the
median and the worst are printed, with the ratio of the busy median to the idle median
of the same setting (goal: within 2x).

With ``--comparisons``, it then runs the Mitigate page's default comparison (baseline + 8
techniques, for sex) on the same split for each base model in ``--bases``, as the app does
(one worker process per core, per-fit progress), and prints its wall time and the longest
wait between two progress updates: the figures behind the page's time statement.

Run with ``python bench/bench_threads.py [--repeat 3] [--comparisons] [--bases a,b]``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import time

from fairlab.audit_data import build_audit_data
from fairlab.data import infer_column_roles, load_bundled
from fairlab.mitigation import DEFAULT_TECHNIQUES, compare_techniques
from fairlab.models import DEFAULT_FIT_THREADS, ModelConfig, train_model
from fairlab.split import SplitConfig, split_audit_data


def _spin() -> None:
    while True:
        pass


def _fits(train, roles, threads: int | None, repeat: int) -> list[float]:
    config = ModelConfig("hist_gradient_boosting")
    return [
        train_model(train, config, roles=roles, threads=threads).fit_seconds
        for _ in range(repeat)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--comparisons", action="store_true")
    parser.add_argument("--skip-fits", action="store_true")
    parser.add_argument(
        "--bases", default="logistic_regression,random_forest,hist_gradient_boosting"
    )
    args = parser.parse_args()

    frame, spec = load_bundled("adult")
    data = build_audit_data(frame, spec)
    roles = {info.name: info.role for info in infer_column_roles(data.X)}
    split = split_audit_data(data, SplitConfig(test_size=0.3, random_state=0))
    train = split.train(data)
    print(f"Adult: train {train.n_rows:,} rows; {os.cpu_count()} cores; load {os.getloadavg()}")
    if not args.skip_fits:
        _thread_table(train, roles, args.repeat)
    if args.comparisons:
        _comparisons(train, split.test(data), roles, args.bases.split(","))


def _comparisons(train, test, roles, bases: list[str]) -> None:
    print(f"\n{'comparison base':<26}{'wall s':>8}{'longest wait s':>16}{'updates':>9}")
    for base in bases:
        stamps: list[float] = []

        def mark(*_: object) -> None:
            stamps.append(time.perf_counter())

        start = time.perf_counter()
        compare_techniques(
            train,
            test,
            ModelConfig(base),
            DEFAULT_TECHNIQUES,
            roles=roles,
            attribute="sex",
            n_jobs=os.cpu_count() or 1,
            progress=mark,
            fit_progress=mark,
        )
        end = time.perf_counter()
        times = [start, *stamps, end]
        longest = max(b - a for a, b in zip(times[:-1], times[1:], strict=True))
        print(f"{base:<26}{end - start:>8.1f}{longest:>16.1f}{len(stamps):>9}", flush=True)


def _thread_table(train, roles, repeat: int) -> None:
    _fits(train, roles, None, 1)  # warm-up: imports, OpenMP pool

    settings = (("no limit", None), (f"threads={DEFAULT_FIT_THREADS}", DEFAULT_FIT_THREADS))
    results: dict[tuple[str, str], list[float]] = {}
    for label, threads in settings:
        results[(label, "idle")] = _fits(train, roles, threads, repeat)
    busy = multiprocessing.get_context("spawn").Process(target=_spin, daemon=True)
    busy.start()
    try:
        for label, threads in settings:
            results[(label, "busy")] = _fits(train, roles, threads, repeat)
    finally:
        busy.terminate()
        busy.join()

    print(f"load before the busy runs: {os.getloadavg()}")
    print(
        f"\n{'setting':<12}{'idle median s':>15}{'busy median s':>15}{'busy max s':>12}"
        f"{'ratio':>8}"
    )
    for label, _ in settings:
        idle = statistics.median(results[(label, "idle")])
        busy_times = results[(label, "busy")]
        busy_median = statistics.median(busy_times)
        print(
            f"{label:<12}{idle:>15.2f}{busy_median:>15.2f}{max(busy_times):>12.2f}"
            f"{busy_median / idle:>7.1f}x"
        )


if __name__ == "__main__":
    main()
