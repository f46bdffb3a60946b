"""Benchmark: FairLab's intervals against fairlearn's ``MetricFrame(n_boot=...)``.

On the test split of UCI Adult (the 16,281 rows of ``adult.test``), with predictions from a
logistic regression trained on the ``adult.data`` rows (one-hot encoded categorical
features, standardised numeric features, the default spec's features, so neither sex nor
race), it measures the wall time of

- fairlearn: ``MetricFrame`` with three metrics (``selection_rate``,
  ``true_positive_rate``, ``false_positive_rate``) by ``sex``, ``n_boot=200``
  (one run: it takes seconds);
- FairLab: :func:`fairlab.fairness.assess_audit`: all ten metrics and the base rate for
  ``sex``, ``race`` and ``sex×race`` with their Clopper–Pearson intervals, every disparity
  with its simultaneous interval over all pairs of groups, verdict and sentence (median of
  several runs). Its intervals are closed-form in the counts, so there are no resamples
  and its time does not depend on ``n_boot``; the comparison is with fairlearn at
  ``n_boot`` resamples, the interval it needs them for.

FairLab does strictly more work than fairlearn here, so the ratio is conservative. It then
times FairLab on Adult and on synthetic rows (a 50-group attribute, a 2-group attribute and
their 100-group intersection, 152 groups in all, with scores).

Run with ``python bench/bench_bootstrap.py [--rows 1000000] [--repeats 5]``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
from fairlearn.metrics import (
    MetricFrame,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from fairlab.audit_data import AuditData, build_audit_data
from fairlab.data import load_bundled
from fairlab.fairness import FairnessConfig, assess_audit, assess_fairness

TARGET_RATIO = 1000
FLOOR_RATIO = 50


def _adult_test_with_predictions() -> tuple[AuditData, np.ndarray]:
    frame, spec = load_bundled("adult")
    data = build_audit_data(frame, spec)
    is_test = (frame.loc[frame[spec.target].notna(), "source_file"] == "adult.test").to_numpy()
    train, test = data.subset(np.flatnonzero(~is_test)), data.subset(np.flatnonzero(is_test))
    categorical = [c for c in train.X.columns if not pd.api.types.is_numeric_dtype(train.X[c])]
    numeric = [c for c in train.X.columns if c not in categorical]
    model = make_pipeline(
        ColumnTransformer(
            [
                ("categorical", OneHotEncoder(handle_unknown="ignore"), categorical),
                ("numeric", StandardScaler(), numeric),
            ]
        ),
        LogisticRegression(max_iter=2000),
    )
    X_train = train.X.astype({c: object for c in categorical}).fillna({c: "?" for c in categorical})
    X_test = test.X.astype({c: object for c in categorical}).fillna({c: "?" for c in categorical})
    model.fit(X_train, train.y_true)
    y_pred = model.predict(X_test).astype(np.int8)
    return test, y_pred


def _time(function: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _synthetic(
    n_rows: int, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    region = rng.integers(0, 50, n_rows)
    sex = rng.integers(0, 2, n_rows)
    y_true = (rng.random(n_rows) < 0.2 + 0.01 * (region % 30)).astype(np.int8)
    y_score = np.clip(0.5 * y_true + 0.1 * sex + 0.4 * rng.random(n_rows), 0, 1)
    y_pred = (y_score >= 0.5).astype(np.int8)
    names = np.array([f"region {i:02d}" for i in range(50)])
    sensitive = pd.DataFrame(
        {
            "region": pd.Categorical.from_codes(region, categories=names),
            "sex": pd.Categorical.from_codes(sex, categories=["F", "M"]),
            "region×sex": pd.Categorical.from_codes(
                region * 2 + sex, categories=[f"{r} × {s}" for r in names for s in ("F", "M")]
            ),
        }
    )
    return y_true, y_pred, y_score, sensitive


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="synthetic rows")
    parser.add_argument("--repeats", type=int, default=5, help="FairLab runs per timing")
    parser.add_argument("--n-boot", type=int, default=200, help="resamples for the comparison")
    arguments = parser.parse_args()

    test, y_pred = _adult_test_with_predictions()
    print(
        f"Adult test split: {test.n_rows:,} rows; predictions from LogisticRegression on "
        f"one-hot features trained on adult.data (test accuracy "
        f"{np.mean(y_pred == test.y_true):.3f}, selection rate {y_pred.mean():.3f})."
    )

    n_boot = arguments.n_boot
    start = time.perf_counter()
    MetricFrame(
        metrics={
            "selection_rate": selection_rate,
            "true_positive_rate": true_positive_rate,
            "false_positive_rate": false_positive_rate,
        },
        y_true=test.y_true,
        y_pred=y_pred,
        sensitive_features=test.sensitive_features["sex"],
        n_boot=n_boot,
        ci_quantiles=[0.025, 0.975],
        random_state=0,
    )
    fairlearn_seconds = time.perf_counter() - start

    config = FairnessConfig(n_boot=n_boot)
    result = assess_audit(test, y_pred=y_pred, config=config)
    fairlab_seconds = _time(
        lambda: assess_audit(test, y_pred=y_pred, config=config), arguments.repeats
    )
    ratio = fairlearn_seconds / fairlab_seconds
    status = (
        "target met"
        if ratio >= TARGET_RATIO
        else "floor met"
        if ratio >= FLOOR_RATIO
        else "BELOW FLOOR"
    )
    print(f"\nAdult test, fairlearn at {n_boot} resamples, FairLab closed-form:")
    print(f"  fairlearn MetricFrame, 3 metrics by sex          {fairlearn_seconds:9.3f} s")
    print(
        f"  FairLab assess_audit, 11 rates + 10 disparities  {fairlab_seconds:9.4f} s  "
        f"({', '.join(result.attributes)})"
    )
    print(f"  ratio {ratio:,.0f}× (target ≥ {TARGET_RATIO:,}×, floor {FLOOR_RATIO}×): {status}")

    config = FairnessConfig()
    adult = _time(lambda: assess_audit(test, y_pred=y_pred, config=config), arguments.repeats)
    print("\nFairLab, default options:")
    print(f"  Adult test ({test.n_rows:,} rows, 3 attributes)  {adult:9.4f} s")

    y_true, y_pred_synthetic, y_score, sensitive = _synthetic(arguments.rows)
    synthetic = _time(
        lambda: assess_fairness(
            y_true, y_pred_synthetic, sensitive_features=sensitive, y_score=y_score, config=config
        ),
        arguments.repeats,
    )
    print(
        f"  synthetic ({arguments.rows:,} rows; 50, 2 and 100 groups; with scores)  "
        f"{synthetic:9.4f} s"
    )
    one_attribute = _time(
        lambda: assess_fairness(
            y_true, y_pred_synthetic, sensitive_features=sensitive[["region"]], config=config
        ),
        arguments.repeats,
    )
    print(
        f"  synthetic ({arguments.rows:,} rows; one attribute of 50 groups)  {one_attribute:9.4f} s"
    )


if __name__ == "__main__":
    main()
