"""Benchmark: the threshold explorer's cost per slider update on a million rows.

Builds a :class:`fairlab.thresholds.ThresholdSweep` over ``--rows`` scored rows in
``--groups`` groups of unequal sizes, then times ``rates_at`` (confusion counts and every
rate, per group, as a DataFrame) for ``--updates`` random slider positions:

- a new global threshold per update, and
- new per-group thresholds per update;

and compares them with the naive approach, which recomputes the confusion counts from every
row at each update (numpy ``bincount`` over group codes, and pandas ``groupby``), checking on
the way that both give the same counts. Targets from issue 3: ≤ 1 ms per update (the floor is
50 ms).

Run with ``python bench/bench_thresholds.py [--rows 1000000 --groups 10 --updates 1000]``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from fairlab.thresholds import ThresholdSweep

TARGET_MS = 1.0
FLOOR_MS = 50.0


def _make_data(n_rows: int, n_groups: int, seed: int) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    rng = np.random.default_rng(seed)
    shares = rng.dirichlet(np.full(n_groups, 2.0))
    codes = rng.choice(n_groups, size=n_rows, p=shares)
    names = np.array([f"group {i}" for i in range(n_groups)])
    latent = rng.normal(size=n_rows) + 0.3 * (codes % 3)
    y_true = (latent + rng.normal(size=n_rows) > 0.5).astype(np.int8)
    y_score = 1 / (1 + np.exp(-latent))
    return y_true, y_score, pd.Series(pd.Categorical(names[codes]))


def _times_ms(function: Callable[[object], object], arguments: list[object]) -> np.ndarray:
    times = np.empty(len(arguments))
    for i, argument in enumerate(arguments):
        start = time.perf_counter_ns()
        function(argument)
        times[i] = (time.perf_counter_ns() - start) / 1e6
    return times


def _naive_numpy(y_true, y_score, codes, n_groups, thresholds_by_code) -> pd.DataFrame:
    """Confusion counts and rates recomputed from every row."""
    predicted = y_score >= thresholds_by_code[codes]
    positive = y_true == 1
    tp = np.bincount(codes, weights=predicted & positive, minlength=n_groups)
    fp = np.bincount(codes, weights=predicted & ~positive, minlength=n_groups)
    fn = np.bincount(codes, weights=~predicted & positive, minlength=n_groups)
    tn = np.bincount(codes, weights=~predicted & ~positive, minlength=n_groups)
    count = tp + fp + fn + tn
    with np.errstate(divide="ignore", invalid="ignore"):
        return pd.DataFrame(
            {
                "tp": tp,
                "fp": fp,
                "tn": tn,
                "fn": fn,
                "selection_rate": (tp + fp) / count,
                "true_positive_rate": tp / (tp + fn),
                "false_positive_rate": fp / (fp + tn),
            }
        )


def _naive_pandas(frame: pd.DataFrame, threshold: float) -> pd.DataFrame:
    predicted = frame["score"] >= threshold
    positive = frame["y"] == 1
    cells = pd.DataFrame(
        {
            "group": frame["group"],
            "tp": predicted & positive,
            "fp": predicted & ~positive,
            "tn": ~predicted & ~positive,
            "fn": ~predicted & positive,
        }
    )
    return cells.groupby("group", observed=True).sum()


def _summary(name: str, times: np.ndarray) -> str:
    return (
        f"  {name:<44} mean {times.mean():8.3f} ms   p50 {np.percentile(times, 50):8.3f} ms   "
        f"p99 {np.percentile(times, 99):8.3f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--groups", type=int, default=10)
    parser.add_argument("--updates", type=int, default=1_000)
    parser.add_argument("--naive-updates", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    y_true, y_score, groups = _make_data(args.rows, args.groups, args.seed)
    builds = []
    for _ in range(3):
        start = time.perf_counter()
        sweep = ThresholdSweep.from_scores(y_true, y_score, groups)
        builds.append(time.perf_counter() - start)
    print(f"threshold explorer on {args.rows:,} rows × {len(sweep.groups)} groups")
    print(f"  build (sort once, cumulative counts)   median of 3: {np.median(builds) * 1e3:.0f} ms")

    rng = np.random.default_rng(args.seed + 1)
    low, high = float(y_score.min()), float(y_score.max())
    global_thresholds = [float(t) for t in rng.uniform(low, high, args.updates)]
    per_group_thresholds = [
        dict(zip(sweep.groups, rng.uniform(low, high, len(sweep.groups)).tolist(), strict=True))
        for _ in range(args.updates)
    ]
    for t in global_thresholds[:20]:  # warm up
        sweep.rates_at(t)

    global_times = _times_ms(sweep.rates_at, global_thresholds)
    per_group_times = _times_ms(sweep.rates_at, per_group_thresholds)
    counts_times = _times_ms(sweep.confusion_at, global_thresholds)
    print(f"per slider update, over {args.updates:,} updates:")
    print(_summary("rates_at(new global threshold)", global_times))
    print(_summary("rates_at(new per-group thresholds)", per_group_times))
    print(_summary("confusion_at(new global threshold)", counts_times))

    codes = groups.cat.codes.to_numpy()
    code_of = {str(c): i for i, c in enumerate(groups.cat.categories)}
    frame = pd.DataFrame({"y": y_true, "score": y_score, "group": groups})
    naive_global = global_thresholds[: args.naive_updates]
    naive_per_group = per_group_thresholds[: args.naive_updates]

    def by_code(mapping: dict[str, float]) -> np.ndarray:
        thresholds = np.empty(len(code_of))
        for group, t in mapping.items():
            thresholds[code_of[group]] = t
        return thresholds

    def naive_global_update(t: float) -> pd.DataFrame:
        return _naive_numpy(y_true, y_score, codes, len(code_of), np.full(len(code_of), t))

    def naive_per_group_update(mapping: dict[str, float]) -> pd.DataFrame:
        return _naive_numpy(y_true, y_score, codes, len(code_of), by_code(mapping))

    for t, mapping in zip(naive_global[:5], naive_per_group[:5], strict=True):
        for naive, fast in (
            (naive_global_update(t), sweep.confusion_at(t)),
            (naive_per_group_update(mapping), sweep.confusion_at(mapping)),
        ):
            order = [code_of[g] for g in fast["group"]]
            for cell in ("tp", "fp", "tn", "fn"):
                assert np.array_equal(naive[cell].to_numpy()[order], fast[cell].to_numpy())
    pandas_check = _naive_pandas(frame, naive_global[0])
    assert (
        pandas_check.loc[list(sweep.groups), "tp"].to_numpy()
        == sweep.confusion_at(naive_global[0])["tp"].to_numpy()
    ).all()

    naive_global_times = _times_ms(naive_global_update, naive_global)
    naive_per_group_times = _times_ms(naive_per_group_update, naive_per_group)
    naive_pandas_times = _times_ms(lambda t: _naive_pandas(frame, t), naive_global[:20])
    print(f"naive: recompute from every row at each update ({args.naive_updates} updates):")
    print(_summary("numpy bincount, global threshold", naive_global_times))
    print(_summary("numpy bincount, per-group thresholds", naive_per_group_times))
    print(_summary("pandas groupby, global threshold (20 updates)", naive_pandas_times))
    print("ratios (naive mean / sweep mean):")
    print(
        f"  global threshold      vs numpy  {naive_global_times.mean() / global_times.mean():7.1f}×"
        f"   vs pandas {naive_pandas_times.mean() / global_times.mean():7.1f}×"
    )
    print(
        f"  per-group thresholds  vs numpy  "
        f"{naive_per_group_times.mean() / per_group_times.mean():7.1f}×"
    )

    other = {
        "curve(3 metrics, 101 points)": (lambda _: sweep.curve(), [None] * 50),
        "best_threshold(cost_fp=3)": (lambda _: sweep.best_threshold(cost_fp=3.0), [None] * 20),
        "equalizing_thresholds(selection_rate)": (
            lambda _: sweep.equalizing_thresholds(target="selection_rate", value=0.3),
            [None] * 10,
        ),
    }
    print("other operations:")
    for name, (function, calls) in other.items():
        print(_summary(name, _times_ms(function, calls)))

    worst = max(global_times.mean(), per_group_times.mean())
    verdict = (
        "meets the target"
        if worst <= TARGET_MS
        else "above the target but within the floor"
        if worst <= FLOOR_MS
        else "FAILS the floor"
    )
    print(
        f"slider update: worst mean {worst:.3f} ms — {verdict} "
        f"(target ≤ {TARGET_MS:g} ms, floor {FLOOR_MS:g} ms)"
    )


if __name__ == "__main__":
    main()
