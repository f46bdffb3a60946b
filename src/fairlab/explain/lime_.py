"""LIME on tabular rows, in the user's own features, with a stability badge.

LIME explains one prediction by sampling rows around it, asking the model about them and
fitting a weighted linear model to the answers. :class:`LimeExplainer` prepares the
training features for LIME's tabular sampler: categories and yes/no columns are
label-encoded and declared categorical (with their names, so a condition reads
``"sex = female"`` and not ``"sex=1"``), numbers are discretised into quartiles. Every
sampled row is decoded back to a DataFrame with the model's own columns and dtypes before
the pipeline predicts it, so LIME never sees an encoded column and the model never sees
LIME's codes.

:func:`explain_lime` explains one row and returns a :class:`LimeResult`: one weight per
user feature chosen by LIME, the readable condition of every feature, LIME's intercept,
local prediction and local fit R², and the model's own prediction. LIME is random: the
same seed gives the same explanation, another seed a slightly different one.
:func:`lime_stability` measures how different, by re-running LIME with several seeds
(:class:`LimeStability`): below :data:`STABILITY_THRESHOLD` mean top-k Jaccard, the
explanation is called unstable and a larger number of samples is suggested.

Time. LIME asks the model about every sampled row, once per explanation. For most models
5,000 samples take a few tenths of a second; a k-nearest-neighbours model searches all its
training rows for each sample, which on UCI Adult (34,000 training rows) takes 1-3 s for
5,000 samples (more when other work shares the machine).
``max_seconds`` lowers the number of samples so that :func:`estimate_lime_seconds` expects
the explanation to fit (never below :data:`MIN_LIME_SAMPLES`); the result's
``num_samples`` says how many were used, and the stability badge is measured at that
number, so it shows what the cut costs.

Missing values: LIME's sampler needs numbers, so a missing number is read as the median of
the training column (the zoo pipelines impute the same way), and a missing category is a
category of its own, named :data:`MISSING_CATEGORY`, decoded back to a missing value before
the model predicts.
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.stats
from lime.discretize import QuartileDiscretizer
from lime.lime_tabular import LimeTabularExplainer
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline

from fairlab.errors import ModelError
from fairlab.explain.agreement import top_k_features
from fairlab.models import FittedModel, predict

__all__ = [
    "LimeExplainer",
    "LimeResult",
    "LimeStability",
    "explain_lime",
    "lime_stability",
    "estimate_lime_seconds",
    "MISSING_CATEGORY",
    "MIN_LIME_SAMPLES",
    "MAX_LIME_TRAINING_ROWS",
    "STABILITY_THRESHOLD",
    "STABILITY_SEEDS",
    "STABILITY_MARGIN_ERRORS",
    "MAX_FIDELITY_GAP",
    "MIN_LOCAL_R2",
    "KERNEL_WIDTH_SHRINK",
    "SAMPLES_GROWTH",
    "LIME_ROLE_ERROR",
    "LIME_NO_ROLE_ERROR",
    "LIME_NO_FEATURES_ERROR",
    "LIME_ROW_ERROR",
    "LIME_NO_PROBABILITY_ERROR",
    "LIME_PARAM_ERROR",
]

MISSING_CATEGORY = "(missing)"
"""How a missing category is named in LIME's conditions."""
MAX_LIME_TRAINING_ROWS = 10_000
"""LIME's sampling statistics (quartiles, category frequencies) come from at most this many
training rows, drawn with a fixed seed; more rows change them very little and cost time."""
STABILITY_THRESHOLD = 0.8
"""Below this mean pairwise top-k Jaccard over seeds, an explanation is called unstable."""
STABILITY_SEEDS = 10
"""Runs behind the stability badge: with 10 seeds (45 pairs), the mean Jaccard varies little
between two sets of seeds, so repeated badges of the same row agree (tested on Adult rows,
random forest included)."""
STABILITY_MARGIN_ERRORS = 1.0
"""The badge is decided only when the mean Jaccard lies this many jackknife standard errors
from :data:`STABILITY_THRESHOLD`; closer, it is "undecided"."""
MAX_FIDELITY_GAP = 0.1
"""LIME's local prediction may miss the model's probability for the row by at most this."""
MIN_LOCAL_R2 = 0.1
"""Below this weighted R² on its neighbourhood, LIME's local model explains little."""
KERNEL_WIDTH_SHRINK = 0.5
"""An unfaithful explanation is offered a kernel width this many times LIME's, so that the
local model is fitted closer to the row."""
SAMPLES_GROWTH = 4
"""An unstable explanation is offered this many times more samples: LIME's sampling noise
shrinks with the square root of the number of samples, so four times as many halve it."""
MIN_LIME_SAMPLES = 500
"""A time budget never lowers the number of samples below this."""

# Seconds per sampled row on a 2-core machine, measured on German credit and Adult: LIME's
# own work (sampling, decoding, the weighted fit) and a typical model's prediction, plus,
# for a kNN model, its search through every training row.
_LIME_SECONDS_PER_SAMPLE = 1e-4
_KNN_SECONDS_PER_SAMPLE_PER_TRAINING_ROW = 1.5e-8

_CATEGORICAL_ROLES = frozenset({"categorical", "boolean"})
_NUMERIC_ROLES = frozenset({"numeric"})

LIME_NO_FEATURES_ERROR = (
    "There are no feature columns to explain. Choose features in the audit spec."
)
LIME_NO_ROLE_ERROR = (
    "The role of feature(s) {columns} is not known. Pass a role for every feature (see "
    "fairlab.data.infer_column_roles)."
)
LIME_ROLE_ERROR = (
    "Feature '{column}' has the role {role!r}, which LIME cannot explain. Only numeric, "
    "categorical and boolean features can be explained; remove it from the features."
)
LIME_ROW_ERROR = (
    "The row to explain lacks feature(s) {columns}. Choose a row of the same table the model "
    "was trained on."
)
LIME_NO_PROBABILITY_ERROR = (
    "The model gives no probabilities, and LIME explains the probability of the positive "
    "outcome. Choose a model that gives probabilities."
)
LIME_PARAM_ERROR = "The '{param}' parameter must be {expected}. Got {value!r} instead."


# ---------------------------------------------------------------------- results
@dataclass(frozen=True)
class LimeResult:
    """LIME's explanation of one row, in the user's features.

    Attributes
    ----------
    weights : pandas.Series
        The weight of each feature LIME chose (at most ``num_features``), indexed by feature
        name and ordered by decreasing absolute weight. A weight is the change in the local
        model's probability of the positive outcome when the feature's condition holds.
    conditions : dict of str to str
        The readable condition of every feature for this row, such as ``"sex = female"``
        or ``"12 < duration <= 24"``.
    intercept : float
        The local linear model's intercept.
    local_prediction : float
        The local linear model's prediction for the row.
    model_prediction : float
        The model's probability of the positive outcome for the row.
    score : float
        LIME's local fit R² (weighted, on the sampled neighbourhood): how well the linear
        model mimics the model around the row.
    num_samples : int
        The number of sampled rows.
    random_state : int
        The seed.
    capped_by_time : bool
        Whether ``max_seconds`` lowered the number of samples below the one asked for.
    kernel_width : float
        The width of LIME's proximity kernel (LIME's default is 0.75 × √features).
    fidelity_gap : float
        ``|local_prediction - model_prediction|``.
    is_faithful : bool
        Whether the gap is at most :data:`MAX_FIDELITY_GAP` and ``score`` at least
        :data:`MIN_LOCAL_R2`.
    fidelity_advice : str
        One sentence: how faithful the local model is, and what to try if it is not.
    """

    weights: pd.Series
    conditions: dict[str, str]
    intercept: float
    local_prediction: float
    model_prediction: float
    score: float
    num_samples: int
    random_state: int
    capped_by_time: bool = False
    kernel_width: float = float("nan")
    fidelity_gap: float = float("nan")
    is_faithful: bool = True
    fidelity_advice: str = ""


@dataclass(frozen=True)
class LimeStability:
    """How much LIME's explanation of one row changes from seed to seed.

    Attributes
    ----------
    jaccard : float
        The mean, over pairs of seeds, of the Jaccard index of their top-k features (in
        [0, 1]; 1 when every seed picks the same top k).
    min_jaccard : float
        The smallest pairwise Jaccard index.
    weights : pandas.DataFrame
        One row per feature chosen by any seed, with columns ``mean`` and ``std`` (the
        weight over seeds, 0 where a seed did not choose the feature) and ``top_k_share``
        (the share of seeds that put it in their top k); ordered by decreasing ``|mean|``.
    top_features : tuple of tuple of str
        Each seed's top-k features, strongest first.
    seeds : tuple of int
        The seeds used.
    top_k : int
        How many top features were compared.
    num_samples : int
        The number of samples of each run.
    is_stable : bool
        Whether the badge is ``"stable"``.
    verdict : str
        ``"stable"``, or the badge followed by ``": raise the number of samples"``.
    suggested_num_samples : int or None
        When unstable, the larger number of samples to try; else None.
    capped_by_time : bool
        Whether ``max_seconds`` lowered the number of samples below the one asked for.
    mean_fidelity_gap : float
        The mean over seeds of ``|local_prediction - model_prediction|``.
    mean_score : float
        The mean over seeds of LIME's weighted local R².
    is_faithful : bool
        Whether the mean gap is at most :data:`MAX_FIDELITY_GAP` and the mean R² at least
        :data:`MIN_LOCAL_R2`.
    criterion : str
        The badge's rule in words (seeds, samples, threshold).
    advice : str
        What to do when the explanation is unstable or unfaithful ("" otherwise).
    badge : {"stable", "unstable", "undecided"}
        The badge: the mean Jaccard against :data:`STABILITY_THRESHOLD`, with
        :data:`STABILITY_MARGIN_ERRORS` jackknife standard errors of margin, so that two
        sets of seeds rarely contradict each other (a row whose mean lies close to the
        threshold is "undecided").
    jaccard_error : float
        The jackknife standard error of ``jaccard`` over the seeds.
    """

    jaccard: float
    min_jaccard: float
    weights: pd.DataFrame
    top_features: tuple[tuple[str, ...], ...]
    seeds: tuple[int, ...]
    top_k: int
    num_samples: int
    is_stable: bool
    verdict: str
    suggested_num_samples: int | None
    capped_by_time: bool = False
    mean_fidelity_gap: float = float("nan")
    mean_score: float = float("nan")
    is_faithful: bool = True
    criterion: str = ""
    advice: str = ""
    badge: str = ""
    jaccard_error: float = 0.0


# ---------------------------------------------------------------------- encoding
class _FeatureCodec:
    """Label-encode categories and impute numbers, and decode back to the raw columns."""

    def __init__(self, X: pd.DataFrame, *, roles: Mapping[str, str]) -> None:
        self.features = [str(column) for column in X.columns]
        if not self.features:
            raise ModelError(LIME_NO_FEATURES_ERROR)
        missing = [column for column in self.features if column not in roles]
        if missing:
            raise ModelError(LIME_NO_ROLE_ERROR.format(columns=missing))
        self.dtypes = {column: X[column].dtype for column in self.features}
        self.categorical: dict[str, list[Any]] = {}
        self.fill: dict[str, float] = {}
        for column in self.features:
            role = roles[column]
            if role in _CATEGORICAL_ROLES:
                self.categorical[column] = _category_values(X[column])
            elif role in _NUMERIC_ROLES:
                median = pd.to_numeric(X[column], errors="coerce").median()
                self.fill[column] = 0.0 if pd.isna(median) else float(median)
            else:
                raise ModelError(LIME_ROLE_ERROR.format(column=column, role=role))

    def with_values_of(self, rows: pd.DataFrame) -> _FeatureCodec:
        """A copy that also knows the categories of ``rows`` unseen in training."""
        extended = _FeatureCodec.__new__(_FeatureCodec)
        extended.features = self.features
        extended.dtypes = self.dtypes
        extended.fill = self.fill
        extended.categorical = {}
        for column, values in self.categorical.items():
            known = set(values)
            extra = [v for v in _category_values(rows[column]) if v not in known]
            extended.categorical[column] = values + extra
        return extended

    @property
    def categorical_positions(self) -> list[int]:
        return [i for i, column in enumerate(self.features) if column in self.categorical]

    @property
    def categorical_names(self) -> dict[int, list[str]]:
        return {
            i: [_value_name(value) for value in self.categorical[column]]
            for i, column in enumerate(self.features)
            if column in self.categorical
        }

    def encode(self, X: pd.DataFrame) -> np.ndarray:
        absent = [column for column in self.features if column not in X.columns]
        if absent:
            raise ModelError(LIME_ROW_ERROR.format(columns=absent))
        encoded = np.empty((len(X), len(self.features)), dtype=float)
        for i, column in enumerate(self.features):
            if column in self.categorical:
                values = self.categorical[column]
                codes = {value: code for code, value in enumerate(values)}
                keys = [_category_key(value) for value in X[column].tolist()]
                unseen = [key for key in keys if key not in codes]
                if unseen:
                    raise ModelError(
                        LIME_ROW_ERROR.format(columns=[f"{column} = {unseen[0]!r}"])
                        + " This value was not seen in training."
                    )
                encoded[:, i] = [codes[key] for key in keys]
            else:
                numbers = pd.to_numeric(X[column], errors="coerce").to_numpy(dtype=float)
                encoded[:, i] = np.where(np.isnan(numbers), self.fill[column], numbers)
        return encoded

    def decode(self, encoded: np.ndarray) -> pd.DataFrame:
        columns: dict[str, pd.Series] = {}
        for i, column in enumerate(self.features):
            dtype = self.dtypes[column]
            if column in self.categorical:
                values = np.empty(len(self.categorical[column]), dtype=object)
                values[:] = [None if v is _MISSING else v for v in self.categorical[column]]
                codes = np.rint(encoded[:, i]).astype(np.intp)
                columns[column] = pd.Series(values[codes], dtype=object).astype(dtype)
            else:
                numbers = encoded[:, i].astype(float)
                if pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
                    columns[column] = pd.Series(np.rint(numbers)).astype(dtype)
                else:
                    columns[column] = pd.Series(numbers).astype(dtype)
        return pd.DataFrame(columns)


class _Missing:
    """The category of missing values (a singleton, so that it sorts and hashes)."""

    def __repr__(self) -> str:
        return MISSING_CATEGORY


_MISSING = _Missing()


def _category_key(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return _MISSING
    if isinstance(value, np.generic):
        return value.item()
    return value


def _category_values(column: pd.Series) -> list[Any]:
    present = [_category_key(v) for v in pd.unique(column.dropna())]
    ordered = sorted(set(present), key=lambda value: (type(value).__name__, str(value)))
    return ordered + ([_MISSING] if column.isna().any() else [])


def _value_name(value: Any) -> str:
    return MISSING_CATEGORY if value is _MISSING else str(value)


def _format_number(value: float) -> str:
    return f"{value:.4g}"


class _QuartileDiscretizer(QuartileDiscretizer):
    """LIME's quartile discretizer with readable bin names and a fix for one-value bins.

    LIME 0.2 samples a value inside a bin from a truncated normal, but for a bin holding a
    single value (a quartile edge that is also the minimum, common for counts) it returns
    the standardised edge (0) instead of the value; here such bins return their value.
    """

    def __init__(self, data: np.ndarray, categorical_features: list[int], **kwargs: Any):
        super().__init__(data, categorical_features, **kwargs)
        for feature, names in self.names.items():
            edges = [_format_number(edge) for edge in self.maxs[feature][:-1]]
            name = kwargs["feature_names"][feature]
            renamed = [f"{name} <= {edges[0]}"]
            renamed += [f"{low} < {name} <= {high}" for low, high in itertools.pairwise(edges)]
            renamed.append(f"{name} > {edges[-1]}")
            names[:] = renamed

    def get_undiscretize_values(self, feature: int, values: np.ndarray) -> np.ndarray:
        mins = np.array(self.mins[feature])[values]
        maxs = np.array(self.maxs[feature])[values]
        means = np.array(self.means[feature])[values]
        stds = np.array(self.stds[feature])[values]
        low = (mins - means) / stds
        high = (maxs - means) / stds
        sampled = np.array(means, dtype=float)
        spread = low != high
        sampled[spread] = scipy.stats.truncnorm.rvs(
            low[spread],
            high[spread],
            loc=means[spread],
            scale=stds[spread],
            random_state=self.random_state,
        )
        return sampled


# ---------------------------------------------------------------------- explainer
class LimeExplainer:
    """LIME's tabular explainer prepared for a table of user features.

    Parameters
    ----------
    X_train : pandas.DataFrame
        The training features, as the model takes them. LIME's sampling statistics come
        from at most :data:`MAX_LIME_TRAINING_ROWS` of them (drawn with seed 0).
    roles : mapping of str to str
        The role of each column (see :func:`fairlab.data.infer_column_roles`): ``numeric``
        columns are discretised into quartiles, ``categorical`` and ``boolean`` ones are
        label-encoded and declared categorical.

    Raises
    ------
    ModelError
        If there are no columns, a column has no role, or a role LIME cannot explain
        (dates, free text, identifiers, constants).
    """

    def __init__(self, X_train: pd.DataFrame, *, roles: Mapping[str, str]) -> None:
        self._codec = _FeatureCodec(X_train, roles=roles)
        rows = X_train
        if len(rows) > MAX_LIME_TRAINING_ROWS:
            rows = rows.sample(n=MAX_LIME_TRAINING_ROWS, random_state=0)
        self._training = self._codec.encode(rows)

    @property
    def features(self) -> tuple[str, ...]:
        """The user features, in the order LIME sees them."""
        return tuple(self._codec.features)

    def encode(self, X: pd.DataFrame) -> np.ndarray:
        """Encode rows as LIME sees them: category codes and numbers.

        Parameters
        ----------
        X : pandas.DataFrame
            Rows with the training columns.

        Returns
        -------
        numpy.ndarray of float, shape (n_rows, n_features)

        Raises
        ------
        ModelError
            If a column is absent, or holds a category not seen in training.
        """
        return self._codec.encode(X)

    def decode(self, encoded: np.ndarray) -> pd.DataFrame:
        """Decode LIME's rows into the model's raw columns, with the training dtypes.

        Category codes become their values (the missing category a missing value);
        numbers of whole-number columns are rounded.

        Parameters
        ----------
        encoded : numpy.ndarray, shape (n_rows, n_features)

        Returns
        -------
        pandas.DataFrame
        """
        return self._codec.decode(np.atleast_2d(encoded))

    def explain(
        self,
        model: FittedModel,
        row: pd.Series,
        *,
        num_features: int = 10,
        num_samples: int = 5000,
        random_state: int = 0,
        max_seconds: float | None = None,
        kernel_width: float | None = None,
    ) -> LimeResult:
        """Explain the model's probability of the positive outcome for one row.

        Parameters
        ----------
        model : TrainedModel or LoadedModel
            A model that gives probabilities.
        row : pandas.Series
            The row, indexed by feature name (such as ``X.iloc[i]``).
        num_features : int, default 10
            At most this many features get a weight.
        num_samples : int, default 5000
            How many rows LIME samples around the row.
        random_state : int, default 0
            The seed of LIME's sampling.
        max_seconds : float, optional
            A time budget: fewer samples are drawn if :func:`estimate_lime_seconds` expects
            ``num_samples`` to take longer (never fewer than :data:`MIN_LIME_SAMPLES`).
        kernel_width : float, optional
            The width of LIME's proximity kernel; default LIME's, 0.75 × √features.
            Narrower fits the local model closer to the row.

        Returns
        -------
        LimeResult

        Raises
        ------
        ModelError
            If the row lacks a feature, or the model gives no probabilities.
        ValueError
            If a parameter is out of range.
        """
        _check_int("num_features", num_features, low=1)
        _check_int("num_samples", num_samples, low=2)
        _check_int("random_state", random_state, low=0)
        width = _kernel_width(kernel_width, len(self._codec.features))
        asked = num_samples
        num_samples = _samples_within(model, num_samples, max_seconds)
        frame = self._row_frame(row)
        codec = self._codec.with_values_of(frame)
        instance = codec.encode(frame)[0]

        def predict_fn(samples: np.ndarray) -> np.ndarray:
            # LIME's first sample is the row itself: the model sees the row as given (a
            # missing number stays missing), and answers for it and the samples in one call.
            rows = pd.concat([frame, codec.decode(samples[1:])], ignore_index=True)
            positive = _positive_probability(model, rows)
            return np.column_stack([1.0 - positive, positive])

        categorical = codec.categorical_positions
        discretizer = _QuartileDiscretizer(
            self._training,
            categorical,
            feature_names=list(codec.features),
            random_state=random_state,
        )
        explainer = LimeTabularExplainer(
            self._training,
            mode="classification",
            feature_names=list(codec.features),
            categorical_features=categorical,
            categorical_names=codec.categorical_names,
            discretize_continuous=True,
            discretizer=discretizer,
            kernel_width=width,
            random_state=random_state,
        )
        explanation = explainer.explain_instance(
            instance,
            predict_fn,
            labels=(1,),
            num_features=min(num_features, len(codec.features)),
            num_samples=num_samples,
        )
        pairs = explanation.local_exp[1]
        weights = pd.Series(
            [float(weight) for _, weight in pairs],
            index=pd.Index([codec.features[i] for i, _ in pairs], dtype=object),
            name="weight",
            dtype=float,
        )
        local = float(np.ravel(explanation.local_pred)[0])
        own = float(explanation.predict_proba[1])
        score = float(explanation.score)
        faithful = _faithful(abs(local - own), score)
        return LimeResult(
            weights=weights,
            conditions=_conditions(codec, discretizer, instance),
            intercept=float(explanation.intercept[1]),
            local_prediction=local,
            model_prediction=own,
            score=score,
            num_samples=num_samples,
            random_state=random_state,
            capped_by_time=num_samples < asked,
            kernel_width=width,
            fidelity_gap=abs(local - own),
            is_faithful=faithful,
            fidelity_advice=_fidelity_advice(abs(local - own), score, width, num_samples),
        )

    def _row_frame(self, row: pd.Series) -> pd.DataFrame:
        absent = [column for column in self._codec.features if column not in row.index]
        if absent:
            raise ModelError(LIME_ROW_ERROR.format(columns=absent))
        frame = pd.DataFrame({column: [row[column]] for column in self._codec.features})
        for column, dtype in self._codec.dtypes.items():
            frame[column] = frame[column].astype(dtype)
        return frame


def _kernel_width(value: Any, n_features: int) -> float:
    if value is None:
        return float(np.sqrt(n_features) * 0.75)
    _check_positive_or_none("kernel_width", value)
    return float(value)


def _faithful(gap: float, score: float) -> bool:
    return gap <= MAX_FIDELITY_GAP and score >= MIN_LOCAL_R2


def _fidelity_advice(gap: float, score: float, width: float, num_samples: int) -> str:
    said = (
        f"LIME's local model predicts {gap:.3f} away from the model's probability for this "
        f"row, with weighted R² {score:.2f} on its neighbourhood"
    )
    if _faithful(gap, score):
        return f"{said}: faithful enough to read (gap at most {MAX_FIDELITY_GAP:g})."
    return (
        f"{said}: not faithful (wanted a gap of at most {MAX_FIDELITY_GAP:g} and R² of at "
        f"least {MIN_LOCAL_R2:g}), so its weights may not describe the model here. Try a "
        f"narrower kernel width ({width * KERNEL_WIDTH_SHRINK:.2f} instead of {width:.2f}) "
        f"or more samples ({num_samples * SAMPLES_GROWTH:,})."
    )


def _conditions(
    codec: _FeatureCodec, discretizer: _QuartileDiscretizer, instance: np.ndarray
) -> dict[str, str]:
    bins = discretizer.discretize(instance)
    conditions = {}
    for i, column in enumerate(codec.features):
        if column in codec.categorical:
            value = codec.categorical[column][int(instance[i])]
            conditions[column] = f"{column} = {_value_name(value)}"
        else:
            conditions[column] = discretizer.names[i][int(bins[i])]
    return conditions


def _positive_probability(model: FittedModel, X: pd.DataFrame) -> np.ndarray:
    _, score = predict(model, X)
    if score is None:
        raise ModelError(LIME_NO_PROBABILITY_ERROR)
    return np.asarray(score, dtype=float)


def _check_int(name: str, value: Any, *, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(
            LIME_PARAM_ERROR.format(param=name, expected=f"an int >= {low}", value=value)
        )


def _check_seconds(value: Any) -> None:
    _check_positive_or_none("max_seconds", value)


def _check_positive_or_none(name: str, value: Any) -> None:
    if value is None:
        return
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ValueError(
            LIME_PARAM_ERROR.format(param=name, expected="a positive number or None", value=value)
        )


def _samples_within(model: FittedModel, num_samples: int, max_seconds: float | None) -> int:
    _check_seconds(max_seconds)
    if max_seconds is None:
        return num_samples
    affordable = int(max_seconds // estimate_lime_seconds(model, 1))
    return min(num_samples, max(MIN_LIME_SAMPLES, affordable))


def estimate_lime_seconds(model: FittedModel, num_samples: int) -> float:
    """Estimate the wall time of one LIME explanation, without running anything.

    Parameters
    ----------
    model : TrainedModel or LoadedModel
        The model explained.
    num_samples : int
        How many rows LIME would sample.

    Returns
    -------
    float
        A rough estimate in seconds on a 2-core machine: LIME's own work and a typical
        model's predictions, plus a k-nearest-neighbours model's search through its
        training rows.
    """
    per_sample = _LIME_SECONDS_PER_SAMPLE
    estimator = model.pipeline
    if isinstance(estimator, Pipeline):
        estimator = estimator.steps[-1][1]
    if isinstance(estimator, KNeighborsClassifier) and hasattr(estimator, "n_samples_fit_"):
        per_sample += _KNN_SECONDS_PER_SAMPLE_PER_TRAINING_ROW * estimator.n_samples_fit_
    return float(per_sample * num_samples)


# ---------------------------------------------------------------------- functions
def explain_lime(
    model: FittedModel,
    X_train: pd.DataFrame,
    row: pd.Series,
    *,
    roles: Mapping[str, str],
    num_features: int = 10,
    num_samples: int = 5000,
    random_state: int = 0,
    max_seconds: float | None = None,
) -> LimeResult:
    """Explain one row with LIME, in the user's features.

    A shortcut for ``LimeExplainer(X_train, roles=roles).explain(model, row, ...)``; build
    the :class:`LimeExplainer` once to explain many rows.

    Parameters
    ----------
    model : TrainedModel or LoadedModel
        A model that gives probabilities.
    X_train : pandas.DataFrame
        The training features (LIME's sampling statistics come from them).
    row : pandas.Series
        The row to explain, indexed by feature name.
    roles : mapping of str to str
        The role of each feature column.
    num_features : int, default 10
        At most this many features get a weight.
    num_samples : int, default 5000
        How many rows LIME samples around the row.
    random_state : int, default 0
        The seed of LIME's sampling.
    max_seconds : float, optional
        A time budget (see :meth:`LimeExplainer.explain`).

    Returns
    -------
    LimeResult

    Raises
    ------
    ModelError
        If a feature has no role or one LIME cannot explain, the row lacks a feature, or
        the model gives no probabilities.
    ValueError
        If a parameter is out of range.
    """
    explainer = LimeExplainer(X_train, roles=roles)
    return explainer.explain(
        model,
        row,
        num_features=num_features,
        num_samples=num_samples,
        random_state=random_state,
        max_seconds=max_seconds,
    )


def lime_stability(
    model: FittedModel,
    X_train: pd.DataFrame,
    row: pd.Series,
    *,
    roles: Mapping[str, str],
    seeds: int = STABILITY_SEEDS,
    top_k: int = 5,
    num_features: int = 10,
    num_samples: int = 5000,
    random_state: int = 0,
    max_seconds: float | None = None,
    kernel_width: float | None = None,
) -> LimeStability:
    """Re-run LIME on one row with several seeds and measure how much it changes.

    Parameters
    ----------
    model : TrainedModel or LoadedModel
        A model that gives probabilities.
    X_train : pandas.DataFrame
        The training features.
    row : pandas.Series
        The row to explain, indexed by feature name.
    roles : mapping of str to str
        The role of each feature column.
    seeds : int, default :data:`STABILITY_SEEDS`
        How many runs; their seeds are ``random_state, random_state + 1, ...``.
    top_k : int, default 5
        How many top features (by absolute weight) are compared between runs.
    num_features : int, default 10
        At most this many features get a weight in each run (at least ``top_k``).
    num_samples : int, default 5000
        How many rows LIME samples in each run.
    random_state : int, default 0
        The first seed.
    max_seconds : float, optional
        A time budget for all the runs together: each run gets ``max_seconds / seeds``
        (see :meth:`LimeExplainer.explain`), and the badge is measured at the number of
        samples that fits.
    kernel_width : float, optional
        As for :meth:`LimeExplainer.explain`.

    Returns
    -------
    LimeStability

    Raises
    ------
    ModelError
        As :func:`explain_lime`.
    ValueError
        If ``seeds`` < 2, ``top_k`` < 1, ``num_features`` < ``top_k``, or ``max_seconds``
        is not a positive number.

    Notes
    -----
    The Jaccard index of two top-k sets is the size of their intersection over the size
    of their union; the badge reports its mean over all pairs of seeds. With ``top_k=5``,
    two runs sharing all five features score 1 and sharing four score 4/6, so a mean of at
    least :data:`STABILITY_THRESHOLD` (0.8) needs most pairs of runs to agree on the whole
    top five. Otherwise :attr:`LimeStability.suggested_num_samples` is
    :data:`SAMPLES_GROWTH` times ``num_samples``.
    """
    _check_int("seeds", seeds, low=2)
    _check_int("top_k", top_k, low=1)
    _check_int("num_features", num_features, low=top_k)
    _check_int("num_samples", num_samples, low=2)
    _check_seconds(max_seconds)
    asked = num_samples
    if max_seconds is not None:
        num_samples = _samples_within(model, num_samples, max_seconds / seeds)
    explainer = LimeExplainer(X_train, roles=roles)
    seed_list = tuple(range(random_state, random_state + seeds))
    runs = [
        explainer.explain(
            model,
            row,
            num_features=num_features,
            num_samples=num_samples,
            random_state=seed,
            kernel_width=kernel_width,
        )
        for seed in seed_list
    ]
    top_features = tuple(top_k_features(run.weights, top_k) for run in runs)
    pairs = [
        _jaccard(set(first), set(second))
        for first, second in itertools.combinations(top_features, 2)
    ]
    weights = pd.DataFrame({seed: run.weights for seed, run in zip(seed_list, runs, strict=True)})
    weights = weights.fillna(0.0)
    summary = pd.DataFrame(
        {
            "mean": weights.mean(axis=1),
            "std": weights.std(axis=1, ddof=0),
            "top_k_share": [
                sum(feature in top for top in top_features) / seeds for feature in weights.index
            ],
        },
        index=weights.index,
    )
    summary = summary.iloc[np.argsort(-summary["mean"].abs().to_numpy(), kind="stable")]
    jaccard = float(np.mean(pairs))
    spread = _jackknife_error(top_features)
    if jaccard - STABILITY_MARGIN_ERRORS * spread >= STABILITY_THRESHOLD:
        badge = "stable"
    elif jaccard + STABILITY_MARGIN_ERRORS * spread < STABILITY_THRESHOLD:
        badge = "unstable"
    else:
        badge = "undecided"
    is_stable = badge == "stable"
    gap = float(np.mean([run.fidelity_gap for run in runs]))
    score = float(np.mean([run.score for run in runs]))
    faithful = _faithful(gap, score)
    width = runs[0].kernel_width
    advice = []
    if not is_stable:
        advice.append(
            f"{badge.capitalize()}: raise the number of samples to "
            f"{num_samples * SAMPLES_GROWTH:,} "
            "(LIME's sampling noise halves with four times as many)."
        )
    if not faithful:
        said = _fidelity_advice(gap, score, width, num_samples)
        advice.append(said.replace("for this row", "for this row, on average over the seeds,"))
    return LimeStability(
        jaccard=jaccard,
        min_jaccard=float(np.min(pairs)),
        weights=summary,
        top_features=top_features,
        seeds=seed_list,
        top_k=top_k,
        num_samples=num_samples,
        is_stable=is_stable,
        verdict="stable" if is_stable else f"{badge}: raise the number of samples",
        suggested_num_samples=None if is_stable else num_samples * SAMPLES_GROWTH,
        capped_by_time=num_samples < asked,
        mean_fidelity_gap=gap,
        mean_score=score,
        is_faithful=faithful,
        criterion=(
            f"{seeds} runs of LIME (seeds {seed_list[0]} to {seed_list[-1]}), "
            f"{num_samples:,} samples each. The top-{top_k} features of two runs overlap by "
            f"their Jaccard index; stable when the mean over the {len(pairs)} pairs is at "
            f"least {STABILITY_THRESHOLD:g} by more than one standard error (jackknife over "
            "the seeds), unstable when below it by as much, undecided in between."
        ),
        advice=" ".join(advice),
        badge=badge,
        jaccard_error=spread,
    )


def _jackknife_error(top_features: tuple[tuple[str, ...], ...]) -> float:
    # Leave one seed out, recompute the mean pairwise Jaccard, and spread those means.
    n = len(top_features)
    if n < 3:
        return 0.0
    sets = [set(top) for top in top_features]
    pair = np.ones((n, n))
    for i, j in itertools.combinations(range(n), 2):
        pair[i, j] = pair[j, i] = _jaccard(sets[i], sets[j])
    means = []
    for left_out in range(n):
        kept = [i for i in range(n) if i != left_out]
        means.append(np.mean([pair[i, j] for i, j in itertools.combinations(kept, 2)]))
    means_array = np.asarray(means)
    return float(np.sqrt((n - 1) / n * np.sum((means_array - means_array.mean()) ** 2)))


def _jaccard(first: set[str], second: set[str]) -> float:
    union = first | second
    return 1.0 if not union else len(first & second) / len(union)
