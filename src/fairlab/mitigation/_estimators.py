"""Small estimators that let fairlearn's mitigators work on a prepared matrix, fast.

fairlearn's reductions check their ``X`` with ``check_array``, which refuses sparse
matrices, and they refit the estimator dozens of times. :class:`RowsEstimator` lets them
work on row *positions* instead: it fits and predicts its estimator on the rows of a
shared, already prepared (often sparse) matrix, so the preprocessing runs once and
``sample_weight`` reaches the model directly. For logistic regression it also starts each
fit from the previous solution (a warm start), which roughly halves the solver's steps.

:class:`ScoreColumn` reads a score from the only column of its input, so a post-processor
such as fairlearn's ``ThresholdOptimizer`` acts on scores computed once.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

__all__ = ["RowsEstimator", "ScoreColumn", "positive_probability", "supports_warm_start"]


def supports_warm_start(estimator: Any) -> bool:
    """Whether :class:`RowsEstimator` can start ``estimator``'s fits from the previous one."""
    return isinstance(estimator, LogisticRegression) and estimator.solver != "liblinear"


class RowsEstimator(ClassifierMixin, BaseEstimator):
    """Fit and predict ``estimator`` on rows of a shared matrix, chosen by position.

    Parameters
    ----------
    estimator : estimator
        The classifier to fit (cloned for every fit).
    matrix : array-like or sparse matrix
        The prepared features; shared, never changed, not copied by clones.
    warm_start : bool, default False
        Start each fit from the coefficients of the last fit of this estimator or of any
        of its clones (logistic regression only).
    on_fit : callable, optional
        Called with no argument after every fit of this estimator or of any of its
        clones, so a caller can report progress inside a reduction's refits.

    Notes
    -----
    ``X`` passed to :meth:`fit` and :meth:`predict` holds row positions into ``matrix``,
    one per row, as a column. Clones (``sklearn.clone``, ``copy.deepcopy``) share the
    matrix and the warm-start memory: fairlearn clones its estimator for every fit.
    """

    def __init__(
        self,
        estimator: Any,
        matrix: Any,
        *,
        warm_start: bool = False,
        on_fit: Callable[[], None] | None = None,
    ) -> None:
        self.estimator = estimator
        self.matrix = matrix
        self.warm_start = warm_start
        self.on_fit = on_fit
        self._memory: dict[str, np.ndarray] = {}

    def __sklearn_clone__(self) -> RowsEstimator:
        twin = RowsEstimator(
            self.estimator, self.matrix, warm_start=self.warm_start, on_fit=self.on_fit
        )
        twin._memory = self._memory
        return twin

    def __deepcopy__(self, memo: dict[int, Any]) -> RowsEstimator:
        twin = self.__sklearn_clone__()
        for key, value in vars(self).items():
            if key.endswith("_") and not key.startswith("_"):
                setattr(twin, key, copy.deepcopy(value, memo))
        return twin

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> RowsEstimator:
        """Fit a clone of the estimator on the rows at positions ``X``."""
        estimator = clone(self.estimator)
        if self.warm_start and "coef_" in self._memory:
            estimator.set_params(warm_start=True)
            estimator.coef_ = self._memory["coef_"].copy()
            estimator.intercept_ = self._memory["intercept_"].copy()
        estimator.fit(self._rows(X), y, sample_weight=sample_weight)
        if self.warm_start:
            self._memory["coef_"] = estimator.coef_.copy()
            self._memory["intercept_"] = estimator.intercept_.copy()
        self.estimator_ = estimator
        self.classes_ = estimator.classes_
        if self.on_fit is not None:
            self.on_fit()
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predict the rows at positions ``X``."""
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict(self._rows(X))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities of the rows at positions ``X``."""
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict_proba(self._rows(X))

    def _rows(self, X: Any) -> Any:
        positions = np.asarray(X).reshape(-1)
        n_rows = self.matrix.shape[0]
        if positions.size == n_rows and np.array_equal(positions, np.arange(n_rows)):
            return self.matrix
        return self.matrix[positions]


class ScoreColumn(ClassifierMixin, BaseEstimator):
    """A classifier whose probability of the positive class is the only column of ``X``."""

    def fit(self, X: Any, y: Any = None) -> ScoreColumn:
        """Nothing to learn; records the two classes."""
        self.classes_ = np.array([0, 1])
        self.n_features_in_ = 1
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """``[1 - score, score]`` per row."""
        check_is_fitted(self, "classes_")
        scores = np.asarray(X, dtype=float)[:, 0]
        return np.column_stack([1 - scores, scores])

    def predict(self, X: Any) -> np.ndarray:
        """1 where the score is above 0.5."""
        return (self.predict_proba(X)[:, 1] > 0.5).astype(int)


def positive_probability(estimator: Any, X: Any) -> np.ndarray:
    """The probability of class 1 from a fitted classifier, a :class:`RowsEstimator`'s inner
    model, or a constant model (which fairlearn uses when relabelling leaves one class)."""
    if isinstance(estimator, RowsEstimator):
        estimator = estimator.estimator_
    classes = np.asarray(estimator.classes_)
    n_rows = X.shape[0]
    if classes.size == 1:
        return np.full(n_rows, float(classes[0] == 1))
    proba = estimator.predict_proba(X)
    return np.asarray(proba[:, list(classes).index(1)], dtype=float)
