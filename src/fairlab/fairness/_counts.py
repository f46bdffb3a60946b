"""Counts: the names of metrics and criteria, each rate as cells of the confusion matrix,
and the checks that turn inputs into per-group confusion counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, NamedTuple, get_args

import numpy as np
import pandas as pd

from fairlab.fairness._messages import (
    COUNTS_COLUMNS_ERROR,
    LENGTH_MISMATCH_ERROR,
    NO_SENSITIVE_FEATURES_ERROR,
    NON_BINARY_LABELS_ERROR,
    FairnessError,
)

METRIC_NAMES: tuple[str, ...] = (
    "selection_rate",
    "true_positive_rate",
    "false_positive_rate",
    "false_negative_rate",
    "true_negative_rate",
    "positive_predictive_value",
    "negative_predictive_value",
    "false_discovery_rate",
    "false_omission_rate",
    "accuracy",
)
"""The group metrics, named as in fairlearn (precision is ``positive_predictive_value``)."""

COUNT_COLUMNS: tuple[str, ...] = ("count", "tp", "fp", "tn", "fn")
"""Row count and confusion counts, the first columns of every group table."""

CALIBRATION_COLUMNS: tuple[str, ...] = (
    "mean_score",
    "mean_score_low",
    "mean_score_high",
    "observed_rate",
    "observed_rate_low",
    "observed_rate_high",
)
"""Columns added to group tables when scores are given."""

Comparison = Literal["between_groups", "reference", "overall"]
Verdict = Literal["passes", "fails", "insufficient evidence", "undefined"]
VERDICTS: tuple[str, ...] = get_args(Verdict)
Kind = Literal["difference", "ratio"]

CRITERIA: dict[str, tuple[str, ...]] = {
    "demographic_parity": ("selection_rate",),
    "equalized_odds": ("true_positive_rate", "false_positive_rate"),
    "equal_opportunity": ("true_positive_rate",),
    "predictive_parity": ("positive_predictive_value",),
    "error_rate_parity": ("error_rate",),
}
"""Each fairness criterion and the group rates it compares (equalized odds takes the worse
of its two: the larger difference, the smaller ratio)."""

DISPARITY_NAMES: tuple[str, ...] = tuple(
    f"{criterion}_{kind}" for criterion in CRITERIA for kind in ("difference", "ratio")
)
"""fairlearn-style disparity names: each criterion as a difference and as a ratio."""

_TN, _FP, _FN, _TP = 0, 1, 2, 3  # cell index = 2 * y_true + y_pred
_ALL = (_TN, _FP, _FN, _TP)


class _Rate(NamedTuple):
    numerator: tuple[int, ...]
    denominator: tuple[int, ...]
    of_whom: str  # the denominator, in words: "n = 0 {of_whom}"
    label: str  # the rate, in words


_RATES: dict[str, _Rate] = {
    "base_rate": _Rate((_TP, _FN), _ALL, "rows", "base rate"),
    "selection_rate": _Rate((_TP, _FP), _ALL, "rows", "selection rate"),
    "true_positive_rate": _Rate((_TP,), (_TP, _FN), "positives", "true positive rate"),
    "false_positive_rate": _Rate((_FP,), (_FP, _TN), "negatives", "false positive rate"),
    "false_negative_rate": _Rate((_FN,), (_TP, _FN), "positives", "false negative rate"),
    "true_negative_rate": _Rate((_TN,), (_FP, _TN), "negatives", "true negative rate"),
    "positive_predictive_value": _Rate(
        (_TP,), (_TP, _FP), "predicted positives", "precision (positive predictive value)"
    ),
    "negative_predictive_value": _Rate(
        (_TN,), (_TN, _FN), "predicted negatives", "negative predictive value"
    ),
    "false_discovery_rate": _Rate(
        (_FP,), (_TP, _FP), "predicted positives", "false discovery rate"
    ),
    "false_omission_rate": _Rate((_FN,), (_TN, _FN), "predicted negatives", "false omission rate"),
    "accuracy": _Rate((_TP, _TN), _ALL, "rows", "accuracy"),
    "error_rate": _Rate((_FP, _FN), _ALL, "rows", "error rate"),
}
_INTERVAL_METRICS = ("base_rate", *METRIC_NAMES)


def _rates(cells: np.ndarray, names: Sequence[str]) -> dict[str, np.ndarray]:
    """Rates from confusion cells of shape (..., 4); NaN where a denominator is 0."""
    by_cells = {(index,): cells[..., index] for index in _ALL}
    rates = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for name in names:
            definition = _RATES[name]
            for part in (definition.numerator, definition.denominator):
                if part not in by_cells:
                    by_cells[part] = sum(by_cells[(index,)] for index in part)
            numerator = by_cells[definition.numerator]
            denominator = by_cells[definition.denominator]
            rates[name] = np.where(denominator > 0, numerator / denominator, np.nan)
    return rates


def _undefined_reason(name: str) -> str:
    return f"undefined (n = 0 {_RATES[name].of_whom})"


def denominators(cells: np.ndarray, name: str) -> np.ndarray:
    """The denominator of rate ``name`` (the cases it is a share of) for cells (..., 4)."""
    return cells[..., list(_RATES[name].denominator)].sum(axis=-1)


def numerators(cells: np.ndarray, name: str) -> np.ndarray:
    """The numerator of rate ``name`` for cells of shape (..., 4)."""
    return cells[..., list(_RATES[name].numerator)].sum(axis=-1)


# ---------------------------------------------------------------------- input checks
def _binary(values: Any, name: str) -> np.ndarray:
    array = np.asarray(values).reshape(-1)
    if array.dtype == bool:
        return array.astype(np.intp)
    if array.dtype.kind not in "iuf":
        try:
            array = array.astype(float)
        except (TypeError, ValueError):
            raise FairnessError(
                NON_BINARY_LABELS_ERROR.format(name=name, values=_preview(array))
            ) from None
    is_binary = (array == 0) | (array == 1)
    if not is_binary.all():
        raise FairnessError(
            NON_BINARY_LABELS_ERROR.format(name=name, values=_preview(array[~is_binary]))
        )
    return array.astype(np.intp)


def _preview(values: np.ndarray, limit: int = 5) -> str:
    distinct = pd.unique(pd.Series(values, dtype=object))
    shown = ", ".join(repr(v) for v in distinct[:limit])
    more = f", … ({len(distinct) - limit} more)" if len(distinct) > limit else ""
    return f"values such as {shown}{more}"


def _check_length(array: np.ndarray, name: str, expected: int) -> None:
    if array.shape[0] != expected:
        raise FairnessError(
            LENGTH_MISMATCH_ERROR.format(name=name, got=array.shape[0], expected=expected)
        )


def _sensitive_frame(sensitive_features: pd.DataFrame | pd.Series, n_rows: int) -> pd.DataFrame:
    if isinstance(sensitive_features, pd.Series):
        name = sensitive_features.name if sensitive_features.name is not None else "group"
        sensitive_features = sensitive_features.to_frame(name=name)
    elif not isinstance(sensitive_features, pd.DataFrame):
        sensitive_features = pd.DataFrame(sensitive_features)
    if sensitive_features.shape[1] == 0:
        raise FairnessError(NO_SENSITIVE_FEATURES_ERROR)
    if len(sensitive_features) != n_rows:
        raise FairnessError(
            LENGTH_MISMATCH_ERROR.format(
                name="sensitive_features", got=len(sensitive_features), expected=n_rows
            )
        )
    frame = sensitive_features.reset_index(drop=True)
    frame.columns = [str(c) for c in frame.columns]
    return frame


def _group_codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Integer group codes (-1 where missing) and the group labels, in label order.

    Categorical columns keep their category order and cost nothing to encode; other
    columns are factorised with sorted labels.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy().astype(np.intp)
        return codes, [str(label) for label in values.cat.categories]
    codes, labels = pd.factorize(values, sort=True)
    return codes.astype(np.intp, copy=False), [str(label) for label in labels]


def _count_cells(attribute: str, table: pd.DataFrame) -> tuple[list[str], np.ndarray]:
    needed = ("group", "tp", "fp", "tn", "fn")
    if not isinstance(table, pd.DataFrame) or any(c not in table.columns for c in needed):
        columns = list(table.columns) if isinstance(table, pd.DataFrame) else type(table)
        raise FairnessError(COUNTS_COLUMNS_ERROR.format(attribute=attribute, columns=columns))
    cells = np.stack(
        [table[column].to_numpy(dtype=float) for column in ("tn", "fp", "fn", "tp")], axis=1
    )
    if not np.all(np.isfinite(cells)) or (cells < 0).any() or (cells != np.round(cells)).any():
        raise FairnessError(
            COUNTS_COLUMNS_ERROR.format(attribute=attribute, columns=list(table.columns))
        )
    cells = cells.astype(np.int64)
    keep = cells.sum(axis=1) > 0
    labels = [str(g) for g, k in zip(table["group"], keep, strict=True) if k]
    return labels, cells[keep]


