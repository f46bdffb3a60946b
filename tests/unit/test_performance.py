from __future__ import annotations

import json
import math
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics
from sklearn.calibration import calibration_curve

from fairlab.errors import ModelError
from fairlab.performance import (
    ACTUAL_LABELS,
    CALIBRATION_COLUMNS,
    METRIC_HELP,
    METRIC_LABELS,
    METRIC_NAMES,
    NO_ACTUAL_POSITIVES_REASON,
    NO_POSITIVES_REASON,
    NO_PREDICTED_POSITIVES_REASON,
    NO_ROWS_REASON,
    NO_SCORES_REASON,
    OVERALL_GROUP,
    PREDICTED_LABELS,
    ROC_COLUMNS,
    SCORE_METRIC_NAMES,
    SCORES_NOT_PROBABILITIES_ERROR,
    calibration_by_group,
    performance_summary,
    roc_curve_by_group,
)
from fairlab.plots.performance import calibration_chart, confusion_matrix_chart, roc_chart


def _sample(n: int = 500, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.Series]:
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, 2, n).astype(np.int8)
    y_score = np.clip(0.35 * y_true + rng.random(n) * 0.65, 0, 1)
    y_pred = (y_score >= 0.5).astype(np.int8)
    groups = pd.Series(pd.Categorical(rng.choice(["b", "a", "c"], n), categories=["b", "a", "c"]))
    return y_true, y_pred, y_score, groups


def test_every_metric_matches_sklearn_and_the_confusion_counts() -> None:
    y_true, y_pred, y_score, _ = _sample()
    result = performance_summary(y_true, y_pred, y_score)
    tn, fp, fn, tp = metrics.confusion_matrix(y_true, y_pred).ravel()
    assert result.counts == {"tn": tn, "fp": fp, "fn": fn, "tp": tp}
    assert result.n == 500 and result.has_scores and result.undefined == {}
    # Against sklearn.
    assert result.accuracy == pytest.approx(metrics.accuracy_score(y_true, y_pred))
    assert result.balanced_accuracy == pytest.approx(
        metrics.balanced_accuracy_score(y_true, y_pred)
    )
    assert result.precision == pytest.approx(metrics.precision_score(y_true, y_pred))
    assert result.recall == pytest.approx(metrics.recall_score(y_true, y_pred))
    assert result.f1 == pytest.approx(metrics.f1_score(y_true, y_pred))
    assert result.roc_auc == pytest.approx(metrics.roc_auc_score(y_true, y_score))
    assert result.log_loss == pytest.approx(metrics.log_loss(y_true, y_score))
    assert result.brier_score == pytest.approx(metrics.brier_score_loss(y_true, y_score))
    # Against plain numpy on the confusion counts.
    assert result.accuracy == pytest.approx((tp + tn) / (tp + tn + fp + fn))
    assert result.balanced_accuracy == pytest.approx((tp / (tp + fn) + tn / (tn + fp)) / 2)
    assert result.precision == pytest.approx(tp / (tp + fp))
    assert result.recall == pytest.approx(tp / (tp + fn))
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert result.f1 == pytest.approx(2 * precision * recall / (precision + recall))
    p = np.clip(y_score, 1e-15, 1 - 1e-15)
    assert result.log_loss == pytest.approx(
        -np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)), rel=1e-9
    )
    assert result.brier_score == pytest.approx(np.mean((y_score - y_true) ** 2))
    positives, negatives = y_score[y_true == 1], y_score[y_true == 0]
    pairs = (positives[:, None] > negatives[None, :]) + 0.5 * (
        positives[:, None] == negatives[None, :]
    )
    assert result.roc_auc == pytest.approx(pairs.mean())


def test_confusion_matrix_has_readable_labels() -> None:
    result = performance_summary([1, 0, 1, 1], [1, 1, 0, 1])
    assert (
        result.confusion.index.tolist()
        == list(ACTUAL_LABELS)
        == [
            "actual negative",
            "actual positive",
        ]
    )
    assert result.confusion.columns.tolist() == list(PREDICTED_LABELS)
    assert result.confusion.to_numpy().tolist() == [[0, 1], [1, 2]]
    assert result.confusion.index.name == "actual"
    assert result.confusion.columns.name == "predicted"


def test_without_scores_the_score_metrics_are_undefined_with_a_reason() -> None:
    result = performance_summary([1, 0, 1, 0], [1, 0, 0, 0])
    assert not result.has_scores
    for name in SCORE_METRIC_NAMES:
        assert math.isnan(getattr(result, name))
        assert result.undefined[name] == NO_SCORES_REASON
    assert list(result.metrics()) == list(METRIC_NAMES)
    assert result.precision == 1.0 and result.recall == 0.5


def test_nothing_predicted_positive_leaves_precision_undefined_not_zero() -> None:
    result = performance_summary([1, 0, 1, 0], [0, 0, 0, 0], [0.1, 0.2, 0.3, 0.4])
    assert math.isnan(result.precision)
    assert result.undefined["precision"] == NO_PREDICTED_POSITIVES_REASON
    assert result.recall == 0.0 and result.f1 == 0.0
    with pytest.warns(metrics._classification.UndefinedMetricWarning):
        assert metrics.precision_score([1, 0, 1, 0], [0, 0, 0, 0]) == 0.0  # sklearn says 0


def test_one_outcome_only() -> None:
    y_true, y_score = [0, 0, 0, 0], [0.1, 0.7, 0.2, 0.3]
    result = performance_summary(y_true, [0, 1, 0, 0], y_score)
    assert math.isnan(result.recall)
    assert result.undefined["recall"] == NO_ACTUAL_POSITIVES_REASON
    assert (
        math.isnan(result.balanced_accuracy)
        and "same outcome (negative)" in (result.undefined["balanced_accuracy"])
    )
    assert math.isnan(result.roc_auc) and "nothing to rank" in result.undefined["roc_auc"]
    assert result.f1 == 0.0  # one false positive: defined, and 0
    # Log loss and Brier score stay defined with one outcome.
    assert result.log_loss == pytest.approx(metrics.log_loss(y_true, y_score, labels=[0, 1]))
    assert result.brier_score == pytest.approx(np.mean(np.square(y_score)))
    none = performance_summary([0, 0], [0, 0])
    assert math.isnan(none.f1) and none.undefined["f1"] == NO_POSITIVES_REASON
    assert none.accuracy == 1.0


def test_scores_that_are_not_probabilities() -> None:
    result = performance_summary([1, 0, 1, 0], [1, 0, 1, 1], [8, 2, 9, 5])
    assert result.roc_auc == 1.0
    for name in ("log_loss", "brier_score"):
        assert math.isnan(getattr(result, name))
        assert result.undefined[name] == "the scores are not probabilities (they run from 2 to 9)"


def test_no_rows() -> None:
    result = performance_summary(np.zeros(0), np.zeros(0), np.zeros(0))
    assert result.n == 0
    for name in METRIC_NAMES + SCORE_METRIC_NAMES:
        assert math.isnan(getattr(result, name)) and result.undefined[name] == NO_ROWS_REASON


def test_table_and_json() -> None:
    result = performance_summary([1, 0, 1, 0], [0, 0, 0, 0], [0.9, 0.1, 0.8, 0.3])
    table = result.table()
    assert table.columns.tolist() == ["metric", "label", "value", "note"]
    assert table["label"].tolist() == [METRIC_LABELS[m] for m in METRIC_NAMES + SCORE_METRIC_NAMES]
    assert table.set_index("metric").loc["precision", "note"] == NO_PREDICTED_POSITIVES_REASON
    payload = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert payload["metrics"]["precision"] is None
    assert payload["confusion"] == {"tn": 2, "fp": 0, "fn": 2, "tp": 0}
    assert set(METRIC_HELP) == set(METRIC_LABELS)


@pytest.mark.parametrize(
    ("y_true", "y_pred", "y_score", "message"),
    [
        ([0, 1], [0], None, "The 'y_pred' parameter must have 2 values"),
        ([0, 2], [0, 1], None, "The 'y_true' parameter must hold only 0 and 1. Got [2]"),
        (["a", "b"], [0, 1], None, "must hold only 0 and 1"),
        ([0, 1], [0, 1], [0.1, np.nan], "must hold finite numbers. Got 1 missing"),
        ([0, 1], [0, 1], [0.1], "The 'y_score' parameter must have 2 values"),
    ],
)
def test_bad_inputs_are_programming_errors(y_true, y_pred, y_score, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        performance_summary(y_true, y_pred, y_score)


def test_boolean_inputs_are_accepted() -> None:
    result = performance_summary(np.array([True, False]), np.array([True, True]))
    assert result.counts == {"tn": 0, "fp": 1, "fn": 0, "tp": 1}


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1), st.floats(0, 1)), max_size=60))
def test_metrics_are_rates_and_ignore_row_order(rows: list[tuple[int, int, float]]) -> None:
    y_true = np.array([r[0] for r in rows], dtype=np.int8)
    y_pred = np.array([r[1] for r in rows], dtype=np.int8)
    y_score = np.array([r[2] for r in rows], dtype=float)
    result = performance_summary(y_true, y_pred, y_score)
    order = np.random.default_rng(len(rows)).permutation(len(rows))
    shuffled = performance_summary(y_true[order], y_pred[order], y_score[order])
    for name in METRIC_NAMES + SCORE_METRIC_NAMES:
        value = getattr(result, name)
        assert math.isnan(value) == (name in result.undefined)
        if name in METRIC_NAMES + ("roc_auc", "brier_score") and not math.isnan(value):
            assert 0 <= value <= 1
        assert getattr(shuffled, name) == pytest.approx(value, nan_ok=True)


# ---------------------------------------------------------------------- curves
def test_roc_curves_match_sklearn_overall_and_per_group() -> None:
    y_true, _, y_score, groups = _sample()
    curves = roc_curve_by_group(y_true, y_score, groups)
    assert tuple(curves.columns) == ROC_COLUMNS
    assert curves["group"].unique().tolist() == [OVERALL_GROUP, "b", "a", "c"]
    fpr, tpr, thresholds = metrics.roc_curve(y_true, y_score)
    overall = curves[curves["group"] == OVERALL_GROUP]
    assert np.array_equal(overall["fpr"], fpr) and np.array_equal(overall["tpr"], tpr)
    assert np.array_equal(overall["threshold"], thresholds)
    assert overall["auc"].iloc[0] == pytest.approx(metrics.roc_auc_score(y_true, y_score))
    assert (overall["count"] == 500).all()
    for name in ("a", "b", "c"):
        mask = (groups == name).to_numpy()
        part = curves[curves["group"] == name]
        fpr, tpr, _ = metrics.roc_curve(y_true[mask], y_score[mask])
        assert np.array_equal(part["fpr"], fpr) and np.array_equal(part["tpr"], tpr)
        assert part["count"].iloc[0] == mask.sum()


def test_a_group_with_one_outcome_has_no_curve_but_is_listed() -> None:
    curves = roc_curve_by_group([1, 0, 1, 1], [0.9, 0.2, 0.6, 0.4], ["x", "x", "y", "y"])
    y_rows = curves[curves["group"] == "y"]
    assert len(y_rows) == 1 and y_rows["count"].iloc[0] == 2
    assert y_rows[["auc", "fpr", "tpr", "threshold"]].isna().all(axis=None)


def test_long_curves_are_thinned_keeping_their_ends() -> None:
    rng = np.random.default_rng(1)
    y_true = rng.integers(0, 2, 20_000)
    y_score = rng.random(20_000)
    curves = roc_curve_by_group(y_true, y_score, None, max_points=200)
    assert curves["group"].unique().tolist() == [OVERALL_GROUP]
    assert len(curves) <= 200
    assert curves["fpr"].iloc[0] == 0 and curves["tpr"].iloc[-1] == 1
    assert curves["fpr"].is_monotonic_increasing


def test_calibration_matches_sklearn_and_counts_every_row() -> None:
    y_true, _, y_score, groups = _sample()
    table = calibration_by_group(y_true, y_score, groups, n_bins=8)
    assert tuple(table.columns) == CALIBRATION_COLUMNS
    overall = table[table["group"] == OVERALL_GROUP]
    prob_true, prob_pred = calibration_curve(y_true, y_score, n_bins=8, strategy="uniform")
    assert np.allclose(overall["observed_rate"], prob_true)
    assert np.allclose(overall["mean_predicted"], prob_pred)
    assert table.groupby("group", sort=False)["count"].sum().to_dict() == {
        OVERALL_GROUP: 500,
        **groups.value_counts().to_dict(),
    }
    assert (table["observed_low"] <= table["observed_rate"]).all()
    assert (table["observed_rate"] <= table["observed_high"]).all()
    assert (table["bin_low"] <= table["mean_predicted"]).all()
    assert (table["mean_predicted"] <= table["bin_high"]).all()


def test_calibration_needs_probabilities() -> None:
    message = SCORES_NOT_PROBABILITIES_ERROR.format(low=1, high=10)
    with pytest.raises(ModelError, match=re.escape(message)):
        calibration_by_group([0, 1], [1, 10], None)
    with pytest.raises(ValueError, match="The 'n_bins' parameter must be an int in"):
        calibration_by_group([0, 1], [0.1, 0.9], None, n_bins=1)


# ---------------------------------------------------------------------- charts
def test_confusion_matrix_chart() -> None:
    result = performance_summary([1, 0, 1, 1], [1, 1, 0, 1])
    fig = confusion_matrix_chart(result.confusion, title="<b>Model</b>")
    assert isinstance(fig, go.Figure)
    heatmap = fig.data[0]
    assert list(heatmap.y) == list(ACTUAL_LABELS) and list(heatmap.x) == list(PREDICTED_LABELS)
    assert heatmap.text[1][1] == "2<br>50.0%"
    assert fig.layout.title.text == "&lt;b&gt;Model&lt;/b&gt;"


def test_roc_chart_names_each_curve_and_notes_groups_without_one() -> None:
    y_true = np.array([1, 0, 1, 0, 1, 1])
    y_score = np.array([0.9, 0.2, 0.6, 0.4, 0.7, 0.8])
    curves = roc_curve_by_group(y_true, y_score, ["<i>x</i>"] * 4 + ["y"] * 2)
    fig = roc_chart(curves)
    names = [trace.name for trace in fig.data]
    assert names == [
        "guessing",
        "overall (AUC 1.000, n = 6)",
        "&lt;i&gt;x&lt;/i&gt; (AUC 1.000, n = 4)",
    ]
    assert fig.layout.annotations[0].text == "No curve (only one outcome): y (n = 2)"
    assert fig.data[1].customdata[0] == "none predicted positive"


def test_calibration_chart() -> None:
    y_true, _, y_score, groups = _sample()
    fig = calibration_chart(calibration_by_group(y_true, y_score, groups))
    assert [trace.name for trace in fig.data] == ["perfectly calibrated", "overall", "b", "a", "c"]
    overall = fig.data[1]
    assert overall.line.width == 3 and len(overall.error_y.array) == len(overall.x)
