"""SHAP values of a model, in the user's own features, within a budget.

:func:`explain_shap` picks the explainer from the model and says which it used:

* ``TreeExplainer`` (tree-path-dependent) for a decision tree, a random forest and
  histogram gradient boosting, on the matrix the pipeline's ``preprocess`` step makes.
  Decision trees and forests are explained in probability of the positive outcome (what
  their trees hold); gradient boosting in log-odds (its raw score).
* ``LinearExplainer`` for logistic regression, in log-odds.
* ``PermutationExplainer`` for every other model (kNN, naive Bayes, the calibrated linear
  SVM, models loaded from files), on the probability of the positive outcome. It masks the
  user's columns directly (categories as codes, decoded before each call), with a sampled
  background of at most :data:`MAX_BACKGROUND_ROWS` rows.

SHAP values of encoded columns are summed back onto their source column (see
:func:`fairlab.explain._features.source_columns`), so the result speaks of ``occupation``,
not ``occupation_Sales``. The cost is estimated before running
(:func:`estimate_shap_cost`) and rows are sampled, seeded, to stay within the budget.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import shap
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.tree import DecisionTreeClassifier

from fairlab.errors import FairLabError, ModelError
from fairlab.explain._features import fold_columns, source_columns
from fairlab.labels import canonical_label
from fairlab.models import MISSING_COLUMNS_ERROR, FittedModel

__all__ = [
    "ShapResult",
    "CostEstimate",
    "ShapError",
    "OutputSpace",
    "explain_shap",
    "estimate_shap_cost",
    "MAX_BACKGROUND_ROWS",
    "ADDITIVITY_TOLERANCE",
    "NO_PROBABILITIES_ERROR",
    "EMPTY_ROWS_ERROR",
    "EMPTY_BACKGROUND_ERROR",
    "BUDGET_ERROR",
    "GROUPS_LENGTH_ERROR",
    "UNKNOWN_GROUP_ERROR",
]

OutputSpace = Literal["probability", "log-odds"]
MAX_BACKGROUND_ROWS = 100
"""At most this many background rows for the model-agnostic explainer (sampled, seeded)."""
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
GROUPS_LENGTH_ERROR = (
    "The groups hold {got} labels but {expected} rows were explained. Pass the group of each "
    "explained row (index the groups with result.row_index)."
)
UNKNOWN_GROUP_ERROR = "The group {group!r} is not among the explained rows' groups {groups}."

# Seconds per unit of work on a 2-core machine, measured on German credit and Adult.
_SECONDS_PER_EVALUATION = {
    "TreeExplainer": 2.5e-7,
    "LinearExplainer": 2e-8,
    "PermutationExplainer": 3e-6,
}
_KNN_SECONDS_PER_EVALUATION_PER_TRAINING_ROW = 7e-9


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
        Units of work: rows × trees × leaves for ``TreeExplainer``, rows × encoded columns
        for ``LinearExplainer``, rows predicted by the model (rows × model calls per row ×
        background rows) for ``PermutationExplainer``.
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
        ``"TreeExplainer"``, ``"LinearExplainer"`` or ``"PermutationExplainer"``.
    output_space : {"probability", "log-odds"}
        What the values add up to: the probability of the positive outcome or its log-odds.
    n_rows_total : int
        How many rows were given; ``len(values)`` of them were explained.
    additivity_tolerance : float
        The additivity the explainer guarantees: :data:`ADDITIVITY_TOLERANCE` for every
        explainer. Tree and linear explainers are exact; the permutation explainer's
        antithetic permutations telescope from the output on the background to the
        output on the row, so its values add up exactly too, provided the model gives
        the same output for the same row whatever batch it is predicted in.
    additivity_error : float
        The measured ``max |base_value + Σ values - output|`` over the explained rows. It
        exceeds the tolerance only for a model whose predictions depend on the batch (a
        k-nearest-neighbours model on data with many tied rows, where float rounding in
        the distances decides which tied neighbour is counted); show a warning then.
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


def _per_row_evaluations(model: FittedModel, explainer: str, n_features: int) -> int:
    estimator = _final_estimator(model)
    if explainer == "TreeExplainer":
        return _tree_size(estimator)
    if explainer == "LinearExplainer":
        return int(estimator.coef_.shape[1])
    return (2 * n_features + 1) * MAX_BACKGROUND_ROWS


def _seconds_per_evaluation(model: FittedModel, explainer: str) -> float:
    estimator = _final_estimator(model)
    if isinstance(estimator, KNeighborsClassifier):
        return _KNN_SECONDS_PER_EVALUATION_PER_TRAINING_ROW * estimator.n_samples_fit_
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


# ---------------------------------------------------------------------- explanation
def explain_shap(
    model: FittedModel,
    X: pd.DataFrame,
    *,
    background: pd.DataFrame,
    max_rows: int = 1000,
    max_evaluations: int = 2_000_000,
    random_state: int = 0,
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
        the trees' own training statistics instead; the linear explainer uses the mean of
        these rows; the permutation explainer a seeded sample of at most
        :data:`MAX_BACKGROUND_ROWS` of them.
    max_rows : int, default 1000
        Explain at most this many rows.
    max_evaluations : int, default 2_000_000
        Budget in the units of :class:`CostEstimate`; rows are sampled to stay within it
        (at least one row is always explained).
    random_state : int, default 0
        Seed of the row and background sampling and of the permutations.

    Returns
    -------
    ShapResult

    Raises
    ------
    ShapError
        If there are no rows or no background, a budget is not a positive int, or the model
        gives no probabilities where the permutation explainer needs them.
    ModelError
        If ``X`` or ``background`` lacks the model's features.
    """
    for param, value in (("max_rows", max_rows), ("max_evaluations", max_evaluations)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ShapError(BUDGET_ERROR.format(param=param, value=value))
    if len(X) == 0:
        raise ShapError(EMPTY_ROWS_ERROR)
    if len(background) == 0:
        raise ShapError(EMPTY_BACKGROUND_ERROR)
    features = _features(model, X)
    _check_columns(features, X)
    _check_columns(features, background)
    explainer = _explainer_name(model)
    per_row = _per_row_evaluations(model, explainer, len(features))
    n_rows = int(min(len(X), max_rows, max(1, max_evaluations // per_row)))
    rng = np.random.default_rng(random_state)
    if n_rows < len(X):
        row_index = np.sort(rng.choice(len(X), size=n_rows, replace=False))
    else:
        row_index = np.arange(len(X))
    rows = X.iloc[row_index].loc[:, features]
    if explainer == "PermutationExplainer":
        values, base, output = _permutation(model, rows, background.loc[:, features], rng)
    else:
        values, base, output = _on_encoded(model, explainer, rows, background, features)
    return ShapResult(
        values=values,
        base_value=float(base),
        output=np.asarray(output, dtype=float),
        data=rows.reset_index(drop=True),
        row_index=row_index,
        explainer=explainer,
        output_space="log-odds" if _in_log_odds(model, explainer) else "probability",
        n_rows_total=len(X),
        additivity_tolerance=ADDITIVITY_TOLERANCE,
        additivity_error=float(np.max(np.abs(base + values.sum(axis=1).to_numpy() - output))),
    )


def _check_columns(features: list[str], frame: pd.DataFrame) -> None:
    missing = [c for c in features if c not in frame.columns]
    if missing:
        raise ModelError(MISSING_COLUMNS_ERROR.format(columns=missing))


def _in_log_odds(model: FittedModel, explainer: str) -> bool:
    estimator = _final_estimator(model)
    return explainer == "LinearExplainer" or isinstance(estimator, HistGradientBoostingClassifier)


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
) -> tuple[pd.DataFrame, float, np.ndarray]:
    preprocess = model.pipeline.named_steps["preprocess"]
    estimator = model.pipeline.named_steps["model"]
    encoded = _dense(preprocess.transform(rows))
    if explainer == "LinearExplainer":
        masker = _dense(preprocess.transform(background.loc[:, features]))
        explanation = shap.LinearExplainer(estimator, masker)(encoded)
        output = estimator.decision_function(encoded)
    else:
        explanation = shap.TreeExplainer(estimator)(encoded)
        if isinstance(estimator, HistGradientBoostingClassifier):
            output = estimator.decision_function(encoded)
        else:
            output = estimator.predict_proba(encoded)[:, 1]
    values = np.asarray(explanation.values, dtype=float)
    base = np.asarray(explanation.base_values, dtype=float)
    if values.ndim == 3:
        values, base = values[:, :, 1], base[:, 1]
    folded = fold_columns(values, source_columns(model.pipeline), features)
    return folded, float(np.ravel(base)[0]), np.asarray(output, dtype=float)


def _positive_column(model: FittedModel) -> int:
    estimator = model.pipeline
    if not hasattr(estimator, "predict_proba"):
        raise ShapError(NO_PROBABILITIES_ERROR)
    classes = [canonical_label(c) for c in np.asarray(estimator.classes_).tolist()]
    return classes.index(canonical_label(model.positive_class))


def _permutation(
    model: FittedModel, rows: pd.DataFrame, background: pd.DataFrame, rng: np.random.Generator
) -> tuple[pd.DataFrame, float, np.ndarray]:
    # Every feature of a row is masked by row identity: the data shap sees holds, in every
    # column, the position of the row in `table` (explained rows, then background rows), so
    # a masked sample says, per feature, which row the value comes from. Preprocessing works
    # column by column, so for a FairLab pipeline the samples are assembled from the
    # encoded table directly, without running the ColumnTransformer once per sample.
    column = _positive_column(model)
    n_background = min(MAX_BACKGROUND_ROWS, len(background))
    sample = background.iloc[np.sort(rng.choice(len(background), n_background, replace=False))]
    table = pd.concat([rows, sample], ignore_index=True)
    predict = _sample_predictor(model, table, column)
    ids = np.repeat(np.arange(len(table), dtype=float)[:, None], table.shape[1], axis=1)
    masker = shap.maskers.Independent(ids[len(rows) :], max_samples=MAX_BACKGROUND_ROWS)
    seed = int(rng.integers(2**31 - 1))
    explainer = shap.PermutationExplainer(predict, masker, seed=seed)
    n_features = rows.shape[1]
    explanation = explainer(ids[: len(rows)], max_evals=2 * n_features + 1, silent=True)
    values = pd.DataFrame(np.asarray(explanation.values, dtype=float), columns=list(rows.columns))
    base = float(np.ravel(explanation.base_values)[0])
    output = predict(ids[: len(rows)])
    return values, base, output


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
