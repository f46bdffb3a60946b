"""Group fairness metrics, disparities, confidence intervals and verdicts.

This module is FairLab's library of record for assessing a classifier's decisions group
by group. It uses fairlearn's definitions and names (``selection_rate``,
``true_positive_rate``, ``demographic_parity_difference``, ``equalized_odds_ratio``, ...)
and is cross-checked against fairlearn in the tests, but computes everything from the four
confusion counts of each group (true positives, false positives, true negatives, false
negatives), counted once with :func:`numpy.bincount`.

Three rules shape the results:

- **Undefined is undefined.** A rate whose denominator is zero (the true positive rate of a
  group with no positives, say) is NaN with a reason such as ``"undefined (n = 0
  positives)"``. It is never shown as 0, and it is left out of every disparity with a note
  naming the groups left out. A disparity with fewer than two defined groups is itself
  undefined, with a reason.
- **Every number has an interval.** Each group metric and each disparity gets a percentile
  bootstrap interval from resampling rows within each group (group sizes fixed). Resampling
  the ``n_g`` rows of a group with replacement gives, in distribution, a draw of its four
  confusion cells from ``multinomial(n_g, cell shares)``, so the bootstrap draws the cells
  directly: its cost is O(groups × resamples), whatever the number of rows.
- **Verdicts admit uncertainty.** A criterion *passes* or *fails* only when the whole
  interval is on one side of its bound; otherwise the verdict is *insufficient evidence*.

:func:`assess_fairness` works on arrays, :func:`assess_audit` on an
:class:`~fairlab.audit_data.AuditData` (with the intersection of its sensitive attributes),
:func:`assess_counts` on confusion counts already tallied, and :func:`metrics_json` turns a
result into the ``metrics.json`` written by the headless audit.
"""

from __future__ import annotations

import math
import numbers
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple, get_args

import numpy as np
import pandas as pd
from scipy import stats

from fairlab.audit_data import AuditData
from fairlab.data.profile import wilson_interval
from fairlab.errors import FairLabError
from fairlab.spec import MIN_GROUP_SIZE, AuditSpec

__all__ = [
    "METRIC_NAMES",
    "DISPARITY_NAMES",
    "CRITERIA",
    "METRIC_EXPLANATIONS",
    "COUNT_COLUMNS",
    "CALIBRATION_COLUMNS",
    "VERDICTS",
    "Comparison",
    "Verdict",
    "FairnessConfig",
    "FairnessResult",
    "FairnessError",
    "assess_fairness",
    "assess_audit",
    "assess_counts",
    "metrics_json",
    "verdict_for",
    "NON_BINARY_LABELS_ERROR",
    "LENGTH_MISMATCH_ERROR",
    "NO_ROWS_ERROR",
    "NO_SENSITIVE_FEATURES_ERROR",
    "SENSITIVE_MISSING_ERROR",
    "SCORES_NOT_FINITE_ERROR",
    "NO_PREDICTIONS_ERROR",
    "COUNTS_COLUMNS_ERROR",
    "COUNTS_TOTAL_ERROR",
    "REFERENCE_NEEDED_ERROR",
    "REFERENCE_NOT_FOUND_ERROR",
    "REFERENCE_ATTRIBUTE_ERROR",
    "INVALID_N_BOOT_ERROR",
    "INVALID_CONFIDENCE_ERROR",
    "INVALID_RANDOM_STATE_ERROR",
    "INVALID_COMPARISON_ERROR",
    "INVALID_RATIO_BOUND_ERROR",
    "INVALID_TOLERANCE_ERROR",
    "INVALID_MIN_GROUP_SIZE_ERROR",
    "INVALID_REFERENCE_GROUPS_ERROR",
]

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
_Kind = Literal["difference", "ratio"]

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

# ---------------------------------------------------------------------- messages
NON_BINARY_LABELS_ERROR = (
    "The '{name}' values must be 0 or 1 (1 for the positive outcome). Got {values} instead. "
    "Map labels to 0/1 with the spec's positive value first (build_audit_data does this)."
)
LENGTH_MISMATCH_ERROR = (
    "'{name}' has {got} rows but 'y_true' has {expected}. Pass one value per row for each."
)
NO_ROWS_ERROR = (
    "There are no rows to assess. Check that the data and the predictions are not empty."
)
NO_SENSITIVE_FEATURES_ERROR = (
    "There is no sensitive feature to compare groups on. Pass at least one column in "
    "'sensitive_features'."
)
SENSITIVE_MISSING_ERROR = (
    "Sensitive feature '{column}' has {n} missing values. Give them a group of their own or "
    "leave those rows out first (the spec's missing-value policy does this)."
)
SCORES_NOT_FINITE_ERROR = (
    "'y_score' must hold finite numbers. Got {n} missing or infinite values. Leave those "
    "rows out first (build_audit_data does this)."
)
NO_PREDICTIONS_ERROR = (
    "There are no predictions to assess. Train a model, or name a prediction or score column "
    "in the spec."
)
COUNTS_COLUMNS_ERROR = (
    "The counts for '{attribute}' must have the columns group, tp, fp, tn and fn with "
    "non-negative whole numbers. Got columns {columns} instead."
)
COUNTS_TOTAL_ERROR = (
    "The counts for '{attribute}' add up to {got} rows but those for '{first}' to {expected}. "
    "Count every attribute over the same rows."
)
REFERENCE_NEEDED_ERROR = (
    "Comparing with a reference group needs one: set 'reference_groups', for example "
    "(('sex', 'Male'),)."
)
REFERENCE_NOT_FOUND_ERROR = (
    "The reference group '{group}' is not a group of '{attribute}'. Choose one of: {groups}."
)
REFERENCE_ATTRIBUTE_ERROR = (
    "A reference group is set for '{attribute}', which is not assessed. Choose one of: "
    "{attributes}."
)
INVALID_N_BOOT_ERROR = "The 'n_boot' parameter must be an integer ≥ 1. Got {value!r} instead."
INVALID_CONFIDENCE_ERROR = (
    "The 'confidence' parameter must be a number in (0, 1), such as 0.95. Got {value!r} instead."
)
INVALID_RANDOM_STATE_ERROR = (
    "The 'random_state' parameter must be a non-negative integer. Got {value!r} instead."
)
INVALID_COMPARISON_ERROR = (
    "The 'comparison' parameter must be one of {options}. Got {value!r} instead."
)
INVALID_RATIO_BOUND_ERROR = (
    "The 'ratio_bound' parameter must be a number in (0, 1], such as 0.8 for the four-fifths "
    "rule. Got {value!r} instead."
)
INVALID_TOLERANCE_ERROR = (
    "The 'difference_tolerance' parameter must be a number in [0, 1]. Got {value!r} instead."
)
INVALID_MIN_GROUP_SIZE_ERROR = (
    "The 'min_group_size' parameter must be a non-negative integer. Got {value!r} instead."
)
INVALID_REFERENCE_GROUPS_ERROR = (
    "The 'reference_groups' parameter must be pairs of (attribute, group), one per "
    "attribute, such as (('sex', 'Male'),). Got {value!r} instead."
)

# ---------------------------------------------------------------------- explanations
METRIC_EXPLANATIONS: dict[str, str] = {
    "base_rate": (
        "The share of people in the group whose observed outcome is positive; it matters "
        "because groups that start from different base rates cannot usually be equal on "
        "every other metric at once."
    ),
    "selection_rate": (
        "The share of people in the group that the model predicts positive (selects); it "
        "matters when the decision itself is a benefit or a burden, whatever the outcome."
    ),
    "true_positive_rate": (
        "Of the people in the group whose outcome is positive, the share the model predicts "
        "positive (recall); it matters when missing a deserving person is the harm."
    ),
    "false_positive_rate": (
        "Of the people in the group whose outcome is negative, the share the model wrongly "
        "predicts positive; it matters when a wrong positive decision is the harm."
    ),
    "false_negative_rate": (
        "Of the people in the group whose outcome is positive, the share the model wrongly "
        "predicts negative; it matters when being wrongly passed over is the harm."
    ),
    "true_negative_rate": (
        "Of the people in the group whose outcome is negative, the share the model correctly "
        "predicts negative (specificity); it is one minus the false positive rate."
    ),
    "positive_predictive_value": (
        "Of the people in the group the model predicts positive, the share whose outcome is "
        "positive (precision); it matters when a positive prediction must mean the same "
        "thing for every group."
    ),
    "negative_predictive_value": (
        "Of the people in the group the model predicts negative, the share whose outcome is "
        "negative; it matters when a negative prediction must be equally trustworthy."
    ),
    "false_discovery_rate": (
        "Of the people in the group the model predicts positive, the share whose outcome is "
        "negative; it is one minus the positive predictive value."
    ),
    "false_omission_rate": (
        "Of the people in the group the model predicts negative, the share whose outcome is "
        "positive; it is one minus the negative predictive value."
    ),
    "accuracy": (
        "The share of people in the group whose prediction matches their outcome; it can hide "
        "very different kinds of error, so read it with the error rates."
    ),
    "mean_score": (
        "The average score the model gives the group; next to the observed rate it shows "
        "whether scores mean the same for every group (calibration)."
    ),
    "observed_rate": (
        "The share of the group whose outcome is positive, to compare with the mean score: a "
        "well-calibrated model gives each group a mean score close to it."
    ),
    "demographic_parity_difference": (
        "The gap in selection rates between groups; it matters when everyone should have the "
        "same chance of the decision, whatever their outcome (allocation harms)."
    ),
    "demographic_parity_ratio": (
        "The lowest selection rate divided by the highest; the four-fifths rule of US "
        "employment practice asks for at least 0.8."
    ),
    "equalized_odds_difference": (
        "The larger of the gaps in true positive rates and in false positive rates; it "
        "matters when errors of both kinds should fall equally on every group."
    ),
    "equalized_odds_ratio": (
        "The smaller of the ratios of true positive rates and of false positive rates "
        "(lowest over highest); 1 means both kinds of error are shared equally."
    ),
    "equal_opportunity_difference": (
        "The gap in true positive rates between groups; it matters when people who deserve "
        "the positive outcome should have the same chance of getting it."
    ),
    "equal_opportunity_ratio": (
        "The lowest true positive rate divided by the highest; 1 means deserving people in "
        "every group are found equally often."
    ),
    "predictive_parity_difference": (
        "The gap in precision (positive predictive value) between groups; it matters when a "
        "positive prediction is acted on as if it meant the same for everyone."
    ),
    "predictive_parity_ratio": (
        "The lowest precision divided by the highest; 1 means a positive prediction is "
        "equally reliable for every group."
    ),
    "error_rate_parity_difference": (
        "The gap in error rates (one minus accuracy) between groups; it matters when the "
        "model should be equally reliable for everyone, whatever the kind of error."
    ),
    "error_rate_parity_ratio": (
        "The lowest error rate divided by the highest; 1 means every group meets errors "
        "equally often."
    ),
}
"""One plain-language sentence per metric and per disparity: what it measures, when it
matters."""


class FairnessError(FairLabError, ValueError):
    """The inputs or options of a fairness assessment are not usable."""


# ---------------------------------------------------------------------- rates
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


# ---------------------------------------------------------------------- config
@dataclass(frozen=True)
class FairnessConfig:
    """How to assess fairness: resamples, comparison, bounds.

    Parameters
    ----------
    n_boot : int, default 1000
        Bootstrap resamples for every interval.
    confidence : float, default 0.95
        Level of the two-sided percentile intervals.
    random_state : int, default 0
        Seed of the bootstrap; the same seed gives the same intervals.
    comparison : {"between_groups", "reference", "overall"}, default "between_groups"
        How disparities compare groups: every group with every other (max − min,
        min / max), each group with a reference group, or each group with the rate over all
        rows (fairlearn's ``method="to_overall"``).
    reference_groups : tuple of (str, str), default ()
        ``(attribute, group)`` pairs naming the reference group of each attribute. Needed
        (at least one pair) when ``comparison="reference"``; an attribute without a pair is
        compared with its largest group, and the sentences say so.
    ratio_bound : float, default 0.8
        A ratio passes when its whole interval is at or above this bound (the four-fifths
        rule by default).
    difference_tolerance : float, default 0.1
        A difference passes when its whole interval is at or below this tolerance.
    min_group_size : int, default 30
        Groups with fewer rows are flagged ``small``.

    Raises
    ------
    FairnessError
        If an option is out of range.
    """

    n_boot: int = 1000
    confidence: float = 0.95
    random_state: int = 0
    comparison: Comparison = "between_groups"
    reference_groups: tuple[tuple[str, str], ...] = ()
    ratio_bound: float = 0.8
    difference_tolerance: float = 0.1
    min_group_size: int = MIN_GROUP_SIZE

    def __post_init__(self) -> None:
        if not _is_int(self.n_boot) or self.n_boot < 1:
            raise FairnessError(INVALID_N_BOOT_ERROR.format(value=self.n_boot))
        if not _is_real(self.confidence) or not 0 < self.confidence < 1:
            raise FairnessError(INVALID_CONFIDENCE_ERROR.format(value=self.confidence))
        if not _is_int(self.random_state) or self.random_state < 0:
            raise FairnessError(INVALID_RANDOM_STATE_ERROR.format(value=self.random_state))
        if self.comparison not in get_args(Comparison):
            raise FairnessError(
                INVALID_COMPARISON_ERROR.format(
                    options=list(get_args(Comparison)), value=self.comparison
                )
            )
        if not _is_real(self.ratio_bound) or not 0 < self.ratio_bound <= 1:
            raise FairnessError(INVALID_RATIO_BOUND_ERROR.format(value=self.ratio_bound))
        if not _is_real(self.difference_tolerance) or not 0 <= self.difference_tolerance <= 1:
            raise FairnessError(INVALID_TOLERANCE_ERROR.format(value=self.difference_tolerance))
        if not _is_int(self.min_group_size) or self.min_group_size < 0:
            raise FairnessError(INVALID_MIN_GROUP_SIZE_ERROR.format(value=self.min_group_size))
        object.__setattr__(self, "reference_groups", _reference_pairs(self.reference_groups))
        if self.comparison == "reference" and not self.reference_groups:
            raise FairnessError(REFERENCE_NEEDED_ERROR)
        for name in ("n_boot", "random_state", "min_group_size"):
            object.__setattr__(self, name, int(getattr(self, name)))
        for name in ("confidence", "ratio_bound", "difference_tolerance"):
            object.__setattr__(self, name, float(getattr(self, name)))

    def reference_for(self, attribute: str) -> str | None:
        """The reference group set for ``attribute``, or None."""
        return dict(self.reference_groups).get(attribute)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict of the options."""
        return {
            "n_boot": self.n_boot,
            "confidence": self.confidence,
            "random_state": self.random_state,
            "comparison": self.comparison,
            "reference_groups": {attribute: group for attribute, group in self.reference_groups},
            "ratio_bound": self.ratio_bound,
            "difference_tolerance": self.difference_tolerance,
            "min_group_size": self.min_group_size,
        }


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value: object) -> bool:
    return (
        isinstance(value, numbers.Real)
        and not isinstance(value, bool)
        and math.isfinite(float(value))  # type: ignore[arg-type]
    )


def _reference_pairs(value: object) -> tuple[tuple[str, str], ...]:
    if isinstance(value, Mapping):
        value = tuple(value.items())
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise FairnessError(INVALID_REFERENCE_GROUPS_ERROR.format(value=value))
    pairs: list[tuple[str, str]] = []
    for pair in value:
        if isinstance(pair, str) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise FairnessError(INVALID_REFERENCE_GROUPS_ERROR.format(value=value))
        pairs.append((str(pair[0]), str(pair[1])))
    if len({attribute for attribute, _ in pairs}) != len(pairs):
        raise FairnessError(INVALID_REFERENCE_GROUPS_ERROR.format(value=value))
    return tuple(pairs)


# ---------------------------------------------------------------------- result
@dataclass(frozen=True, eq=False)
class FairnessResult:
    """Group metrics, disparities and verdicts, each with its interval.

    Compared and hashed by identity, since it holds DataFrames.

    Attributes
    ----------
    overall : pandas.Series
        Metrics over all rows, labelled like a group row without ``group`` and ``small``:
        ``count, tp, fp, tn, fn, base_rate``, each metric, its ``_low`` / ``_high``
        interval and ``_undefined`` reason (None when defined), and the calibration
        columns when scores were given. Its interval resamples all rows together.
    by_group : dict of str to pandas.DataFrame
        Per attribute (an intersection is named like ``"sex×race"``), one row per group in
        label order with the columns ``group, count, tp, fp, tn, fn, base_rate``, the ten
        metrics of :data:`METRIC_NAMES`, then ``base_rate_low, base_rate_high`` and
        ``<metric>_low, <metric>_high`` for each metric (percentile bootstrap), then
        ``<metric>_undefined`` (reason text such as ``"undefined (n = 0 positives)"``, or
        None), then ``small`` (fewer than ``min_group_size`` rows). With scores,
        :data:`CALIBRATION_COLUMNS` follow: the mean score with a normal interval and the
        observed rate of positive outcomes with a Wilson interval.
    disparities : dict of str to pandas.DataFrame
        Per attribute, one row per name of :data:`DISPARITY_NAMES` (the index), with the
        columns ``criterion, kind, value, ci_low, ci_high, limit, verdict, sentence,
        excluded_groups, note, reason``. ``limit`` is the ratio bound or the difference
        tolerance; ``excluded_groups`` is a tuple of the groups left out because their rate
        is undefined and ``note`` says so in words (None when none were); ``reason`` says
        why an undefined disparity is undefined.
    config : FairnessConfig
        The options used.
    """

    overall: pd.Series
    by_group: dict[str, pd.DataFrame]
    disparities: dict[str, pd.DataFrame]
    config: FairnessConfig

    @property
    def attributes(self) -> tuple[str, ...]:
        """The attributes assessed, in order."""
        return tuple(self.by_group)


# ---------------------------------------------------------------------- entry points
def assess_fairness(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive_features: pd.DataFrame | pd.Series,
    y_score: Any = None,
    config: FairnessConfig = FairnessConfig(),  # noqa: B008 - frozen, so a safe default
) -> FairnessResult:
    """Assess a classifier's decisions group by group.

    Parameters
    ----------
    y_true : array-like of 0/1
        Observed outcomes, 1 for the positive one.
    y_pred : array-like of 0/1
        Predicted outcomes, 1 for the positive one.
    sensitive_features : pandas.DataFrame or pandas.Series
        One column of group labels per sensitive attribute, one row per entry of
        ``y_true``. Each column is assessed on its own; to assess an intersection, add it
        as a column (as :func:`assess_audit` does).
    y_score : array-like of float, optional
        Scores; when given, the group tables get the calibration columns.
    config : FairnessConfig, optional
        Resamples, comparison, bounds.

    Returns
    -------
    FairnessResult

    Raises
    ------
    FairnessError
        If the labels are not 0/1, the lengths differ, there are no rows or sensitive
        features, a sensitive feature has missing values, scores are not finite, or a
        reference group does not exist.

    Notes
    -----
    Differences and ratios of a rate ``r`` over the groups ``g`` whose rate is defined:

    - ``"between_groups"``: difference ``max_g r_g − min_g r_g``, ratio
      ``min_g r_g / max_g r_g`` (fairlearn's ``method="between_groups"``);
    - ``"reference"``: difference ``max_g |r_g − r_ref|``, ratio
      ``min_g min(r_g / r_ref, r_ref / r_g)``;
    - ``"overall"``: as ``"reference"`` with the rate over all rows in place of
      ``r_ref`` (fairlearn's ``method="to_overall"``).

    A ratio of two zero rates is undefined and skipped, as in fairlearn; if every ratio
    is skipped, the disparity is undefined. Equalized odds takes the larger of the true
    and false positive rate differences, and the smaller of their ratios. Error-rate
    parity compares ``1 − accuracy``.

    In each bootstrap resample, the cells of every group are drawn afresh from a
    multinomial with the group's size and cell shares, jointly for all groups of an
    attribute, and the disparity is recomputed; a group whose rate is undefined in a
    resample is left out of that resample's disparity, and a resample whose disparity is
    undefined is left out of the interval.
    """
    y_true_array = _binary(y_true, "y_true")
    n_rows = y_true_array.shape[0]
    if n_rows == 0:
        raise FairnessError(NO_ROWS_ERROR)
    y_pred_array = _binary(y_pred, "y_pred")
    _check_length(y_pred_array, "y_pred", n_rows)
    frame = _sensitive_frame(sensitive_features, n_rows)
    scores = None
    if y_score is not None:
        scores = np.asarray(y_score, dtype=float).reshape(-1)
        _check_length(scores, "y_score", n_rows)
        n_bad = int(np.count_nonzero(~np.isfinite(scores)))
        if n_bad:
            raise FairnessError(SCORES_NOT_FINITE_ERROR.format(n=n_bad))

    cell = 2 * y_true_array + y_pred_array
    counts: dict[str, pd.DataFrame] = {}
    codes_by_attribute: dict[str, np.ndarray] = {}
    for attribute in frame.columns:
        codes, labels = _group_codes(frame[attribute])
        n_missing = int(np.count_nonzero(codes < 0))
        if n_missing:
            raise FairnessError(SENSITIVE_MISSING_ERROR.format(column=attribute, n=n_missing))
        tally = np.bincount(codes * 4 + cell, minlength=4 * len(labels)).reshape(-1, 4)
        used = tally.sum(axis=1) > 0
        if not used.all():  # categories without rows are not groups
            codes = (np.cumsum(used) - 1)[codes]
            tally, labels = tally[used], [label for label, u in zip(labels, used, strict=True) if u]
        counts[attribute] = pd.DataFrame(
            {
                "group": labels,
                "tp": tally[:, _TP],
                "fp": tally[:, _FP],
                "tn": tally[:, _TN],
                "fn": tally[:, _FN],
            }
        )
        codes_by_attribute[attribute] = codes
    result = assess_counts(counts, config=config)
    if scores is None:
        return result
    # Centring first keeps the one-pass variance accurate for scores far from 0.
    shift = float(scores.mean())
    centred = scores - shift
    squared = centred**2
    by_group = {
        attribute: _with_calibration(
            table,
            np.bincount(codes_by_attribute[attribute], weights=centred, minlength=len(table)),
            np.bincount(codes_by_attribute[attribute], weights=squared, minlength=len(table)),
            shift=shift,
            confidence=config.confidence,
        )
        for attribute, table in result.by_group.items()
    }
    overall_calibration = _with_calibration(
        result.overall.to_frame().T,
        np.array([centred.sum()]),
        np.array([squared.sum()]),
        shift=shift,
        confidence=config.confidence,
    )
    overall = overall_calibration.iloc[0].rename("overall")
    return FairnessResult(
        overall=overall, by_group=by_group, disparities=result.disparities, config=config
    )


def assess_audit(
    data: AuditData,
    *,
    y_pred: Any = None,
    y_score: Any = None,
    config: FairnessConfig = FairnessConfig(),  # noqa: B008 - frozen, so a safe default
) -> FairnessResult:
    """Assess the predictions of an audit, per sensitive attribute and their intersection.

    Parameters
    ----------
    data : AuditData
        From :func:`fairlab.audit_data.build_audit_data` (or a split of it).
    y_pred : array-like of 0/1, optional
        Predictions for the rows of ``data``; defaults to ``data.y_pred``.
    y_score : array-like of float, optional
        Scores for the rows of ``data``; defaults to ``data.y_score``.
    config : FairnessConfig, optional
        Resamples, comparison, bounds.

    Returns
    -------
    FairnessResult
        Keyed by ``data.attributes``: each sensitive attribute, then their intersection
        (such as ``"sex×race"``) when there are several.

    Raises
    ------
    FairnessError
        If there are no predictions, or as :func:`assess_fairness`.
    """
    predictions = data.y_pred if y_pred is None else y_pred
    if predictions is None:
        raise FairnessError(NO_PREDICTIONS_ERROR)
    scores = data.y_score if y_score is None else y_score
    # Categorical group labels keep their order (bins in increasing order) and encode free.
    sensitive = pd.DataFrame(
        {attribute: data.groups(attribute).reset_index(drop=True) for attribute in data.attributes}
    )
    return assess_fairness(
        data.y_true, predictions, sensitive_features=sensitive, y_score=scores, config=config
    )


def assess_counts(
    counts: Mapping[str, pd.DataFrame],
    *,
    config: FairnessConfig = FairnessConfig(),  # noqa: B008 - frozen, so a safe default
) -> FairnessResult:
    """Assess fairness from confusion counts already tallied per group.

    Everything :func:`assess_fairness` reports except the calibration columns depends on
    the rows only through these counts, so a caller that tallies them itself (after
    moving a threshold, say) gets the same result.

    Parameters
    ----------
    counts : mapping of str to pandas.DataFrame
        Per attribute, one row per group with the columns ``group, tp, fp, tn, fn``.
        Groups with no rows are dropped. Every attribute must count the same rows.
    config : FairnessConfig, optional
        Resamples, comparison, bounds.

    Returns
    -------
    FairnessResult

    Raises
    ------
    FairnessError
        If columns are missing, counts are negative, totals differ between attributes,
        there are no rows, or a reference group does not exist.
    """
    if not counts:
        raise FairnessError(NO_SENSITIVE_FEATURES_ERROR)
    cleaned: dict[str, tuple[list[str], np.ndarray]] = {}
    for attribute, table in counts.items():
        cleaned[str(attribute)] = _count_cells(str(attribute), table)
    first = next(iter(cleaned))
    total = int(cleaned[first][1].sum())
    if total == 0:
        raise FairnessError(NO_ROWS_ERROR)
    for attribute, (_, cells) in cleaned.items():
        if int(cells.sum()) != total:
            raise FairnessError(
                COUNTS_TOTAL_ERROR.format(
                    attribute=attribute, got=int(cells.sum()), first=first, expected=total
                )
            )
    unknown = [a for a, _ in config.reference_groups if a not in cleaned]
    if config.comparison == "reference" and unknown:
        raise FairnessError(
            REFERENCE_ATTRIBUTE_ERROR.format(attribute=unknown[0], attributes=list(cleaned))
        )

    overall_cells = cleaned[first][1].sum(axis=0)
    overall_draws = _seeded_rng(config.random_state, "").multinomial(
        total, overall_cells / total, size=config.n_boot
    )
    overall_table = _group_table(
        ["overall"], overall_cells[None, :], overall_draws[:, None, :].astype(float), config
    )
    overall = overall_table.drop(columns=["group", "small"]).iloc[0].rename("overall")

    by_group: dict[str, pd.DataFrame] = {}
    disparities: dict[str, pd.DataFrame] = {}
    for attribute, (labels, cells) in cleaned.items():
        draws = _draw_cells(cells, config.n_boot, _seeded_rng(config.random_state, attribute))
        by_group[attribute] = _group_table(labels, cells, draws, config)
        reference = _reference_index(attribute, labels, cells, config)
        disparities[attribute] = _disparity_table(
            attribute, labels, cells, draws, reference, config
        )
    return FairnessResult(
        overall=overall, by_group=by_group, disparities=disparities, config=config
    )


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


# ---------------------------------------------------------------------- bootstrap
def _seeded_rng(random_state: int, key: str) -> np.random.Generator:
    """A generator for one stream (an attribute, or "" for all rows), from the seed."""
    return np.random.default_rng(np.random.SeedSequence([random_state, zlib.crc32(key.encode())]))


def _draw_cells(cells: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Stratified bootstrap of confusion cells: shape (n_boot, groups, 4), as floats.

    Resampling the ``n_g`` rows of group ``g`` with replacement and counting its cells is
    the same, in distribution, as one multinomial draw with ``n_g`` trials and the cell
    shares of the group.
    """
    sizes = cells.sum(axis=1)
    shares = cells / sizes[:, None]
    return rng.multinomial(sizes, shares, size=(n_boot, len(sizes))).astype(float)


def _percentile_interval(samples: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval over axis 0, skipping NaN (as ``numpy.nanquantile``, linear).

    Vectorised: one sort, no loop over columns. A column with no defined sample gets NaN.
    """
    ordered = np.sort(samples, axis=0)  # NaN sorts last
    valid = np.count_nonzero(~np.isnan(ordered), axis=0)
    tail = (1 - confidence) / 2
    bounds = []
    for quantile in (tail, 1 - tail):
        position = quantile * np.maximum(valid - 1, 0)
        below = np.floor(position).astype(np.intp)
        above = np.minimum(below + 1, np.maximum(valid - 1, 0))
        low_value = np.take_along_axis(ordered, below[None, ...], axis=0)[0]
        high_value = np.take_along_axis(ordered, above[None, ...], axis=0)[0]
        value = low_value + (position - below) * (high_value - low_value)
        bounds.append(np.where(valid > 0, value, np.nan))
    return bounds[0], bounds[1]


# ---------------------------------------------------------------------- group tables
def _group_table(
    labels: list[str], cells: np.ndarray, draws: np.ndarray, config: FairnessConfig
) -> pd.DataFrame:
    sizes = cells.sum(axis=1)
    n_boot, n_groups = draws.shape[0], cells.shape[0]
    point = _rates(cells, _INTERVAL_METRICS)
    boot = _rates(draws, _INTERVAL_METRICS)
    low, high = _percentile_interval(
        np.stack([boot[name] for name in _INTERVAL_METRICS], axis=1).reshape(n_boot, -1),
        config.confidence,
    )
    low, high = low.reshape(-1, n_groups), high.reshape(-1, n_groups)
    # Built as a few blocks of one dtype each: much faster than ~50 separate columns.
    counts = pd.DataFrame(
        np.column_stack([sizes, cells[:, _TP], cells[:, _FP], cells[:, _TN], cells[:, _FN]]),
        columns=list(COUNT_COLUMNS),
        dtype=np.int64,
    )
    interval_names = [f"{n}_{side}" for n in _INTERVAL_METRICS for side in ("low", "high")]
    rates = pd.DataFrame(
        np.column_stack(
            [point[n] for n in _INTERVAL_METRICS]
            + [bound for pair in zip(low, high, strict=True) for bound in pair]
        ),
        columns=[*_INTERVAL_METRICS, *interval_names],
    )
    reasons = np.full((n_groups, len(METRIC_NAMES)), None, dtype=object)
    for position, name in enumerate(METRIC_NAMES):
        reasons[np.isnan(point[name]), position] = _undefined_reason(name)
    undefined = pd.DataFrame(
        reasons, columns=[f"{name}_undefined" for name in METRIC_NAMES], dtype=object
    )
    return pd.concat(
        [
            pd.DataFrame({"group": labels}),
            counts,
            rates,
            undefined,
            pd.DataFrame({"small": sizes < config.min_group_size}),
        ],
        axis=1,
    )


def _with_calibration(
    table: pd.DataFrame,
    centred_sums: np.ndarray,
    centred_squares: np.ndarray,
    *,
    shift: float,
    confidence: float,
) -> pd.DataFrame:
    """Add mean score (normal interval) and observed rate (Wilson interval) per group.

    ``centred_sums`` and ``centred_squares`` are per-group sums of ``score - shift`` and of
    its square.
    """
    sizes = table["count"].to_numpy(dtype=float)
    positives = (table["tp"] + table["fn"]).to_numpy(dtype=float)
    centred_mean = centred_sums / sizes
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        variance = np.maximum(centred_squares - sizes * centred_mean**2, 0) / (sizes - 1)
        half = np.where(sizes > 1, z * np.sqrt(variance / sizes), np.nan)
    mean = shift + centred_mean
    low, high = wilson_interval(positives, sizes, confidence=confidence)
    table = table.copy()
    table["mean_score"] = mean
    table["mean_score_low"] = mean - half
    table["mean_score_high"] = mean + half
    table["observed_rate"] = positives / sizes
    table["observed_rate_low"] = low
    table["observed_rate_high"] = high
    return table


# ---------------------------------------------------------------------- disparities
def _reference_index(
    attribute: str, labels: list[str], cells: np.ndarray, config: FairnessConfig
) -> int | None:
    if config.comparison != "reference":
        return None
    wanted = config.reference_for(attribute)
    if wanted is None:
        return int(np.argmax(cells.sum(axis=1)))
    if wanted not in labels:
        shown = ", ".join(f"'{label}'" for label in labels)
        raise FairnessError(
            REFERENCE_NOT_FOUND_ERROR.format(group=wanted, attribute=attribute, groups=shown)
        )
    return labels.index(wanted)


def _compare(
    rates: np.ndarray, overall: np.ndarray, comparison: Comparison, reference: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """Difference and ratio over the groups (last axis) whose rate is defined.

    ``rates`` has shape (resamples, groups) and ``overall`` (resamples,). NaN where fewer
    than two groups are defined, or where every ratio is 0 / 0.
    """
    defined = ~np.isnan(rates)
    enough = np.count_nonzero(defined, axis=-1) >= 2
    with np.errstate(divide="ignore", invalid="ignore"):
        if comparison == "between_groups":
            highest = np.where(defined, rates, -np.inf).max(axis=-1)
            lowest = np.where(defined, rates, np.inf).min(axis=-1)
            difference = highest - lowest
            ratio = np.where(highest > 0, lowest / highest, np.nan)
        else:
            anchor = rates[:, reference] if comparison == "reference" else overall
            gaps = np.abs(rates - anchor[:, None])
            difference = np.where(defined, gaps, -np.inf).max(axis=-1)
            quotient = rates / anchor[:, None]
            quotient = np.where(quotient > 1, 1 / quotient, quotient)
            has_ratio = ~np.isnan(quotient)
            ratio = np.where(has_ratio, quotient, np.inf).min(axis=-1)
            ratio = np.where(has_ratio.any(axis=-1), ratio, np.nan)
            enough = enough & ~np.isnan(anchor)
    return np.where(enough, difference, np.nan), np.where(enough, ratio, np.nan)


def _disparity_table(
    attribute: str,
    labels: list[str],
    cells: np.ndarray,
    draws: np.ndarray,
    reference: int | None,
    config: FairnessConfig,
) -> pd.DataFrame:
    comparison = config.comparison
    components = tuple(dict.fromkeys(c for parts in CRITERIA.values() for c in parts))
    point_rates = _rates(cells, components)
    point_overall = _rates(cells.sum(axis=0), components)
    boot_rates = _rates(draws, components)
    boot_overall = _rates(draws.sum(axis=1), components)
    point: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    boot: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name in components:
        point[name] = _compare(
            point_rates[name][None, :], point_overall[name][None], comparison, reference
        )
        boot[name] = _compare(boot_rates[name], boot_overall[name], comparison, reference)

    values: list[float] = []
    samples: list[np.ndarray] = []
    for parts in CRITERIA.values():
        for position, kind in enumerate(("difference", "ratio")):
            combine = np.maximum if kind == "difference" else np.minimum
            values.append(float(combine.reduce([point[p][position] for p in parts])[0]))
            samples.append(combine.reduce([boot[p][position] for p in parts]))
    lows, highs = _percentile_interval(np.stack(samples, axis=1), config.confidence)

    rows = []
    for criterion, parts in CRITERIA.items():
        excluded: dict[str, list[str]] = {}
        problems: list[str] = []
        for name in parts:
            rates = point_rates[name]
            for index in np.flatnonzero(np.isnan(rates)):
                excluded.setdefault(labels[index], []).append(name)
            problem = _comparison_problem(name, rates, labels, attribute, reference)
            if problem:
                problems.append(problem)
        for kind in ("difference", "ratio"):
            position = len(rows)
            value = values[position]
            reason = None
            if math.isnan(value):
                reason = "; ".join(dict.fromkeys(problems)) or (
                    "every compared rate is 0, so no ratio can be formed"
                )
            rows.append(
                _disparity_row(
                    criterion=criterion,
                    kind=kind,
                    value=value,
                    ci=(float(lows[position]), float(highs[position])),
                    reason=reason,
                    excluded=excluded,
                    attribute=attribute,
                    reference=None if reference is None else labels[reference],
                    reference_defaulted=reference is not None
                    and config.reference_for(attribute) is None,
                    config=config,
                )
            )
    index = pd.Index(DISPARITY_NAMES, name="disparity")
    columns: dict[str, Any] = {}
    for key in rows[0]:
        values = [row[key] for row in rows]
        if key in ("excluded_groups", "note", "reason"):  # tuples or None: keep as they are
            holder = np.empty(len(values), dtype=object)  # filled with None
            for position, value in enumerate(values):
                holder[position] = value
            columns[key] = pd.Series(holder, index=index, dtype=object)
        else:
            columns[key] = np.array(values)
    return pd.DataFrame(columns, index=index)


def _comparison_problem(
    name: str,
    rates: np.ndarray,
    labels: list[str],
    attribute: str,
    reference: int | None,
) -> str | None:
    label = _RATES[name].label
    of_whom = _RATES[name].of_whom
    if len(labels) < 2:
        return f"'{attribute}' has only one group, so there is nothing to compare"
    if reference is not None and np.isnan(rates[reference]):
        return (
            f"the reference group '{labels[reference]}' has no {of_whom}, so its {label} is "
            "undefined"
        )
    n_defined = int(np.count_nonzero(~np.isnan(rates)))
    if n_defined == 0:
        return f"no group of '{attribute}' has a defined {label} (none has any {of_whom})"
    if n_defined == 1:
        return f"only 1 group of '{attribute}' has a defined {label} (the others have no {of_whom})"
    return None


_SUBJECTS = {
    "demographic_parity": ("Selection rates", "selection rate"),
    "equalized_odds": ("True and false positive rates", "true or false positive rate"),
    "equal_opportunity": ("True positive rates", "true positive rate"),
    "predictive_parity": ("Precisions (positive predictive values)", "precision"),
    "error_rate_parity": ("Error rates", "error rate"),
}


def _disparity_row(
    *,
    criterion: str,
    kind: _Kind,
    value: float,
    ci: tuple[float, float],
    reason: str | None,
    excluded: dict[str, list[str]],
    attribute: str,
    reference: str | None,
    reference_defaulted: bool,
    config: FairnessConfig,
) -> dict[str, Any]:
    limit = config.ratio_bound if kind == "ratio" else config.difference_tolerance
    verdict = verdict_for(kind, value, ci[0], ci[1], limit=limit)
    note = None
    if excluded:
        items = [
            f"'{group}' ("
            + "; ".join(
                f"no {_RATES[n].of_whom}, so its {_RATES[n].label} is undefined" for n in names
            )
            + ")"
            for group, names in excluded.items()
        ]
        note = "Left out of this comparison: " + "; ".join(items) + "."
    sentence = _sentence(
        criterion=criterion,
        kind=kind,
        value=value,
        ci=ci,
        verdict=verdict,
        reason=reason,
        attribute=attribute,
        reference=reference,
        reference_defaulted=reference_defaulted,
        limit=limit,
        config=config,
    )
    if note:
        sentence = f"{sentence} {note}"
    return {
        "criterion": criterion,
        "kind": kind,
        "value": value,
        "ci_low": ci[0],
        "ci_high": ci[1],
        "limit": limit,
        "verdict": verdict,
        "sentence": sentence,
        "excluded_groups": tuple(excluded),
        "note": note,
        "reason": reason,
    }


def verdict_for(
    kind: Literal["difference", "ratio"],
    value: float,
    ci_low: float,
    ci_high: float,
    *,
    limit: float,
) -> Verdict:
    """Judge a disparity against its bound, taking its interval into account.

    Parameters
    ----------
    kind : {"difference", "ratio"}
        A difference passes when small, a ratio when close to 1.
    value : float
        The disparity; NaN when undefined.
    ci_low, ci_high : float
        Its interval; NaN when no resample gave a defined value.
    limit : float
        The tolerance of a difference, or the lower bound of a ratio.

    Returns
    -------
    {"passes", "fails", "insufficient evidence", "undefined"}
        For a ratio, "passes" if ``ci_low >= limit`` and "fails" if ``ci_high < limit``;
        for a difference, "passes" if ``ci_high <= limit`` and "fails" if
        ``ci_low > limit``; "insufficient evidence" when the interval reaches across the
        limit (or is missing), and "undefined" when the value is.

    Raises
    ------
    ValueError
        If ``kind`` is neither "difference" nor "ratio".
    """
    if kind not in get_args(_Kind):
        raise ValueError(
            f"The 'kind' parameter must be one of {list(get_args(_Kind))}. Got {kind!r} instead."
        )
    if math.isnan(value):
        return "undefined"
    if math.isnan(ci_low) or math.isnan(ci_high):
        return "insufficient evidence"
    if kind == "ratio":
        if ci_low >= limit:
            return "passes"
        if ci_high < limit:
            return "fails"
    else:
        if ci_high <= limit:
            return "passes"
        if ci_low > limit:
            return "fails"
    return "insufficient evidence"


def _sentence(
    *,
    criterion: str,
    kind: _Kind,
    value: float,
    ci: tuple[float, float],
    verdict: Verdict,
    reason: str | None,
    attribute: str,
    reference: str | None,
    reference_defaulted: bool,
    limit: float,
    config: FairnessConfig,
) -> str:
    plural, singular = _SUBJECTS[criterion]
    largest = " (its largest group)" if reference_defaulted else ""
    if config.comparison == "between_groups":
        where = f"between the groups of '{attribute}'"
    elif config.comparison == "reference":
        where = f"from the reference group '{reference}'{largest} of '{attribute}'"
    else:
        where = f"from the overall rate, across the groups of '{attribute}'"
    if verdict == "undefined":
        return f"{plural} cannot be compared {where}: {reason}."
    level = f"{config.confidence * 100:g}% CI"
    interval = f"{level} {ci[0]:.2f}–{ci[1]:.2f}" if not math.isnan(ci[0]) else f"no {level}"
    if kind == "difference":
        exact = config.comparison == "between_groups" and criterion != "equalized_odds"
        up_to = "" if exact else "up to "
        statement = f"{plural} differ by {up_to}{value:.2f} ({interval}) {where}"
        bound = f"the tolerance of {limit:.2f}"
        relation = {"passes": f", within {bound}", "fails": f", more than {bound}"}
    else:
        if config.comparison == "between_groups":
            statement = (
                f"Among the groups of '{attribute}', the lowest {singular} is {value:.2f} "
                f"times the highest ({interval})"
            )
        elif config.comparison == "reference":
            statement = (
                f"Comparing each group of '{attribute}' with the reference group "
                f"'{reference}'{largest}, the smaller {singular} is at least {value:.2f} "
                f"times the larger ({interval})"
            )
        else:
            statement = (
                f"Comparing each group of '{attribute}' with the overall rate, the smaller "
                f"{singular} is at least {value:.2f} times the larger ({interval})"
            )
        rule = "four-fifths bound" if limit == 0.8 else "bound"
        bound = f"the {rule} of {limit:.2f}"
        relation = {"passes": f", at or above {bound}", "fails": f", below {bound}"}
    ending = relation.get(verdict, f"; the interval reaches across {bound}")
    return f"{statement}{ending}: {verdict}."


# ---------------------------------------------------------------------- JSON
def metrics_json(result: FairnessResult, spec: AuditSpec) -> dict[str, Any]:
    """The ``metrics.json`` of an audit: plain JSON types, null for undefined numbers.

    Parameters
    ----------
    result : FairnessResult
        From :func:`assess_fairness` or :func:`assess_audit`.
    spec : AuditSpec
        The spec of the audit, written under ``"spec"``.

    Returns
    -------
    dict
        ``{"spec", "config", "overall", "by_group", "disparities"}``. ``overall`` and each
        entry of ``by_group[ATTR]`` (a list, one per group) hold ``count, tp, fp, tn, fn``
        (groups also ``group`` and ``small``), ``base_rate`` and the metrics of
        :data:`METRIC_NAMES` (null when undefined), ``"ci": {METRIC: [low, high]}``, and
        ``"undefined": {METRIC: reason}`` for the undefined ones; with scores also
        ``mean_score`` and ``observed_rate`` with their intervals.
        ``disparities[ATTR][NAME]`` holds ``value, ci, verdict, sentence, excluded_groups,
        reason``. An intersection appears under its name, such as ``"sex×race"``.
        Serialisable with ``json.dumps(..., allow_nan=False)``.
    """
    return {
        "spec": spec.to_dict(),
        "config": result.config.to_dict(),
        "overall": _metrics_record(result.overall),
        "by_group": {
            attribute: [_metrics_record(row) for _, row in table.iterrows()]
            for attribute, table in result.by_group.items()
        },
        "disparities": {
            attribute: {
                name: {
                    "value": _number(row["value"]),
                    "ci": [_number(row["ci_low"]), _number(row["ci_high"])],
                    "verdict": row["verdict"],
                    "sentence": row["sentence"],
                    "excluded_groups": list(row["excluded_groups"]),
                    "reason": row["reason"],
                }
                for name, row in table.iterrows()
            }
            for attribute, table in result.disparities.items()
        },
    }


def _metrics_record(row: pd.Series) -> dict[str, Any]:
    record: dict[str, Any] = {}
    if "group" in row.index:
        record["group"] = str(row["group"])
    for column in COUNT_COLUMNS:
        record[column] = int(row[column])
    if "small" in row.index:
        record["small"] = bool(row["small"])
    valued = [*_INTERVAL_METRICS]
    if "mean_score" in row.index:
        valued += ["mean_score", "observed_rate"]
    for name in valued:
        record[name] = _number(row[name])
    record["ci"] = {
        name: [_number(row[f"{name}_low"]), _number(row[f"{name}_high"])] for name in valued
    }
    record["undefined"] = {
        name: str(row[f"{name}_undefined"])
        for name in METRIC_NAMES
        if row[f"{name}_undefined"] is not None
    }
    return record


def _number(value: Any) -> float | None:
    number = float(value)
    return None if math.isnan(number) or math.isinf(number) else number
