"""SHAP values of a model, in the user's own features, within a budget.

:func:`explain_shap` picks the explainer from the model and says which it used:

* ``TreeExplainer`` for a decision tree, a random forest and histogram gradient boosting,
  on the matrix the pipeline's ``preprocess`` step makes: path-dependent by default
  (relative to the trees' own training statistics, no background rows), or interventional
  against :data:`INTERVENTIONAL_BACKGROUND_ROWS` sampled background rows
  (``tree_perturbation="interventional"``, shap's own explainer). Decision trees and
  forests are explained in probability of the positive outcome (what their trees hold);
  gradient boosting in log-odds (its raw score). A random forest's path-dependent values
  are computed from per-leaf tables in several threads (same values as shap's, see
  :mod:`fairlab.explain._fast_trees`), unless its paths are too deep for the tables.
* ``LinearExplainer`` for logistic regression, in log-odds, against the mean of every
  background row given.
* ``"Exact additive (naive Bayes)"`` for Gaussian naive Bayes, in log-odds: its log-odds
  is a sum of one term per encoded column, so the SHAP values are exact and computed in
  one pass over every background row (see :mod:`fairlab.explain._fast_additive`).
* ``PermutationExplainer`` for every other model (kNN, the calibrated linear SVM, models
  loaded from files), on the probability of the positive outcome, against a seeded sample
  of at most :data:`MAX_BACKGROUND_ROWS` background rows (:data:`KNN_BACKGROUND_ROWS` for
  kNN). A pass runs one antithetic permutation chain per background row, each with its own
  permutation; passes are repeated until the estimated mean Monte-Carlo error reaches
  :data:`TARGET_RELATIVE_ERROR` of the mean |SHAP value| or the budget runs out (then a
  note says so), and each value's standard error comes from the spread over passes. The
  chains' end points are the model's own ``predict_proba``, so the values add up to it
  exactly. For the zoo's linear SVM and kNN the coalitions are evaluated by a vectorised
  predictor (see :mod:`fairlab.explain._fast_permutation`); kNN is predicted with exact
  distances (see :mod:`fairlab.explain._fast_knn`); every coalition whose k-th and next
  nearest neighbours tie with neighbours of both classes (where scikit-learn's float
  rounding decides the vote) is predicted by the fitted model itself, batched, within
  :data:`_MODEL_TIE_SAMPLES` model calls (beyond them, the notes give the share of tied
  coalitions left to the fast path and a bound on their bias). scikit-learn's answer on
  such a coalition depends on how many rows its call holds, so the values are the model's
  only up to how much the split of ties matters: that shift (model's split against the
  fast path's) is measured and added to ``relative_error``, and the notes say so.

Every result says in words what it is relative to (``background``) and, for estimates,
how large their error is (``standard_errors``, ``relative_error``). Additivity is always
measured against the fitted model's own output on the explained rows.

The kNN and random-forest paths run numba kernels, compiled on first use (5-25 s, once
per installation: they are cached on disk); :func:`compile_kernels` does it ahead of time.

SHAP values of encoded columns are summed back onto their source column (see
:func:`fairlab.explain._features.source_columns`), so the result speaks of ``occupation``,
not ``occupation_Sales``. The cost is estimated before running
(:func:`estimate_shap_cost`) and rows are sampled, seeded, to stay within the budget.
"""

from __future__ import annotations

import math
import os
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import shap
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from fairlab.errors import FairLabError, ModelError
from fairlab.explain._fast_additive import is_binary_gaussian_nb, naive_bayes_log_odds_terms
from fairlab.explain._fast_knn import (
    IS_BACKGROUND,
    IS_ROW,
    TIED,
    KnnIndex,
    knn_background,
    knn_chain_outputs,
    knn_index,
    knn_supported,
    knn_tables,
)
from fairlab.explain._fast_permutation import (
    calibrated_linear,
    calibrated_linear_chain_outputs,
    values_from_chain_outputs,
)
from fairlab.explain._fast_trees import (
    MAX_PATH_FEATURES,
    ForestTables,
    forest_shap,
    forest_tables,
)
from fairlab.explain._features import fold_columns, source_columns
from fairlab.labels import canonical_label
from fairlab.models import MISSING_COLUMNS_ERROR, FittedModel

__all__ = [
    "ShapResult",
    "CostEstimate",
    "ShapError",
    "OutputSpace",
    "TreePerturbation",
    "TARGET_RELATIVE_ERROR",
    "MAX_PERMUTATION_PASSES",
    "INTERVENTIONAL_BACKGROUND_ROWS",
    "PERTURBATION_ERROR",
    "PASSES_ERROR",
    "explain_shap",
    "estimate_shap_cost",
    "compile_kernels",
    "MAX_BACKGROUND_ROWS",
    "KNN_BACKGROUND_ROWS",
    "ADDITIVE_NAIVE_BAYES",
    "ADDITIVITY_TOLERANCE",
    "NO_PROBABILITIES_ERROR",
    "EMPTY_ROWS_ERROR",
    "EMPTY_BACKGROUND_ERROR",
    "BUDGET_ERROR",
    "SECONDS_ERROR",
    "GROUPS_LENGTH_ERROR",
    "UNKNOWN_GROUP_ERROR",
]

OutputSpace = Literal["probability", "log-odds"]
TreePerturbation = Literal["tree_path_dependent", "interventional"]
TARGET_RELATIVE_ERROR = 0.05
"""The permutation explainer aims at a mean Monte-Carlo error of at most this share of the
mean |SHAP value| (measured against exact Shapley values on Adult in the tests)."""
MAX_PERMUTATION_PASSES = 32
"""At most this many passes over the background (one permutation per background row each)."""
INTERVENTIONAL_BACKGROUND_ROWS = 100
"""Background rows (sampled, seeded) of the interventional tree explainer."""
_MODEL_SAMPLES_PER_CALL = 50_000
# kNN coalitions whose k-th neighbour is tied are predicted by the model itself, up to this
# many over all passes (about a second on Adult); a pass that would pass it keeps the fast
# path's answers for its tied coalitions, and the notes bound what that can cost.
_MODEL_TIE_SAMPLES = 3_000
MAX_BACKGROUND_ROWS = 100
"""At most this many background rows for the model-agnostic explainer (sampled, seeded)."""
KNN_BACKGROUND_ROWS = 20
"""At most this many background rows for a kNN model (sampled, seeded). Every coalition of
every background row asks for the nearest of all training rows, so a kNN explanation costs
far more per background row than the other models'; with 20 rows, 1,000 Adult rows take
about 3 s on two otherwise idle cores (5-7 s when other work shares them). The price is
noise: on Adult, a value deviates from the one computed against 1,000 background rows by
34 % of the mean |SHAP value| on average (16 % with 100 rows), and the mean |SHAP value| of
a feature over 300 rows by at most 13-20 % of the largest (7-11 % with 100 rows); the five
most important features agreed in two of three background samples, four of five in the
third (measured over three seeds)."""
ADDITIVE_NAIVE_BAYES = "Exact additive (naive Bayes)"
"""The explainer name of the exact path for Gaussian naive Bayes."""
ADDITIVITY_TOLERANCE = 1e-6
"""How far ``base_value + Σ SHAP`` may be from the model output, in the output space."""

NO_PROBABILITIES_ERROR = (
    "The model gives no probabilities (it has no predict_proba), so SHAP values of the "
    "probability of the positive outcome cannot be computed. Use a model that gives them."
)
EMPTY_ROWS_ERROR = "There are no rows to explain. Choose rows that hold the model's features."
EMPTY_BACKGROUND_ERROR = (
    "The background data is empty. Pass rows (usually training rows) as the background."
)
BUDGET_ERROR = "The '{param}' parameter must be a positive int. Got {value!r} instead."
SECONDS_ERROR = (
    "The 'max_seconds' parameter must be a positive number or None. Got {value!r} instead."
)
GROUPS_LENGTH_ERROR = (
    "The groups hold {got} labels but {expected} rows were explained. Pass the group of each "
    "explained row (index the groups with result.row_index)."
)
PERTURBATION_ERROR = (
    "The 'tree_perturbation' parameter must be 'tree_path_dependent' or 'interventional'. "
    "Got {value!r} instead."
)
PASSES_ERROR = "The '{param}' parameter must be a positive int or None. Got {value!r} instead."
UNKNOWN_GROUP_ERROR = "The group {group!r} is not among the explained rows' groups {groups}."

# Seconds per unit of work on a 2-core machine, measured on German credit and Adult.
_SECONDS_PER_EVALUATION = {
    "TreeExplainer": 2.5e-7,
    "LinearExplainer": 2e-8,
    ADDITIVE_NAIVE_BAYES: 2e-8,
    "PermutationExplainer": 3e-6,
}
_FOREST_TABLES_SECONDS_PER_EVALUATION = 3e-8
_INTERVENTIONAL_SECONDS_PER_EVALUATION = 5e-9
_CALIBRATED_LINEAR_SECONDS_PER_EVALUATION = 1.5e-7
_KNN_SECONDS_PER_EVALUATION_PER_TRAINING_ROW = 7e-9
_FAST_KNN_SECONDS_PER_EVALUATION_PER_TRAINING_ROW = 3e-10
_KNN_TABLE_BYTES = 64 * 1024 * 1024

# Index of each fitted kNN estimator and tables of each random forest, built once: the
# model objects are shared and never refitted (the zoo clones before fitting), so an entry
# lives as long as its estimator.
_KNN_INDEXES: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], KnnIndex | None]] = (
    weakref.WeakKeyDictionary()
)
_FOREST_TABLES: weakref.WeakKeyDictionary[Any, dict[int, ForestTables | None]] = (
    weakref.WeakKeyDictionary()
)


class ShapError(FairLabError):
    """SHAP values cannot be computed for this model or these rows as asked."""


@dataclass(frozen=True)
class CostEstimate:
    """What an explanation will cost, before it runs.

    Attributes
    ----------
    n_rows : int
        Rows to explain.
    evaluations : int
        Units of work: rows × leaves (over all trees) for ``TreeExplainer``, rows × encoded
        columns for ``LinearExplainer`` and the exact naive Bayes path, rows predicted by
        the model (rows × (2 × features + 1) coalitions × background rows) for
        ``PermutationExplainer``.
    seconds_estimate : float
        A rough wall-time estimate on a 2-core machine.
    explainer : str
        The explainer that will be used.
    """

    n_rows: int
    evaluations: int
    seconds_estimate: float
    explainer: str = ""


@dataclass(frozen=True, eq=False)
class ShapResult:
    """SHAP values of explained rows, in the user's features.

    Attributes
    ----------
    values : pandas.DataFrame
        One row per explained row, one column per user feature.
    base_value : float
        The expected model output (in ``output_space``) the values start from.
    output : numpy.ndarray
        The model output (in ``output_space``) of each explained row; it equals
        ``base_value + values.sum(axis=1)`` up to ``additivity_error``.
    data : pandas.DataFrame
        The explained rows' original feature values.
    row_index : numpy.ndarray of int
        The positions of the explained rows in the ``X`` given.
    explainer : str
        ``"TreeExplainer"``, ``"LinearExplainer"``, ``"Exact additive (naive Bayes)"``
        (:data:`ADDITIVE_NAIVE_BAYES`) or ``"PermutationExplainer"``.
    output_space : {"probability", "log-odds"}
        What the values add up to: the probability of the positive outcome or its log-odds.
        Log-odds for logistic regression, gradient boosting and naive Bayes; probability
        for decision trees, random forests and the permutation explainer.
    n_rows_total : int
        How many rows were given; ``len(values)`` of them were explained.
    additivity_tolerance : float
        The additivity the explainer guarantees: :data:`ADDITIVITY_TOLERANCE` for every
        explainer. Tree, linear and naive Bayes values are exact; the permutation
        explainer's antithetic permutations telescope from the output on the background to
        the output on the row, so its values add up exactly too, provided the model gives
        the same output for the same row whatever batch it is predicted in.
    additivity_error : float
        The measured ``max |base_value + Σ values - output|`` over the explained rows, where
        ``output`` is always the fitted model's own ``predict_proba`` of the explained rows
        (or its log-odds, in the output space), predicted in one call. It exceeds the
        tolerance only for a model whose predictions depend on the batch (a model loaded
        from a file, such as kNN on data with tied neighbours, where float rounding
        decides which neighbour is counted); show a warning then.
    background_rows : int
        How many background rows the values are relative to: the sampled rows of the
        permutation explainer, every background row for the linear and naive Bayes paths,
        0 for tree explainers (which use the trees' own training statistics).
    notes : tuple of str
        Plain sentences on how the values were computed and what they approximate, for a
        user interface to show beside them (empty when there is nothing to add).
    background : str
        One sentence on what the values are relative to: the trees' own training
        statistics (path-dependent), or how many background rows, drawn how.
    standard_errors : pandas.DataFrame or None
        The Monte-Carlo standard error of each value (permutation explainer only; exact
        explainers have none), shaped as ``values``.
    relative_error : float
        The estimated mean |error| of the values over their mean |value| (0 for exact
        explainers); compare with :data:`TARGET_RELATIVE_ERROR`.
    n_permutations : int
        Permutations (chains) per row of the permutation explainer, else 0.
    tree_perturbation : str
        ``"tree_path_dependent"`` or ``"interventional"`` for tree explainers, else "".
    model_rows : tuple of int
        Positions (in ``values``) of kNN rows for which some coalitions (those whose k-th
        and next nearest neighbours tie, where the model's float rounding decides) were
        predicted by the model itself rather than the fast path.
    tie_share : float
        For kNN, the share of coalition evaluations with tied neighbours left to the fast
        path (0 when the model predicted them all, as it does within the budget).
    """

    values: pd.DataFrame
    base_value: float
    output: np.ndarray
    data: pd.DataFrame
    row_index: np.ndarray
    explainer: str
    output_space: OutputSpace
    n_rows_total: int
    additivity_tolerance: float
    additivity_error: float
    background_rows: int = 0
    notes: tuple[str, ...] = ()
    background: str = ""
    standard_errors: pd.DataFrame | None = None
    relative_error: float = 0.0
    n_permutations: int = 0
    tree_perturbation: str = ""
    model_rows: tuple[int, ...] = ()
    tie_share: float = 0.0

    @property
    def n_rows(self) -> int:
        """How many rows were explained."""
        return len(self.values)

    @property
    def sampled(self) -> bool:
        """Whether only a sample of the rows given was explained."""
        return self.n_rows < self.n_rows_total

    def mean_abs(self) -> pd.Series:
        """Mean |SHAP| per feature, largest first."""
        return self.values.abs().mean().sort_values(ascending=False, kind="stable")

    def mean_abs_errors(self) -> pd.Series | None:
        """Monte-Carlo standard error of :meth:`mean_abs` per feature, in its order.

        The rows' estimates are independent, so the error of a mean over rows is the root
        of the summed squared errors over the number of rows (an upper bound for the mean
        of absolute values). None for exact explainers.
        """
        if self.standard_errors is None:
            return None
        errors = np.sqrt((self.standard_errors**2).sum()) / max(1, self.n_rows)
        return errors.loc[self.mean_abs().index]

    @property
    def uncertainty_sentence(self) -> str:
        """How exact the values are, in one or two sentences."""
        if self.standard_errors is None:
            return "Exact values: no Monte-Carlo error."
        reached = "reaching" if self.relative_error <= TARGET_RELATIVE_ERROR else "short of"
        text = (
            f"Estimated values ({self.n_permutations:,} permutations per row): their mean "
            f"Monte-Carlo error is about {self.relative_error:.1%} of the mean |SHAP value|, "
            f"{reached} the {TARGET_RELATIVE_ERROR:.0%} target."
        )
        bars = self.mean_abs_errors()
        if bars is not None and self.n_rows > 1:
            text += (
                f" Averaged over {self.n_rows:,} rows, a feature's mean |SHAP value| has a "
                f"standard error of at most {float(bars.max()):.2g}."
            )
        return text

    def by_group(self, groups: pd.Series) -> pd.DataFrame:
        """Mean |SHAP| per feature (rows) for each group (columns).

        Parameters
        ----------
        groups : pandas.Series
            The group of each explained row, in the order of ``values``.

        Returns
        -------
        pandas.DataFrame
            Features ordered as :meth:`mean_abs`, one column per group.
        """
        labels = self._groups(groups)
        table = self.values.abs().groupby(labels.to_numpy(), sort=True, observed=True).mean()
        return table.T.loc[self.mean_abs().index]

    def gap_decomposition(self, groups: pd.Series, group_a: Any, group_b: Any) -> pd.Series:
        """Split the gap in mean model output between two groups into feature contributions.

        Parameters
        ----------
        groups : pandas.Series
            The group of each explained row, in the order of ``values``.
        group_a, group_b : object
            The two groups compared.

        Returns
        -------
        pandas.Series
            Mean SHAP value in ``group_a`` minus that in ``group_b``, per feature; it sums
            to the mean output of ``group_a`` minus that of ``group_b`` (in ``output_space``).

        Raises
        ------
        ShapError
            If a group is not among the explained rows.
        """
        labels = self._groups(groups).to_numpy()
        means = []
        present = sorted({str(g) for g in labels})
        for group in (group_a, group_b):
            mask = labels == group
            if not mask.any():
                raise ShapError(UNKNOWN_GROUP_ERROR.format(group=group, groups=present))
            means.append(self.values.loc[mask].mean())
        return (means[0] - means[1]).rename(f"{group_a} − {group_b}")

    def _groups(self, groups: pd.Series) -> pd.Series:
        if len(groups) != self.n_rows:
            raise ShapError(GROUPS_LENGTH_ERROR.format(got=len(groups), expected=self.n_rows))
        return pd.Series(np.asarray(groups, dtype=object), index=self.values.index)


# ---------------------------------------------------------------------- choice and cost
def _explainer_name(model: FittedModel) -> str:
    estimator = _final_estimator(model)
    if isinstance(estimator, (DecisionTreeClassifier, RandomForestClassifier)):
        return "TreeExplainer"
    if isinstance(estimator, HistGradientBoostingClassifier):
        return "TreeExplainer"
    if isinstance(estimator, LogisticRegression) and len(estimator.classes_) == 2:
        return "LinearExplainer"
    if is_binary_gaussian_nb(estimator):
        return ADDITIVE_NAIVE_BAYES
    return "PermutationExplainer"


def _final_estimator(model: FittedModel) -> object | None:
    pipeline = model.pipeline
    if not isinstance(pipeline, Pipeline) or set(pipeline.named_steps) != {"preprocess", "model"}:
        return None
    try:
        source_columns(pipeline)
    except FairLabError:
        return None
    return pipeline.named_steps["model"]


def _tree_size(estimator: object) -> int:
    if isinstance(estimator, DecisionTreeClassifier):
        return int(estimator.tree_.n_leaves)
    if isinstance(estimator, RandomForestClassifier):
        return int(sum(tree.tree_.n_leaves for tree in estimator.estimators_))
    return int(
        sum(int(p.nodes["is_leaf"].sum()) for iteration in estimator._predictors for p in iteration)
    )


def _features(model: FittedModel, X: pd.DataFrame) -> list[str]:
    return list(model.features) if model.features is not None else [str(c) for c in X.columns]


def _per_row_evaluations(
    model: FittedModel, explainer: str, n_features: int, interventional: bool = False
) -> int:
    estimator = _final_estimator(model)
    if explainer == "TreeExplainer":
        if interventional:
            return _tree_size(estimator) * INTERVENTIONAL_BACKGROUND_ROWS
        return _tree_size(estimator)
    if explainer == "LinearExplainer":
        return int(estimator.coef_.shape[1])
    if explainer == ADDITIVE_NAIVE_BAYES:
        return int(estimator.theta_.shape[1])
    return (2 * n_features + 1) * _background_limit(model)


def _background_limit(model: FittedModel) -> int:
    if isinstance(_final_estimator(model), KNeighborsClassifier):
        return KNN_BACKGROUND_ROWS
    return MAX_BACKGROUND_ROWS


def _seconds_per_evaluation(
    model: FittedModel, explainer: str, interventional: bool = False
) -> float:
    estimator = _final_estimator(model)
    if interventional:
        return _INTERVENTIONAL_SECONDS_PER_EVALUATION
    if isinstance(estimator, KNeighborsClassifier):
        per_training_row = (
            _FAST_KNN_SECONDS_PER_EVALUATION_PER_TRAINING_ROW
            if knn_supported(estimator)
            else _KNN_SECONDS_PER_EVALUATION_PER_TRAINING_ROW
        )
        return per_training_row * estimator.n_samples_fit_
    if isinstance(estimator, RandomForestClassifier) and all(
        tree.tree_.max_depth <= MAX_PATH_FEATURES for tree in estimator.estimators_
    ):
        return _FOREST_TABLES_SECONDS_PER_EVALUATION
    if explainer == "PermutationExplainer" and estimator is not None:
        try:
            column = _positive_column(model)
        except ShapError:
            column = 1
        if calibrated_linear(estimator, column) is not None:
            return _CALIBRATED_LINEAR_SECONDS_PER_EVALUATION
    return _SECONDS_PER_EVALUATION[explainer]


def estimate_shap_cost(model: FittedModel, n_rows: int) -> CostEstimate:
    """Estimate the cost of explaining ``n_rows`` rows, without running anything.

    Parameters
    ----------
    model : TrainedModel or LoadedModel
        The fitted model.
    n_rows : int
        How many rows would be explained.

    Returns
    -------
    CostEstimate
        The work in the explainer's units and a rough time in seconds.
    """
    explainer = _explainer_name(model)
    features = model.features
    n_features = len(features) if features is not None else int(model.pipeline.n_features_in_)
    evaluations = int(n_rows) * _per_row_evaluations(model, explainer, n_features)
    seconds = evaluations * _seconds_per_evaluation(model, explainer)
    return CostEstimate(int(n_rows), evaluations, float(seconds), explainer)


def compile_kernels() -> float:
    """Compile (or load from numba's on-disk cache) the kNN and random-forest kernels.

    The first kNN or random-forest explanation in a fresh installation compiles them,
    which takes 5-25 s (about 20 s for kNN on a busy 2-core machine); afterwards they load
    from the cache in about half a second per process. A user interface can call this once
    at start-up, in the background, so that no user waits for the compiler.

    Returns
    -------
    float
        The seconds it took.
    """
    start = time.perf_counter()
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=60), "b": rng.integers(0, 3, 60).astype(float)})
    labels = (frame["a"] + rng.normal(size=60) > 0).astype(int)
    for estimator in (
        KNeighborsClassifier(n_neighbors=3),
        RandomForestClassifier(n_estimators=2, max_depth=3, random_state=0),
    ):
        preprocess = ColumnTransformer([("numeric", StandardScaler(), ["a", "b"])])
        pipeline = Pipeline([("preprocess", preprocess), ("model", estimator)]).fit(frame, labels)
        model = _WarmUpModel(pipeline, ("a", "b"))
        explain_shap(model, frame.iloc[:3], background=frame.iloc[3:])
    return time.perf_counter() - start


@dataclass(frozen=True)
class _WarmUpModel:
    pipeline: Pipeline
    features: tuple[str, ...]
    positive_class: int = 1


# ---------------------------------------------------------------------- explanation
def explain_shap(
    model: FittedModel,
    X: pd.DataFrame,
    *,
    background: pd.DataFrame,
    max_rows: int = 1000,
    max_evaluations: int = 2_000_000,
    random_state: int = 0,
    max_seconds: float | None = None,
    tree_perturbation: TreePerturbation = "tree_path_dependent",
    passes: int | None = None,
    max_passes: int | None = None,
) -> ShapResult:
    """Compute SHAP values of a model's output for rows, in the user's features.

    Parameters
    ----------
    model : TrainedModel or LoadedModel
        The fitted model (a zoo model, or a model loaded with :mod:`fairlab.model_io`).
    X : pandas.DataFrame
        Rows to explain; must hold the model's feature columns.
    background : pandas.DataFrame
        Rows the explanation is relative to (usually training rows). Tree explainers use
        the trees' own training statistics instead; the linear explainer and the naive
        Bayes path use every row; the permutation explainer a seeded sample of at most
        :data:`MAX_BACKGROUND_ROWS` of them (:data:`KNN_BACKGROUND_ROWS` for kNN).
    max_rows : int, default 1000
        Explain at most this many rows.
    max_evaluations : int, default 2_000_000
        Budget in the units of :class:`CostEstimate`; rows are sampled to stay within it
        (at least one row is always explained).
    random_state : int, default 0
        Seed of the row and background sampling and of the permutations.
    max_seconds : float, optional
        A budget in seconds: rows are sampled so that :func:`estimate_shap_cost` expects
        the explanation to take at most this long (at least one row is always explained).
        The estimate is rough (other work on the machine slows it down); ``n_rows`` says
        how many rows were explained. For the permutation explainer, rows are chosen for
        one pass, and further passes fill what is left of the budget.
    tree_perturbation : {"tree_path_dependent", "interventional"}
        For tree models: path-dependent values use the trees' own training statistics
        (no background rows); interventional values switch features to those of
        :data:`INTERVENTIONAL_BACKGROUND_ROWS` sampled background rows, independently of
        the other features (slower, and the same definition as the other explainers').
    passes : int, optional
        The permutation explainer's passes over its background (one permutation per
        background row each). By default, enough to reach :data:`TARGET_RELATIVE_ERROR`
        (estimated from a first pass), within the budget and ``max_passes``.
    max_passes : int, optional
        At most this many passes (default :data:`MAX_PERMUTATION_PASSES`).

    Returns
    -------
    ShapResult

    Raises
    ------
    ShapError
        If there are no rows or no background, a budget is not a positive int (or, for
        ``max_seconds``, a positive number), or the model gives no probabilities where the
        permutation explainer needs them.
    ModelError
        If ``X`` or ``background`` lacks the model's features.
    """
    for param, value in (("max_rows", max_rows), ("max_evaluations", max_evaluations)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ShapError(BUDGET_ERROR.format(param=param, value=value))
    if max_seconds is not None and (
        isinstance(max_seconds, bool)
        or not isinstance(max_seconds, (int, float, np.integer, np.floating))
        or not math.isfinite(max_seconds)
        or max_seconds <= 0
    ):
        raise ShapError(SECONDS_ERROR.format(value=max_seconds))
    if tree_perturbation not in ("tree_path_dependent", "interventional"):
        raise ShapError(PERTURBATION_ERROR.format(value=tree_perturbation))
    for param, value in (("passes", passes), ("max_passes", max_passes)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1
        ):
            raise ShapError(PASSES_ERROR.format(param=param, value=value))
    if len(X) == 0:
        raise ShapError(EMPTY_ROWS_ERROR)
    if len(background) == 0:
        raise ShapError(EMPTY_BACKGROUND_ERROR)
    features = _features(model, X)
    _check_columns(features, X)
    _check_columns(features, background)
    explainer = _explainer_name(model)
    interventional = explainer == "TreeExplainer" and tree_perturbation == "interventional"
    per_row = _per_row_evaluations(model, explainer, len(features), interventional)
    n_rows = int(min(len(X), max_rows, max(1, max_evaluations // per_row)))
    notes: list[str] = []
    seconds_per_row = per_row * _seconds_per_evaluation(model, explainer, interventional)
    if max_seconds is not None:
        in_time = max(1, int(max_seconds // seconds_per_row))
        if in_time < n_rows:
            n_rows = in_time
            notes.append(
                f"{n_rows:,} of {len(X):,} rows were explained (a seeded sample), to stay "
                f"within about {max_seconds:g} seconds."
            )
    rng = np.random.default_rng(random_state)
    if n_rows < len(X):
        row_index = np.sort(rng.choice(len(X), size=n_rows, replace=False))
    else:
        row_index = np.arange(len(X))
    rows = X.iloc[row_index].loc[:, features]
    extra: dict[str, Any] = {}
    if explainer == "PermutationExplainer":
        affordable = max_evaluations // (n_rows * per_row)
        if max_seconds is not None:
            affordable = min(affordable, int(max_seconds // (n_rows * seconds_per_row)))
        cap = MAX_PERMUTATION_PASSES if max_passes is None else int(max_passes)
        estimate = _permutation(
            model,
            rows,
            background.loc[:, features],
            rng,
            passes=None if passes is None else int(passes),
            max_passes=int(max(1, min(cap, affordable))),
        )
        values, base, output = estimate.values, estimate.base, estimate.output
        n_background, how = estimate.n_background, estimate.notes
        described = (
            f"{n_background:,} background rows drawn at random (seeded) from the "
            f"{len(background):,} training rows given; each feature is switched between a "
            "background row's value and the row's own, the others held."
        )
        extra = {
            "standard_errors": estimate.standard_errors,
            "relative_error": estimate.relative_error,
            "n_permutations": estimate.n_passes * n_background,
            "model_rows": estimate.model_rows,
            "tie_share": estimate.tie_share,
        }
    elif explainer == ADDITIVE_NAIVE_BAYES:
        values, base, output = _naive_bayes(model, rows, background.loc[:, features], features)
        n_background = len(background)
        how = [
            "Exact: naive Bayes adds up one term per feature in log-odds, so a feature's "
            f"SHAP value is its term minus the term's mean over the {n_background:,} "
            "background rows."
        ]
        described = f"The mean over all {n_background:,} training rows given (the background)."
    elif explainer == "LinearExplainer":
        values, base, output = _linear(model, rows, background.loc[:, features], features)
        n_background = len(background)
        how = []
        described = (
            f"The mean of all {n_background:,} training rows given (the background): each "
            "value is the feature's coefficient times its distance from that mean."
        )
    elif interventional:
        n_background = min(INTERVENTIONAL_BACKGROUND_ROWS, len(background))
        sample = background.iloc[np.sort(rng.choice(len(background), n_background, replace=False))]
        values, base, output = _on_encoded(model, explainer, rows, sample, features, True)
        how = [TREE_DIFFERENCE]
        described = (
            f"Interventional: {n_background:,} background rows drawn at random (seeded) from "
            f"the {len(background):,} training rows given; each feature is switched between a "
            "background row's value and the row's own, the others held."
        )
        extra = {"tree_perturbation": "interventional"}
    else:
        values, base, output = _on_encoded(model, explainer, rows, background, features, False)
        n_background = 0
        how = [TREE_DIFFERENCE]
        described = (
            "Path-dependent: relative to the trees' own training statistics (the share of "
            "training rows that followed each split); no background rows are used."
        )
        extra = {"tree_perturbation": "tree_path_dependent"}
    in_log_odds = _in_log_odds(model, explainer)
    own = _model_output(model, rows, in_log_odds)
    return ShapResult(
        values=values,
        base_value=float(base),
        output=own,
        data=rows.reset_index(drop=True),
        row_index=row_index,
        explainer=explainer,
        output_space="log-odds" if in_log_odds else "probability",
        n_rows_total=len(X),
        additivity_tolerance=ADDITIVITY_TOLERANCE,
        additivity_error=float(np.max(np.abs(base + values.sum(axis=1).to_numpy() - own))),
        background_rows=int(n_background),
        notes=tuple(how + notes),
        background=described,
        **extra,
    )


TREE_DIFFERENCE = (
    "Path-dependent values follow how the training rows split in each tree, so a feature "
    "can share credit with the features it is correlated with; interventional values "
    "switch one feature at a time to background rows' values, the others held, which "
    "credits only what the model reads (on Adult the two differ by about 12-13 % of the "
    "mean |SHAP value|)."
)
"""One plain sentence on path-dependent against interventional tree values."""


def _model_output(model: FittedModel, rows: pd.DataFrame, in_log_odds: bool) -> np.ndarray:
    # The fitted model's own output of the explained rows, in one call: what the values
    # must add up to. In log-odds, the score its predict_proba is computed from (the
    # decision function, or naive Bayes' log probabilities), which keeps its precision
    # where probabilities round to 0 or 1.
    column = _positive_column(model)
    pipeline = model.pipeline
    if not in_log_odds:
        return np.asarray(pipeline.predict_proba(rows), dtype=float)[:, column]
    if is_binary_gaussian_nb(_final_estimator(model)):
        log_proba = np.asarray(pipeline.predict_log_proba(rows), dtype=float)
        return log_proba[:, column] - log_proba[:, 1 - column]
    sign = 1.0 if column == 1 else -1.0
    return sign * np.asarray(pipeline.decision_function(rows), dtype=float)


def _check_columns(features: list[str], frame: pd.DataFrame) -> None:
    missing = [c for c in features if c not in frame.columns]
    if missing:
        raise ModelError(MISSING_COLUMNS_ERROR.format(columns=missing))


def _in_log_odds(model: FittedModel, explainer: str) -> bool:
    estimator = _final_estimator(model)
    if explainer in {"LinearExplainer", ADDITIVE_NAIVE_BAYES}:
        return True
    return isinstance(estimator, HistGradientBoostingClassifier)


def _dense(matrix: Any) -> np.ndarray:
    if hasattr(matrix, "toarray"):
        matrix = matrix.toarray()
    return np.asarray(matrix, dtype=float)


def _on_encoded(
    model: FittedModel,
    explainer: str,
    rows: pd.DataFrame,
    background: pd.DataFrame,
    features: list[str],
    interventional: bool,
) -> tuple[pd.DataFrame, float, np.ndarray]:
    preprocess = model.pipeline.named_steps["preprocess"]
    estimator = model.pipeline.named_steps["model"]
    encoded = _dense(preprocess.transform(rows))
    # Binary scores (log-odds) speak of classes_[1]; turn them round if the positive
    # outcome is classes_[0].
    column = _positive_column(model)
    sign = 1.0 if column == 1 else -1.0
    sources = source_columns(model.pipeline)
    if isinstance(estimator, RandomForestClassifier) and not interventional:
        tables = _forest_tables_of(estimator, column)
        values = forest_shap(tables, encoded) if tables is not None else None
        if values is not None:
            output = estimator.predict_proba(encoded)[:, column]
            folded = fold_columns(values, sources, features)
            return folded, tables.base_value, np.asarray(output, dtype=float)
    if interventional:
        masker = _dense(preprocess.transform(background.loc[:, features]))
        tree = shap.TreeExplainer(
            estimator, data=masker, feature_perturbation="interventional", model_output="raw"
        )
    else:
        tree = shap.TreeExplainer(estimator, feature_perturbation="tree_path_dependent")
    explanation = tree(encoded)
    if isinstance(estimator, HistGradientBoostingClassifier):
        output = sign * estimator.decision_function(encoded)
    else:
        output = estimator.predict_proba(encoded)[:, column]
    values = np.asarray(explanation.values, dtype=float)
    base = np.asarray(explanation.base_values, dtype=float)
    if values.ndim == 3:
        values, base = values[:, :, column], base[:, column]
    else:
        values, base = sign * values, sign * base
    folded = fold_columns(values, sources, features)
    return folded, float(np.ravel(base)[0]), np.asarray(output, dtype=float)


def _linear(
    model: FittedModel, rows: pd.DataFrame, background: pd.DataFrame, features: list[str]
) -> tuple[pd.DataFrame, float, np.ndarray]:
    # Every background row counts: shap's masker would otherwise keep a sample of 100.
    preprocess = model.pipeline.named_steps["preprocess"]
    estimator = model.pipeline.named_steps["model"]
    sign = 1.0 if _positive_column(model) == 1 else -1.0
    encoded = _dense(preprocess.transform(rows))
    data = _dense(preprocess.transform(background))
    masker = shap.maskers.Independent(data, max_samples=len(data))
    explanation = shap.LinearExplainer(estimator, masker)(encoded)
    values = sign * np.asarray(explanation.values, dtype=float)
    base = sign * float(np.ravel(explanation.base_values)[0])
    folded = fold_columns(values, source_columns(model.pipeline), features)
    return folded, base, sign * estimator.decision_function(encoded)


def _forest_tables_of(estimator: RandomForestClassifier, column: int) -> ForestTables | None:
    tables = _FOREST_TABLES.setdefault(estimator, {})
    if column not in tables:
        tables[column] = forest_tables(estimator, column)
    return tables[column]


def _positive_column(model: FittedModel) -> int:
    estimator = model.pipeline
    if not hasattr(estimator, "predict_proba"):
        raise ShapError(NO_PROBABILITIES_ERROR)
    classes = [canonical_label(c) for c in np.asarray(estimator.classes_).tolist()]
    return classes.index(canonical_label(model.positive_class))


def _naive_bayes(
    model: FittedModel, rows: pd.DataFrame, background: pd.DataFrame, features: list[str]
) -> tuple[pd.DataFrame, float, np.ndarray]:
    pipeline = model.pipeline
    preprocess, estimator = pipeline.named_steps["preprocess"], pipeline.named_steps["model"]
    positive = _positive_column(model)
    encoded = _dense(preprocess.transform(rows))
    constant, terms = naive_bayes_log_odds_terms(estimator, encoded, positive)
    _, background_terms = naive_bayes_log_odds_terms(
        estimator, _dense(preprocess.transform(background)), positive
    )
    centre = background_terms.mean(axis=0)
    values = fold_columns(terms - centre, source_columns(pipeline), features)
    log_proba = estimator.predict_log_proba(encoded)
    output = log_proba[:, positive] - log_proba[:, 1 - positive]
    return values, constant + float(centre.sum()), np.asarray(output, dtype=float)


@dataclass(frozen=True)
class _Permutation:
    values: pd.DataFrame
    standard_errors: pd.DataFrame
    base: float
    output: np.ndarray
    n_background: int
    n_passes: int
    relative_error: float
    model_rows: tuple[int, ...]
    tie_share: float
    notes: list[str]


def _permutation(
    model: FittedModel,
    rows: pd.DataFrame,
    background: pd.DataFrame,
    rng: np.random.Generator,
    *,
    passes: int | None,
    max_passes: int,
) -> _Permutation:
    # A chain pairs one background row with one permutation of the features: it starts at
    # the background row, switches the row's features on in the permutation's order, then
    # off again (antithetic). A pass runs one chain per background row, each with its own
    # permutation, so every pass is an unbiased estimate of the Shapley values against the
    # whole background; passes are independent, and their spread gives the standard error.
    # Chain end points are the model's own predict_proba of the background row and of the
    # explained row, so the values add up to the model's output exactly.
    column = _positive_column(model)
    n_background = min(_background_limit(model), len(background))
    sample = background.iloc[np.sort(rng.choice(len(background), n_background, replace=False))]
    table = pd.concat([rows, sample], ignore_index=True)
    n_rows, n_features = rows.shape
    own = np.asarray(model.pipeline.predict_proba(table)[:, column], dtype=float)
    own_rows, own_background = own[:n_rows], own[n_rows:]
    evaluate = _chain_evaluator(model, table, n_rows, column)
    model_evaluate = _model_chain_evaluator(model, table, n_rows, column)
    predict = _sample_predictor(model, table, column)
    model_rows: set[int] = set()
    ties = _Ties()

    def one_pass() -> np.ndarray:
        chain_rows = np.repeat(np.arange(n_rows), n_background)
        chain_backgrounds = np.tile(np.arange(n_background), n_rows)
        orders = rng.permuted(np.tile(np.arange(n_features), (len(chain_rows), 1)), axis=1)
        if evaluate is None:
            outputs = model_evaluate(chain_rows, chain_backgrounds, orders)
        else:
            outputs, kinds = evaluate(chain_rows, chain_backgrounds, orders)
            if kinds is not None:
                differ = np.abs(outputs[:, n_features] - own_rows[chain_rows]) > 1e-12
                model_rows.update(int(r) for r in np.unique(chain_rows[differ]))
                # Coalitions holding the background row's or the row's own values are
                # predicted as the model predicted those rows; the row's own end point too.
                shape = outputs.shape
                for kind, known in (
                    (IS_BACKGROUND, own_background[chain_backgrounds]),
                    (IS_ROW, own_rows[chain_rows]),
                ):
                    same = kinds == kind
                    outputs[same] = np.broadcast_to(known[:, None], shape)[same]
                fast, settled = outputs.copy(), ties.settled
                model_rows.update(
                    _settle_ties(
                        outputs,
                        kinds,
                        chain_rows,
                        chain_backgrounds,
                        orders,
                        ties,
                        predict,
                        n_rows,
                    )
                )
                if ties.settled > settled:
                    # How far the model's way of splitting ties moved the values from the fast
                    # path's (lowest training row): a measure of how much tie-breaking matters.
                    shift = values_from_chain_outputs(outputs, orders)
                    shift -= values_from_chain_outputs(fast, orders)
                    shift = shift.reshape(n_rows, n_background, n_features)
                    ties.shift.append(shift.mean(axis=1))
        outputs[:, 0] = outputs[:, 2 * n_features] = own_background[chain_backgrounds]
        outputs[:, n_features] = own_rows[chain_rows]
        contributions = values_from_chain_outputs(outputs, orders)
        return contributions.reshape(n_rows, n_background, n_features)

    # A pilot of two passes (one if the budget allows no more) estimates the error of one
    # pass; the error of P passes is that over the square root of P.
    runs = [one_pass() for _ in range(min(2, max_passes) if passes is None else 1)]
    if passes is None:
        pilot = _relative_error(*_mean_and_error(runs)) * math.sqrt(len(runs))
        wanted = math.ceil((pilot / TARGET_RELATIVE_ERROR) ** 2) if pilot > 0 else 1
        passes = int(min(max(wanted, len(runs)), max_passes))
    runs.extend(one_pass() for _ in range(passes - len(runs)))
    values, errors = _mean_and_error(runs)
    relative = _relative_error(values, errors)
    scale = float(np.mean(np.abs(values)))
    # scikit-learn's own predictions of tied coalitions depend on how many rows a call
    # holds (its float rounding): the values are the model's only up to how much the
    # splitting of ties matters, which is added to the error.
    tie_error = 0.0
    if ties.parts and scale > 0:
        by_call = _call_size_shift(ties, predict, n_rows, n_features, passes * n_background)
        tie_error = (
            max(
                float(np.mean(np.abs(np.mean(ties.shift, axis=0)))),
                float(np.mean(np.abs(by_call))),
            )
            / scale
        )
    monte_carlo = relative
    relative = relative + tie_error
    columns = list(rows.columns)
    notes = _permutation_notes(model, n_background, passes, monte_carlo, sorted(model_rows), n_rows)
    if tie_error > 0:
        notes.append(
            "Tied neighbours: scikit-learn's own predict_proba splits ties by float rounding "
            "that depends on how many rows a call holds, so the model gives some coalitions "
            "different probabilities in different calls. Predicting the tied coalitions in "
            "calls of another size, or splitting their ties the fast path's way (lowest "
            "training row), moved "
            f"these values by {tie_error:.1%} of the mean |SHAP value|; with the Monte-Carlo "
            f"error, the error to read is about {relative:.1%}."
        )
        if relative > TARGET_RELATIVE_ERROR >= monte_carlo:
            notes.append(
                f"The {TARGET_RELATIVE_ERROR:.0%} target is not reached because of tied "
                "neighbours: more permutations do not help; the model's answer itself is "
                "only this precise."
            )
    share = ties.left / ties.evaluations if ties.evaluations else 0.0
    if ties.left:
        # Each coalition output enters two half-differences of its chain, so an output off
        # by at most 1 (a probability) moves the chain's values by at most 1 in sum.
        bound = share * 2 * (n_features - 1) / n_features
        notes.append(
            f"{share:.2%} of the coalitions evaluated have tied neighbours (the k-th and the "
            "next are equally far), where the model's float rounding decides which one "
            f"counts; predicting them all with the model would take more than "
            f"{_MODEL_TIE_SAMPLES:,} model calls, so "
            f"{ties.left:,} of them were left to the fast path (ties to the lowest training "
            f"row). Their bias is at most {bound:.2g} per value on average"
            + (f" ({bound / scale:.0%} of the mean |SHAP value|)" if scale > 0 else "")
            + f", so the {TARGET_RELATIVE_ERROR:.0%} target is not reached for this reason: "
            "explain fewer rows to have every tie predicted by the model."
        )
    return _Permutation(
        values=pd.DataFrame(values, columns=columns),
        standard_errors=pd.DataFrame(errors, columns=columns),
        base=float(own_background.mean()),
        output=own_rows,
        n_background=n_background,
        n_passes=passes,
        relative_error=relative,
        model_rows=tuple(sorted(model_rows)),
        tie_share=share,
        notes=notes,
    )


@dataclass
class _Ties:
    # Coalition evaluations of the kNN passes so far: all, tied ones the model predicted,
    # tied ones left to the fast path.
    evaluations: int = 0
    settled: int = 0
    left: int = 0
    shift: list[np.ndarray] = field(default_factory=list)
    parts: list[tuple[np.ndarray, ...]] = field(default_factory=list)


def _settle_ties(
    outputs: np.ndarray,
    kinds: np.ndarray,
    chain_rows: np.ndarray,
    chain_backgrounds: np.ndarray,
    orders: np.ndarray,
    ties: _Ties,
    predict: Callable[[np.ndarray], np.ndarray],
    n_rows: int,
) -> set[int]:
    # Predict the tied coalitions of one pass with the model itself (within the budget) and
    # return the explained rows concerned. End points are the model's anyway.
    n_features = orders.shape[1]
    inner = np.ones(kinds.shape[1], dtype=bool)
    inner[[0, n_features, 2 * n_features]] = False
    ties.evaluations += int(inner.sum()) * len(kinds)
    chain, position = np.nonzero((kinds == TIED) & inner[None, :])
    if len(chain) == 0:
        return set()
    if ties.settled + len(chain) > _MODEL_TIE_SAMPLES:
        ties.left += len(chain)
        return set()
    ties.settled += len(chain)
    rank = np.argsort(orders[chain], axis=1)
    forward = position < n_features
    on = np.where(
        forward[:, None],
        rank < position[:, None],
        rank >= (position - n_features)[:, None],
    )
    ids = np.where(on, chain_rows[chain, None], n_rows + chain_backgrounds[chain, None])
    predicted = np.concatenate(
        [
            predict(ids[start : start + _MODEL_SAMPLES_PER_CALL])
            for start in range(0, len(ids), _MODEL_SAMPLES_PER_CALL)
        ]
    )
    outputs[chain, position] = predicted
    ties.parts.append((ids, predicted, chain_rows[chain], orders[chain], position))
    return {int(r) for r in np.unique(chain_rows[chain])}


def _call_size_shift(
    ties: _Ties,
    predict: Callable[[np.ndarray], np.ndarray],
    n_rows: int,
    n_features: int,
    n_chains: int,
) -> np.ndarray:
    # scikit-learn's neighbour search takes another path (parallel over the query rows, in
    # chunks of 256 per thread) when a call holds more than 4 x 256 x threads rows, with
    # other float rounding. The tied coalitions, predicted per pass, are predicted again
    # on the other side of that line (all in one call, padded past it, if the passes'
    # calls were below it; else in calls of 256), and the shift of the values returned (per row and
    # feature, as a share of the final mean over n_chains chains per row).
    ids = np.concatenate([part[0] for part in ties.parts])
    first = np.concatenate([part[1] for part in ties.parts])
    line = 4 * 256 * (os.cpu_count() or 1)
    if all(len(part[0]) <= line for part in ties.parts):
        padded = np.concatenate([ids, np.repeat(ids[:1], max(0, line + 1 - len(ids)), axis=0)])
        again = np.concatenate(
            [
                predict(padded[s : s + _MODEL_SAMPLES_PER_CALL])
                for s in range(0, len(padded), _MODEL_SAMPLES_PER_CALL)
            ]
        )[: len(ids)]
    else:
        again = np.concatenate([predict(ids[s : s + 256]) for s in range(0, len(ids), 256)])
    delta = np.zeros((len(ids), 2 * n_features + 1))
    position = np.concatenate([part[4] for part in ties.parts])
    delta[np.arange(len(ids)), position] = again - first
    moved = values_from_chain_outputs(delta, np.concatenate([part[3] for part in ties.parts]))
    shift = np.zeros((n_rows, n_features))
    np.add.at(shift, np.concatenate([part[2] for part in ties.parts]), moved)
    return shift / n_chains


def _mean_and_error(runs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    # runs[p][r, b, j]: pass p's chain of row r from background row b, feature j.
    stacked = np.stack(runs)
    n_passes, _, n_background, _ = stacked.shape
    values = stacked.mean(axis=(0, 2))
    if n_passes >= 2:
        # Every background row is used once per pass (stratified), so the variance of the
        # mean is the within-background-row variance over passes, summed.
        within = stacked.var(axis=0, ddof=1)
        errors = np.sqrt(within.sum(axis=1) / (n_passes * n_background**2))
    else:
        # One pass: the spread over chains also holds the spread between background rows,
        # which stratification removes, so this overstates the error.
        errors = stacked[0].std(axis=1, ddof=1) / math.sqrt(n_background)
    return values, errors


def _relative_error(values: np.ndarray, errors: np.ndarray) -> float:
    # The expected |error| of a normal estimate is sqrt(2/pi) times its standard error.
    scale = float(np.mean(np.abs(values)))
    if scale == 0.0:
        return 0.0
    return float(math.sqrt(2.0 / math.pi) * np.mean(errors) / scale)


def _permutation_notes(
    model: FittedModel,
    n_background: int,
    passes: int,
    relative: float,
    model_rows: list[int],
    n_rows: int,
) -> list[str]:
    chains = passes * n_background
    notes = [
        f"Estimated from {chains:,} antithetic permutations of the features per row "
        f"({passes} pass{'es' if passes > 1 else ''} over the {n_background:,} background "
        "rows, each background row with its own permutation). The values add up exactly "
        "to the model's own output; each is an estimate, with a Monte-Carlo standard error "
        f"(the ± shown): their mean error is about {relative:.1%} of the mean |SHAP value|."
    ]
    if relative > TARGET_RELATIVE_ERROR:
        notes.append(
            f"The time budget does not reach the {TARGET_RELATIVE_ERROR:.0%} target for this "
            "mean error: read single values with their ± error, give a larger budget, or "
            "explain fewer rows (one row at a time reaches it)."
        )
    if isinstance(_final_estimator(model), KNeighborsClassifier):
        notes.append(
            f"k-nearest neighbours: {n_background:,} background rows only, as every model call "
            "searches all training rows. Neighbours are found with exact distances, ties to "
            "the lowest training row, which is scikit-learn's rule on exact arithmetic; "
            "scikit-learn computes float distances whose rounding can split a tie either way."
        )
        if model_rows:
            shown = ", ".join(str(r) for r in model_rows[:10])
            more = f" and {len(model_rows) - 10} more" if len(model_rows) > 10 else ""
            notes.append(
                f"{len(model_rows):,} of {n_rows:,} explained rows (positions {shown}{more} "
                "among them) have tied neighbours where the model's rounding decides: their "
                "values were computed with the model's own predict_proba, not the fast path."
            )
    return notes


def _chain_evaluator(
    model: FittedModel, table: pd.DataFrame, n_rows: int, column: int
) -> Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray | None]] | None:
    # A fast predictor of chain outputs for the zoo's calibrated linear SVM and kNN, and
    # for kNN what each output is (see knn_chain_outputs' ties).
    estimator = _final_estimator(model)
    if estimator is None:
        return None
    pipeline = model.pipeline
    n_features = table.shape[1]
    linear = calibrated_linear(estimator, column)
    if linear is not None:
        encoded = _dense(pipeline.named_steps["preprocess"].transform(table))
        owners = _owners(model, list(table.columns))

        def linear_chains(
            chain_rows: np.ndarray, chain_backgrounds: np.ndarray, orders: np.ndarray
        ) -> tuple[np.ndarray, None]:
            outputs = calibrated_linear_chain_outputs(
                linear, encoded, owners, n_features, n_rows, chain_rows, chain_backgrounds, orders
            )
            return outputs, None

        return linear_chains
    index = _knn_index_of(model, list(table.columns), column)
    if index is None:
        return None
    encoded = _dense(pipeline.named_steps["preprocess"].transform(table))
    tables = knn_tables(index, encoded)
    if tables is None:
        return None
    distances, ids = tables
    prepared = knn_background(index, distances[n_rows:])

    def knn_chains(
        chain_rows: np.ndarray, chain_backgrounds: np.ndarray, orders: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        outputs, kinds, _ = knn_chain_outputs(
            index,
            distances[:n_rows],
            ids[:n_rows],
            distances[n_rows:],
            ids[n_rows:],
            chain_rows,
            chain_backgrounds,
            orders,
            prepared,
        )
        return outputs, kinds

    return knn_chains


def _model_chain_evaluator(
    model: FittedModel, table: pd.DataFrame, n_rows: int, column: int
) -> Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
    # Chain outputs from the model itself: every coalition is assembled (each feature from
    # the explained row or the background row) and predicted.
    predict = _sample_predictor(model, table, column)
    n_features = table.shape[1]

    def model_chains(
        chain_rows: np.ndarray, chain_backgrounds: np.ndarray, orders: np.ndarray
    ) -> np.ndarray:
        outputs = np.zeros((len(orders), 2 * n_features + 1))
        rank = np.argsort(orders, axis=1)
        steps = np.arange(1, n_features)
        per_chain = max(1, _MODEL_SAMPLES_PER_CALL // max(1, 2 * len(steps)))
        for start in range(0, len(orders), per_chain):
            part = slice(start, min(start + per_chain, len(orders)))
            ranks = rank[part][:, None, :]
            on = np.concatenate(
                [ranks < steps[None, :, None], ranks >= steps[None, :, None]], axis=1
            )
            own = chain_rows[part, None, None]
            ids = np.where(on, own, n_rows + chain_backgrounds[part, None, None])
            predicted = predict(ids.reshape(-1, n_features)).reshape(len(ranks), 2, len(steps))
            outputs[part, 1:n_features] = predicted[:, 0]
            outputs[part, n_features + 1 : 2 * n_features] = predicted[:, 1]
        return outputs

    return model_chains


def _owners(model: FittedModel, features: list[str]) -> list[int]:
    position = {feature: j for j, feature in enumerate(features)}
    return [position[s] for s in source_columns(model.pipeline)]


def _knn_index_of(model: FittedModel, features: list[str], column: int) -> KnnIndex | None:
    estimator = _final_estimator(model)
    if not knn_supported(estimator):
        return None
    key = (tuple(features), column)
    indexes = _KNN_INDEXES.setdefault(estimator, {})
    if key not in indexes:
        indexes[key] = knn_index(estimator, _owners(model, features), len(features), column)
    return indexes[key]


def _sample_predictor(model: FittedModel, table: pd.DataFrame, column: int) -> Any:
    pipeline = model.pipeline
    if _final_estimator(model) is not None:
        encoded = _dense(pipeline.named_steps["preprocess"].transform(table))
        estimator = pipeline.named_steps["model"]
        position = {feature: j for j, feature in enumerate(table.columns)}
        owner = np.array([position[s] for s in source_columns(pipeline)], dtype=np.intp)
        cols = np.arange(encoded.shape[1])

        def predict_encoded(ids: np.ndarray) -> np.ndarray:
            which = ids.astype(np.intp)[:, owner]
            proba = estimator.predict_proba(encoded[which, cols])
            return np.asarray(proba[:, column], dtype=float)

        return predict_encoded
    arrays = [table[c].to_numpy() for c in table.columns]
    dtypes = table.dtypes

    def predict_frame(ids: np.ndarray) -> np.ndarray:
        which = ids.astype(np.intp)
        frame = pd.DataFrame(
            {
                c: pd.Series(a[which[:, j]], dtype=dtypes[c])
                for j, (c, a) in enumerate(zip(table.columns, arrays, strict=True))
            }
        )
        return np.asarray(pipeline.predict_proba(frame)[:, column], dtype=float)

    return predict_frame
