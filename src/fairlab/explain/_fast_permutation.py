"""Permutation estimates of Shapley values, computed from chains of coalitions.

A chain explains a row ``x`` against one background row ``b`` with one antithetic
permutation ``π`` (``M`` features): starting at ``b``, it switches the features of ``x`` on
in the order of ``π`` (a forward chain of coalitions ending at ``x``), then off again in the
same order (a backward chain back to ``b``). The value of ``π_i`` is half its forward plus
its backward marginal contribution, so a chain's values telescope: ``Σ φ = f(x) - f(b)``,
exactly. Averaged over chains whose background rows cover the background evenly, they
estimate the Shapley values against the background (the interventional values shap's
``PermutationExplainer`` estimates), without bias.

:func:`values_from_chain_outputs` combines the ``2 M + 1`` coalition outputs of chains
into values. Any predictor that computes these outputs faster than one model call per
coalition can plug in: :func:`calibrated_linear_chain_outputs` is one, for a calibrated
linear classifier (the zoo's linear SVM), whose per-fold decision is a sum of per-feature
contributions, so a coalition's decision is a running sum along the chain, and only the
calibration curve is applied per sample.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression, RidgeClassifier, SGDClassifier
from sklearn.svm import LinearSVC

__all__ = [
    "values_from_chain_outputs",
    "CalibratedLinear",
    "calibrated_linear",
    "calibrated_linear_chain_outputs",
]

_CHAINS_PER_CHUNK = 4096
# Classifiers whose decision is X @ coef_.T + intercept_.
_LINEAR = (LinearSVC, LogisticRegression, RidgeClassifier, SGDClassifier)


def values_from_chain_outputs(outputs: np.ndarray, orders: np.ndarray) -> np.ndarray:
    """Combine the coalition outputs of chains into their values.

    Parameters
    ----------
    outputs : numpy.ndarray, shape (n_chains, 2 M + 1)
        The output of each coalition of each chain: position 0 is the background row,
        position ``i`` (1 ≤ i ≤ M) has features ``π_1 .. π_i`` of the row switched on,
        position ``M + i`` has ``π_{i+1} .. π_M`` on, position ``2 M`` is the background row.
    orders : numpy.ndarray of int, shape (n_chains, M)
        The permutation ``π`` of each chain.

    Returns
    -------
    numpy.ndarray, shape (n_chains, M)
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
    chain_rows: np.ndarray,
    chain_backgrounds: np.ndarray,
    orders: np.ndarray,
) -> np.ndarray:
    """Coalition outputs of a calibrated linear classifier along chains.

    A chain starts at one background row, switches an explained row's features on in the
    order of its permutation, then off again in the same order.

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
    chain_rows, chain_backgrounds : numpy.ndarray of int, shape (n_chains,)
        The explained row and the background row of each chain.
    orders : numpy.ndarray of int, shape (n_chains, M)
        Each chain's permutation.

    Returns
    -------
    numpy.ndarray, shape (n_chains, 2 M + 1)
        The probability of every coalition of every chain (see
        :func:`values_from_chain_outputs`); positions 0 and 2 M hold the background row's
        probability, position M the explained row's.
    """
    folding = np.zeros((encoded.shape[1], n_features))
    folding[np.arange(encoded.shape[1]), np.asarray(owner, dtype=np.intp)] = 1.0
    # contributions[k, t, j]: fold k's decision share of feature j in table row t.
    contributions = np.stack([(encoded * weights) @ folding for weights in model.coefficients])
    decisions = contributions.sum(axis=2) + model.intercepts[:, None]
    probabilities = model.probability(decisions)
    backgrounds = n_rows + np.asarray(chain_backgrounds, dtype=np.intp)
    chain_rows = np.asarray(chain_rows, dtype=np.intp)
    outputs = np.empty((len(orders), 2 * n_features + 1))
    outputs[:, 0] = outputs[:, -1] = probabilities[backgrounds]
    outputs[:, n_features] = probabilities[chain_rows]
    for start in range(0, len(orders), _CHAINS_PER_CHUNK):
        part = slice(start, min(start + _CHAINS_PER_CHUNK, len(orders)))
        order = np.asarray(orders[part], dtype=np.intp)[None]
        # steps[k, c, i]: how fold k's decision moves when the i-th feature of chain c's
        # order is switched from the background row's value to the explained row's.
        own = np.take_along_axis(contributions[:, chain_rows[part]], order, axis=2)
        other = np.take_along_axis(contributions[:, backgrounds[part]], order, axis=2)
        running = np.cumsum((own - other)[..., :-1], axis=2)
        forward = decisions[:, backgrounds[part], None] + running
        backward = decisions[:, chain_rows[part], None] - running
        outputs[part, 1:n_features] = model.probability(forward)
        outputs[part, n_features + 1 : 2 * n_features] = model.probability(backward)
    return outputs
