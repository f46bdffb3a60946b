"""Benchmark: the model zoo on UCI Adult, and what tree depth does to SHAP cost.

Loads the bundled Adult dataset with its default spec, splits it (stratified by outcome ×
sensitive groups, test size 0.3, seed 0), then

1. trains every zoo model with its default hyperparameters and prints its fit time,
   predict time on the test rows and test accuracy;
2. trains a random forest (100 trees) with ``max_depth`` in (None, 16, 8, 4) and prints
   the time ``shap.TreeExplainer`` (tree-path-dependent algorithm, no background data)
   takes to explain 200 and 1,000 test rows, with the test accuracy and the mean number
   of leaves per tree.

SHAP time grows linearly with the rows explained, so each forest is first timed on 20
rows; a measurement projected to take longer than ``--shap-budget`` seconds is not run
but estimated from that rate, and marked "est.".

Run with ``python bench/bench_model_zoo.py [--skip-zoo] [--skip-shap] [--shap-budget 300]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import shap

from fairlab.audit_data import build_audit_data
from fairlab.data import infer_column_roles, load_bundled
from fairlab.models import MODEL_NAMES, ModelConfig, predict, train_model
from fairlab.split import SplitConfig, split_audit_data

_DEPTHS = (None, 16, 8, 4)
_SHAP_ROWS = (200, 1000)
_PROBE_ROWS = 20


def _time(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-zoo", action="store_true")
    parser.add_argument("--skip-shap", action="store_true")
    parser.add_argument("--shap-budget", type=float, default=300.0)
    args = parser.parse_args()

    frame, spec = load_bundled("adult")
    data = build_audit_data(frame, spec)
    roles = {info.name: info.role for info in infer_column_roles(data.X)}
    split = split_audit_data(data, SplitConfig(test_size=0.3, random_state=0))
    train, test = split.train(data), split.test(data)
    print(
        f"Adult: {data.n_rows:,} rows, {len(roles)} features "
        f"({sum(r == 'numeric' for r in roles.values())} numeric); "
        f"train {train.n_rows:,}, test {test.n_rows:,}; {split.merged_rows} rows in pooled strata"
    )

    if not args.skip_zoo:
        print(f"\n{'model':<24}{'fit s':>9}{'predict s':>11}{'accuracy':>10}")
        for name in MODEL_NAMES:
            model = train_model(train, ModelConfig(name), roles=roles)
            (y_pred, _), predict_seconds = _time(predict, model, test.X)
            accuracy = float(np.mean(y_pred == test.y_true))
            print(
                f"{name:<24}{model.fit_seconds:>9.2f}{predict_seconds:>11.2f}{accuracy:>10.4f}",
                flush=True,
            )

    if not args.skip_shap:
        header = "".join(f"{f'SHAP {n} rows s':>18}" for n in _SHAP_ROWS)
        print(
            f"\n{'random forest max_depth':<24}{'fit s':>8}{'leaves/tree':>13}{header}"
            f"{'accuracy':>10}"
        )
        for depth in _DEPTHS:
            config = ModelConfig("random_forest", {"max_depth": depth})
            model = train_model(train, config, roles=roles)
            preprocess, forest = model.pipeline[:-1], model.pipeline[-1]
            rows = preprocess.transform(test.X.iloc[: max(_SHAP_ROWS)])
            rows = rows.toarray() if hasattr(rows, "toarray") else np.asarray(rows)
            explainer = shap.TreeExplainer(forest)
            _, probe = _time(explainer.shap_values, rows[:_PROBE_ROWS])
            cells = []
            for n in _SHAP_ROWS:
                projected = probe * n / _PROBE_ROWS
                if projected > args.shap_budget:
                    cells.append((projected, "est."))
                else:
                    _, elapsed = _time(explainer.shap_values, rows[:n])
                    cells.append((elapsed, ""))
            leaves = np.mean([tree.get_n_leaves() for tree in forest.estimators_])
            y_pred, _ = predict(model, test.X)
            accuracy = float(np.mean(y_pred == test.y_true))
            shap_cells = "".join(f"{f'{s:,.2f} {mark}'.strip():>18}" for s, mark in cells)
            print(
                f"{str(depth):<24}{model.fit_seconds:>8.2f}{leaves:>13,.0f}{shap_cells}"
                f"{accuracy:>10.4f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
