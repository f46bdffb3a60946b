"""Run one mitigation technique on a split: prepare once, then each technique on the result."""

from __future__ import annotations

import time
import warnings as warnings_module
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from fairlearn.postprocessing import ThresholdOptimizer
from fairlearn.preprocessing import CorrelationRemover
from fairlearn.reductions import (
    DemographicParity,
    EqualizedOdds,
    ErrorRateParity,
    ExponentiatedGradient,
    GridSearch,
    TruePositiveRateParity,
)
from pandas.errors import Pandas4Warning
from scipy import sparse
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import has_fit_parameter
from threadpoolctl import threadpool_limits

from fairlab.audit_data import AuditData
from fairlab.mitigation._estimators import (
    RowsEstimator,
    ScoreColumn,
    positive_probability,
    supports_warm_start,
)
from fairlab.mitigation._reject_option import RejectOptionClassifier
from fairlab.mitigation._reweighing import reweighing_weights
from fairlab.mitigation._techniques import (
    BASELINE,
    MitigationError,
    MitigationResult,
    TechniqueConfig,
)
from fairlab.models import ModelConfig, TrainedModel, train_model

__all__ = [
    "run_technique",
    "UNKNOWN_ATTRIBUTE_ERROR",
    "ONE_GROUP_ERROR",
    "NO_TEST_ROWS_ERROR",
    "BASELINE_MISMATCH_ERROR",
    "NO_SAMPLE_WEIGHT_ERROR",
    "TECHNIQUE_TYPE_ERROR",
    "GROUP_THRESHOLDS_MISSING_ERROR",
    "GROUP_THRESHOLDS_UNKNOWN_ERROR",
    "RANDOM_STATE_ERROR",
]

UNKNOWN_ATTRIBUTE_ERROR = (
    "'{attribute}' is not a sensitive attribute of this audit. Choose one of {attributes}."
)
ONE_GROUP_ERROR = (
    "The training rows hold only one group of '{attribute}' ({group!r}), so there is no "
    "disparity to mitigate. Choose another sensitive attribute, or use more data."
)
NO_TEST_ROWS_ERROR = "There are no test rows to compare techniques on. Split the data again."
BASELINE_MISMATCH_ERROR = (
    "The trained baseline is a {got}, but the comparison is for {expected}. Pass the "
    "baseline trained with the same configuration, or none."
)
NO_SAMPLE_WEIGHT_ERROR = (
    "{technique} trains the model on weighted rows, but {model} cannot take row weights. "
    "Choose another base model, or a post-processing technique."
)
TECHNIQUE_TYPE_ERROR = (
    "Each technique must be a TechniqueConfig, such as TechniqueConfig('reweighing'). Got "
    "{value!r} instead."
)
GROUP_THRESHOLDS_MISSING_ERROR = (
    "Per-group thresholds give no threshold for group(s) {groups} of '{attribute}'. Set a "
    "threshold for every group."
)
GROUP_THRESHOLDS_UNKNOWN_ERROR = (
    "Per-group thresholds name group(s) {groups}, which '{attribute}' does not have. Its "
    "groups are {known}; set the thresholds for this attribute."
)
RANDOM_STATE_ERROR = (
    "The 'random_state' parameter must be an int in [0, 2**32 - 1]. Got {value!r} instead."
)
_ITERATION_LIMIT_WARNING = (
    "Exponentiated gradient stopped at its iteration limit ({max_iter}) before it "
    "converged; raise the limit for a solution closer to the constraint."
)
_CONSTANT_WARNING = (
    "Grid search picked a model that gives every person the same decision; try a "
    "smaller weight on the constraint or a smaller largest penalty."
)
_UNSEEN_GROUPS_WARNING = (
    "Group(s) {groups} appear in the test rows only, so the post-processing learned "
    "nothing for them: they keep the baseline's decisions."
)
_MISSING_VALUES_WARNING = (
    "The prepared features have gaps (the base model routes them natively); the "
    "correlation remover filled them with each column's training mean."
)

_WEIGHTED = frozenset({"reweighing", "exponentiated_gradient", "grid_search"})
_MOMENTS = {
    "demographic_parity": DemographicParity,
    "equalized_odds": EqualizedOdds,
    "equal_opportunity": TruePositiveRateParity,
    "error_rate_parity": ErrorRateParity,
}
_THRESHOLD_OPTIMIZER_CONSTRAINTS = {
    "demographic_parity": "demographic_parity",
    "equalized_odds": "equalized_odds",
    "equal_opportunity": "true_positive_rate_parity",
}


@dataclass(frozen=True, eq=False)
class Prepared:
    """A split made ready for every technique: features prepared once, baseline trained.

    Attributes
    ----------
    base : ModelConfig
        The base model.
    attribute : str
        The sensitive attribute mitigated for.
    baseline : TrainedModel
        The unmitigated model; its ``"preprocess"`` step prepares the features.
    X_train, X_test : array or sparse matrix
        The prepared features of the training and test rows.
    y_train : numpy.ndarray of int8
        Training outcomes.
    groups_train, groups_test : numpy.ndarray of str
        Group labels of the attribute, as text.
    score_train, score_test : numpy.ndarray of float
        The baseline's probability of the positive outcome.
    pred_test : numpy.ndarray of int8
        The baseline's decisions on the test rows.
    baseline_seconds : float
        Wall time of the baseline's training and test prediction.
    """

    base: ModelConfig
    attribute: str
    baseline: TrainedModel
    X_train: Any
    X_test: Any
    y_train: np.ndarray
    groups_train: np.ndarray
    groups_test: np.ndarray
    score_train: np.ndarray
    score_test: np.ndarray
    pred_test: np.ndarray
    baseline_seconds: float


def check_attribute(data: AuditData, attribute: str) -> None:
    """Raise :class:`MitigationError` unless ``attribute`` is one of ``data.attributes``."""
    if attribute not in data.attributes:
        raise MitigationError(
            UNKNOWN_ATTRIBUTE_ERROR.format(attribute=attribute, attributes=list(data.attributes))
        )


def check_random_state(value: Any) -> int:
    """Return ``value`` as an int seed, or raise :class:`MitigationError`."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | np.integer)
        or not 0 <= value <= 2**32 - 1
    ):
        raise MitigationError(RANDOM_STATE_ERROR.format(value=value))
    return int(value)


def _group_text(data: AuditData, attribute: str) -> np.ndarray:
    return data.groups(attribute).astype(str).to_numpy(dtype=object)


def prepare(
    train: AuditData,
    test: AuditData,
    base: ModelConfig,
    *,
    roles: Mapping[str, str],
    attribute: str,
    baseline: TrainedModel | None = None,
) -> Prepared:
    """Check the inputs, train the baseline (unless given) and prepare the features once.

    Raises
    ------
    MitigationError
        If the attribute is unknown or has one group in the training rows, there are no
        test rows, or ``baseline`` was trained with another configuration.
    ModelError
        If the base model cannot be trained on these rows (see
        :func:`fairlab.models.train_model`).
    """
    check_attribute(train, attribute)
    check_attribute(test, attribute)
    if test.n_rows == 0:
        raise MitigationError(NO_TEST_ROWS_ERROR)
    groups_train = _group_text(train, attribute)
    distinct = pd.unique(groups_train)
    if distinct.size < 2:
        group = distinct[0] if distinct.size else None
        raise MitigationError(ONE_GROUP_ERROR.format(attribute=attribute, group=group))
    if baseline is None:
        with threadpool_limits(limits=1):
            baseline = train_model(train, base, roles=roles)
        fit_seconds = baseline.fit_seconds
    elif baseline.config != base:
        raise MitigationError(BASELINE_MISMATCH_ERROR.format(got=baseline.config, expected=base))
    else:
        fit_seconds = 0.0
    start = time.perf_counter()
    preprocess = baseline.pipeline.named_steps["preprocess"]
    model = baseline.pipeline.named_steps["model"]
    features = list(baseline.features)
    with threadpool_limits(limits=1):
        X_train = preprocess.transform(train.X.loc[:, features])
        X_test = preprocess.transform(test.X.loc[:, features])
        score_train = positive_probability(model, X_train)
        proba_test = model.predict_proba(X_test)
    score_test = np.asarray(proba_test[:, 1], dtype=float)
    return Prepared(
        base=base,
        attribute=attribute,
        baseline=baseline,
        X_train=X_train,
        X_test=X_test,
        y_train=np.asarray(train.y_true, dtype=np.int8),
        groups_train=groups_train,
        groups_test=_group_text(test, attribute),
        score_train=score_train,
        score_test=score_test,
        pred_test=(proba_test[:, 1] > proba_test[:, 0]).astype(np.int8),
        baseline_seconds=fit_seconds + time.perf_counter() - start,
    )


FitCallback = Callable[[int], None]
"""Called as ``on_fit(n_fits)`` after each fit of a reduction's estimator."""


def run_prepared(
    prepared: Prepared,
    technique: TechniqueConfig,
    *,
    random_state: int,
    on_fit: FitCallback | None = None,
) -> MitigationResult:
    """Run one technique on a prepared split.

    ``on_fit(n_fits)`` is called after each fit of the estimator of a reduction
    (exponentiated gradient, grid search), which refits it dozens of times.

    BLAS and OpenMP are limited to one thread: on the small problems of repeated refits,
    and on a machine shared with other work, more threads mostly wait for each other
    (measured: exponentiated gradient with logistic regression on Adult 15 s with two
    BLAS threads, 3.8 s with one; with histogram gradient boosting on German credit 105 s
    with two OpenMP threads, 11 s with one). Parallelism comes from running techniques
    side by side instead (``n_jobs``).
    """
    if technique.name == BASELINE:
        return MitigationResult(
            technique=technique,
            y_pred=prepared.pred_test,
            y_score=prepared.score_test,
            fitted=prepared.baseline,
            seconds=prepared.baseline_seconds,
            needs_sensitive_at_prediction=False,
        )
    check_runnable(prepared, technique)
    runner = _RUNNERS[technique.name]
    start = time.perf_counter()
    with threadpool_limits(limits=1), warnings_module.catch_warnings():
        # fairlearn 0.15 uses pandas idioms that pandas 3 deprecates: warnings about
        # fairlearn's code that the user can do nothing about.
        warnings_module.simplefilter("ignore", Pandas4Warning)
        counter = _FitCounter(on_fit)
        y_pred, y_score, fitted, warnings = runner(prepared, technique, random_state, counter)
        counter.on_fit = None  # the fitted mitigator keeps the counter, not the caller's hook
    return MitigationResult(
        technique=technique,
        y_pred=y_pred,
        y_score=y_score,
        fitted=fitted,
        seconds=time.perf_counter() - start,
        warnings=tuple(warnings),
        needs_sensitive_at_prediction=technique.needs_sensitive_at_prediction,
    )


def run_technique(
    train: AuditData,
    test: AuditData,
    base: ModelConfig,
    technique: TechniqueConfig,
    *,
    roles: Mapping[str, str],
    attribute: str,
    random_state: int | None = None,
) -> MitigationResult:
    """Train the base model with one mitigation technique and decide on the test rows.

    Parameters
    ----------
    train, test : AuditData
        The training and test rows (from :class:`fairlab.split.Split`).
    base : ModelConfig
        The base model every technique starts from.
    technique : TechniqueConfig
        The technique, its constraint and settings.
    roles : mapping of str to str
        The role of each feature column (see :func:`fairlab.data.infer_column_roles`).
    attribute : str
        The sensitive attribute to mitigate for: one of ``train.attributes``.
    random_state : int, optional
        Seed of the randomised decisions; defaults to ``base.random_state``. The same
        seed gives the same decisions.

    Returns
    -------
    MitigationResult

    Raises
    ------
    MitigationError
        If the attribute is unknown or has a single group, the base model cannot take
        row weights that the technique needs, or per-group thresholds miss a group.
    ModelError
        If the base model cannot be trained on these rows.
    """
    if not isinstance(technique, TechniqueConfig):
        raise MitigationError(TECHNIQUE_TYPE_ERROR.format(value=technique))
    seed = check_random_state(base.random_state if random_state is None else random_state)
    prepared = prepare(train, test, base, roles=roles, attribute=attribute)
    return run_prepared(prepared, technique, random_state=seed)


# ---------------------------------------------------------------------- techniques
_Outcome = tuple[np.ndarray, np.ndarray | None, Any, list[str]]


class _FitCounter:
    """Counts a reduction's fits and passes the count on; picklable for worker processes."""

    def __init__(self, on_fit: FitCallback | None) -> None:
        self.on_fit = on_fit
        self.n_fits = 0

    def __call__(self) -> None:
        self.n_fits += 1
        if self.on_fit is not None:
            self.on_fit(self.n_fits)


def _decisions(scores: np.ndarray) -> np.ndarray:
    """The more probable outcome, ties negative (as the zoo pipelines decide)."""
    return (scores > 1 - scores).astype(np.int8)


def check_runnable(prepared: Prepared, technique: TechniqueConfig) -> None:
    """Raise :class:`MitigationError` if ``technique`` cannot run on ``prepared``.

    Cheap: called for every technique of a comparison before any of them starts.
    """
    if not isinstance(technique, TechniqueConfig):
        raise MitigationError(TECHNIQUE_TYPE_ERROR.format(value=technique))
    if technique.name in _WEIGHTED:
        model = prepared.baseline.pipeline.named_steps["model"]
        if not has_fit_parameter(model, "sample_weight"):
            raise MitigationError(
                NO_SAMPLE_WEIGHT_ERROR.format(
                    technique=technique.spec.title, model=prepared.base.title.lower()
                )
            )
    if technique.name == "group_thresholds":
        thresholds = dict(technique.thresholds)
        present = set(pd.unique(prepared.groups_test))
        known = present | set(pd.unique(prepared.groups_train))
        missing = sorted(present - set(thresholds))
        if missing:
            raise MitigationError(
                GROUP_THRESHOLDS_MISSING_ERROR.format(groups=missing, attribute=prepared.attribute)
            )
        unknown = sorted(set(thresholds) - known)
        if unknown:
            raise MitigationError(
                GROUP_THRESHOLDS_UNKNOWN_ERROR.format(
                    groups=unknown, attribute=prepared.attribute, known=sorted(known)
                )
            )


def _model(prepared: Prepared) -> Any:
    return clone(prepared.baseline.pipeline.named_steps["model"])


def _reweighing(
    prepared: Prepared, technique: TechniqueConfig, random_state: int, counter: _FitCounter
) -> _Outcome:
    model = _model(prepared)
    weights = reweighing_weights(prepared.y_train, prepared.groups_train)
    model.fit(prepared.X_train, prepared.y_train, sample_weight=weights)
    scores = positive_probability(model, prepared.X_test)
    fitted = Pipeline(
        [("preprocess", prepared.baseline.pipeline.named_steps["preprocess"]), ("model", model)]
    )
    return _decisions(scores), scores, fitted, []


def _dense(matrix: Any) -> np.ndarray:
    return np.asarray(matrix.toarray() if sparse.issparse(matrix) else matrix, dtype=float)


def _correlation_remover(
    prepared: Prepared, technique: TechniqueConfig, random_state: int, counter: _FitCounter
) -> _Outcome:
    warnings: list[str] = []
    X_train, X_test = _dense(prepared.X_train), _dense(prepared.X_test)
    if np.isnan(X_train).any() or np.isnan(X_test).any():
        with warnings_module.catch_warnings():  # a column with no value at all has no mean
            warnings_module.simplefilter("ignore", RuntimeWarning)
            means = np.nan_to_num(np.nanmean(X_train, axis=0))
        X_train = np.where(np.isnan(X_train), means, X_train)
        X_test = np.where(np.isnan(X_test), means, X_test)
        warnings.append(_MISSING_VALUES_WARNING)
    groups = tuple(sorted(pd.unique(prepared.groups_train)))
    n_features = X_train.shape[1]

    def with_groups(matrix: np.ndarray, labels: np.ndarray) -> np.ndarray:
        indicators = (labels[:, None] == np.asarray(groups, dtype=object)[None, :]).astype(float)
        return np.hstack([matrix, indicators])

    remover = CorrelationRemover(
        sensitive_feature_ids=list(range(n_features, n_features + len(groups))),
        alpha=technique.param("alpha"),
    )
    model = _model(prepared)
    fitted = Pipeline([("remove", remover), ("model", model)])
    fitted.fit(with_groups(X_train, prepared.groups_train), prepared.y_train)
    scores = positive_probability(fitted, with_groups(X_test, prepared.groups_test))
    return _decisions(scores), scores, fitted, warnings


def _rows_estimator(
    prepared: Prepared, technique: TechniqueConfig, counter: _FitCounter
) -> RowsEstimator:
    model = _model(prepared)
    warm_start = technique.param("warm_start") and supports_warm_start(model)
    return RowsEstimator(model, prepared.X_train, warm_start=warm_start, on_fit=counter)


def _positions(n_rows: int) -> np.ndarray:
    return np.arange(n_rows).reshape(-1, 1)


def _hard_prediction(predictor: Any, X: Any) -> np.ndarray:
    inner = predictor.estimator_ if isinstance(predictor, RowsEstimator) else predictor
    return np.asarray(inner.predict(X), dtype=float)


def _exponentiated_gradient(
    prepared: Prepared, technique: TechniqueConfig, random_state: int, counter: _FitCounter
) -> _Outcome:
    max_iter = technique.param("max_iter")
    mitigator = ExponentiatedGradient(
        _rows_estimator(prepared, technique, counter),
        _MOMENTS[technique.constraint](difference_bound=technique.param("difference_bound")),
        eps=technique.param("eps"),
        max_iter=max_iter,
    )
    mitigator.fit(
        _positions(prepared.X_train.shape[0]),
        prepared.y_train,
        sensitive_features=prepared.groups_train,
    )
    # The randomised model's probability of a positive decision, as fairlearn's
    # ExponentiatedGradient.predict computes it, on the prepared test matrix.
    n_test = prepared.X_test.shape[0]
    scores = np.zeros(n_test)
    for index, weight in mitigator.weights_.items():
        if weight > 0:
            scores += weight * _hard_prediction(mitigator.predictors_[index], prepared.X_test)
    scores = np.clip(scores, 0.0, 1.0)
    draws = np.random.RandomState(random_state).rand(n_test)
    y_pred = (scores >= draws).astype(np.int8)
    warnings = []
    if mitigator.last_iter_ >= max_iter - 1 and mitigator.best_gap_ >= mitigator.nu:
        warnings.append(_ITERATION_LIMIT_WARNING.format(max_iter=max_iter))
    return y_pred, scores, mitigator, warnings


def _grid_search(
    prepared: Prepared, technique: TechniqueConfig, random_state: int, counter: _FitCounter
) -> _Outcome:
    mitigator = GridSearch(
        _rows_estimator(prepared, technique, counter),
        _MOMENTS[technique.constraint](),
        constraint_weight=technique.param("constraint_weight"),
        grid_size=technique.param("grid_size"),
        grid_limit=technique.param("grid_limit"),
    )
    mitigator.fit(
        _positions(prepared.X_train.shape[0]),
        prepared.y_train,
        sensitive_features=prepared.groups_train,
    )
    best = mitigator.predictors_[mitigator.best_idx_]
    scores = positive_probability(best, prepared.X_test)
    y_pred = _decisions(scores)
    warnings = [_CONSTANT_WARNING] if np.unique(y_pred).size == 1 else []
    return y_pred, scores, mitigator, warnings


def _unseen(prepared: Prepared) -> tuple[np.ndarray, list[str]]:
    known = set(pd.unique(prepared.groups_train))
    unseen_rows = np.array([g not in known for g in prepared.groups_test], dtype=bool)
    if not unseen_rows.any():
        return unseen_rows, []
    names = ", ".join(f"'{g}'" for g in sorted(set(prepared.groups_test[unseen_rows])))
    return unseen_rows, [_UNSEEN_GROUPS_WARNING.format(groups=names)]


def _threshold_optimizer(
    prepared: Prepared, technique: TechniqueConfig, random_state: int, counter: _FitCounter
) -> _Outcome:
    optimizer = ThresholdOptimizer(
        estimator=ScoreColumn().fit(prepared.score_train[:, None]),
        constraints=_THRESHOLD_OPTIMIZER_CONSTRAINTS[technique.constraint],
        objective=technique.param("objective"),
        grid_size=technique.param("grid_size"),
        prefit=True,
        predict_method="predict_proba",
    )
    optimizer.fit(
        prepared.score_train[:, None], prepared.y_train, sensitive_features=prepared.groups_train
    )
    y_pred = np.asarray(
        optimizer.predict(
            prepared.score_test[:, None],
            sensitive_features=prepared.groups_test,
            random_state=random_state,
        ),
        dtype=np.int8,
    )
    unseen_rows, warnings = _unseen(prepared)
    y_pred = np.where(unseen_rows, prepared.pred_test, y_pred).astype(np.int8)
    return y_pred, None, optimizer, warnings


def _reject_option(
    prepared: Prepared, technique: TechniqueConfig, random_state: int, counter: _FitCounter
) -> _Outcome:
    classifier = RejectOptionClassifier(
        threshold=technique.param("threshold"), margin=technique.param("margin")
    )
    classifier.fit(prepared.score_train, sensitive_features=prepared.groups_train)
    y_pred = classifier.predict(prepared.score_test, sensitive_features=prepared.groups_test)
    _, warnings = _unseen(prepared)
    return y_pred, None, classifier, warnings


def _group_thresholds(
    prepared: Prepared, technique: TechniqueConfig, random_state: int, counter: _FitCounter
) -> _Outcome:
    thresholds = dict(technique.thresholds)
    row_thresholds = pd.Series(prepared.groups_test).map(thresholds).to_numpy(dtype=float)
    y_pred = (prepared.score_test >= row_thresholds).astype(np.int8)
    return y_pred, None, thresholds, []


_RUNNERS: dict[str, Callable[[Prepared, TechniqueConfig, int, _FitCounter], _Outcome]] = {
    "reweighing": _reweighing,
    "correlation_remover": _correlation_remover,
    "exponentiated_gradient": _exponentiated_gradient,
    "grid_search": _grid_search,
    "threshold_optimizer": _threshold_optimizer,
    "reject_option": _reject_option,
    "group_thresholds": _group_thresholds,
}
