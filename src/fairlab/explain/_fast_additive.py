"""Exact SHAP values of Gaussian naive Bayes, in log-odds.

Gaussian naive Bayes scores a row ``x`` for class ``c`` as ``log P(c) + Σ_i log N(x_i;
θ_ci, σ²_ci)``, one term per encoded column (scikit-learn's ``var_`` already holds the
``epsilon_`` that ``var_smoothing`` adds). The log-odds of the positive class ``p`` against
the other class ``n`` is therefore a constant plus one term per column::

    log-odds(x) = log P(p) - log P(n) + Σ_i g_i(x_i),
    g_i(v) = -½ log(σ²_pi / σ²_ni) - ½ (v - θ_pi)² / σ²_pi + ½ (v - θ_ni)² / σ²_ni.

For an additive function the interventional SHAP value of a user feature ``j`` against
background rows ``B`` does not depend on the order of the coalitions:
``φ_j = Σ_{i from j} (g_i(x_i) - mean_{b ∈ B} g_i(b_i))``, and the base value is the mean
log-odds over ``B``. So the values are exact, computed in one pass over every background
row, and ``base + Σ φ`` is the model's log-odds up to float rounding.
"""

from __future__ import annotations

import numpy as np
from sklearn.naive_bayes import GaussianNB

__all__ = ["naive_bayes_log_odds_terms", "is_binary_gaussian_nb"]


def is_binary_gaussian_nb(estimator: object) -> bool:
    """Whether ``estimator`` is a fitted two-class ``GaussianNB``."""
    return (
        isinstance(estimator, GaussianNB)
        and hasattr(estimator, "var_")
        and len(estimator.classes_) == 2
    )


def naive_bayes_log_odds_terms(
    estimator: GaussianNB, encoded: np.ndarray, positive: int
) -> tuple[float, np.ndarray]:
    """Split a Gaussian naive Bayes model's log-odds into a constant and per-column terms.

    Parameters
    ----------
    estimator : sklearn.naive_bayes.GaussianNB
        A fitted two-class model.
    encoded : numpy.ndarray, shape (n_rows, n_encoded)
        Rows as the model takes them.
    positive : int
        The position of the positive outcome in ``estimator.classes_``.

    Returns
    -------
    constant : float
        The log prior ratio ``log P(p) - log P(n)``.
    terms : numpy.ndarray, shape (n_rows, n_encoded)
        ``g_i(x_i)`` of every row and column; ``constant + terms.sum(axis=1)`` is the
        log-odds of the positive outcome.
    """
    negative = 1 - positive
    theta, var = estimator.theta_, estimator.var_
    prior = np.log(estimator.class_prior_)
    constant = float(prior[positive] - prior[negative])
    terms = (
        -0.5 * np.log(var[positive] / var[negative])
        - 0.5 * (encoded - theta[positive]) ** 2 / var[positive]
        + 0.5 * (encoded - theta[negative]) ** 2 / var[negative]
    )
    return constant, terms
