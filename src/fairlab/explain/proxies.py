"""The proxy detector: which features carry the sensitive attribute into a model.

Leaving a sensitive attribute out of a model's inputs does not keep it out of the model:
other features may encode it (a marital status that names the sex, a postcode that names
the ethnic group). :func:`proxy_strength` measures, for each feature alone and for all of
them together, how well it predicts the sensitive attribute:

- **ROC AUC, cross-validated** (``cv`` stratified folds, seeded): 0.5 is chance, 1 means
  the feature gives the group away. For more than two groups, the macro average of the
  one-vs-rest AUCs. A single number is predicted by a depth-3 decision tree (so a
  non-monotonic link counts), a single category by a logistic regression on its one-hot
  encoding (which learns each category's group mix), and all features together by a
  logistic regression on one-hot categories and standardised numbers: a linear model, so
  a lower bound on what a flexible model could extract.
- **Normalised mutual information** between a categorical or yes/no feature and the
  groups (0: independent; 1: each determines the other), not cross-validated.

A feature is flagged as a likely proxy when its AUC reaches :data:`PROXY_AUC_THRESHOLD`.
To stay fast, at most :data:`MAX_PROXY_ROWS` rows are used (drawn with the seed).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import normalized_mutual_info_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier

from fairlab.errors import ModelError

__all__ = [
    "proxy_strength",
    "ALL_FEATURES",
    "PROXY_AUC_THRESHOLD",
    "CHANCE_AUC",
    "MAX_PROXY_ROWS",
    "PROXY_COLUMNS",
    "PROXY_ONE_GROUP_ERROR",
    "PROXY_NO_FEATURES_ERROR",
    "PROXY_LENGTH_ERROR",
    "PROXY_PARAM_ERROR",
]

ALL_FEATURES = "(all features together)"
"""The row label of the score of all features together."""
PROXY_AUC_THRESHOLD = 0.7
"""A feature whose cross-validated AUC reaches this is flagged as a likely proxy (0.7 is
the usual lower edge of "acceptable" discrimination for a predictor)."""
CHANCE_AUC = 0.5
"""The AUC of a feature that says nothing about the groups."""
MAX_PROXY_ROWS = 20_000
"""At most this many rows are used (a seeded sample of them)."""
PROXY_COLUMNS = (
    "role",
    "roc_auc",
    "baseline",
    "metric",
    "normalized_mutual_information",
    "likely_proxy",
)
"""The columns of :func:`proxy_strength`'s table, in order."""

_NUMERIC_ROLES = frozenset({"numeric"})
_CATEGORICAL_ROLES = frozenset({"categorical", "boolean"})
_MISSING = "(missing)"

PROXY_ONE_GROUP_ERROR = (
    "The sensitive attribute has {n_groups} group(s) with at least {cv} rows among the rows "
    "given, so there is nothing for a feature to give away. Choose a sensitive attribute "
    "with at least two groups."
)
PROXY_NO_FEATURES_ERROR = (
    "No feature is numeric, categorical or yes/no, so none can be checked as a proxy. "
    "Choose such features."
)
PROXY_LENGTH_ERROR = (
    "The sensitive attribute has {n_sensitive} values but the features have {n_rows} rows. "
    "Pass one value per row."
)
PROXY_PARAM_ERROR = "The '{param}' parameter must be {expected}. Got {value!r} instead."


def proxy_strength(
    X: pd.DataFrame,
    sensitive: pd.Series,
    *,
    roles: Mapping[str, str],
    random_state: int = 0,
    cv: int = 3,
    max_rows: int = MAX_PROXY_ROWS,
) -> pd.DataFrame:
    """Measure how well each feature, and all together, predict a sensitive attribute.

    Parameters
    ----------
    X : pandas.DataFrame
        The features, one row per person.
    sensitive : pandas.Series
        The sensitive attribute (group labels), one value per row of ``X``, matched by
        position. Rows where it is missing are left out.
    roles : mapping of str to str
        The role of each column of ``X`` (see :func:`fairlab.data.infer_column_roles`).
        Columns that are not numeric, categorical or boolean (or have no role) are left
        out and listed in ``result.attrs["skipped"]``.
    random_state : int, default 0
        Seeds the row sample, the folds and the trees.
    cv : int, default 3
        The number of cross-validation folds.
    max_rows : int, default :data:`MAX_PROXY_ROWS`
        At most this many rows are used.

    Returns
    -------
    pandas.DataFrame
        Indexed by feature name, :data:`ALL_FEATURES` first and then the features from the
        strongest proxy to the weakest, with the columns of :data:`PROXY_COLUMNS`:
        ``role``; ``roc_auc`` (cross-validated); ``baseline`` (its chance level, 0.5);
        ``metric`` (``"ROC AUC"`` or ``"macro one-vs-rest ROC AUC"``);
        ``normalized_mutual_information`` (NaN for numbers and for all features together);
        ``likely_proxy`` (``roc_auc`` >= :data:`PROXY_AUC_THRESHOLD`). ``attrs`` holds
        ``n_rows`` (rows used), ``skipped`` (columns left out) and ``dropped_groups``
        (groups with fewer than ``cv`` rows, left out).

    Raises
    ------
    ModelError
        If fewer than two groups have ``cv`` rows, or no feature can be used.
    ValueError
        If ``sensitive`` does not have one value per row, or a parameter is out of range.
    """
    _check_int("cv", cv, low=2)
    _check_int("max_rows", max_rows, low=2)
    _check_int("random_state", random_state, low=0)
    if len(sensitive) != len(X):
        raise ValueError(PROXY_LENGTH_ERROR.format(n_sensitive=len(sensitive), n_rows=len(X)))
    usable = [
        str(column)
        for column in X.columns
        if roles.get(str(column)) in _NUMERIC_ROLES | _CATEGORICAL_ROLES
    ]
    skipped = [str(column) for column in X.columns if str(column) not in set(usable)]
    if not usable:
        raise ModelError(PROXY_NO_FEATURES_ERROR)

    labels = pd.Series(sensitive).reset_index(drop=True)
    keep = labels.notna().to_numpy()
    positions = np.flatnonzero(keep)
    if len(positions) > max_rows:
        rng = np.random.default_rng(random_state)
        positions = np.sort(rng.choice(positions, size=max_rows, replace=False))
    groups = labels.iloc[positions].astype(str).to_numpy()
    counts = pd.Series(groups).value_counts()
    dropped_groups = sorted(counts.index[counts < cv].tolist())
    if dropped_groups:
        enough = ~np.isin(groups, dropped_groups)
        positions, groups = positions[enough], groups[enough]
    n_groups = int((counts >= cv).sum())
    if n_groups < 2:
        raise ModelError(PROXY_ONE_GROUP_ERROR.format(n_groups=n_groups, cv=cv))

    features = _prepared(X.iloc[positions].reset_index(drop=True), usable, roles)
    folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=random_state)
    metric = "ROC AUC" if n_groups == 2 else "macro one-vs-rest ROC AUC"

    rows: dict[str, dict[str, object]] = {}
    categorical = [column for column in usable if roles[column] in _CATEGORICAL_ROLES]
    numeric = [column for column in usable if column not in set(categorical)]
    rows[ALL_FEATURES] = {
        "role": "all",
        "roc_auc": _cv_auc(_all_features_model(numeric, categorical), features, groups, folds),
        "normalized_mutual_information": np.nan,
    }
    for column in usable:
        is_numeric = column in set(numeric)
        model = _numeric_model(random_state) if is_numeric else _categorical_model()
        nmi = np.nan
        if not is_numeric:
            nmi = float(normalized_mutual_info_score(groups, features[column].to_numpy()))
        rows[column] = {
            "role": roles[column],
            "roc_auc": _cv_auc(model, features[[column]], groups, folds),
            "normalized_mutual_information": nmi,
        }

    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "feature"
    table["baseline"] = CHANCE_AUC
    table["metric"] = metric
    table["likely_proxy"] = table["roc_auc"] >= PROXY_AUC_THRESHOLD
    single = table.drop(index=ALL_FEATURES)
    order = np.lexsort(
        (
            -single["normalized_mutual_information"].fillna(-1.0).to_numpy(),
            -single["roc_auc"].to_numpy(),
        )
    )
    table = pd.concat([table.loc[[ALL_FEATURES]], single.iloc[order]])[list(PROXY_COLUMNS)]
    table = table.astype({"roc_auc": float, "baseline": float, "likely_proxy": bool})
    table.attrs.update(n_rows=len(positions), skipped=skipped, dropped_groups=dropped_groups, cv=cv)
    return table


def _prepared(X: pd.DataFrame, usable: list[str], roles: Mapping[str, str]) -> pd.DataFrame:
    """Numbers as floats (missing kept), categories as text with missing named."""
    columns = {}
    for column in usable:
        values = X[column]
        if roles[column] in _NUMERIC_ROLES:
            columns[column] = pd.to_numeric(values, errors="coerce").astype(float)
        else:
            text = values.astype(object).where(values.notna(), _MISSING)
            columns[column] = pd.Series([str(value) for value in text.tolist()], dtype=object)
    return pd.DataFrame(columns)


def _numeric_model(random_state: int) -> BaseEstimator:
    return make_pipeline(
        SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
        DecisionTreeClassifier(max_depth=3, min_samples_leaf=5, random_state=random_state),
    )


def _categorical_model() -> BaseEstimator:
    return make_pipeline(
        OneHotEncoder(handle_unknown="ignore"),
        LogisticRegression(max_iter=1000),
    )


def _all_features_model(numeric: list[str], categorical: list[str]) -> BaseEstimator:
    parts = []
    if numeric:
        scaled = make_pipeline(
            SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
            StandardScaler(),
        )
        parts.append(("numeric", scaled, numeric))
    if categorical:
        parts.append(("categorical", OneHotEncoder(handle_unknown="ignore"), categorical))
    return Pipeline(
        [
            ("preprocess", ColumnTransformer(parts)),
            ("classify", LogisticRegression(max_iter=1000)),
        ]
    )


def _cv_auc(
    model: BaseEstimator, X: pd.DataFrame, groups: np.ndarray, folds: StratifiedKFold
) -> float:
    proba = cross_val_predict(model, X, groups, cv=folds, method="predict_proba")
    classes = np.unique(groups)
    if len(classes) == 2:
        return float(roc_auc_score(groups == classes[1], proba[:, 1]))
    return float(roc_auc_score(groups, proba, multi_class="ovr", average="macro", labels=classes))


def _check_int(name: str, value: object, *, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(
            PROXY_PARAM_ERROR.format(param=name, expected=f"an int >= {low}", value=value)
        )
