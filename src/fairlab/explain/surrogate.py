"""Global surrogates: explain predictions that come from a file, without the model.

When an audit holds a model's predictions or scores but not the model, nothing can be
asked "what if?". :func:`fit_surrogate` fits a model of the zoo's kind to the file's
answers from the features (a shallow decision tree that can be read in full, or gradient
boosting that follows them more closely), measures on held-out rows how faithfully it
mimics them, and returns a :class:`Surrogate` that :func:`fairlab.explain.explain_shap`,
:func:`fairlab.explain.explain_lime` and :func:`fairlab.models.predict` take like any
fitted model. Its explanations describe the surrogate, not the model that made the
predictions: they are worth as much as its fidelity, and must be labelled as such
(:attr:`Surrogate.label`).

What is mimicked:

* **Predictions** (the file holds decisions only): a classifier learns the file's 0/1
  decisions. Fidelity is the *agreement* (share of held-out rows where the surrogate's
  decision is the file's) and the *balanced agreement* (the mean of the agreement on
  the file's positive decisions and on its negative ones), which a surrogate that
  always answers the majority decision cannot inflate. A tree is explained by SHAP in
  probability of a positive decision, boosting in its log-odds.
* **Scores** (the file holds scores, turned into decisions by the spec's threshold): a
  regressor learns the scores themselves, which hold more than the decisions. Fidelity
  is the R² of the scores on held-out rows, plus the agreement of the decisions the
  surrogate's scores give at the same threshold. To be explained like a classifier, the
  regressor answers with a "probability" (:class:`ScoreRegressor`): its score itself when
  the file's scores lie in [0, 1], otherwise its score rescaled from the range of the
  scores it learned to [0, 1] (:attr:`Surrogate.score_range`), and clipped to [0, 1].
  SHAP explains that with its permutation explainer, LIME directly.

Preprocessing is the zoo's own (:func:`fairlab.models.build_pipeline` with the
``decision_tree`` and ``hist_gradient_boosting`` configurations), so the explanations
speak of the user's columns.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.tree import DecisionTreeRegressor
from sklearn.utils.validation import check_is_fitted

from fairlab.audit_data import AuditData
from fairlab.errors import FairLabError, ModelError
from fairlab.models import NO_ROLE_ERROR, ModelConfig, build_pipeline
from fairlab.split import MAX_RANDOM_STATE, RANDOM_STATE_ERROR, TEST_SIZE_ERROR

__all__ = [
    "Surrogate",
    "SurrogateError",
    "ScoreRegressor",
    "SurrogateKind",
    "Mimicked",
    "fit_surrogate",
    "SURROGATE_KINDS",
    "SURROGATE_TITLES",
    "DEFAULT_MAX_DEPTH",
    "MAX_SURROGATE_DEPTH",
    "MIN_SURROGATE_ROWS",
    "MIN_DECISION_ROWS",
    "KIND_ERROR",
    "MIMIC_ERROR",
    "MAX_DEPTH_ERROR",
    "NO_ANSWERS_ERROR",
    "NO_SCORES_ERROR",
    "NO_PREDICTIONS_ERROR",
    "NO_THRESHOLD_ERROR",
    "NO_FEATURES_ERROR",
    "TOO_FEW_ROWS_ERROR",
    "CONSTANT_PREDICTIONS_ERROR",
    "RARE_DECISION_ERROR",
    "CONSTANT_SCORES_ERROR",
]

SurrogateKind = Literal["tree", "boosting"]
Mimicked = Literal["predictions", "scores"]
SURROGATE_KINDS: tuple[str, ...] = get_args(SurrogateKind)
"""The kinds of surrogate, simplest first."""
SURROGATE_TITLES = {"tree": "shallow tree", "boosting": "gradient boosting"}
"""How each kind of surrogate is named in labels and sentences."""
DEFAULT_MAX_DEPTH = {"tree": 4, "boosting": 3}
"""Depth used when none is given: a tree of 16 leaves at most can be read in full; boosting
adds many depth-3 trees, which follow interactions of three features."""
MAX_SURROGATE_DEPTH = 32
"""The deepest tree the zoo allows."""
MIN_SURROGATE_ROWS = 20
"""Fewer rows than this are too few to fit a surrogate and check it on held-out rows."""
MIN_DECISION_ROWS = 2
"""Each decision must occur this often: once to learn it and once to check it."""
_MIN_SAMPLES_LEAF = 5
_ZOO_NAMES = {"tree": "decision_tree", "boosting": "hist_gradient_boosting"}

KIND_ERROR = "The 'kind' parameter must be one of {kinds}. Got {value!r} instead."
MIMIC_ERROR = "The 'mimic' parameter must be one of {choices}. Got {value!r} instead."
MAX_DEPTH_ERROR = (
    "The 'max_depth' parameter must be an int in [1, {high}] or None. Got {value!r} instead."
)
NO_ANSWERS_ERROR = (
    "The audit holds no predictions or scores from the file, so there is nothing for a "
    "surrogate to mimic. Choose a prediction or score column in the audit spec, or train a "
    "model and explain it directly."
)
NO_SCORES_ERROR = (
    "The audit holds no scores from the file, so a surrogate cannot mimic them. Choose a "
    "score column in the audit spec, or mimic the predictions (mimic='predictions')."
)
NO_PREDICTIONS_ERROR = (
    "The audit holds no predictions from the file, so a surrogate cannot mimic them. Choose "
    "a prediction column (or a score column with a threshold) in the audit spec."
)
NO_THRESHOLD_ERROR = (
    "The audit's scores have no decision threshold, so the surrogate's scores cannot be "
    "turned into decisions. Set a threshold for the score column in the audit spec."
)
NO_FEATURES_ERROR = (
    "The audit has no feature columns, so a surrogate has nothing to mimic the file's "
    "{mimics} from. Choose features in the audit spec."
)
TOO_FEW_ROWS_ERROR = (
    "The audit has {n} rows, too few to fit a surrogate and check it on held-out rows (at "
    f"least {MIN_SURROGATE_ROWS} are needed). Use more data."
)
CONSTANT_PREDICTIONS_ERROR = (
    "Every prediction in the file is {outcome}, so there is nothing for a surrogate to "
    "learn: the model's decisions do not depend on the features here. Check the prediction "
    "column and its positive value(s) in the audit spec."
)
RARE_DECISION_ERROR = (
    "Only {count} prediction(s) in the file are {outcome}, too few to learn that decision "
    f"and check it on held-out rows (at least {MIN_DECISION_ROWS} are needed). Use more "
    "data, or check the positive value(s) of the prediction column."
)
CONSTANT_SCORES_ERROR = (
    "Every score in the file is {value:g}, so there is nothing for a surrogate to learn. "
    "Check the score column in the audit spec, or mimic the predictions instead."
)


class SurrogateError(FairLabError):
    """A surrogate cannot be fitted to the file's predictions or scores as asked."""


# ---------------------------------------------------------------------- score regressor
class ScoreRegressor(ClassifierMixin, BaseEstimator):
    """A regressor of scores that answers like a 0/1 classifier.

    It learns the scores with ``regressor``; its decision is ``score >= threshold`` and
    its "probability" of the positive decision is the score on a [0, 1] scale: the score
    itself when the learned scores lie in [0, 1], else the score rescaled from their
    range, clipped to [0, 1] either way. So SHAP and LIME, which explain a probability,
    explain the score.

    Parameters
    ----------
    regressor : sklearn regressor
        The regressor to fit (cloned).
    threshold : float
        The decision threshold, in the scores' own units.

    Attributes
    ----------
    regressor_ : sklearn regressor
        The fitted regressor.
    classes_ : numpy.ndarray
        ``[0, 1]``.
    score_low_, score_high_ : float
        The scores mapped to probabilities 0 and 1: ``(0, 1)`` when the learned scores lie
        in [0, 1], else their minimum and maximum.
    """

    def __init__(self, regressor: BaseEstimator, threshold: float = 0.5) -> None:
        self.regressor = regressor
        self.threshold = threshold

    def fit(self, X: Any, y: Any) -> ScoreRegressor:
        """Fit the regressor to the scores ``y``."""
        scores = np.asarray(y, dtype=float)
        self.regressor_ = clone(self.regressor).fit(X, scores)
        low, high = float(scores.min()), float(scores.max())
        if 0.0 <= low and high <= 1.0:
            low, high = 0.0, 1.0
        self.score_low_, self.score_high_ = low, high
        self.classes_ = np.array([0, 1])
        self.n_features_in_ = self.regressor_.n_features_in_
        return self

    def predict_score(self, X: Any) -> np.ndarray:
        """The predicted score, in the scores' own units."""
        check_is_fitted(self)
        return np.asarray(self.regressor_.predict(X), dtype=float)

    def predict_proba(self, X: Any) -> np.ndarray:
        """``[1 - p, p]`` with ``p`` the predicted score on the [0, 1] scale."""
        scaled = (self.predict_score(X) - self.score_low_) / (self.score_high_ - self.score_low_)
        positive = np.clip(scaled, 0.0, 1.0)
        return np.column_stack([1.0 - positive, positive])

    def predict(self, X: Any) -> np.ndarray:
        """1 where the predicted score reaches the threshold, else 0."""
        return (self.predict_score(X) >= self.threshold).astype(np.int8)


# ---------------------------------------------------------------------- result
@dataclass(frozen=True, eq=False)
class Surrogate:
    """A model fitted to mimic the file's predictions or scores from the features.

    It has what :class:`fairlab.models.FittedModel` asks (``pipeline``, ``features``,
    ``positive_class``), so the explainers and :func:`fairlab.models.predict` take it
    unchanged. Whatever explains it explains the surrogate, not the model behind the file.

    Attributes
    ----------
    pipeline : sklearn.pipeline.Pipeline
        Steps ``"preprocess"`` (the zoo's) and ``"model"``: a decision tree or histogram
        gradient boosting classifier of the decisions, or a :class:`ScoreRegressor` of the
        scores. Shared, never refitted.
    features : tuple of str
        The feature columns, in the order the pipeline takes them.
    kind : {"tree", "boosting"}
        A shallow decision tree, or histogram gradient boosting.
    mimics : {"predictions", "scores"}
        What was learned: the file's 0/1 decisions, or its scores.
    max_depth : int
        The depth of the tree, or of each boosted tree.
    agreement : float
        On held-out rows, the share where the surrogate's decision is the file's.
    balanced_agreement : float
        On held-out rows, the mean over the file's two decisions of the agreement on the
        rows with that decision (a surrogate that always answers one decision scores 0.5).
    r2 : float or None
        When mimicking scores, the R² of the scores on held-out rows (NaN if the held-out
        scores are all equal); None when mimicking predictions.
    threshold : float or None
        When mimicking scores, the decision threshold (the spec's); else None.
    score_range : tuple of float or None
        When mimicking scores, the scores mapped to the "probabilities" 0 and 1 (see
        :class:`ScoreRegressor`); ``(0.0, 1.0)`` when the scores are probabilities already.
    n_rows : int
        Rows of the audit used, for fitting and checking together.
    train_rows, test_rows : numpy.ndarray of int
        Positions, in the audit, of the rows the surrogate was fitted on and of the
        held-out rows its fidelity was measured on. Read-only.
    label : str
        What its explanations explain, in words, such as "surrogate (shallow tree)
        explaining the file's predictions". Show it with every explanation of it.
    """

    pipeline: Pipeline
    features: tuple[str, ...]
    kind: SurrogateKind
    mimics: Mimicked
    max_depth: int
    agreement: float
    balanced_agreement: float
    r2: float | None
    threshold: float | None
    score_range: tuple[float, float] | None
    n_rows: int
    train_rows: np.ndarray
    test_rows: np.ndarray
    label: str

    @property
    def positive_class(self) -> int:
        """The surrogate learns 0/1 decisions (or scores turned into them); 1 is positive."""
        return 1

    @property
    def title(self) -> str:
        """The kind of surrogate, in words: "shallow tree" or "gradient boosting"."""
        return SURROGATE_TITLES[self.kind]

    @property
    def n_test(self) -> int:
        """How many held-out rows its fidelity was measured on."""
        return int(self.test_rows.size)

    @property
    def fidelity_sentence(self) -> str:
        """How faithfully it mimics the file, in one or two plain sentences."""
        rows = f"{self.n_test:,} held-out row{'s' if self.n_test != 1 else ''}"
        decisions = (
            f"The surrogate ({self.title}) makes the file's decision on "
            f"{self.agreement:.1%} of {rows} (balanced agreement {self.balanced_agreement:.1%})."
        )
        if self.r2 is None:
            return decisions
        r2 = (
            "undefined (the held-out scores are all equal)"
            if math.isnan(self.r2)
            else (f"{self.r2:.2f}")
        )
        return f"{decisions} R² of its scores against the file's: {r2}."


# ---------------------------------------------------------------------- fitting
def fit_surrogate(
    data: AuditData,
    *,
    roles: Mapping[str, str],
    kind: SurrogateKind = "tree",
    mimic: Literal["auto", "predictions", "scores"] = "auto",
    max_depth: int | None = None,
    test_size: float = 0.3,
    random_state: int = 0,
) -> Surrogate:
    """Fit a surrogate of the file's predictions or scores, and measure its fidelity.

    Parameters
    ----------
    data : AuditData
        The audit, with predictions (``y_pred``) or scores (``y_score``) from the file.
    roles : mapping of str to str
        The role of each feature column (see :func:`fairlab.data.infer_column_roles`).
    kind : {"tree", "boosting"}, default "tree"
        A shallow decision tree, or histogram gradient boosting.
    mimic : {"auto", "predictions", "scores"}, default "auto"
        What to learn: ``"auto"`` learns the scores when the file has them, else the
        predictions.
    max_depth : int, optional
        The depth of the tree or of each boosted tree; :data:`DEFAULT_MAX_DEPTH` of the
        kind when omitted.
    test_size : float, default 0.3
        The share of rows held out to measure fidelity, in (0, 1). Predictions are split
        stratified by decision.
    random_state : int, default 0
        Seed of the split and of the surrogate.

    Returns
    -------
    Surrogate

    Raises
    ------
    SurrogateError
        If a parameter is not allowed; the audit holds nothing to mimic (no predictions or
        scores, scores without a threshold); there are no features or too few rows; the
        predictions are all the same or one decision is too rare; the scores are constant.
    ModelError
        If a feature has no role, or a role no model can use; or ``test_size`` or
        ``random_state`` is out of range.
    """
    if kind not in SURROGATE_KINDS:
        raise SurrogateError(KIND_ERROR.format(kinds=list(SURROGATE_KINDS), value=kind))
    choices = ["auto", *get_args(Mimicked)]
    if mimic not in choices:
        raise SurrogateError(MIMIC_ERROR.format(choices=choices, value=mimic))
    depth = _check_depth(kind, max_depth)
    _check_split_params(test_size, random_state)
    mimics = _mimicked(data, mimic)
    features = tuple(str(column) for column in data.X.columns)
    if not features:
        raise SurrogateError(NO_FEATURES_ERROR.format(mimics=mimics))
    missing = [column for column in features if column not in roles]
    if missing:
        raise ModelError(NO_ROLE_ERROR.format(columns=missing))
    if data.n_rows < MIN_SURROGATE_ROWS:
        raise SurrogateError(TOO_FEW_ROWS_ERROR.format(n=data.n_rows))

    decisions = _decisions(data, mimics)
    if mimics == "predictions":
        _check_decisions(decisions)
        target = decisions
        stratify = decisions
    else:
        scores = np.asarray(data.y_score, dtype=float)
        if np.ptp(scores) == 0:
            raise SurrogateError(CONSTANT_SCORES_ERROR.format(value=float(scores[0])))
        target = scores
        stratify = None
    positions = np.arange(data.n_rows)
    train_rows, test_rows = train_test_split(
        positions, test_size=test_size, random_state=random_state, stratify=stratify
    )
    train_rows, test_rows = np.sort(train_rows), np.sort(test_rows)

    config = _zoo_config(kind, depth, random_state)
    pipeline = build_pipeline(config, roles={column: roles[column] for column in features})
    if mimics == "scores":
        regressor = _regressor(config)
        threshold = float(data.spec.threshold)
        pipeline = Pipeline(
            [
                ("preprocess", pipeline.named_steps["preprocess"]),
                ("model", ScoreRegressor(regressor, threshold=threshold)),
            ]
        )
    pipeline.fit(data.X.iloc[train_rows], target[train_rows])

    held_out = data.X.iloc[test_rows]
    surrogate_decisions = np.asarray(pipeline.predict(held_out)).astype(np.int8)
    agreement, balanced = _agreement(decisions[test_rows], surrogate_decisions)
    r2: float | None = None
    threshold_used: float | None = None
    score_range: tuple[float, float] | None = None
    if mimics == "scores":
        estimator = pipeline.named_steps["model"]
        predicted = estimator.predict_score(pipeline.named_steps["preprocess"].transform(held_out))
        held_scores = target[test_rows]
        r2 = float(r2_score(held_scores, predicted)) if np.ptp(held_scores) > 0 else math.nan
        threshold_used = estimator.threshold
        score_range = (estimator.score_low_, estimator.score_high_)
    for rows in (train_rows, test_rows):
        rows.setflags(write=False)
    return Surrogate(
        pipeline=pipeline,
        features=features,
        kind=kind,
        mimics=mimics,
        max_depth=depth,
        agreement=agreement,
        balanced_agreement=balanced,
        r2=r2,
        threshold=threshold_used,
        score_range=score_range,
        n_rows=data.n_rows,
        train_rows=train_rows,
        test_rows=test_rows,
        label=f"surrogate ({SURROGATE_TITLES[kind]}) explaining the file's {mimics}",
    )


def _check_depth(kind: str, max_depth: object) -> int:
    if max_depth is None:
        return DEFAULT_MAX_DEPTH[kind]
    if (
        isinstance(max_depth, bool)
        or not isinstance(max_depth, numbers.Integral)
        or not 1 <= max_depth <= MAX_SURROGATE_DEPTH
    ):
        raise SurrogateError(MAX_DEPTH_ERROR.format(high=MAX_SURROGATE_DEPTH, value=max_depth))
    return int(max_depth)


def _check_split_params(test_size: object, random_state: object) -> None:
    if (
        isinstance(test_size, bool)
        or not isinstance(test_size, numbers.Real)
        or not math.isfinite(test_size)
        or not 0 < test_size < 1
    ):
        raise ModelError(TEST_SIZE_ERROR.format(value=test_size))
    if (
        isinstance(random_state, bool)
        or not isinstance(random_state, numbers.Integral)
        or not 0 <= random_state <= MAX_RANDOM_STATE
    ):
        raise ModelError(RANDOM_STATE_ERROR.format(high=MAX_RANDOM_STATE, value=random_state))


def _mimicked(data: AuditData, mimic: str) -> Mimicked:
    if data.y_pred is None and data.y_score is None:
        raise SurrogateError(NO_ANSWERS_ERROR)
    if mimic == "scores" or (mimic == "auto" and data.y_score is not None):
        if data.y_score is None:
            raise SurrogateError(NO_SCORES_ERROR)
        if data.spec.threshold is None:
            raise SurrogateError(NO_THRESHOLD_ERROR)
        return "scores"
    if data.y_pred is None:
        raise SurrogateError(NO_PREDICTIONS_ERROR)
    return "predictions"


def _decisions(data: AuditData, mimics: Mimicked) -> np.ndarray:
    """The file's 0/1 decisions: its predictions, or its scores at the spec's threshold."""
    if data.y_pred is not None:
        return np.asarray(data.y_pred, dtype=np.int8)
    scores = np.asarray(data.y_score, dtype=float)
    return (scores >= float(data.spec.threshold)).astype(np.int8)


def _check_decisions(decisions: np.ndarray) -> None:
    counts = np.bincount(decisions.astype(np.intp), minlength=2)
    for value, outcome in ((0, "negative"), (1, "positive")):
        other = "positive" if value == 0 else "negative"
        if counts[value] == 0:
            raise SurrogateError(CONSTANT_PREDICTIONS_ERROR.format(outcome=other))
        if counts[value] < MIN_DECISION_ROWS:
            raise SurrogateError(
                RARE_DECISION_ERROR.format(count=int(counts[value]), outcome=outcome)
            )


def _zoo_config(kind: str, depth: int, random_state: int) -> ModelConfig:
    params: dict[str, Any] = {"max_depth": depth}
    if kind == "tree":
        params["min_samples_leaf"] = _MIN_SAMPLES_LEAF
    return ModelConfig(_ZOO_NAMES[kind], params=tuple(params.items()), random_state=random_state)


def _regressor(config: ModelConfig) -> BaseEstimator:
    """The regression twin of the zoo classifier of ``config``, with the same parameters."""
    if config.name == "decision_tree":
        return DecisionTreeRegressor(
            max_depth=config.param("max_depth"),
            min_samples_leaf=config.param("min_samples_leaf"),
            random_state=config.random_state,
        )
    return HistGradientBoostingRegressor(
        max_iter=config.param("max_iter"),
        max_depth=config.param("max_depth"),
        learning_rate=config.param("learning_rate"),
        random_state=config.random_state,
    )


def _agreement(file_decisions: np.ndarray, surrogate_decisions: np.ndarray) -> tuple[float, float]:
    same = file_decisions == surrogate_decisions
    per_decision = [
        float(same[file_decisions == value].mean())
        for value in (0, 1)
        if (file_decisions == value).any()
    ]
    return float(same.mean()), float(np.mean(per_decision))
