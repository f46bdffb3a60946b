"""Benchmark: the default mitigation comparison on UCI Adult against naive fairlearn.

Loads the bundled Adult dataset with its default spec, splits it (stratified by outcome ×
sensitive groups, test size 0.3, seed 0) and mitigates for ``sex`` with logistic
regression as the base model.

- **FairLab**: one call (in-process with ``n_jobs=1``, then in parallel with ``--n-jobs``,
  default every core) to :func:`fairlab.mitigation.compare_techniques` with the baseline
  and :data:`fairlab.mitigation.DEFAULT_TECHNIQUES` (reweighing, correlation remover,
  exponentiated gradient for demographic parity and for equalized odds, grid search for
  demographic parity, threshold optimizer for demographic parity and for equalized odds,
  reject-option classification), every result assessed with bootstrap intervals. The
  parallel time includes starting the worker processes (a first call; later calls reuse
  them).
- **Naive**: the same techniques one after another, each on a fresh full scikit-learn
  Pipeline (preprocessing + model) with fairlearn's defaults: the reductions get
  ``sample_weight_name="model__sample_weight"`` (so the weights reach the model through the
  Pipeline) and refit the preprocessing at every step; the threshold optimizer refits the
  pipeline (``prefit=False``); reweighing and reject-option classification, which fairlearn
  lacks, use FairLab's weights and post-processor on a freshly fitted pipeline. Each result is
  assessed the same way.

Prints, per technique, the time, the test accuracy and the disparity the technique targets
(difference between groups), on each side; then both totals and their ratio (target ≤ 25 %).

Run with ``python bench/bench_mitigation.py [--quick] [--n-jobs N] [--naive-blas-threads N]``.
``--quick`` uses 10,000 rows of Adult instead of 48,842.
"""

from __future__ import annotations

import argparse
import os
import time
from contextlib import nullcontext

import numpy as np
import pandas as pd
from fairlearn.postprocessing import ThresholdOptimizer
from fairlearn.preprocessing import CorrelationRemover
from fairlearn.reductions import DemographicParity, EqualizedOdds, ExponentiatedGradient, GridSearch
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from fairlab.audit_data import build_audit_data
from fairlab.data import infer_column_roles, load_bundled
from fairlab.fairness import FairnessConfig, assess_fairness
from fairlab.mitigation import (
    DEFAULT_TECHNIQUES,
    RejectOptionClassifier,
    TechniqueConfig,
    compare_techniques,
    reweighing_weights,
)
from fairlab.models import ModelConfig, build_pipeline
from fairlab.split import SplitConfig, split_audit_data

ATTRIBUTE = "sex"
BASE = ModelConfig("logistic_regression")
SEED = 0
_MOMENTS = {"demographic_parity": DemographicParity, "equalized_odds": EqualizedOdds}


def _naive(technique: TechniqueConfig, train, test, roles):
    """One technique, the plain way: a full Pipeline, fairlearn's defaults."""
    sf_train = train.groups(ATTRIBUTE).astype(str).to_numpy()
    sf_test = test.groups(ATTRIBUTE).astype(str).to_numpy()
    pipeline = build_pipeline(BASE, roles=roles)
    y = train.y_true
    name, constraint = technique.name, technique.constraint
    if name == "baseline":
        pipeline.fit(train.X, y)
        return pipeline.predict(test.X)
    if name == "reweighing":
        pipeline.fit(train.X, y, model__sample_weight=reweighing_weights(y, sf_train))
        return pipeline.predict(test.X)
    if name == "correlation_remover":
        groups = sorted(set(sf_train))
        columns = [f"__group_{g}" for g in groups]

        def with_groups(X, sf):
            indicators = pd.DataFrame(
                {c: (sf == g).astype(float) for c, g in zip(columns, groups, strict=True)}
            )
            return pd.concat([X.reset_index(drop=True), indicators], axis=1)

        # The group indicators go first, so the remover finds them in columns 0 .. k-1.
        preprocess = pipeline.named_steps["preprocess"]
        preprocess.set_params(
            sparse_threshold=0.0,
            transformers=[("groups", "passthrough", columns), *preprocess.transformers],
        )
        remover = CorrelationRemover(sensitive_feature_ids=list(range(len(groups))))
        full = Pipeline(
            [("preprocess", preprocess), ("remove", remover), ("model", pipeline["model"])]
        )
        full.fit(with_groups(train.X, sf_train), y)
        return full.predict(with_groups(test.X, sf_test))
    if name == "exponentiated_gradient":
        mitigator = ExponentiatedGradient(
            pipeline, _MOMENTS[constraint](), sample_weight_name="model__sample_weight"
        )
        mitigator.fit(train.X, y, sensitive_features=sf_train)
        return mitigator.predict(test.X, random_state=SEED)
    if name == "grid_search":
        mitigator = GridSearch(
            pipeline, _MOMENTS[constraint](), sample_weight_name="model__sample_weight"
        )
        mitigator.fit(train.X, y, sensitive_features=sf_train)
        return mitigator.predict(test.X)
    if name == "threshold_optimizer":
        optimizer = ThresholdOptimizer(
            estimator=pipeline, constraints=constraint, predict_method="predict_proba"
        )
        optimizer.fit(train.X, y, sensitive_features=sf_train)
        return optimizer.predict(test.X, sensitive_features=sf_test, random_state=SEED)
    if name == "reject_option":
        pipeline.fit(train.X, y)
        classifier = RejectOptionClassifier().fit(
            pipeline.predict_proba(train.X)[:, 1], sensitive_features=sf_train
        )
        return classifier.predict(pipeline.predict_proba(test.X)[:, 1], sensitive_features=sf_test)
    raise ValueError(f"No naive run for {name}.")


def _target(technique: TechniqueConfig) -> str:
    return f"{technique.constraint or 'demographic_parity'}_difference"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 rows of Adult")
    parser.add_argument("--n-jobs", type=int, default=-1, help="FairLab's parallel runs")
    parser.add_argument(
        "--naive-blas-threads",
        type=int,
        default=None,
        help="limit BLAS threads on the naive side (default: the library default)",
    )
    args = parser.parse_args()

    frame, spec = load_bundled("adult")
    data = build_audit_data(frame, spec)
    if args.quick:
        rng = np.random.default_rng(SEED)
        data = data.subset(np.sort(rng.choice(data.n_rows, 10_000, replace=False)))
    roles = {info.name: info.role for info in infer_column_roles(data.X)}
    split = split_audit_data(data, SplitConfig(test_size=0.3, random_state=SEED))
    train, test = split.train(data), split.test(data)
    config = FairnessConfig()
    print(
        f"Adult{' (quick)' if args.quick else ''}: train {train.n_rows:,}, test "
        f"{test.n_rows:,} rows; attribute '{ATTRIBUTE}'; base {BASE.title}; "
        f"{os.cpu_count()} cores; n_jobs={args.n_jobs}",
        flush=True,
    )

    def run_fairlab(n_jobs: int):
        start = time.perf_counter()
        comparison = compare_techniques(
            train,
            test,
            BASE,
            DEFAULT_TECHNIQUES,
            roles=roles,
            attribute=ATTRIBUTE,
            fairness_config=config,
            random_state=SEED,
            n_jobs=n_jobs,
        )
        total = time.perf_counter() - start
        print(f"FairLab, n_jobs={n_jobs}: {total:.1f} s", flush=True)
        return comparison, total

    serial, serial_total = run_fairlab(1)
    fast = serial.table()
    fast_totals = {1: serial_total}
    if args.n_jobs != 1:
        parallel, fast_totals[args.n_jobs] = run_fairlab(args.n_jobs)
        same = all(
            np.array_equal(parallel.result(name).y_pred, serial.result(name).y_pred)
            for name in serial.names
        )
        seconds = ", ".join(f"{s:.1f}" for s in parallel.table()["seconds"])
        print(f"  same decisions as n_jobs=1: {same}; seconds per technique: {seconds}")

    techniques = [TechniqueConfig("baseline"), *DEFAULT_TECHNIQUES]
    naive_rows = {}
    limit = (
        threadpool_limits(limits=args.naive_blas_threads, user_api="blas")
        if args.naive_blas_threads
        else nullcontext()
    )
    naive_start = time.perf_counter()
    with limit:
        for technique in techniques:
            begin = time.perf_counter()
            y_pred = np.asarray(_naive(technique, train, test, roles), dtype=np.int8)
            result = assess_fairness(
                test.y_true,
                y_pred,
                sensitive_features=test.groups(ATTRIBUTE).to_frame(ATTRIBUTE),
                config=config,
            )
            naive_rows[technique.label] = (
                time.perf_counter() - begin,
                float(result.overall["accuracy"]),
                float(result.disparities[ATTRIBUTE].loc[_target(technique), "value"]),
                float(result.disparities[ATTRIBUTE].loc["demographic_parity_difference", "value"]),
            )
            print(f"  naive {technique.label}: {naive_rows[technique.label][0]:.1f} s", flush=True)
    naive_total = time.perf_counter() - naive_start

    print("\nFairLab columns: n_jobs=1.")
    print(
        f"{'technique':<46}{'target':>20}{'FairLab s':>10}{'naive s':>9}"
        f"{'acc FL':>8}{'acc naive':>10}{'disp FL':>9}{'disp naive':>11}"
    )
    for technique in techniques:
        label = technique.label
        seconds, accuracy, disparity, _ = naive_rows[label]
        target = _target(technique).removesuffix("_difference").replace("_", " ")
        print(
            f"{label:<46}{target:>20}{fast.loc[label, 'seconds']:>10.2f}{seconds:>9.2f}"
            f"{fast.loc[label, 'accuracy']:>8.4f}{accuracy:>10.4f}"
            f"{fast.loc[label, _target(technique)]:>9.4f}{disparity:>11.4f}"
        )
    for n_jobs, total in fast_totals.items():
        print(
            f"FairLab n_jobs={n_jobs}: {total:.1f} s (wall, with assessments"
            + (", including worker start-up" if n_jobs != 1 else "")
            + f"); naive {naive_total:.1f} s; ratio {total / naive_total:.1%} (target ≤ 25 %)"
        )


if __name__ == "__main__":
    main()
