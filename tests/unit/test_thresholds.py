from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from sklearn.metrics import confusion_matrix

from fairlab.errors import FairLabError
from fairlab.plots.thresholds import CURVE_METRIC_ERROR, threshold_curve_chart
from fairlab.thresholds import (
    CONFUSION_COLUMNS,
    LENGTH_MISMATCH_ERROR,
    METRICS_ERROR,
    MISSING_GROUPS_ERROR,
    NO_ROWS_ERROR,
    NON_BINARY_LABELS_ERROR,
    NON_FINITE_SCORES_ERROR,
    RATE_METRICS,
    THRESHOLD_ERROR,
    THRESHOLD_GROUPS_ERROR,
    UNDEFINED_TPR_ERROR,
    ThresholdSweep,
)


def _message(template: str, **values: object) -> str:
    return re.escape(template.format(**values))


def _data(n: int = 600, seed: int = 0) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """Scores with many ties, three groups of different sizes and base rates."""
    rng = np.random.default_rng(seed)
    groups = rng.choice(["a", "b", "c"], size=n, p=[0.5, 0.35, 0.15])
    scores = np.round(rng.random(n), 1)
    y_true = (rng.random(n) < np.where(groups == "a", 0.3, 0.6) + 0.3 * scores).astype(np.int8)
    return y_true, scores, pd.Series(groups)


def _brute_counts(y_true, y_score, groups, group, threshold):
    mask = (groups == group).to_numpy()
    y, predicted = y_true[mask], y_score[mask] >= threshold
    return {
        "count": int(mask.sum()),
        "tp": int((predicted & (y == 1)).sum()),
        "fp": int((predicted & (y == 0)).sum()),
        "tn": int((~predicted & (y == 0)).sum()),
        "fn": int((~predicted & (y == 1)).sum()),
    }


def _thresholds_to_check(y_score: np.ndarray) -> np.ndarray:
    distinct = np.unique(y_score)
    midpoints = (distinct[1:] + distinct[:-1]) / 2
    return np.concatenate(
        [distinct, midpoints, [-5.0, distinct[0] - 1e-12, distinct[-1] + 1e-9, 7]]
    )


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else np.nan


# ---------------------------------------------------------------------- counts


def test_confusion_counts_equal_brute_force_at_every_threshold() -> None:
    y_true, y_score, groups = _data()
    sweep = ThresholdSweep.from_scores(y_true, y_score, groups)
    assert sweep.groups == ("a", "b", "c")
    for threshold in _thresholds_to_check(y_score):
        table = sweep.confusion_at(float(threshold))
        assert tuple(table.columns) == CONFUSION_COLUMNS
        for row in table.itertuples(index=False):
            expected = _brute_counts(y_true, y_score, groups, row.group, threshold)
            got = {k: getattr(row, k) for k in expected}
            assert got == expected, (threshold, row.group)
            assert row.threshold == threshold


def test_ties_count_as_positive() -> None:
    sweep = ThresholdSweep.from_scores(
        np.array([1, 0, 1, 0]), np.array([0.5, 0.5, 0.4, 0.6]), pd.Series(["g"] * 4)
    )
    row = sweep.confusion_at(0.5).iloc[0]
    assert (row["tp"], row["fp"], row["tn"], row["fn"]) == (1, 2, 0, 1)


def test_thresholds_outside_the_scores() -> None:
    y_true, y_score, groups = _data(seed=1)
    sweep = ThresholdSweep.from_scores(y_true, y_score, groups)
    below = sweep.confusion_at(-100.0)
    assert (below["tn"] == 0).all() and (below["fn"] == 0).all()
    assert (below["tp"] + below["fp"] == below["count"]).all()
    above = sweep.confusion_at(100.0)
    assert (above["tp"] == 0).all() and (above["fp"] == 0).all()
    assert (above["tn"] + above["fn"] == above["count"]).all()


def test_per_group_thresholds_equal_brute_force() -> None:
    y_true, y_score, groups = _data(seed=2)
    sweep = ThresholdSweep.from_scores(y_true, y_score, groups)
    rng = np.random.default_rng(3)
    candidates = _thresholds_to_check(y_score)
    for _ in range(50):
        per_group = {g: float(rng.choice(candidates)) for g in sweep.groups}
        table = sweep.confusion_at(per_group)
        for row in table.itertuples(index=False):
            expected = _brute_counts(y_true, y_score, groups, row.group, per_group[row.group])
            assert {k: getattr(row, k) for k in expected} == expected
            assert row.threshold == per_group[row.group]
        overall = sweep.overall_at(per_group)
        assert overall.to_dict() == table[["count", "tp", "fp", "tn", "fn"]].sum().to_dict()


def test_overall_counts_are_totals() -> None:
    y_true, y_score, groups = _data(seed=4)
    sweep = ThresholdSweep.from_scores(y_true, y_score, groups)
    overall = sweep.overall_at(0.45)
    predicted = y_score >= 0.45
    assert overall["count"] == y_true.size
    assert overall["tp"] == int((predicted & (y_true == 1)).sum())
    assert overall["fp"] == int((predicted & (y_true == 0)).sum())
    assert overall["tn"] == int((~predicted & (y_true == 0)).sum())
    assert overall["fn"] == int((~predicted & (y_true == 1)).sum())
    assert overall.dtype == np.int64


def test_categorical_groups_keep_only_groups_with_rows_in_sorted_order() -> None:
    groups = pd.Series(["y", "x", "y", "x"], dtype="category").cat.set_categories(["z", "y", "x"])
    sweep = ThresholdSweep.from_scores(np.array([1, 0, 0, 1]), np.arange(4.0), groups)
    assert sweep.groups == ("y", "x")
    assert sweep.confusion_at(0.0)["count"].tolist() == [2, 2]


# ---------------------------------------------------------------------- rates


def test_rates_match_sklearn_confusion_matrix() -> None:
    y_true, y_score, groups = _data(seed=5)
    sweep = ThresholdSweep.from_scores(y_true, y_score, groups)
    for threshold in (0.0, 0.3, 0.55, 0.9, 1.0):
        table = sweep.rates_at(threshold).set_index("group")
        assert list(table.columns) == list(CONFUSION_COLUMNS[1:]) + list(RATE_METRICS)
        for group in sweep.groups:
            mask = (groups == group).to_numpy()
            tn, fp, fn, tp = confusion_matrix(
                y_true[mask], (y_score[mask] >= threshold).astype(int), labels=[0, 1]
            ).ravel()
            n = tn + fp + fn + tp
            expected = {
                "selection_rate": (tp + fp) / n,
                "true_positive_rate": _ratio(tp, tp + fn),
                "false_positive_rate": _ratio(fp, fp + tn),
                "false_negative_rate": _ratio(fn, tp + fn),
                "true_negative_rate": _ratio(tn, fp + tn),
                "positive_predictive_value": _ratio(tp, tp + fp),
                "negative_predictive_value": _ratio(tn, tn + fn),
                "false_discovery_rate": _ratio(fp, tp + fp),
                "false_omission_rate": _ratio(fn, tn + fn),
                "accuracy": (tp + tn) / n,
            }
            got = table.loc[group, list(expected)].to_numpy(dtype=float)
            np.testing.assert_allclose(got, list(expected.values()), rtol=1e-12)


def test_undefined_rates_are_nan_not_zero() -> None:
    # group "pos" has only positive outcomes, "neg" only negative ones
    sweep = ThresholdSweep.from_scores(
        np.array([1, 1, 1, 0, 0, 0]),
        np.array([0.2, 0.5, 0.8, 0.2, 0.5, 0.8]),
        pd.Series(["pos"] * 3 + ["neg"] * 3),
    )
    table = sweep.rates_at(0.5).set_index("group")
    assert np.isnan(table.loc["neg", "true_positive_rate"])
    assert np.isnan(table.loc["neg", "false_negative_rate"])
    assert table.loc["neg", "false_positive_rate"] == pytest.approx(2 / 3)
    assert np.isnan(table.loc["pos", "false_positive_rate"])
    assert np.isnan(table.loc["pos", "true_negative_rate"])
    assert table.loc["pos", "true_positive_rate"] == pytest.approx(2 / 3)
    above = sweep.rates_at(0.9).set_index("group")
    assert (above["selection_rate"] == 0).all()
    assert above["positive_predictive_value"].isna().all()
    assert above["false_discovery_rate"].isna().all()
    below = sweep.rates_at(0.0).set_index("group")
    assert below["negative_predictive_value"].isna().all()
    assert below["false_omission_rate"].isna().all()


def test_cost_is_average_cost_per_row() -> None:
    y_true, y_score, groups = _data(seed=6)
    sweep = ThresholdSweep.from_scores(y_true, y_score, groups)
    predicted = y_score >= 0.4
    fp = int((predicted & (y_true == 0)).sum())
    fn = int((~predicted & (y_true == 1)).sum())
    assert sweep.cost_at(0.4, cost_fp=3.0, cost_fn=0.5) == pytest.approx(
        (3.0 * fp + 0.5 * fn) / y_true.size
    )


# ---------------------------------------------------------------------- best and equalising


@pytest.mark.parametrize(("cost_fp", "cost_fn"), [(1.0, 1.0), (5.0, 1.0), (1.0, 7.0), (0.0, 1.0)])
def test_best_threshold_equals_brute_force(cost_fp: float, cost_fn: float) -> None:
    y_true, y_score, groups = _data(seed=7)
    y_score = y_score + np.random.default_rng(8).integers(0, 3, y_score.size) / 1000
    sweep = ThresholdSweep.from_scores(y_true, y_score, groups)
    distinct = np.unique(y_score)
    candidates = np.r_[distinct, np.nextafter(distinct[-1], np.inf)]
    costs = [
        (
            cost_fp * ((y_score >= t) & (y_true == 0)).sum()
            + cost_fn * ((y_score < t) & (y_true == 1)).sum()
        )
        / y_true.size
        for t in candidates
    ]
    best = sweep.best_threshold(cost_fp=cost_fp, cost_fn=cost_fn)
    assert best == candidates[int(np.argmin(costs))]
    assert sweep.cost_at(best, cost_fp=cost_fp, cost_fn=cost_fn) == pytest.approx(min(costs))
    # no threshold anywhere does better
    for t in _thresholds_to_check(y_score):
        assert sweep.cost_at(float(t), cost_fp=cost_fp, cost_fn=cost_fn) >= min(costs) - 1e-12


@pytest.mark.parametrize("target", ["selection_rate", "true_positive_rate"])
@pytest.mark.parametrize("value", [0.0, 0.1, 0.37, 0.5, 0.8, 1.0])
def test_equalizing_thresholds_reach_the_closest_rate(target: str, value: float) -> None:
    y_true, y_score, groups = _data(seed=9)
    sweep = ThresholdSweep.from_scores(y_true, y_score, groups)
    thresholds = sweep.equalizing_thresholds(target=target, value=value)
    assert set(thresholds) == set(sweep.groups)
    achieved = sweep.rates_at(thresholds).set_index("group")[target]
    for group in sweep.groups:
        mask = (groups == group).to_numpy()
        y, s = y_true[mask], y_score[mask]
        reachable = []
        for t in _thresholds_to_check(y_score):
            predicted = s >= t
            if target == "selection_rate":
                reachable.append(predicted.mean())
            else:
                reachable.append((predicted & (y == 1)).sum() / (y == 1).sum())
        best_distance = min(abs(r - value) for r in reachable)
        assert abs(achieved[group] - value) == pytest.approx(best_distance, abs=1e-12)


def test_equalizing_ties_go_to_the_higher_threshold() -> None:
    sweep = ThresholdSweep.from_scores(
        np.array([0, 1, 0, 1]), np.array([0.1, 0.2, 0.3, 0.4]), pd.Series(["g"] * 4)
    )
    # selection rates 1, 0.75, 0.5, 0.25, 0 — 0.625 is equally close to 0.75 and 0.5
    assert sweep.equalizing_thresholds(target="selection_rate", value=0.625) == {"g": 0.3}
    # all rows negative is reachable just above the highest score
    zero = sweep.equalizing_thresholds(target="selection_rate", value=0.0)["g"]
    assert zero > 0.4 and sweep.rates_at(zero)["selection_rate"].iloc[0] == 0


def test_equalizing_true_positive_rate_needs_positives() -> None:
    sweep = ThresholdSweep.from_scores(
        np.array([1, 0, 0, 0]), np.array([0.1, 0.2, 0.3, 0.4]), pd.Series(["a", "a", "b", "b"])
    )
    with pytest.raises(FairLabError, match=_message(UNDEFINED_TPR_ERROR, groups=["b"], value=0.5)):
        sweep.equalizing_thresholds(target="true_positive_rate", value=0.5)
    assert set(sweep.equalizing_thresholds(target="selection_rate", value=0.5)) == {"a", "b"}


# ---------------------------------------------------------------------- curve


def test_curve_is_long_and_matches_rates_at() -> None:
    y_true, y_score, groups = _data(seed=10)
    sweep = ThresholdSweep.from_scores(y_true, y_score, groups)
    metrics = ("selection_rate", "true_positive_rate", "accuracy")
    curve = sweep.curve(metrics=metrics, n_points=11)
    assert list(curve.columns) == ["group", "threshold", "metric", "value"]
    assert len(curve) == 3 * 3 * 11
    grid = np.sort(curve["threshold"].unique())
    assert grid[0] == y_score.min() and grid[-1] == y_score.max() and grid.size == 11
    for threshold in grid[::3]:
        rates = sweep.rates_at(float(threshold)).set_index("group")
        at = curve[curve["threshold"] == threshold]
        for row in at.itertuples(index=False):
            assert row.value == pytest.approx(rates.loc[row.group, row.metric], nan_ok=True)


def test_curve_refuses_unknown_metrics_and_tiny_grids() -> None:
    sweep = ThresholdSweep.from_scores(*_data(n=20))
    with pytest.raises(ValueError, match="The 'metrics' parameter"):
        sweep.curve(metrics=("recall",))
    assert METRICS_ERROR.startswith("The 'metrics' parameter")
    with pytest.raises(ValueError, match="The 'n_points' parameter"):
        sweep.curve(n_points=1)


# ---------------------------------------------------------------------- refusals


def test_non_finite_scores_are_refused() -> None:
    with pytest.raises(FairLabError, match=_message(NON_FINITE_SCORES_ERROR, n=2, row=1)):
        ThresholdSweep.from_scores(
            np.array([0, 1, 0, 1]), np.array([0.1, np.nan, 0.3, np.inf]), pd.Series(list("aabb"))
        )


def test_bad_inputs_are_refused() -> None:
    groups = pd.Series(list("aabb"))
    scores = np.array([0.1, 0.2, 0.3, 0.4])
    with pytest.raises(ValueError, match=_message(LENGTH_MISMATCH_ERROR, lengths=[3, 4, 4])):
        ThresholdSweep.from_scores(np.array([0, 1, 0]), scores, groups)
    with pytest.raises(ValueError, match=_message(NON_BINARY_LABELS_ERROR, values=["2"])):
        ThresholdSweep.from_scores(np.array([0, 1, 2, 1]), scores, groups)
    with pytest.raises(FairLabError, match=_message(NO_ROWS_ERROR)):
        ThresholdSweep.from_scores(np.array([]), np.array([]), pd.Series([], dtype=str))
    with pytest.raises(FairLabError, match=_message(MISSING_GROUPS_ERROR, n=1, row=2)):
        ThresholdSweep.from_scores(np.array([0, 1, 0, 1]), scores, pd.Series(["a", "b", None, "b"]))


def test_bad_thresholds_and_costs_are_refused() -> None:
    sweep = ThresholdSweep.from_scores(
        np.array([0, 1, 0, 1]), np.array([0.1, 0.2, 0.3, 0.4]), pd.Series(list("aabb"))
    )
    for bad in (np.nan, np.inf, "0.5", True):
        with pytest.raises(ValueError, match=_message(THRESHOLD_ERROR, value=bad)):
            sweep.rates_at(bad)  # type: ignore[arg-type]
    with pytest.raises(
        ValueError, match=_message(THRESHOLD_GROUPS_ERROR, missing=["b"], unknown=["c"])
    ):
        sweep.confusion_at({"a": 0.2, "c": 0.3})
    with pytest.raises(ValueError, match="The 'cost_fp' parameter"):
        sweep.cost_at(0.2, cost_fp=-1.0)
    with pytest.raises(ValueError, match="The 'cost_fn' parameter"):
        sweep.best_threshold(cost_fn=np.nan)
    with pytest.raises(ValueError, match="The 'target' parameter"):
        sweep.equalizing_thresholds(target="accuracy", value=0.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="The 'value' parameter"):
        sweep.equalizing_thresholds(target="selection_rate", value=1.5)


def test_sweep_is_immutable() -> None:
    sweep = ThresholdSweep.from_scores(*_data(n=30))
    with pytest.raises(dataclasses.FrozenInstanceError):
        sweep.groups = ("x",)  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        sweep.sorted_scores[0][0] = 2.0
    with pytest.raises(ValueError, match="read-only"):
        sweep.candidate_thresholds[0] = 2.0


def test_inputs_are_not_modified_and_read_only_views_are_accepted() -> None:
    y_true, y_score, groups = _data(n=50)
    frame = pd.DataFrame({"y": y_true, "s": y_score, "g": groups})
    before = frame.copy()
    sweep = ThresholdSweep.from_scores(frame["y"].to_numpy(), frame["s"].to_numpy(), frame["g"])
    pd.testing.assert_frame_equal(frame, before)
    assert sweep.n_rows == 50


# ---------------------------------------------------------------------- chart


def test_chart_has_one_line_per_group_and_a_marker() -> None:
    sweep = ThresholdSweep.from_scores(*_data(seed=11))
    curve = sweep.curve(n_points=21)
    fig = threshold_curve_chart(curve, metric="true_positive_rate", thresholds=0.5)
    assert isinstance(fig, go.Figure)
    assert [trace.name for trace in fig.data] == ["a", "b", "c"]
    assert all(len(trace.x) == 21 for trace in fig.data)
    assert len(fig.layout.shapes) == 1 and fig.layout.shapes[0].x0 == 0.5
    assert fig.layout.title.text == "True positive rate by threshold"

    per_group = {"a": 0.3, "b": 0.5, "c": 0.7}
    fig = threshold_curve_chart(curve, metric="selection_rate", thresholds=per_group)
    assert sorted(shape.x0 for shape in fig.layout.shapes) == [0.3, 0.5, 0.7]
    line_colors = {trace.name: trace.line.color for trace in fig.data}
    assert {s.x0: s.line.color for s in fig.layout.shapes}[0.7] == line_colors["c"]

    assert len(threshold_curve_chart(curve, metric="selection_rate").layout.shapes) == 0


def test_chart_refuses_a_metric_not_in_the_curve_and_escapes_names() -> None:
    sweep = ThresholdSweep.from_scores(
        np.array([0, 1, 0, 1]),
        np.array([0.1, 0.2, 0.3, 0.4]),
        pd.Series(["<b>x</b>"] * 2 + ["y"] * 2),
    )
    curve = sweep.curve(metrics=("selection_rate",), n_points=5)
    with pytest.raises(ValueError, match=re.escape(CURVE_METRIC_ERROR.split("{")[0])):
        threshold_curve_chart(curve, metric="accuracy")
    fig = threshold_curve_chart(curve, metric="selection_rate")
    assert fig.data[0].name == "&lt;b&gt;x&lt;/b&gt;"
