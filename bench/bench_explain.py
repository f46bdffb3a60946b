"""Benchmark: SHAP explanations of every zoo model on UCI Adult.

Loads the bundled Adult dataset with its default spec, splits it (stratified, test size
0.3, seed 0), trains every zoo model with its default hyperparameters, and times
:func:`fairlab.explain.explain_shap` on

1. one test row (a local explanation), and
2. 1,000 test rows (a global explanation; the target is ≤ 5 s on a 2-core machine),

with a budget large enough that no row is sampled away. Each model is first timed on
:data:`_PROBE_ROWS` rows; a global run projected (from that rate) to overrun the time left
of ``--budget`` seconds is not run but estimated, and marked "est.". The table also shows
:func:`fairlab.explain.estimate_shap_cost`'s own estimate, and how many of the 1,000 rows the
default budget (``max_evaluations=2_000_000``) would explain.

Run with ``python bench/bench_explain.py [--budget 300]``.
"""

from __future__ import annotations

import argparse
import time

from fairlab.audit_data import build_audit_data
from fairlab.data import infer_column_roles, load_bundled
from fairlab.explain import estimate_shap_cost, explain_shap
from fairlab.models import MODEL_NAMES, ModelConfig, train_model
from fairlab.split import SplitConfig, split_audit_data

_GLOBAL_ROWS = 1000
_PROBE_ROWS = 20
_TARGET_SECONDS = 5.0
_UNLIMITED = 10**15


def _timed_explanation(model, rows, background, **budget):
    start = time.perf_counter()
    result = explain_shap(model, rows, background=background, **budget)
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=300.0, help="seconds for the whole run")
    args = parser.parse_args()
    deadline = time.perf_counter() + args.budget

    frame, spec = load_bundled("adult")
    data = build_audit_data(frame, spec)
    roles = {info.name: info.role for info in infer_column_roles(data.X)}
    split = split_audit_data(data, SplitConfig(test_size=0.3, random_state=0))
    train, test = split.train(data), split.test(data)
    rows = test.X.iloc[:_GLOBAL_ROWS]
    print(f"Adult: train {train.n_rows:,} rows, {len(roles)} features; explaining test rows")
    header = (
        f"{'model':<24}{'explainer':<22}{'space':<13}{'1 row s':>9}{'1,000 rows s':>15}"
        f"{'  ≤5 s':>7}{'cost est. s':>13}{'default-budget rows':>21}{'max |additivity|':>19}"
    )
    print(header)
    print("-" * len(header))
    for name in MODEL_NAMES:
        model = train_model(train, ModelConfig(name), roles=roles)
        one, one_seconds = _timed_explanation(model, rows.iloc[:1], train.X)
        probe, probe_seconds = _timed_explanation(
            model, rows.iloc[:_PROBE_ROWS], train.X, max_evaluations=_UNLIMITED
        )
        projected = probe_seconds / _PROBE_ROWS * _GLOBAL_ROWS
        if projected < deadline - time.perf_counter():
            result, seconds = _timed_explanation(
                model, rows, train.X, max_evaluations=_UNLIMITED, max_rows=_GLOBAL_ROWS
            )
            shown = f"{seconds:.2f}"
        else:
            result, seconds = probe, projected
            shown = f"{seconds:.1f} est."
        error = result.additivity_error
        estimate = estimate_shap_cost(model, _GLOBAL_ROWS)
        default_rows = min(
            _GLOBAL_ROWS, max(1, 2_000_000 // (estimate.evaluations // _GLOBAL_ROWS))
        )
        meets = "yes" if seconds <= _TARGET_SECONDS else "no"
        print(
            f"{name:<24}{result.explainer:<22}{result.output_space:<13}{one_seconds:>9.3f}"
            f"{shown:>15}{meets:>7}{estimate.seconds_estimate:>13.1f}{default_rows:>21,}"
            f"{error:>19.1e}"
        )
    print(f"total {args.budget - (deadline - time.perf_counter()):.0f} s")


if __name__ == "__main__":
    main()
