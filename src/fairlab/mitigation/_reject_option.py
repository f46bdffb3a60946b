"""Reject-option classification (Kamiran, Karim & Zhang): flip uncertain decisions by group."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from fairlab.mitigation._techniques import MitigationError

__all__ = [
    "RejectOptionClassifier",
    "ROC_SCORES_ERROR",
    "ROC_LENGTH_ERROR",
    "ROC_THRESHOLD_ERROR",
    "ROC_MARGIN_ERROR",
    "ROC_N_MARGINS_ERROR",
]

ROC_SCORES_ERROR = (
    "'y_score' must hold finite numbers. Got {n} missing or infinite values. Leave those rows "
    "out first."
)
ROC_LENGTH_ERROR = (
    "'y_score' has {n_scores} rows but 'sensitive_features' has {n_groups}. Pass one group "
    "label per score."
)
ROC_THRESHOLD_ERROR = "The 'threshold' parameter must be a number in (0, 1). Got {value!r} instead."
ROC_MARGIN_ERROR = (
    "The 'margin' parameter must be a number in [0, 0.5], or None to choose it on the "
    "training rows. Got {value!r} instead."
)
ROC_N_MARGINS_ERROR = "The 'n_margins' parameter must be an int ≥ 2. Got {value!r} instead."


class RejectOptionClassifier(BaseEstimator):
    """Post-processing of scores: uncertain decisions go the way that narrows the gap.

    Scores within ``margin`` of ``threshold`` form the *critical region*, where the
    model is least sure. There, people of a *deprived* group get the positive decision
    and people of a *favoured* group the negative one; everywhere else the decision is
    the model's (positive when the score is above the threshold).

    Kamiran et al. name one deprived and one favoured group. With more groups, this
    implementation calls deprived every group whose selection rate on the fitting rows
    is below the overall rate, and favoured every group above it; a group exactly at the
    overall rate (or not seen in fitting) keeps the model's decisions.

    Parameters
    ----------
    threshold : float, default 0.5
        The decision threshold, in (0, 1).
    margin : float or None, default None
        Half-width of the critical region, in [0, 0.5]. None chooses, among
        ``n_margins`` evenly spaced widths from 0 to ``max(threshold, 1 - threshold)``,
        the one that gives the smallest demographic parity difference (highest minus
        lowest selection rate) on the fitting rows; ties go to the narrower region.
    n_margins : int, default 201
        How many widths are tried when ``margin`` is None.

    Attributes
    ----------
    groups_ : tuple of str
        The groups seen in fitting, sorted.
    selection_rates_ : dict of str to float
        Each group's selection rate on the fitting rows, before post-processing.
    deprived_groups_, favoured_groups_ : tuple of str
        The groups given the positive, and the negative, decision in the critical region.
    margin_ : float
        The half-width used.

    References
    ----------
    Kamiran, F., Karim, A. & Zhang, X. (2012). Decision theory for discrimination-aware
    classification. IEEE 12th International Conference on Data Mining, 924–929.
    """

    def __init__(
        self, *, threshold: float = 0.5, margin: float | None = None, n_margins: int = 201
    ) -> None:
        self.threshold = threshold
        self.margin = margin
        self.n_margins = n_margins

    def fit(self, y_score: Any, *, sensitive_features: Any) -> RejectOptionClassifier:
        """Find the deprived and favoured groups, and the margin when it is not set.

        Parameters
        ----------
        y_score : array-like of float
            The model's scores (probabilities of the positive outcome) on fitting rows.
        sensitive_features : array-like
            One group label per row.

        Returns
        -------
        RejectOptionClassifier
            ``self``, fitted.

        Raises
        ------
        MitigationError
            If a parameter is out of range, the lengths differ or scores are not finite.
        """
        threshold = self._checked_threshold()
        margin = self._checked_margin()
        scores, groups = _inputs(y_score, sensitive_features)
        codes, labels = pd.factorize(pd.Series(groups), sort=True)
        decisions = scores > threshold
        overall = float(decisions.mean()) if decisions.size else 0.0
        sizes = np.bincount(codes, minlength=len(labels))
        rates = np.bincount(codes, weights=decisions, minlength=len(labels)) / sizes
        self.groups_ = tuple(str(label) for label in labels)
        self.selection_rates_ = {g: float(r) for g, r in zip(self.groups_, rates, strict=True)}
        self.deprived_groups_ = tuple(
            g for g, r in zip(self.groups_, rates, strict=True) if r < overall
        )
        self.favoured_groups_ = tuple(
            g for g, r in zip(self.groups_, rates, strict=True) if r > overall
        )
        if margin is None:
            margin = self._best_margin(scores, codes, sizes, threshold)
        self.margin_ = float(margin)
        return self

    def predict(self, y_score: Any, *, sensitive_features: Any) -> np.ndarray:
        """Decide: the model's decision, flipped by group in the critical region.

        Parameters
        ----------
        y_score : array-like of float
            Scores of the rows to decide on.
        sensitive_features : array-like
            One group label per row.

        Returns
        -------
        numpy.ndarray of int8
            1 for a positive decision, else 0.

        Raises
        ------
        MitigationError
            If the lengths differ or scores are not finite.
        """
        check_is_fitted(self, "margin_")
        scores, groups = _inputs(y_score, sensitive_features)
        return _decide(
            scores,
            critical=np.abs(scores - self.threshold) <= self.margin_,
            deprived=np.isin(groups, self.deprived_groups_),
            favoured=np.isin(groups, self.favoured_groups_),
            threshold=self.threshold,
        )

    def _best_margin(
        self, scores: np.ndarray, codes: np.ndarray, sizes: np.ndarray, threshold: float
    ) -> float:
        n_margins = self.n_margins
        if isinstance(n_margins, bool) or not isinstance(n_margins, numbers.Integral):
            raise MitigationError(ROC_N_MARGINS_ERROR.format(value=n_margins))
        if n_margins < 2:
            raise MitigationError(ROC_N_MARGINS_ERROR.format(value=n_margins))
        if sizes.size < 2:
            return 0.0
        labels = np.asarray(self.groups_, dtype=object)[codes]
        deprived = np.isin(labels, self.deprived_groups_)
        favoured = np.isin(labels, self.favoured_groups_)
        margins = np.linspace(0.0, max(threshold, 1 - threshold), int(n_margins))
        distance = np.abs(scores - threshold)
        gaps = np.empty(margins.size)
        for position, margin in enumerate(margins):
            decided = _decide(
                scores,
                critical=distance <= margin,
                deprived=deprived,
                favoured=favoured,
                threshold=threshold,
            )
            rates = np.bincount(codes, weights=decided, minlength=sizes.size) / sizes
            gaps[position] = rates.max() - rates.min()
        return float(margins[int(np.argmin(gaps))])

    def _checked_threshold(self) -> float:
        value = self.threshold
        if (
            isinstance(value, bool)
            or not isinstance(value, numbers.Real)
            or not math.isfinite(float(value))
            or not 0 < value < 1
        ):
            raise MitigationError(ROC_THRESHOLD_ERROR.format(value=value))
        return float(value)

    def _checked_margin(self) -> float | None:
        value = self.margin
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, numbers.Real)
            or not math.isfinite(float(value))
            or not 0 <= value <= 0.5
        ):
            raise MitigationError(ROC_MARGIN_ERROR.format(value=value))
        return float(value)


def _decide(
    scores: np.ndarray,
    *,
    critical: np.ndarray,
    deprived: np.ndarray,
    favoured: np.ndarray,
    threshold: float,
) -> np.ndarray:
    decisions = scores > threshold
    decisions = np.where(critical & deprived, True, decisions)
    decisions = np.where(critical & favoured, False, decisions)
    return decisions.astype(np.int8)


def _inputs(y_score: Any, sensitive_features: Any) -> tuple[np.ndarray, np.ndarray]:
    scores = np.asarray(y_score, dtype=float).reshape(-1)
    groups = np.asarray(
        pd.Series(np.asarray(sensitive_features, dtype=object).reshape(-1)).astype(str),
        dtype=object,
    )
    if groups.size != scores.size:
        raise MitigationError(ROC_LENGTH_ERROR.format(n_scores=scores.size, n_groups=groups.size))
    n_bad = int(np.count_nonzero(~np.isfinite(scores)))
    if n_bad:
        raise MitigationError(ROC_SCORES_ERROR.format(n=n_bad))
    return scores, groups
