"""Metrics against the decision threshold, per group: the threshold explorer.

A model's score becomes a decision once a threshold is set: a score at or above it counts
as a positive prediction. :class:`ThresholdSweep` sorts the scores once per group and keeps,
for each group, the number of positive outcomes among its lowest-scored rows. The confusion
counts of a group at any threshold then follow from one binary search in its sorted scores,
so moving a slider costs O(groups × log rows) however many rows were audited, and a global
threshold, per-group thresholds, a cost-minimising threshold and thresholds that equalise a
rate across groups all come from the same counts, exactly.

Rates follow fairlearn's names. A rate whose denominator is zero (the true positive rate of
a group with no positive outcomes, the precision at a threshold above every score) is
undefined and returned as NaN, never 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd

from fairlab.errors import FairLabError
from fairlab.fairness import METRIC_NAMES

__all__ = [
    "ThresholdSweep",
    "RATE_METRICS",
    "CONFUSION_COLUMNS",
    "EqualizeTarget",
]

RATE_METRICS = METRIC_NAMES
"""The rates :meth:`ThresholdSweep.rates_at` and :meth:`ThresholdSweep.curve` compute."""
CONFUSION_COLUMNS = ("group", "threshold", "count", "tp", "fp", "tn", "fn")
"""The columns of :meth:`ThresholdSweep.confusion_at`."""

EqualizeTarget = Literal["selection_rate", "true_positive_rate"]

# Messages about the data: what is wrong, then what to do.
NO_ROWS_ERROR = "There are no rows to explore thresholds on. Choose data with at least one row."
NON_FINITE_SCORES_ERROR = (
    "{n} rows have a missing or infinite score (the first is row {row}); every score must be a "
    "finite number. Drop those rows or fill in their scores before exploring thresholds."
)
MISSING_GROUPS_ERROR = (
    "{n} rows have no group label (the first is row {row}). Give them a group, or drop them, "
    "before exploring thresholds."
)
UNDEFINED_TPR_ERROR = (
    "The true positive rate of group(s) {groups} is undefined: they have no positive outcomes, "
    "so no threshold can bring it to {value:g}. Equalise the selection rate instead, or merge "
    "those groups with others."
)
# Messages about the arguments (mistakes in the calling code), in scikit-learn's shape.
LENGTH_MISMATCH_ERROR = (
    "'y_true', 'y_score' and 'groups' must have the same length. Got {lengths} instead."
)
NON_BINARY_LABELS_ERROR = (
    "The 'y_true' parameter must hold only 0 and 1 (1 for the positive outcome). Got values "
    "{values} instead."
)
DUPLICATE_GROUP_NAMES_ERROR = (
    "Group labels {labels} read the same as text, so per-group thresholds could not tell them "
    "apart. Rename the groups so that each reads differently."
)
THRESHOLD_ERROR = "The 'threshold' parameter must be a finite number. Got {value!r} instead."
THRESHOLD_GROUPS_ERROR = (
    "The 'threshold' mapping must give a threshold for every group and for nothing else. "
    "Missing: {missing}; unknown: {unknown}."
)
COST_ERROR = (
    "The '{name}' parameter must be a finite number greater than or equal to 0. Got {value!r} "
    "instead."
)
METRICS_ERROR = "The 'metrics' parameter must name rates among {allowed}. Got {value!r} instead."
N_POINTS_ERROR = "The 'n_points' parameter must be an integer of at least 2. Got {value!r} instead."
TARGET_ERROR = "The 'target' parameter must be one of {allowed}. Got {value!r} instead."
VALUE_ERROR = "The 'value' parameter must be a number in [0, 1]. Got {value!r} instead."


@dataclass(frozen=True, eq=False)
class ThresholdSweep:
    """Confusion counts per group at any threshold, from scores sorted once.

    Build it with :meth:`from_scores`. A score at or above the threshold is a positive
    prediction (so a score equal to the threshold counts as positive). Thresholds may lie
    anywhere on the real line: below every score every row is predicted positive, above
    every score none is.

    Wherever a method takes ``threshold``, it accepts either one number applied to every
    group, or a mapping from each group name in :attr:`groups` to that group's threshold.
    The mapping must name every group, and nothing else; to override a few groups of a
    global threshold ``t``, pass ``{g: overrides.get(g, t) for g in sweep.groups}``.

    Attributes
    ----------
    groups : tuple of str
        Group names, in sorted order of the original labels.
    sorted_scores : tuple of numpy.ndarray
        Per group, its scores in increasing order (read-only).
    positives_below : tuple of numpy.ndarray
        Per group, an array one longer than its scores: element ``i`` is the number of
        positive outcomes among its ``i`` lowest-scored rows (read-only).
    candidate_thresholds : numpy.ndarray
        Every distinct score, in increasing order, then the smallest number above the
        highest score: the thresholds at which some decision changes (read-only).
    candidate_false_positives, candidate_false_negatives : numpy.ndarray
        Over all rows, the false positives and false negatives at each candidate threshold
        (read-only).
    """

    groups: tuple[str, ...]
    sorted_scores: tuple[np.ndarray, ...]
    positives_below: tuple[np.ndarray, ...]
    candidate_thresholds: np.ndarray
    candidate_false_positives: np.ndarray
    candidate_false_negatives: np.ndarray

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_scores(
        cls, y_true: np.ndarray, y_score: np.ndarray, groups: pd.Series
    ) -> ThresholdSweep:
        """Sort the scores once per group and count positive outcomes from the bottom.

        Parameters
        ----------
        y_true : numpy.ndarray
            1 where the observed outcome is the positive one, else 0.
        y_score : numpy.ndarray
            The model's score per row; higher means more likely positive.
        groups : pandas.Series
            Group label per row. Labels are named by their text.

        Returns
        -------
        ThresholdSweep

        Raises
        ------
        FairLabError
            If there are no rows, some scores are missing or infinite, or some rows have
            no group label.
        ValueError
            If the lengths differ, ``y_true`` holds values other than 0 and 1, or two group
            labels read the same as text.
        """
        labels_true = np.asarray(y_true)
        scores = np.asarray(y_score, dtype=float)
        lengths = (labels_true.shape[0], scores.shape[0], len(groups))
        if len(set(lengths)) > 1:
            raise ValueError(LENGTH_MISMATCH_ERROR.format(lengths=list(lengths)))
        if lengths[0] == 0:
            raise FairLabError(NO_ROWS_ERROR)
        not_binary = (labels_true != 0) & (labels_true != 1)
        if not_binary.any():
            values = sorted({str(v) for v in np.unique(labels_true[not_binary])[:5]})
            raise ValueError(NON_BINARY_LABELS_ERROR.format(values=values))
        positive = labels_true.astype(bool)
        bad_scores = ~np.isfinite(scores)
        if bad_scores.any():
            raise FairLabError(
                NON_FINITE_SCORES_ERROR.format(
                    n=int(bad_scores.sum()), row=int(np.argmax(bad_scores))
                )
            )
        codes, labels = pd.factorize(pd.Series(groups), sort=True)
        if (codes < 0).any():
            raise FairLabError(
                MISSING_GROUPS_ERROR.format(n=int((codes < 0).sum()), row=int(np.argmin(codes)))
            )
        names = tuple(str(label) for label in labels)
        if len(set(names)) < len(names):
            duplicated = sorted({n for n in names if names.count(n) > 1})
            raise ValueError(DUPLICATE_GROUP_NAMES_ERROR.format(labels=duplicated))

        by_score = np.argsort(scores, kind="stable")
        candidates, false_positives, false_negatives = _candidates(
            scores[by_score], positive[by_score]
        )
        small_codes = codes.astype(np.min_scalar_type(max(len(names) - 1, 0)))
        by_group = by_score[np.argsort(small_codes[by_score], kind="stable")]
        ends = np.cumsum(np.bincount(codes, minlength=len(names)))
        starts = ends - np.bincount(codes, minlength=len(names))
        grouped_scores = scores[by_group]
        grouped_positive = positive[by_group]
        sorted_scores = []
        positives_below = []
        for start, end in zip(starts, ends, strict=True):
            sorted_scores.append(_read_only(grouped_scores[start:end]))
            below = np.zeros(end - start + 1, dtype=np.int64)
            np.cumsum(grouped_positive[start:end], out=below[1:])
            positives_below.append(_read_only(below))
        return cls(
            groups=names,
            sorted_scores=tuple(sorted_scores),
            positives_below=tuple(positives_below),
            candidate_thresholds=_read_only(candidates),
            candidate_false_positives=_read_only(false_positives),
            candidate_false_negatives=_read_only(false_negatives),
        )

    # ------------------------------------------------------------------ counts and rates
    @property
    def n_rows(self) -> int:
        """Number of rows over all groups."""
        return int(sum(s.shape[0] for s in self.sorted_scores))

    def confusion_at(self, threshold: float | Mapping[str, float]) -> pd.DataFrame:
        """Confusion counts per group at a threshold.

        Parameters
        ----------
        threshold : float or mapping of str to float
            One threshold for every group, or a threshold per group (every group named).
            A score at or above the threshold is a positive prediction.

        Returns
        -------
        pandas.DataFrame
            One row per group, with the columns ``group, threshold, count, tp, fp, tn, fn``.

        Raises
        ------
        ValueError
            If a threshold is not a finite number, or the mapping does not name exactly
            the groups.
        """
        thresholds = self._thresholds(threshold)
        counts, tp, fp, tn, fn = self._counts(thresholds)
        return pd.DataFrame(_confusion_columns(self.groups, thresholds, counts, tp, fp, tn, fn))

    def overall_at(self, threshold: float | Mapping[str, float]) -> pd.Series:
        """Confusion counts summed over all groups.

        Parameters
        ----------
        threshold : float or mapping of str to float
            As in :meth:`confusion_at`.

        Returns
        -------
        pandas.Series
            Integer counts indexed by ``count, tp, fp, tn, fn``.

        Raises
        ------
        ValueError
            As in :meth:`confusion_at`.
        """
        counts, tp, fp, tn, fn = self._counts(self._thresholds(threshold))
        return pd.Series(
            [int(counts.sum()), int(tp.sum()), int(fp.sum()), int(tn.sum()), int(fn.sum())],
            index=["count", "tp", "fp", "tn", "fn"],
            dtype=np.int64,
        )

    def rates_at(self, threshold: float | Mapping[str, float]) -> pd.DataFrame:
        """Confusion counts and rates per group at a threshold.

        Parameters
        ----------
        threshold : float or mapping of str to float
            As in :meth:`confusion_at`.

        Returns
        -------
        pandas.DataFrame
            The columns of :meth:`confusion_at`, then one column per name in
            :data:`RATE_METRICS`; NaN where a rate's denominator is zero.

        Raises
        ------
        ValueError
            As in :meth:`confusion_at`.
        """
        thresholds = self._thresholds(threshold)
        counts, tp, fp, tn, fn = self._counts(thresholds)
        columns = _confusion_columns(self.groups, thresholds, counts, tp, fp, tn, fn)
        columns.update(_rates(counts, tp, fp, tn, fn))
        return pd.DataFrame(columns)

    def cost_at(
        self,
        threshold: float | Mapping[str, float],
        *,
        cost_fp: float = 1.0,
        cost_fn: float = 1.0,
    ) -> float:
        """Average cost per row of the decisions at a threshold.

        Parameters
        ----------
        threshold : float or mapping of str to float
            As in :meth:`confusion_at`.
        cost_fp : float, default 1.0
            Cost of one false positive.
        cost_fn : float, default 1.0
            Cost of one false negative.

        Returns
        -------
        float
            ``(cost_fp × false positives + cost_fn × false negatives) / rows``.

        Raises
        ------
        ValueError
            If a cost is negative or not finite, or as in :meth:`confusion_at`.
        """
        cost_fp, cost_fn = _check_cost("cost_fp", cost_fp), _check_cost("cost_fn", cost_fn)
        counts, _, fp, _, fn = self._counts(self._thresholds(threshold))
        return float((cost_fp * fp.sum() + cost_fn * fn.sum()) / counts.sum())

    # ------------------------------------------------------------------ sweeps
    def curve(
        self,
        *,
        metrics: Sequence[str] = ("selection_rate", "true_positive_rate", "false_positive_rate"),
        n_points: int = 101,
    ) -> pd.DataFrame:
        """Rates per group over evenly spaced thresholds, for a chart.

        Parameters
        ----------
        metrics : sequence of str, default selection, true positive and false positive rate
            Names from :data:`RATE_METRICS`.
        n_points : int, default 101
            Number of thresholds, evenly spaced from the lowest score to the highest
            (both included).

        Returns
        -------
        pandas.DataFrame
            Long format with the columns ``group, threshold, metric, value``, ordered by
            metric, then group, then threshold; NaN where a rate is undefined.

        Raises
        ------
        ValueError
            If a metric name is unknown or ``n_points`` is below 2.
        """
        names = [metrics] if isinstance(metrics, str) else list(metrics)
        if not names or any(name not in RATE_METRICS for name in names):
            raise ValueError(METRICS_ERROR.format(allowed=list(RATE_METRICS), value=metrics))
        if isinstance(n_points, bool) or not isinstance(n_points, int | np.integer) or n_points < 2:
            raise ValueError(N_POINTS_ERROR.format(value=n_points))
        low = min(float(s[0]) for s in self.sorted_scores)
        high = max(float(s[-1]) for s in self.sorted_scores)
        grid = np.linspace(low, high, int(n_points))
        per_group = []
        for scores, below in zip(self.sorted_scores, self.positives_below, strict=True):
            counts = np.full(grid.shape, scores.shape[0], dtype=np.int64)
            confusion = _confusion(counts, np.searchsorted(scores, grid, side="left"), below)
            per_group.append(_rates(counts, *confusion))
        n_groups = len(self.groups)
        return pd.DataFrame(
            {
                "group": np.tile(
                    np.repeat(np.array(self.groups, dtype=object), grid.size), len(names)
                ),
                "threshold": np.tile(grid, n_groups * len(names)),
                "metric": np.repeat(np.array(names, dtype=object), n_groups * grid.size),
                "value": np.concatenate([rates[name] for name in names for rates in per_group]),
            }
        )

    def best_threshold(self, *, cost_fp: float = 1.0, cost_fn: float = 1.0) -> float:
        """The global threshold with the lowest cost, found exactly.

        Every threshold at which some decision changes is evaluated (each distinct score,
        and one just above the highest score, where every row is negative).

        Parameters
        ----------
        cost_fp : float, default 1.0
            Cost of one false positive.
        cost_fn : float, default 1.0
            Cost of one false negative.

        Returns
        -------
        float
            A distinct score, or the smallest number above the highest score. Among
            thresholds of equal cost, the lowest.

        Raises
        ------
        ValueError
            If a cost is negative or not finite.
        """
        cost_fp, cost_fn = _check_cost("cost_fp", cost_fp), _check_cost("cost_fn", cost_fn)
        cost = cost_fp * self.candidate_false_positives + cost_fn * self.candidate_false_negatives
        return float(self.candidate_thresholds[int(np.argmin(cost))])

    def equalizing_thresholds(self, *, target: EqualizeTarget, value: float) -> dict[str, float]:
        """Per-group thresholds that bring a rate of every group as close as possible to a value.

        Each group's reachable rates are those at its distinct scores and above its highest
        score; the closest one to ``value`` is chosen exactly. Among thresholds equally
        close, the highest (fewest positive predictions) is chosen.

        Parameters
        ----------
        target : {"selection_rate", "true_positive_rate"}
            The rate to equalise.
        value : float
            The rate wanted for every group, in [0, 1].

        Returns
        -------
        dict of str to float
            A threshold per group, usable as the ``threshold`` of the other methods.

        Raises
        ------
        FairLabError
            If ``target`` is the true positive rate and a group has no positive outcomes.
        ValueError
            If ``target`` is unknown or ``value`` is not in [0, 1].
        """
        if target not in get_args(EqualizeTarget):
            raise ValueError(
                TARGET_ERROR.format(allowed=list(get_args(EqualizeTarget)), value=target)
            )
        if not _is_number(value) or not 0.0 <= value <= 1.0:
            raise ValueError(VALUE_ERROR.format(value=value))
        if target == "true_positive_rate":
            undefined = [
                g for g, b in zip(self.groups, self.positives_below, strict=True) if b[-1] == 0
            ]
            if undefined:
                raise FairLabError(UNDEFINED_TPR_ERROR.format(groups=undefined, value=float(value)))
        result = {}
        for group, scores, below in zip(
            self.groups, self.sorted_scores, self.positives_below, strict=True
        ):
            thresholds, rows_below = _distinct_thresholds(scores)
            if target == "selection_rate":
                rates = (scores.shape[0] - rows_below) / scores.shape[0]
            else:
                rates = (below[-1] - below[rows_below]) / below[-1]
            distance = np.abs(rates - float(value))
            highest_closest = distance.size - 1 - int(np.argmin(distance[::-1]))
            result[group] = float(thresholds[highest_closest])
        return result

    # ------------------------------------------------------------------ internals
    def _thresholds(self, threshold: float | Mapping[str, float]) -> np.ndarray:
        if isinstance(threshold, Mapping):
            missing = [g for g in self.groups if g not in threshold]
            unknown = [k for k in threshold if k not in self.groups]
            if missing or unknown:
                raise ValueError(THRESHOLD_GROUPS_ERROR.format(missing=missing, unknown=unknown))
            values = [threshold[g] for g in self.groups]
        else:
            values = [threshold] * len(self.groups)
        for v in values:
            if not _is_number(v):
                raise ValueError(THRESHOLD_ERROR.format(value=v))
        return np.array(values, dtype=float)

    def _counts(
        self, thresholds: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Counts, tp, fp, tn, fn per group: one binary search per group."""
        rows_below = np.empty(len(self.groups), dtype=np.int64)
        fn = np.empty(len(self.groups), dtype=np.int64)
        positives = np.empty(len(self.groups), dtype=np.int64)
        counts = np.empty(len(self.groups), dtype=np.int64)
        for i, (scores, below) in enumerate(
            zip(self.sorted_scores, self.positives_below, strict=True)
        ):
            k = int(np.searchsorted(scores, thresholds[i], side="left"))
            rows_below[i] = k
            fn[i] = below[k]
            positives[i] = below[-1]
            counts[i] = scores.shape[0]
        tp = positives - fn
        return counts, tp, counts - rows_below - tp, rows_below - fn, fn


def _read_only(array: np.ndarray) -> np.ndarray:
    array = np.ascontiguousarray(array)
    array.flags.writeable = False
    return array


def _distinct_thresholds(sorted_scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Thresholds where a decision changes, with the number of rows below each."""
    first = np.flatnonzero(np.r_[True, sorted_scores[1:] != sorted_scores[:-1]])
    thresholds = np.r_[sorted_scores[first], np.nextafter(sorted_scores[-1], np.inf)]
    return thresholds, np.r_[first, sorted_scores.shape[0]]


def _candidates(
    sorted_scores: np.ndarray, sorted_positive: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    thresholds, rows_below = _distinct_thresholds(sorted_scores)
    positives_below = np.zeros(sorted_scores.shape[0] + 1, dtype=np.int64)
    np.cumsum(sorted_positive, out=positives_below[1:])
    false_negatives = positives_below[rows_below]
    true_positives = positives_below[-1] - false_negatives
    false_positives = sorted_scores.shape[0] - rows_below - true_positives
    return thresholds, false_positives, false_negatives


def _confusion(
    counts: np.ndarray, rows_below: np.ndarray, positives_below: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """tp, fp, tn, fn from the rows and positive outcomes below the thresholds."""
    fn = positives_below[rows_below]
    tp = positives_below[-1] - fn
    return tp, counts - rows_below - tp, rows_below - fn, fn


def _confusion_columns(
    groups: tuple[str, ...],
    thresholds: np.ndarray,
    counts: np.ndarray,
    tp: np.ndarray,
    fp: np.ndarray,
    tn: np.ndarray,
    fn: np.ndarray,
) -> dict[str, object]:
    return {
        "group": list(groups),
        "threshold": thresholds,
        "count": counts,
        "tp": tp,
        "fp": fp,
        "tn": tn,
        "fn": fn,
    }


def _rates(
    counts: np.ndarray, tp: np.ndarray, fp: np.ndarray, tn: np.ndarray, fn: np.ndarray
) -> dict[str, np.ndarray]:
    """Every rate of :data:`RATE_METRICS`, NaN where its denominator is zero."""
    positives, negatives = tp + fn, fp + tn
    predicted_positive, predicted_negative = tp + fp, tn + fn
    numerators = np.stack([predicted_positive, tp, fp, fn, tn, tp, tn, fp, fn, tp + tn])
    denominators = np.stack(
        [
            counts,
            positives,
            negatives,
            positives,
            negatives,
            predicted_positive,
            predicted_negative,
            predicted_positive,
            predicted_negative,
            counts,
        ]
    )
    rates = np.full(numerators.shape, np.nan)
    np.divide(numerators, denominators, out=rates, where=denominators > 0)
    return dict(zip(RATE_METRICS, rates, strict=True))


def _check_cost(name: str, value: float) -> float:
    if not _is_number(value) or value < 0:
        raise ValueError(COST_ERROR.format(name=name, value=value))
    return float(value)


def _is_number(value: object) -> bool:
    """Whether ``value`` is a finite real number (not a bool)."""
    return (
        isinstance(value, int | float | np.integer | np.floating)
        and not isinstance(value, bool | np.bool_)
        and bool(np.isfinite(value))
    )
