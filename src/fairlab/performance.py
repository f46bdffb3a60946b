"""How well predictions match outcomes: summary metrics, ROC and calibration curves.

:func:`performance_summary` gives the usual classification metrics of a model on the test
rows — accuracy, balanced accuracy, precision, recall, F1 and, where there are scores, ROC
AUC, log loss and Brier score — with the confusion matrix. A metric that cannot be
computed (precision with no positive prediction, ROC AUC with one outcome only) is NaN and
carries the reason; it is never silently 0.

:func:`roc_curve_by_group` and :func:`calibration_by_group` return long tables, overall
and per group, ready for :mod:`fairlab.plots.performance`. All inputs use FairLab's
encoding: ``y_true`` and ``y_pred`` hold 1 for the positive outcome and 0 otherwise.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import log_loss, roc_auc_score, roc_curve

from fairlab.data.profile import wilson_interval
from fairlab.errors import ModelError

__all__ = [
    "PerformanceResult",
    "performance_summary",
    "roc_curve_by_group",
    "calibration_by_group",
    "METRIC_NAMES",
    "SCORE_METRIC_NAMES",
    "METRIC_LABELS",
    "METRIC_HELP",
    "OVERALL_GROUP",
    "ACTUAL_LABELS",
    "PREDICTED_LABELS",
    "ROC_COLUMNS",
    "CALIBRATION_COLUMNS",
    "NO_ROWS_REASON",
    "NO_PREDICTED_POSITIVES_REASON",
    "NO_ACTUAL_POSITIVES_REASON",
    "NO_POSITIVES_REASON",
    "ONE_CLASS_REASON",
    "BALANCED_ONE_CLASS_REASON",
    "NO_SCORES_REASON",
    "NOT_PROBABILITIES_REASON",
    "SCORES_NOT_PROBABILITIES_ERROR",
]

OVERALL_GROUP = "overall"
"""The name of the row, or curve, that covers every row."""
METRIC_NAMES = ("accuracy", "balanced_accuracy", "precision", "recall", "f1")
SCORE_METRIC_NAMES = ("roc_auc", "log_loss", "brier_score")
METRIC_LABELS: Mapping[str, str] = {
    "accuracy": "Accuracy",
    "balanced_accuracy": "Balanced accuracy",
    "precision": "Precision",
    "recall": "Recall",
    "f1": "F1 score",
    "roc_auc": "ROC AUC",
    "log_loss": "Log loss",
    "brier_score": "Brier score",
}
METRIC_HELP: Mapping[str, str] = {
    "accuracy": "Share of all rows predicted correctly.",
    "balanced_accuracy": "Average of the share of positives found and the share of "
    "negatives found; not flattered when one outcome is rare.",
    "precision": "Of the rows predicted positive, the share that are positive.",
    "recall": "Of the rows that are positive, the share predicted positive.",
    "f1": "Balance of precision and recall (their harmonic mean).",
    "roc_auc": "Chance that a random positive row scores higher than a random negative "
    "one; 0.5 is guessing, 1 is perfect ranking.",
    "log_loss": "How surprised the probabilities are by the outcomes; lower is better.",
    "brier_score": "Mean squared gap between probability and outcome; lower is better, "
    "0.25 is what always saying 50 % gets.",
}
ACTUAL_LABELS = ("actual negative", "actual positive")
PREDICTED_LABELS = ("predicted negative", "predicted positive")
ROC_COLUMNS = ("group", "count", "auc", "fpr", "tpr", "threshold")
CALIBRATION_COLUMNS = (
    "group",
    "bin",
    "bin_low",
    "bin_high",
    "mean_predicted",
    "observed_rate",
    "observed_low",
    "observed_high",
    "count",
)

NO_ROWS_REASON = "there are no rows (n = 0)"
NO_PREDICTED_POSITIVES_REASON = "nothing is predicted positive (n = 0)"
NO_ACTUAL_POSITIVES_REASON = "no row has the positive outcome (n = 0)"
NO_POSITIVES_REASON = "no row is positive, either observed or predicted (n = 0)"
ONE_CLASS_REASON = "every row has the same outcome ({outcome}), so there is nothing to rank"
BALANCED_ONE_CLASS_REASON = "every row has the same outcome ({outcome})"
NO_SCORES_REASON = "there are no scores, only predictions"
NOT_PROBABILITIES_REASON = "the scores are not probabilities (they run from {low:g} to {high:g})"
SCORES_NOT_PROBABILITIES_ERROR = (
    "Calibration compares probabilities with observed rates, but the scores run from "
    "{low:g} to {high:g}. Use scores that are probabilities in [0, 1]."
)
_BINARY_ERROR = "The '{name}' parameter must hold only 0 and 1. Got {values} instead."
_LENGTH_ERROR = "The '{name}' parameter must have {n} values, like 'y_true'. Got {got} instead."
_FINITE_ERROR = "The 'y_score' parameter must hold finite numbers. Got {n} missing or infinite."
_N_BINS_ERROR = "The 'n_bins' parameter must be an int in [2, 1000]. Got {value!r} instead."


@dataclass(frozen=True, eq=False)
class PerformanceResult:
    """Classification metrics of predictions (and scores) against observed outcomes.

    Attributes
    ----------
    n : int
        Number of rows.
    accuracy, balanced_accuracy, precision, recall, f1 : float
        From the predictions; NaN when undefined (see ``undefined``).
    roc_auc, log_loss, brier_score : float
        From the scores; NaN without scores or when undefined.
    confusion : pandas.DataFrame
        2 × 2 counts: rows :data:`ACTUAL_LABELS`, columns :data:`PREDICTED_LABELS`.
    undefined : dict of str to str
        For each NaN metric, why it cannot be computed.
    has_scores : bool
        Whether scores were given.
    """

    n: int
    accuracy: float
    balanced_accuracy: float
    precision: float
    recall: float
    f1: float
    roc_auc: float
    log_loss: float
    brier_score: float
    confusion: pd.DataFrame
    undefined: dict[str, str] = field(default_factory=dict)
    has_scores: bool = False

    @property
    def counts(self) -> dict[str, int]:
        """The four confusion counts: ``tn``, ``fp``, ``fn``, ``tp``."""
        values = self.confusion.to_numpy()
        return {
            "tn": int(values[0, 0]),
            "fp": int(values[0, 1]),
            "fn": int(values[1, 0]),
            "tp": int(values[1, 1]),
        }

    def metrics(self) -> dict[str, float]:
        """Every metric by name (score metrics only when there are scores)."""
        names = METRIC_NAMES + (SCORE_METRIC_NAMES if self.has_scores else ())
        return {name: getattr(self, name) for name in names}

    def table(self) -> pd.DataFrame:
        """One row per metric: ``metric, label, value, note`` (the reason when undefined)."""
        rows = [
            {
                "metric": name,
                "label": METRIC_LABELS[name],
                "value": value,
                "note": self.undefined.get(name, ""),
            }
            for name, value in self.metrics().items()
        ]
        return pd.DataFrame(rows, columns=["metric", "label", "value", "note"])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: metrics (None when undefined), reasons, confusion counts and ``n``."""
        return {
            "n": self.n,
            "metrics": {k: (None if math.isnan(v) else v) for k, v in self.metrics().items()},
            "undefined": dict(self.undefined),
            "confusion": self.counts,
        }


def performance_summary(
    y_true: np.ndarray, y_pred: np.ndarray, y_score: np.ndarray | None = None
) -> PerformanceResult:
    """Compute classification metrics of predictions, and of scores when given.

    Parameters
    ----------
    y_true : array-like of {0, 1}
        Observed outcomes, 1 for positive.
    y_pred : array-like of {0, 1}
        Predictions, 1 for positive.
    y_score : array-like of float, optional
        Scores; higher means more likely positive. Log loss and Brier score need
        probabilities in [0, 1]; ROC AUC takes any scores.

    Returns
    -------
    PerformanceResult

    Raises
    ------
    ValueError
        If the arrays differ in length, labels are not 0/1, or scores are not finite.
    """
    y_true = _binary(y_true, "y_true")
    y_pred = _binary(y_pred, "y_pred", n=y_true.size)
    score = None if y_score is None else _scores(y_score, n=y_true.size)
    tn, fp, fn, tp = (int(c) for c in np.bincount(2 * y_true + y_pred, minlength=4))
    n = tn + fp + fn + tp
    undefined: dict[str, str] = {}

    def ratio(name: str, num: int, den: int, reason: str) -> float:
        if den == 0:
            undefined[name] = NO_ROWS_REASON if n == 0 else reason
            return math.nan
        return num / den

    accuracy = ratio("accuracy", tp + tn, n, NO_ROWS_REASON)
    precision = ratio("precision", tp, tp + fp, NO_PREDICTED_POSITIVES_REASON)
    recall = ratio("recall", tp, tp + fn, NO_ACTUAL_POSITIVES_REASON)
    f1 = ratio("f1", 2 * tp, 2 * tp + fp + fn, NO_POSITIVES_REASON)
    one_class = _one_class(tp + fn, tn + fp)
    if n == 0 or one_class is not None:
        undefined["balanced_accuracy"] = (
            NO_ROWS_REASON if n == 0 else BALANCED_ONE_CLASS_REASON.format(outcome=one_class)
        )
        balanced = math.nan
    else:
        balanced = (tp / (tp + fn) + tn / (tn + fp)) / 2

    roc_auc = log_loss_value = brier = math.nan
    if score is None:
        for name in SCORE_METRIC_NAMES:
            undefined[name] = NO_SCORES_REASON
    elif n == 0:
        for name in SCORE_METRIC_NAMES:
            undefined[name] = NO_ROWS_REASON
    else:
        if one_class is not None:
            undefined["roc_auc"] = ONE_CLASS_REASON.format(outcome=one_class)
        else:
            roc_auc = float(roc_auc_score(y_true, score))
        low, high = float(score.min()), float(score.max())
        if low < 0 or high > 1:
            for name in ("log_loss", "brier_score"):
                undefined[name] = NOT_PROBABILITIES_REASON.format(low=low, high=high)
        else:
            log_loss_value = float(log_loss(y_true, score, labels=[0, 1]))
            brier = float(np.mean((score - y_true) ** 2))

    confusion = pd.DataFrame(
        [[tn, fp], [fn, tp]],
        index=pd.Index(ACTUAL_LABELS, name="actual"),
        columns=pd.Index(PREDICTED_LABELS, name="predicted"),
    )
    return PerformanceResult(
        n=n,
        accuracy=accuracy,
        balanced_accuracy=balanced,
        precision=precision,
        recall=recall,
        f1=f1,
        roc_auc=roc_auc,
        log_loss=log_loss_value,
        brier_score=brier,
        confusion=confusion,
        undefined=undefined,
        has_scores=score is not None,
    )


def roc_curve_by_group(
    y_true: np.ndarray,
    y_score: np.ndarray,
    groups: pd.Series | np.ndarray | None,
    *,
    max_points: int = 1000,
) -> pd.DataFrame:
    """ROC curves overall and per group, as one long table.

    Parameters
    ----------
    y_true : array-like of {0, 1}
        Observed outcomes.
    y_score : array-like of float
        Scores; higher means more likely positive.
    groups : pandas.Series or array-like, optional
        A group label per row; None gives the overall curve only.
    max_points : int, default 1000
        Most points kept per curve (evenly spaced along it, ends included), so a
        million rows still draw quickly.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ROC_COLUMNS`: ``group`` (:data:`OVERALL_GROUP` first, then each
        group in order), ``count`` (rows), ``auc``, and the curve's ``fpr``, ``tpr`` and
        ``threshold`` (the first threshold is ``inf``: nothing predicted positive). A
        group with one outcome only has no curve: one row with NaN ``auc``, ``fpr``,
        ``tpr`` and ``threshold``, so it is shown as missing rather than hidden.

    Raises
    ------
    ValueError
        If the arrays differ in length, labels are not 0/1, or scores are not finite.
    """
    y_true = _binary(y_true, "y_true")
    score = _scores(y_score, n=y_true.size)
    parts = []
    for name, mask in _group_masks(groups, n=y_true.size):
        truth, part_score = y_true[mask], score[mask]
        count = int(truth.size)
        if count == 0 or truth.min() == truth.max():
            parts.append(_roc_rows(name, count, math.nan, [math.nan], [math.nan], [math.nan]))
            continue
        fpr, tpr, thresholds = roc_curve(truth, part_score)
        keep = _thin(fpr.size, max_points)
        auc = float(roc_auc_score(truth, part_score))
        parts.append(_roc_rows(name, count, auc, fpr[keep], tpr[keep], thresholds[keep]))
    return pd.concat(parts, ignore_index=True)


def _roc_rows(
    name: str, count: int, auc: float, fpr: Any, tpr: Any, thresholds: Any
) -> pd.DataFrame:
    size = len(fpr)
    return pd.DataFrame(
        {
            "group": [name] * size,
            "count": np.full(size, count, dtype=np.int64),
            "auc": np.full(size, auc, dtype=float),
            "fpr": np.asarray(fpr, dtype=float),
            "tpr": np.asarray(tpr, dtype=float),
            "threshold": np.asarray(thresholds, dtype=float),
        },
        columns=list(ROC_COLUMNS),
    )


def calibration_by_group(
    y_true: np.ndarray,
    y_score: np.ndarray,
    groups: pd.Series | np.ndarray | None,
    *,
    n_bins: int = 10,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Mean predicted probability against observed rate, in bins, overall and per group.

    Bins are equal-width on [0, 1], as in ``sklearn.calibration.calibration_curve`` with
    ``strategy="uniform"``; empty bins are left out.

    Parameters
    ----------
    y_true : array-like of {0, 1}
        Observed outcomes.
    y_score : array-like of float
        Predicted probabilities of the positive outcome, in [0, 1].
    groups : pandas.Series or array-like, optional
        A group label per row; None gives the overall rows only.
    n_bins : int, default 10
        Number of bins.
    confidence : float, default 0.95
        Level of the Wilson interval around each observed rate.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CALIBRATION_COLUMNS`: ``group`` (:data:`OVERALL_GROUP` first),
        ``bin`` (0-based), its edges ``bin_low`` and ``bin_high``, ``mean_predicted``,
        ``observed_rate`` with ``observed_low`` and ``observed_high``, and ``count``.

    Raises
    ------
    ModelError
        If the scores are not probabilities in [0, 1].
    ValueError
        If the arrays differ in length, labels are not 0/1, scores are not finite, or
        ``n_bins`` is not an int in [2, 1000].
    """
    if (
        isinstance(n_bins, bool)
        or not isinstance(n_bins, numbers.Integral)
        or not (2 <= n_bins <= 1000)
    ):
        raise ValueError(_N_BINS_ERROR.format(value=n_bins))
    y_true = _binary(y_true, "y_true")
    score = _scores(y_score, n=y_true.size)
    if score.size and (score.min() < 0 or score.max() > 1):
        raise ModelError(
            SCORES_NOT_PROBABILITIES_ERROR.format(low=float(score.min()), high=float(score.max()))
        )
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    bins = np.searchsorted(edges[1:-1], score)  # as sklearn's calibration_curve
    parts = []
    for name, mask in _group_masks(groups, n=y_true.size):
        part_bins = bins[mask]
        count = np.bincount(part_bins, minlength=n_bins)
        positives = np.bincount(part_bins, weights=y_true[mask], minlength=n_bins)
        total_score = np.bincount(part_bins, weights=score[mask], minlength=n_bins)
        present = np.flatnonzero(count)
        rate = positives[present] / count[present]
        low, high = wilson_interval(positives[present], count[present], confidence=confidence)
        # At a rate of 0 or 1 the interval's end can miss it by a rounding error.
        low, high = np.minimum(low, rate), np.maximum(high, rate)
        parts.append(
            pd.DataFrame(
                {
                    "group": [name] * present.size,
                    "bin": present.astype(np.int64),
                    "bin_low": edges[present],
                    "bin_high": edges[present + 1],
                    "mean_predicted": total_score[present] / count[present],
                    "observed_rate": rate,
                    "observed_low": low,
                    "observed_high": high,
                    "count": count[present].astype(np.int64),
                },
                columns=list(CALIBRATION_COLUMNS),
            )
        )
    return pd.concat(parts, ignore_index=True)


# ---------------------------------------------------------------------- helpers
def _binary(values: Any, name: str, *, n: int | None = None) -> np.ndarray:
    array = np.asarray(values).ravel()
    if n is not None and array.size != n:
        raise ValueError(_LENGTH_ERROR.format(name=name, n=n, got=array.size))
    if array.dtype == bool:
        return array.astype(np.int64)
    distinct = pd.unique(array) if array.size else np.array([])
    bad = [v for v in distinct.tolist() if v not in (0, 1) or isinstance(v, str)]
    if bad:
        raise ValueError(_BINARY_ERROR.format(name=name, values=bad[:5]))
    return array.astype(np.int64)


def _scores(values: Any, *, n: int) -> np.ndarray:
    array = np.asarray(values, dtype=float).ravel()
    if array.size != n:
        raise ValueError(_LENGTH_ERROR.format(name="y_score", n=n, got=array.size))
    bad = int(np.count_nonzero(~np.isfinite(array)))
    if bad:
        raise ValueError(_FINITE_ERROR.format(n=bad))
    return array


def _one_class(positives: int, negatives: int) -> str | None:
    if negatives == 0 and positives > 0:
        return "positive"
    if positives == 0 and negatives > 0:
        return "negative"
    return None


def _group_masks(groups: pd.Series | np.ndarray | None, *, n: int) -> list[tuple[str, np.ndarray]]:
    """The overall mask, then one per group in category (or first-seen) order."""
    masks = [(OVERALL_GROUP, np.ones(n, dtype=bool))]
    if groups is None:
        return masks
    series = groups if isinstance(groups, pd.Series) else pd.Series(np.asarray(groups))
    if len(series) != n:
        raise ValueError(_LENGTH_ERROR.format(name="groups", n=n, got=len(series)))
    codes, uniques = pd.factorize(series, sort=isinstance(series.dtype, pd.CategoricalDtype))
    for code, label in enumerate(uniques.tolist()):
        masks.append((str(label), codes == code))
    if (codes < 0).any():
        masks.append(("(missing)", codes < 0))
    return masks


def _thin(size: int, max_points: int) -> np.ndarray:
    if size <= max_points:
        return np.arange(size)
    return np.unique(np.linspace(0, size - 1, max(max_points, 2)).round().astype(np.intp))
