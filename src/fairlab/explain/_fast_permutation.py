"""shap's permutation estimate, computed from chains of coalitions instead of shap's loop.

shap's ``PermutationExplainer`` with ``max_evals = 2 M + 1`` (``M`` features) explains a
row ``x`` with one antithetic permutation ``π``: starting with every feature taken from the
background, it switches the features of ``x`` on in the order of ``π`` (a forward chain of
coalitions ending at ``x``), then off again in the same order (a backward chain back to
the background). Each coalition's output is the model's mean over the background rows of
the row assembled from ``x`` (switched-on features) and the background row (the others).
The value of ``π_i`` is half its forward plus its backward marginal contribution, so the
values telescope: ``Σ φ = f(x) - mean_b f(b)``, exactly.

:func:`shap_permutations` draws the same permutations as shap does from the same seed (shap
seeds NumPy's legacy global generator and shuffles ``arange(M)`` once per row), and
:func:`values_from_chain_outputs` combines the ``2 M + 1`` coalition outputs as shap does.
Any predictor that computes these outputs faster than shap's per-row loop can plug in here,
and gives shap's values (up to float rounding). :func:`calibrated_linear_chain_outputs`
is one: a calibrated linear classifier (the zoo's linear SVM), whose per-fold decision is a
sum of per-feature contributions, so a coalition's decision is a running sum along the
chain, and only the calibration curve is applied per sample.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression, RidgeClassifier, SGDClassifier
from sklearn.svm import LinearSVC

__all__ = [
    "shap_permutations",
    "values_from_chain_outputs",
    "CalibratedLinear",
    "calibrated_linear",
    "calibrated_linear_chain_outputs",
]

_ROWS_PER_CHUNK = 64
# Classifiers whose decision is X @ coef_.T + intercept_.
_LINEAR = (LinearSVC, LogisticRegression, RidgeClassifier, SGDClassifier)


def shap_permutations(seed: int, n_rows: int, n_features: int) -> np.ndarray:
    """The feature orders shap's ``PermutationExplainer(seed=seed)`` uses, one row each.

    Parameters
    ----------
    seed : int
        The seed given to shap's explainer.
    n_rows : int
        Rows explained in one call, in order.
    n_features : int
        Features, all varying (shap shuffles only the features whose value differs from
        some background row; with rows masked by identity, every feature does).

    Returns
    -------
    numpy.ndarray of int, shape (n_rows, n_features)
    """
    legacy = np.random.RandomState(seed)
    orders = np.empty((n_rows, n_features), dtype=np.intp)
    for row in range(n_rows):
        order = np.arange(n_features)
        legacy.shuffle(order)
        orders[row] = order
    return orders


def values_from_chain_outputs(outputs: np.ndarray, orders: np.ndarray) -> np.ndarray:
    """Combine coalition outputs into shap's permutation values.

    Parameters
    ----------
    outputs : numpy.ndarray, shape (n_rows, 2 M + 1)
        Mean output over the background of each coalition: position 0 is the background,
        position ``i`` (1 ≤ i ≤ M) has features ``π_1 .. π_i`` of the row switched on,
        position ``M + i`` has ``π_{i+1} .. π_M`` on, position ``2 M`` is the background.
    orders : numpy.ndarray of int, shape (n_rows, M)
        The permutation ``π`` of each row.

    Returns
    -------
    numpy.ndarray, shape (n_rows, M)
        The value of each feature, in feature order.
    """
    n_features = orders.shape[1]
    forward = np.diff(outputs[:, : n_features + 1], axis=1)
    backward = -np.diff(outputs[:, n_features:], axis=1)
    values = np.zeros(orders.shape, dtype=float)
    np.put_along_axis(values, orders, (forward + backward) / 2.0, axis=1)
    return values


@dataclass(frozen=True)
class CalibratedLinear:
    """A calibrated linear binary classifier, unpacked for fast evaluation.

    Attributes
    ----------
    coefficients : numpy.ndarray, shape (n_folds, n_encoded)
        Each fold's linear weights on the encoded columns.
    intercepts : numpy.ndarray, shape (n_folds,)
        Each fold's intercept.
    calibrators : tuple of callables
        Each fold's calibration curve, mapping decisions to the positive probability.
    positive_is_second : bool
        Whether the positive outcome is the classifier's second class (else the first,
        whose probability is one minus the calibrated one).
    """

    coefficients: np.ndarray
    intercepts: np.ndarray
    calibrators: tuple[Callable[[np.ndarray], np.ndarray], ...]
    positive_is_second: bool

    def probability(self, decisions: np.ndarray) -> np.ndarray:
        """Mean calibrated probability of the positive outcome over the folds.

        Parameters
        ----------
        decisions : numpy.ndarray, shape (n_folds, ...)
            Each fold's decision values.

        Returns
        -------
        numpy.ndarray, shape (...)
        """
        total = np.zeros(decisions.shape[1:], dtype=float)
        for calibrate, fold in zip(self.calibrators, decisions, strict=True):
            proba = np.asarray(calibrate(fold.ravel()), dtype=float).reshape(fold.shape)
            proba[(proba > 1.0) & (proba <= 1.0 + 1e-5)] = 1.0
            total += proba
        mean = total / len(self.calibrators)
        return mean if self.positive_is_second else 1.0 - mean


def calibrated_linear(estimator: object, positive: int) -> CalibratedLinear | None:
    """Unpack a fitted ``CalibratedClassifierCV`` over a linear binary classifier.

    Parameters
    ----------
    estimator : object
        The fitted final estimator of a pipeline.
    positive : int
        The position of the positive outcome in ``estimator.classes_``.

    Returns
    -------
    CalibratedLinear or None
        None if the estimator is anything else (another calibration method, more than two
        classes, a base classifier that is not linear), so the caller falls back to the
        model-agnostic path.
    """
    if not isinstance(estimator, CalibratedClassifierCV) or estimator.method not in {
        "sigmoid",
        "isotonic",
    }:
        return None
    if len(estimator.classes_) != 2:
        return None
    coefficients, intercepts, calibrators = [], [], []
    for calibrated in estimator.calibrated_classifiers_:
        base = calibrated.estimator
        coef = np.asarray(getattr(base, "coef_", np.empty((0, 0))), dtype=float)
        if not isinstance(base, _LINEAR) or coef.ndim != 2 or coef.shape[0] != 1:
            return None
        if len(calibrated.calibrators) != 1:
            return None
        coefficients.append(coef[0])
        intercepts.append(float(np.ravel(base.intercept_)[0]))
        calibrators.append(calibrated.calibrators[0].predict)
    return CalibratedLinear(
        coefficients=np.asarray(coefficients),
        intercepts=np.asarray(intercepts),
        calibrators=tuple(calibrators),
        positive_is_second=positive == 1,
    )


def calibrated_linear_chain_outputs(
    model: CalibratedLinear,
    encoded: np.ndarray,
    owner: Sequence[int],
    n_features: int,
    n_rows: int,
    orders: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Coalition outputs of a calibrated linear classifier along shap's chains.

    Parameters
    ----------
    model : CalibratedLinear
        The unpacked classifier.
    encoded : numpy.ndarray, shape (n_rows + n_background, n_encoded)
        The encoded explained rows, then the encoded background rows.
    owner : sequence of int
        The user feature (0 .. n_features - 1) each encoded column comes from.
    n_features : int
        The number of user features ``M``.
    n_rows : int
        How many of ``encoded``'s rows are explained rows.
    orders : numpy.ndarray of int, shape (n_rows, M)
        Each explained row's permutation.

    Returns
    -------
    outputs : numpy.ndarray, shape (n_rows, 2 M + 1)
        The mean probability over the background of every coalition (see
        :func:`values_from_chain_outputs`); positions 0 and 2 M hold the mean over the
        background, position M the row's own probability.
    background_outputs : numpy.ndarray, shape (n_background,)
        The probability of each background row.
    """
    folding = np.zeros((encoded.shape[1], n_features))
    folding[np.arange(encoded.shape[1]), np.asarray(owner, dtype=np.intp)] = 1.0
    # contributions[k, r, j]: fold k's decision share of feature j in table row r.
    contributions = np.stack([(encoded * weights) @ folding for weights in model.coefficients])
    decisions = contributions.sum(axis=2) + model.intercepts[:, None]
    probabilities = model.probability(decisions)
    background = slice(n_rows, None)
    background_outputs = probabilities[background]
    base = float(background_outputs.mean())
    outputs = np.empty((n_rows, 2 * n_features + 1))
    outputs[:, 0] = outputs[:, -1] = base
    outputs[:, n_features] = probabilities[:n_rows]
    for start in range(0, n_rows, _ROWS_PER_CHUNK):
        rows = slice(start, min(start + _ROWS_PER_CHUNK, n_rows))
        order = orders[rows]
        # steps[k, r, b, i]: how fold k's decision moves when the i-th feature of row r's
        # order is switched from background row b's value to the row's own.
        own = np.take_along_axis(contributions[:, rows], order[None], axis=2)
        other = contributions[:, background][:, :, order].transpose(0, 2, 1, 3)
        steps = own[:, :, None, :] - other
        running = np.cumsum(steps[..., :-1], axis=3)
        forward = decisions[:, background][:, None, :, None] + running
        backward = decisions[:, rows][:, :, None, None] - running
        outputs[rows, 1:n_features] = model.probability(forward).mean(axis=1)
        outputs[rows, n_features + 1 : 2 * n_features] = model.probability(backward).mean(axis=1)
    return outputs, background_outputs
