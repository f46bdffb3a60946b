"""The model zoo: classic scikit-learn classifiers in Pipelines, trained in one call.

Each model of :data:`MODEL_NAMES` has a :class:`ModelSpec`: a title, a description in plain
words and a short list of hyperparameters (:class:`ParamSpec`) from which the app draws a
small form. A :class:`ModelConfig` is the user's choice — a model name, its hyperparameters
and a seed — frozen, hashable (it keys caches) and saved as JSON, never pickle.

:func:`build_pipeline` turns a config into an unfitted :class:`~sklearn.pipeline.Pipeline`:
a :class:`~sklearn.compose.ColumnTransformer` prepares each feature by its column role
(see :func:`fairlab.data.infer_column_roles`) and the classifier follows. Numbers have
their gaps filled with the median (and are standardised for the models that compare
distances or weigh coefficients); categories and yes/no columns have gaps filled with
their most frequent value and are one-hot encoded, rare categories pooled (histogram
gradient boosting takes ordinal codes instead, and routes gaps natively). Dates, free
text, identifiers and constant columns are refused: no model can use them as they are.

:func:`train_model` fits a fresh pipeline on training rows and returns a
:class:`TrainedModel`; :func:`predict` returns 0/1 predictions and the probability of the
positive outcome, for a trained model and for one loaded with :mod:`fairlab.model_io`.
"""

from __future__ import annotations

import math
import numbers
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol, get_args

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier
from threadpoolctl import threadpool_limits

from fairlab.audit_data import AuditData
from fairlab.errors import ModelError
from fairlab.labels import Label, canonical_label, positive_mask
from fairlab.split import MAX_RANDOM_STATE, RANDOM_STATE_ERROR

__all__ = [
    "MODEL_NAMES",
    "MODEL_SPECS",
    "ParamKind",
    "ParamSpec",
    "ModelSpec",
    "ModelConfig",
    "TrainedModel",
    "FittedModel",
    "model_spec",
    "build_pipeline",
    "train_model",
    "thread_limit",
    "DEFAULT_FIT_THREADS",
    "THREADS_ERROR",
    "predict",
    "MIN_CATEGORY_ROWS",
    "MAX_CATEGORIES",
    "UNKNOWN_MODEL_ERROR",
    "UNKNOWN_PARAM_ERROR",
    "DUPLICATE_PARAM_ERROR",
    "PARAM_ERROR",
    "CONFIG_JSON_ERROR",
    "NO_FEATURES_ERROR",
    "NO_ROLE_ERROR",
    "UNKNOWN_ROLE_ERROR",
    "FEATURE_ROLE_ERROR",
    "ONE_CLASS_TRAIN_ERROR",
    "TOO_FEW_ROWS_FOR_MODEL_ERROR",
    "MISSING_COLUMNS_ERROR",
    "FEATURE_COUNT_ERROR",
]

ParamKind = Literal["int", "float", "choice"]
ModelName = Literal[
    "logistic_regression",
    "decision_tree",
    "random_forest",
    "hist_gradient_boosting",
    "knn",
    "naive_bayes",
    "linear_svm",
]
MODEL_NAMES: tuple[str, ...] = get_args(ModelName)
"""The models of the zoo, in the order the app lists them."""

MIN_CATEGORY_ROWS = 5
"""A category seen in fewer training rows than this is pooled with the other rare ones."""
MAX_CATEGORIES = 50
"""At most this many encoded categories per column (rare ones pooled beyond it)."""
_SCALED_MODELS = frozenset({"logistic_regression", "knn", "linear_svm"})
# GaussianNB needs dense input; kNN's brute-force search runs about twice as fast on dense
# rows as on sparse ones (measured on Adult: 11 s against 21 s for the test split).
_DENSE_MODELS = frozenset({"naive_bayes", "knn"})
_CALIBRATION_FOLDS = 3
_NUMERIC_ROLES = frozenset({"numeric"})
_CATEGORICAL_ROLES = frozenset({"categorical", "boolean"})
_REFUSED_ROLES: dict[str, tuple[str, str]] = {
    "datetime": (
        "a date column",
        ", or add numbers derived from it (such as the year or the month) to the data",
    ),
    "text": ("free text", ""),
    "identifier": ("an identifier", ": a model that learns identifiers learns nothing general"),
    "constant": ("constant (it carries no information)", ""),
}
_KNOWN_ROLES = tuple(sorted(_NUMERIC_ROLES | _CATEGORICAL_ROLES | set(_REFUSED_ROLES)))

UNKNOWN_MODEL_ERROR = "The 'name' parameter must be one of {names}. Got {value!r} instead."
UNKNOWN_PARAM_ERROR = "The model '{model}' has no parameter {param!r}. Choose among {names}."
DUPLICATE_PARAM_ERROR = "The parameter '{param}' of '{model}' is given more than once."
PARAM_ERROR = "The '{param}' parameter of '{model}' must be {expected}. Got {value!r} instead."
CONFIG_JSON_ERROR = (
    "The saved model configuration could not be read: {reason}. Choose a configuration "
    "saved by FairLab."
)
NO_FEATURES_ERROR = (
    "No feature columns are chosen, so there is nothing to train a model on. Choose "
    "features in the audit spec."
)
NO_ROLE_ERROR = (
    "The role of feature(s) {columns} is not known. Pass a role for every feature (see "
    "fairlab.data.infer_column_roles)."
)
UNKNOWN_ROLE_ERROR = "The role of feature '{column}' must be one of {roles}. Got {role!r} instead."
FEATURE_ROLE_ERROR = (
    "Feature '{column}' is {what}, which a model cannot use as it is. Remove it from the "
    "features{advice}."
)
ONE_CLASS_TRAIN_ERROR = (
    "The training rows hold only {outcome} outcomes, so a model cannot learn to tell "
    "outcomes apart. Use more data, or split it again with another seed."
)
TOO_FEW_ROWS_FOR_MODEL_ERROR = "{title} needs {needed}, but the training set has {have}. {advice}"
MISSING_COLUMNS_ERROR = (
    "The data lacks column(s) the model was trained on: {columns}. Choose data that has "
    "them, or a model trained on these features."
)
FEATURE_COUNT_ERROR = (
    "The model expects {expected} feature columns but the data has {got}. Choose the "
    "features the model was trained on, in the same order."
)


# ---------------------------------------------------------------------- specs
@dataclass(frozen=True)
class ParamSpec:
    """One hyperparameter of a zoo model, as a form field.

    Attributes
    ----------
    name : str
        The scikit-learn parameter name, such as ``"max_depth"``.
    label : str
        A short label for the form.
    kind : {"int", "float", "choice"}
        The kind of value: a whole number, a number, or one of ``choices``.
    default : object
        The value used when none is given.
    low, high : float or None
        Inclusive bounds for ``int`` and ``float`` parameters.
    choices : tuple
        The allowed values of a ``choice`` parameter.
    help : str
        One plain sentence on what the parameter does.
    none_label : str or None
        If set, ``None`` is allowed too and shown with this label (e.g. "no limit").
    log_scale : bool
        Whether a slider for the value should move on a log scale.
    """

    name: str
    label: str
    kind: ParamKind
    default: Any
    low: float | None = None
    high: float | None = None
    choices: tuple[Any, ...] = ()
    help: str = ""
    none_label: str | None = None
    log_scale: bool = False

    def expected(self) -> str:
        """Describe the allowed values, as in "an int in [1, 64] or None"."""
        if self.kind == "choice":
            text = f"one of {list(self.choices)}"
        else:
            article = "an" if self.kind == "int" else "a"
            text = f"{article} {self.kind} in [{self.low:g}, {self.high:g}]"
        return text + (" or None" if self.none_label is not None else "")

    def coerce(self, value: Any, *, model: str) -> Any:
        """Check ``value`` and return it in canonical form (int, float or a choice).

        Raises
        ------
        ModelError
            If the value is not allowed.
        """
        if value is None and self.none_label is not None:
            return None
        if self.kind == "choice":
            if isinstance(value, Iterable) and not isinstance(value, str):
                raise self._error(value, model)
            for choice in self.choices:
                if value == choice and type(value) is type(choice):
                    return choice
            raise self._error(value, model)
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise self._error(value, model)
        number = float(value)
        if not math.isfinite(number) or not self.low <= number <= self.high:
            raise self._error(value, model)
        if self.kind == "int":
            if not number.is_integer():
                raise self._error(value, model)
            return int(number)
        return number

    def _error(self, value: Any, model: str) -> ModelError:
        return ModelError(
            PARAM_ERROR.format(param=self.name, model=model, expected=self.expected(), value=value)
        )


@dataclass(frozen=True)
class ModelSpec:
    """A model of the zoo, as the app presents it.

    Attributes
    ----------
    name : str
        One of :data:`MODEL_NAMES`.
    title : str
        Its human-readable name.
    description : str
        What it does, in plain words, and what it is good for.
    params : tuple of ParamSpec
        The hyperparameters a user may set.
    """

    name: str
    title: str
    description: str
    params: tuple[ParamSpec, ...]

    def param(self, name: str) -> ParamSpec:
        """Return the parameter called ``name``.

        Raises
        ------
        ModelError
            If the model has no such parameter.
        """
        for spec in self.params:
            if spec.name == name:
                return spec
        raise ModelError(
            UNKNOWN_PARAM_ERROR.format(
                model=self.name, param=name, names=[p.name for p in self.params]
            )
        )


def _c_param(default: float = 1.0) -> ParamSpec:
    return ParamSpec(
        name="C",
        label="Inverse regularisation strength (C)",
        kind="float",
        default=default,
        low=1e-4,
        high=1e4,
        help="Smaller values keep the weights small and the model simple; larger values "
        "fit the training rows more closely.",
        log_scale=True,
    )


def _max_depth_param(default: int | None, high: int) -> ParamSpec:
    return ParamSpec(
        name="max_depth",
        label="Maximum depth",
        kind="int",
        default=default,
        low=1,
        high=high,
        help="How many questions a tree may ask in a row. Shallow trees are easier to "
        "explain and faster to compute explanations for; deep trees fit more detail.",
        none_label="no limit",
    )


_SPECS: tuple[ModelSpec, ...] = (
    ModelSpec(
        name="logistic_regression",
        title="Logistic regression",
        description="Adds up one weight per feature and turns the sum into a probability. "
        "Simple, fast and easy to explain; it misses interactions between features unless "
        "they are in the data.",
        params=(_c_param(),),
    ),
    ModelSpec(
        name="decision_tree",
        title="Decision tree",
        description="Asks a series of yes/no questions about the features, like a "
        "flowchart. A shallow tree can be read in full; a deep one fits the training rows "
        "closely and may not generalise.",
        params=(
            _max_depth_param(5, 32),
            ParamSpec(
                name="min_samples_leaf",
                label="Minimum rows per leaf",
                kind="int",
                default=5,
                low=1,
                high=1000,
                help="Each final answer must rest on at least this many training rows; "
                "larger values give smoother, more reliable probabilities.",
            ),
        ),
    ),
    ModelSpec(
        name="random_forest",
        title="Random forest",
        description="Averages many decision trees, each trained on a random sample of rows "
        "and features. Accurate with little tuning; explaining it takes longer as its trees "
        "grow deeper.",
        params=(
            ParamSpec(
                name="n_estimators",
                label="Number of trees",
                kind="int",
                default=100,
                low=10,
                high=1000,
                help="More trees give steadier predictions but take longer to train and explain.",
            ),
            _max_depth_param(8, 64),
        ),
    ),
    ModelSpec(
        name="hist_gradient_boosting",
        title="Histogram gradient boosting",
        description="Builds small trees one after another, each correcting the errors of "
        "the ones before. Often the most accurate here, and fast on large data.",
        params=(
            ParamSpec(
                name="max_iter",
                label="Boosting rounds",
                kind="int",
                default=100,
                low=10,
                high=1000,
                help="How many trees are added in turn; more rounds fit more detail.",
            ),
            _max_depth_param(6, 32),
            ParamSpec(
                name="learning_rate",
                label="Learning rate",
                kind="float",
                default=0.1,
                low=0.001,
                high=1.0,
                help="How much each new tree corrects the previous ones; smaller values "
                "learn more slowly and more carefully.",
                log_scale=True,
            ),
        ),
    ),
    ModelSpec(
        name="knn",
        title="k-nearest neighbours",
        description="Predicts from the outcomes of the most similar training rows. Needs "
        "no training, but predicting is slow on large data and it is sensitive to how "
        "features are scaled.",
        params=(
            ParamSpec(
                name="n_neighbors",
                label="Neighbours (k)",
                kind="int",
                default=15,
                low=1,
                high=200,
                help="How many similar rows vote; more neighbours give smoother probabilities.",
            ),
            ParamSpec(
                name="weights",
                label="Vote weights",
                kind="choice",
                default="uniform",
                choices=("uniform", "distance"),
                help="'uniform' gives each neighbour one vote; 'distance' lets closer "
                "neighbours count more.",
            ),
        ),
    ),
    ModelSpec(
        name="naive_bayes",
        title="Gaussian naive Bayes",
        description="Treats the features as independent clues and combines them with "
        "Bayes' rule. Very fast and a useful baseline; its probabilities are often "
        "over-confident.",
        params=(
            ParamSpec(
                name="var_smoothing",
                label="Variance smoothing",
                kind="float",
                default=1e-9,
                low=1e-12,
                high=1.0,
                help="A small amount added to every variance, for stability; larger "
                "values make the model less confident.",
                log_scale=True,
            ),
        ),
    ),
    ModelSpec(
        name="linear_svm",
        title="Linear support vector machine",
        description="Draws the straight boundary that best separates the outcomes, with the "
        "widest margin. Its scores are turned into probabilities by calibration on held-out "
        "folds of the training rows.",
        params=(
            _c_param(),
            ParamSpec(
                name="calibration",
                label="Calibration method",
                kind="choice",
                default="sigmoid",
                choices=("sigmoid", "isotonic"),
                help="'sigmoid' fits a smooth curve and suits small data; 'isotonic' is "
                "more flexible and needs more rows.",
            ),
        ),
    ),
)
MODEL_SPECS: Mapping[str, ModelSpec] = {spec.name: spec for spec in _SPECS}
"""Every zoo model's :class:`ModelSpec`, keyed by name, in display order."""


def model_spec(name: str) -> ModelSpec:
    """Return the :class:`ModelSpec` of a zoo model.

    Parameters
    ----------
    name : str
        One of :data:`MODEL_NAMES`.

    Returns
    -------
    ModelSpec

    Raises
    ------
    ModelError
        If ``name`` is not a zoo model.
    """
    if not isinstance(name, str) or name not in MODEL_SPECS:
        raise ModelError(UNKNOWN_MODEL_ERROR.format(names=list(MODEL_NAMES), value=name))
    return MODEL_SPECS[name]


# ---------------------------------------------------------------------- config
@dataclass(frozen=True)
class ModelConfig:
    """A zoo model with its hyperparameters and seed: what to train.

    The parameters are stored complete — every parameter of the model, defaults filled
    in, in the order of its :class:`ModelSpec` — so two configs that train the same model
    compare and hash equal, and a saved config keeps its values if defaults change.

    Parameters
    ----------
    name : str
        One of :data:`MODEL_NAMES`.
    params : tuple of (str, value) pairs or mapping, default ()
        Hyperparameters to set; the others keep their defaults.
    random_state : int, default 0
        Seed for every random step of training.

    Raises
    ------
    ModelError
        If the name, a parameter name or a value is not allowed.
    """

    name: str
    params: tuple[tuple[str, Any], ...] = ()
    random_state: int = 0

    def __post_init__(self) -> None:
        spec = model_spec(self.name)
        pairs = self.params.items() if isinstance(self.params, Mapping) else self.params
        given: dict[str, Any] = {}
        for pair in pairs:
            key, value = pair
            spec.param(key)
            if key in given:
                raise ModelError(DUPLICATE_PARAM_ERROR.format(param=key, model=self.name))
            given[key] = value
        params = tuple(
            (p.name, p.coerce(given.get(p.name, p.default), model=self.name)) for p in spec.params
        )
        object.__setattr__(self, "params", params)
        seed = self.random_state
        if (
            isinstance(seed, bool)
            or not isinstance(seed, numbers.Integral)
            or not 0 <= seed <= MAX_RANDOM_STATE
        ):
            raise ModelError(RANDOM_STATE_ERROR.format(high=MAX_RANDOM_STATE, value=seed))
        object.__setattr__(self, "random_state", int(seed))

    @property
    def spec(self) -> ModelSpec:
        """The model's :class:`ModelSpec`."""
        return MODEL_SPECS[self.name]

    @property
    def title(self) -> str:
        """The model's human-readable name."""
        return self.spec.title

    def param(self, name: str) -> Any:
        """Return the value of one hyperparameter."""
        self.spec.param(name)
        return dict(self.params)[name]

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict: ``{"name", "params": {...}, "random_state"}``."""
        return {"name": self.name, "params": dict(self.params), "random_state": self.random_state}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ModelConfig:
        """Build a config from :meth:`to_dict` output.

        Raises
        ------
        ModelError
            If keys are missing or unknown, or values are not allowed.
        """
        if not isinstance(data, Mapping):
            raise ModelError(CONFIG_JSON_ERROR.format(reason="the top level is not an object"))
        unknown = sorted(set(data) - {"name", "params", "random_state"})
        if unknown:
            raise ModelError(CONFIG_JSON_ERROR.format(reason=f"unknown keys {unknown}"))
        if "name" not in data:
            raise ModelError(CONFIG_JSON_ERROR.format(reason="the key 'name' is missing"))
        params = data.get("params", {})
        if not isinstance(params, Mapping):
            raise ModelError(CONFIG_JSON_ERROR.format(reason="'params' must be an object"))
        return cls(
            name=data["name"],
            params=tuple(params.items()),
            random_state=data.get("random_state", 0),
        )


# ---------------------------------------------------------------------- pipelines
def _estimator(config: ModelConfig) -> BaseEstimator:
    params = dict(config.params)
    seed = config.random_state
    builders: dict[str, Callable[[], BaseEstimator]] = {
        "logistic_regression": lambda: LogisticRegression(
            C=params["C"], max_iter=1000, random_state=seed
        ),
        "decision_tree": lambda: DecisionTreeClassifier(
            max_depth=params["max_depth"],
            min_samples_leaf=params["min_samples_leaf"],
            random_state=seed,
        ),
        "random_forest": lambda: RandomForestClassifier(
            n_estimators=params["n_estimators"], max_depth=params["max_depth"], random_state=seed
        ),
        "hist_gradient_boosting": lambda: HistGradientBoostingClassifier(
            max_iter=params["max_iter"],
            max_depth=params["max_depth"],
            learning_rate=params["learning_rate"],
            random_state=seed,
        ),
        "knn": lambda: KNeighborsClassifier(
            n_neighbors=params["n_neighbors"], weights=params["weights"]
        ),
        "naive_bayes": lambda: GaussianNB(var_smoothing=params["var_smoothing"]),
        "linear_svm": lambda: CalibratedClassifierCV(
            LinearSVC(C=params["C"], max_iter=5000, random_state=seed),
            method=params["calibration"],
            cv=_CALIBRATION_FOLDS,
        ),
    }
    return builders[config.name]()


def _categorical_encoder(config: ModelConfig) -> BaseEstimator:
    if config.name == "hist_gradient_boosting":
        # Ordinal codes, with missing and unseen categories as NaN, which the trees route
        # natively. HGB's native categorical splits would need
        # `categorical_features=...`, and then the fitted model holds a
        # functools.partial that skops reports as an untrusted type: a user exporting
        # the model would be asked to trust a type that can wrap any function. Codes as
        # numbers stay compact (one column per feature, so explanations name features,
        # not categories), and boosted trees still isolate categories in a few splits.
        # Numbers go through the median imputer like every model's: it also turns
        # pandas' nullable Int64/Float64 (pd.NA) into floats, which passthrough cannot.
        return OrdinalEncoder(
            handle_unknown="use_encoded_value",
            unknown_value=np.nan,
            encoded_missing_value=np.nan,
            min_frequency=MIN_CATEGORY_ROWS,
            max_categories=MAX_CATEGORIES,
        )
    return Pipeline(
        [
            ("impute", SimpleImputer(strategy="most_frequent")),
            (
                "encode",
                OneHotEncoder(
                    handle_unknown="infrequent_if_exist",
                    min_frequency=MIN_CATEGORY_ROWS,
                    max_categories=MAX_CATEGORIES,
                    sparse_output=config.name not in _DENSE_MODELS,
                ),
            ),
        ]
    )


def build_pipeline(config: ModelConfig, *, roles: Mapping[str, str]) -> Pipeline:
    """Build the unfitted pipeline for a zoo model: preprocessing by role, then the model.

    Parameters
    ----------
    config : ModelConfig
        The model, its hyperparameters and seed.
    roles : mapping of str to str
        The feature columns, each with its role (see
        :func:`fairlab.data.infer_column_roles`), in the order the model sees them.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Steps ``"preprocess"`` (a ColumnTransformer with a ``"numeric"`` and a
        ``"categorical"`` part) and ``"model"``.

    Raises
    ------
    ModelError
        If there are no features, or a feature is a date, free text, an identifier,
        constant, or has an unknown role.
    """
    if not roles:
        raise ModelError(NO_FEATURES_ERROR)
    numeric: list[str] = []
    categorical: list[str] = []
    for column, role in roles.items():
        if role in _NUMERIC_ROLES:
            numeric.append(column)
        elif role in _CATEGORICAL_ROLES:
            categorical.append(column)
        elif role in _REFUSED_ROLES:
            what, advice = _REFUSED_ROLES[role]
            raise ModelError(FEATURE_ROLE_ERROR.format(column=column, what=what, advice=advice))
        else:
            raise ModelError(
                UNKNOWN_ROLE_ERROR.format(column=column, roles=list(_KNOWN_ROLES), role=role)
            )
    numeric_steps: list[tuple[str, BaseEstimator]] = [("impute", SimpleImputer(strategy="median"))]
    if config.name in _SCALED_MODELS:
        numeric_steps.append(("scale", StandardScaler()))
    transformers: list[tuple[str, BaseEstimator, list[str]]] = []
    if numeric:
        transformers.append(("numeric", Pipeline(numeric_steps), numeric))
    if categorical:
        transformers.append(("categorical", _categorical_encoder(config), categorical))
    preprocess = ColumnTransformer(
        transformers,
        remainder="drop",
        sparse_threshold=0.0 if config.name in _DENSE_MODELS else 0.3,
    )
    return Pipeline([("preprocess", preprocess), ("model", _estimator(config))])


# ---------------------------------------------------------------------- training
class FittedModel(Protocol):
    """What :func:`predict` needs of a model: a fitted estimator and how to read it."""

    @property
    def pipeline(self) -> Any:
        """A fitted estimator with ``predict`` (and possibly ``predict_proba``)."""

    @property
    def features(self) -> tuple[str, ...] | None:
        """The columns it takes, in order; None if it was fitted without names."""

    @property
    def positive_class(self) -> Label:
        """The class label that means the positive outcome."""


@dataclass(frozen=True, eq=False)
class TrainedModel:
    """A zoo model fitted on training rows.

    Attributes
    ----------
    config : ModelConfig
        What was trained.
    pipeline : sklearn.pipeline.Pipeline
        The fitted pipeline; shared, never refitted (clone it to train again).
    features : tuple of str
        The feature columns, in the order the pipeline takes them.
    fit_seconds : float
        Wall time of the fit.
    """

    config: ModelConfig
    pipeline: Pipeline
    features: tuple[str, ...]
    fit_seconds: float

    @property
    def positive_class(self) -> int:
        """Zoo models learn the 0/1 outcome; 1 is positive."""
        return 1

    @property
    def title(self) -> str:
        """The model's human-readable name."""
        return self.config.title


DEFAULT_FIT_THREADS = 1
"""BLAS / OpenMP threads one fit may use unless told otherwise.

OpenMP workers spin while they wait for each other, so a fit that starts one thread per
core on a machine whose cores are busy with other work slows down many times over
(``bench/bench_threads.py`` on a shared 2-core machine: histogram gradient boosting on
Adult 0.5-1.5 s with one thread, 23-37 s median with no limit). One thread per fit keeps
the time close to idle whatever else runs; callers that own several cores pass
``threads=`` to use them."""

THREADS_ERROR = (
    "The 'threads' parameter must be a positive integer or None. Got {value!r} instead."
)


def thread_limit(threads: int | None) -> Any:
    """A context manager holding BLAS and OpenMP to ``threads`` threads (None: no limit).

    Parameters
    ----------
    threads : int or None
        The largest number of threads; ``None`` leaves the libraries' own defaults.

    Returns
    -------
    threadpoolctl.threadpool_limits
        Use it in a ``with`` block.

    Raises
    ------
    ValueError
        If ``threads`` is not a positive integer or None.
    """
    if threads is not None and (
        isinstance(threads, bool) or not isinstance(threads, numbers.Integral) or threads < 1
    ):
        raise ValueError(THREADS_ERROR.format(value=threads))
    return threadpool_limits(limits=None if threads is None else int(threads))


def train_model(
    train: AuditData,
    config: ModelConfig,
    *,
    roles: Mapping[str, str],
    threads: int | None = DEFAULT_FIT_THREADS,
) -> TrainedModel:
    """Fit a fresh zoo pipeline on the training rows of an audit.

    Parameters
    ----------
    train : AuditData
        The training rows (from :meth:`fairlab.split.Split.train`). Its features are
        ``train.X``; its outcome ``train.y_true``.
    config : ModelConfig
        The model, its hyperparameters and seed.
    roles : mapping of str to str
        The role of each feature column (extra columns are ignored).
    threads : int or None, default :data:`DEFAULT_FIT_THREADS`
        The most BLAS / OpenMP threads the fit may use (a job's share of the cores);
        ``None`` leaves the libraries' defaults (one thread per core).

    Returns
    -------
    TrainedModel

    Raises
    ------
    ModelError
        If there are no features, a feature has no role or one no model can use, the
        training rows hold one outcome only, or there are too few rows for the model.
    """
    features = tuple(str(column) for column in train.X.columns)
    missing = [column for column in features if column not in roles]
    if features and missing:
        raise ModelError(NO_ROLE_ERROR.format(columns=missing))
    pipeline = clone(build_pipeline(config, roles={c: roles[c] for c in features}))
    y = np.asarray(train.y_true)
    counts = np.bincount(y.astype(np.intp), minlength=2)
    if (counts == 0).any():
        outcome = "negative" if counts[1] == 0 else "positive"
        raise ModelError(ONE_CLASS_TRAIN_ERROR.format(outcome=outcome))
    _check_enough_rows(config, n_rows=len(y), smallest_class=int(counts.min()))
    limit = thread_limit(threads)
    start = time.perf_counter()
    with limit:
        pipeline.fit(train.X, y)
    return TrainedModel(
        config=config,
        pipeline=pipeline,
        features=features,
        fit_seconds=time.perf_counter() - start,
    )


def _check_enough_rows(config: ModelConfig, *, n_rows: int, smallest_class: int) -> None:
    if config.name == "knn" and n_rows < config.param("n_neighbors"):
        k = config.param("n_neighbors")
        raise ModelError(
            TOO_FEW_ROWS_FOR_MODEL_ERROR.format(
                title=config.title,
                needed=f"at least {k} training rows (one per neighbour)",
                have=f"{n_rows}",
                advice="Choose fewer neighbours.",
            )
        )
    if config.name == "linear_svm" and smallest_class < _CALIBRATION_FOLDS:
        raise ModelError(
            TOO_FEW_ROWS_FOR_MODEL_ERROR.format(
                title=config.title,
                needed=f"at least {_CALIBRATION_FOLDS} training rows of each outcome to "
                "calibrate its probabilities",
                have=f"{smallest_class} of one outcome",
                advice="Use more data, or another model.",
            )
        )


# ---------------------------------------------------------------------- prediction
def predict(model: FittedModel, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray | None]:
    """Predict the outcome, and its probability when the model gives one.

    Parameters
    ----------
    model : TrainedModel or LoadedModel
        A zoo model from :func:`train_model`, or a model loaded with
        :func:`fairlab.model_io.load_skops`.
    X : pandas.DataFrame
        Rows to predict; must hold the model's feature columns (others are ignored).

    Returns
    -------
    y_pred : numpy.ndarray of int8
        1 where the positive outcome is predicted, else 0.
    y_score : numpy.ndarray of float or None
        The predicted probability of the positive outcome, or None if the model gives no
        probabilities.

    Raises
    ------
    ModelError
        If ``X`` lacks columns the model needs, or has the wrong number of columns for a
        model fitted without column names.

    Notes
    -----
    For a :class:`TrainedModel` the probabilities are computed once and the prediction is
    the more probable outcome (ties go to negative), which is exactly what the zoo
    pipelines' own ``predict`` returns. Other models are asked for ``predict`` and
    ``predict_proba`` separately, so their own decision rule is kept.
    """
    inputs = _model_inputs(model, X)
    estimator = model.pipeline
    if len(X) == 0:
        has_proba = hasattr(estimator, "predict_proba")
        return np.zeros(0, dtype=np.int8), (np.zeros(0) if has_proba else None)
    if isinstance(model, TrainedModel):
        proba = estimator.predict_proba(inputs)
        score = np.asarray(proba[:, 1], dtype=float)
        return (proba[:, 1] > proba[:, 0]).astype(np.int8), score
    labels = estimator.predict(inputs)
    y_pred = positive_mask(pd.Series(np.asarray(labels)), model.positive_class).astype(np.int8)
    classes = getattr(estimator, "classes_", None)
    if not hasattr(estimator, "predict_proba") or classes is None:
        return y_pred, None
    wanted = canonical_label(model.positive_class)
    column = [canonical_label(c) for c in np.asarray(classes).tolist()].index(wanted)
    proba = estimator.predict_proba(inputs)
    return y_pred, np.asarray(proba[:, column], dtype=float)


def _model_inputs(model: FittedModel, X: pd.DataFrame) -> pd.DataFrame | np.ndarray:
    if model.features is not None:
        missing = [column for column in model.features if column not in X.columns]
        if missing:
            raise ModelError(MISSING_COLUMNS_ERROR.format(columns=missing))
        return X.loc[:, list(model.features)]
    expected = getattr(model.pipeline, "n_features_in_", None)
    if expected is not None and expected != X.shape[1]:
        raise ModelError(FEATURE_COUNT_ERROR.format(expected=expected, got=X.shape[1]))
    return X.to_numpy()
