"""The options of an assessment (:class:`FairnessConfig`) and its result
(:class:`FairnessResult`)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, get_args

import pandas as pd

from fairlab.fairness._counts import Comparison
from fairlab.fairness._messages import (
    INVALID_COMPARISON_ERROR,
    INVALID_CONFIDENCE_ERROR,
    INVALID_MIN_CASES_ERROR,
    INVALID_MIN_GROUP_SIZE_ERROR,
    INVALID_N_BOOT_ERROR,
    INVALID_RANDOM_STATE_ERROR,
    INVALID_RATIO_BOUND_ERROR,
    INVALID_REFERENCE_GROUPS_ERROR,
    INVALID_TOLERANCE_ERROR,
    REFERENCE_NEEDED_ERROR,
    FairnessError,
)
from fairlab.spec import MIN_GROUP_SIZE

MIN_CASES = 30
"""Default fewest cases in a rate's denominator for a group to make a verdict confident."""

@dataclass(frozen=True)
class FairnessConfig:
    """How to assess fairness: level, comparison, bounds, smallest groups.

    Parameters
    ----------
    n_boot : int, default 1000
        Accepted so that saved configurations and callers keep working. The intervals are
        computed in closed form from the counts (see :mod:`fairlab.fairness`), so there
        are no resamples and this does not change them.
    confidence : float, default 0.95
        Level of every interval. A group rate's interval holds at this level on its own;
        the intervals of a disparity's comparisons hold at this level together.
    random_state : int, default 0
        Accepted for the same reason as ``n_boot``; the intervals involve no randomness.
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
        Groups with fewer rows are flagged ``small`` in the group tables.
    min_cases : int, default 30
        A group whose rate has fewer cases in its denominator (positives for the true
        positive rate, negatives for the false positive rate, predicted positives for
        precision, rows for the selection and error rates) is *too small*: it is listed
        with its count, and a verdict involving it is never *passes*, and never *fails*
        because of it.

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
    min_cases: int = MIN_CASES

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
        if not _is_int(self.min_cases) or self.min_cases < 0:
            raise FairnessError(INVALID_MIN_CASES_ERROR.format(value=self.min_cases))
        object.__setattr__(self, "reference_groups", _reference_pairs(self.reference_groups))
        if self.comparison == "reference" and not self.reference_groups:
            raise FairnessError(REFERENCE_NEEDED_ERROR)
        for name in ("n_boot", "random_state", "min_group_size", "min_cases"):
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
            "min_cases": self.min_cases,
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
        columns when scores were given.
    by_group : dict of str to pandas.DataFrame
        Per attribute (an intersection is named like ``"sex×race"``), one row per group in
        label order with the columns ``group, count, tp, fp, tn, fn, base_rate``, the ten
        metrics of :data:`METRIC_NAMES`, then ``base_rate_low, base_rate_high`` and
        ``<metric>_low, <metric>_high`` for each metric (Clopper–Pearson), then
        ``<metric>_undefined`` (reason text such as ``"undefined (n = 0 positives)"``, or
        None), then ``small`` (fewer than ``min_group_size`` rows). With scores,
        :data:`CALIBRATION_COLUMNS` follow: the mean score with a normal interval and the
        observed rate of positive outcomes with a Clopper–Pearson interval.
    disparities : dict of str to pandas.DataFrame
        Per attribute, one row per name of :data:`DISPARITY_NAMES` (the index), with the
        columns ``criterion, kind, value, ci_low, ci_high, limit, verdict, sentence,
        excluded_groups, note, reason``, then ``pair, pair_metric, pair_value, pair_ci_low,
        pair_ci_high, too_small, comparisons, pair_confidence``. ``limit`` is the ratio bound
        or the difference tolerance; ``excluded_groups`` is a tuple of the groups left out
        because their rate is undefined and ``note`` says so in words (None when none
        were); ``reason`` says why an undefined disparity is undefined. ``ci_low, ci_high``
        is the interval of the summary (max − min, min / max, ...) implied by the
        simultaneous intervals of its comparisons. ``pair`` is the two sides of the
        comparison that drives the verdict (a group label, and a group label, ``"overall"``
        or the reference group), ``pair_metric`` the rate compared, and ``pair_value,
        pair_ci_low, pair_ci_high`` that comparison's gap (or folded ratio) and its
        simultaneous interval; ``too_small`` is a tuple of ``(group, rate, cases)`` for the
        groups with fewer than ``min_cases`` cases; ``comparisons`` is the size of the
        family and ``pair_confidence`` the Šidák level of each comparison in it.
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


