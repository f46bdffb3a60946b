"""Reweighing (Kamiran & Calders): weights that make the outcome independent of the group."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from fairlab.mitigation._techniques import MitigationError

__all__ = ["reweighing_weights", "REWEIGHING_LENGTH_ERROR", "REWEIGHING_LABELS_ERROR"]

REWEIGHING_LENGTH_ERROR = (
    "'y_true' has {n_y} rows but 'groups' has {n_groups}. Pass one group label per row."
)
REWEIGHING_LABELS_ERROR = (
    "The 'y_true' values must be 0 or 1 (1 for the positive outcome). Got {values} instead."
)


def reweighing_weights(y_true: Any, groups: Any) -> np.ndarray:
    """Weights that make the outcome statistically independent of the group.

    Each row of group ``g`` with outcome ``y`` gets the weight

    .. math:: w(g, y) = \\frac{P(g)\\,P(y)}{P(g, y)} = \\frac{n_g\\,n_y}{n\\,n_{g,y}},

    the count the pair would have if group and outcome were independent, over the count
    it has. In the weighted rows every group has the overall rate of positive outcomes,
    and each group and each outcome keeps its total weight.

    Parameters
    ----------
    y_true : array-like of 0/1
        Observed outcomes, 1 for the positive one.
    groups : array-like
        One group label per row (missing values count as a group of their own).

    Returns
    -------
    numpy.ndarray of float
        One weight per row.

    Raises
    ------
    MitigationError
        If the lengths differ or the outcomes are not 0/1.

    References
    ----------
    Kamiran, F. & Calders, T. (2012). Data preprocessing techniques for classification
    without discrimination. Knowledge and Information Systems 33, 1–33.
    """
    y = np.asarray(y_true).reshape(-1)
    labels = pd.Series(np.asarray(groups, dtype=object).reshape(-1))
    if labels.size != y.size:
        raise MitigationError(REWEIGHING_LENGTH_ERROR.format(n_y=y.size, n_groups=labels.size))
    is_binary = (y == 0) | (y == 1)
    if not is_binary.all():
        shown = ", ".join(repr(v) for v in pd.unique(y[~is_binary])[:5])
        raise MitigationError(REWEIGHING_LABELS_ERROR.format(values=shown))
    if y.size == 0:
        return np.zeros(0)
    codes, _ = pd.factorize(labels, use_na_sentinel=False)
    outcome = y.astype(np.intp)
    cells = np.bincount(codes * 2 + outcome, minlength=2 * (codes.max() + 1)).reshape(-1, 2)
    group_sizes = cells.sum(axis=1)
    outcome_sizes = cells.sum(axis=0)
    expected = group_sizes[codes] * outcome_sizes[outcome] / y.size
    return expected / cells[codes, outcome]
