"""The mitigation techniques FairLab offers, their settings, and what a run returns."""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

import numpy as np

from fairlab.errors import FairLabError, ModelError
from fairlab.models import ParamSpec

__all__ = [
    "MitigationError",
    "Stage",
    "Constraint",
    "STAGES",
    "CONSTRAINTS",
    "CONSTRAINT_TITLES",
    "STAGE_TITLES",
    "TechniqueSpec",
    "TECHNIQUES",
    "TECHNIQUE_NAMES",
    "BASELINE",
    "technique_spec",
    "TechniqueConfig",
    "DEFAULT_TECHNIQUES",
    "MitigationResult",
    "UNKNOWN_TECHNIQUE_ERROR",
    "UNKNOWN_CONSTRAINT_ERROR",
    "NO_CONSTRAINT_ERROR",
    "UNKNOWN_PARAM_ERROR",
    "DUPLICATE_PARAM_ERROR",
    "THRESHOLDS_ONLY_ERROR",
    "THRESHOLDS_NEEDED_ERROR",
    "THRESHOLD_VALUE_ERROR",
]

Stage = Literal["baseline", "pre", "in", "post"]
STAGES: tuple[str, ...] = get_args(Stage)
STAGE_TITLES: Mapping[str, str] = {
    "baseline": "no mitigation",
    "pre": "pre-processing",
    "in": "in-processing",
    "post": "post-processing",
}
Constraint = Literal[
    "demographic_parity", "equalized_odds", "equal_opportunity", "error_rate_parity"
]
CONSTRAINTS: tuple[str, ...] = get_args(Constraint)
"""The constraints a technique can mitigate for, named as the criteria of
:data:`fairlab.fairness.CRITERIA` (equal opportunity is fairlearn's true positive rate
parity)."""
CONSTRAINT_TITLES: Mapping[str, str] = {
    "demographic_parity": "demographic parity",
    "equalized_odds": "equalized odds",
    "equal_opportunity": "equal opportunity",
    "error_rate_parity": "error rate parity",
}
BASELINE = "baseline"
"""The name of the unmitigated model, always first in a comparison."""

UNKNOWN_TECHNIQUE_ERROR = "The technique must be one of {names}. Got {value!r} instead."
UNKNOWN_CONSTRAINT_ERROR = (
    "{title} cannot mitigate for {value!r}. Choose one of {choices}, or another technique."
)
NO_CONSTRAINT_ERROR = "{title} takes no constraint. Got {value!r}; leave the constraint unset."
UNKNOWN_PARAM_ERROR = "{title} has no parameter {param!r}. Choose among {names}."
DUPLICATE_PARAM_ERROR = "The parameter '{param}' of {title} is given more than once."
THRESHOLDS_ONLY_ERROR = (
    "Only per-group thresholds take a threshold per group; {title} does not. Leave "
    "'thresholds' empty, or choose the technique 'group_thresholds'."
)
THRESHOLDS_NEEDED_ERROR = (
    "Per-group thresholds need a threshold for each group, such as {{'Female': 0.4, "
    "'Male': 0.5}}. Set them on the Fairness page, or pass 'thresholds'."
)
THRESHOLD_VALUE_ERROR = (
    "The threshold of group '{group}' must be a finite number. Got {value!r} instead."
)


class MitigationError(FairLabError, ValueError):
    """A mitigation technique cannot be configured or run as asked."""


# ---------------------------------------------------------------------- specs
@dataclass(frozen=True)
class TechniqueSpec:
    """A mitigation technique, as the app presents it.

    Attributes
    ----------
    name : str
        One of :data:`TECHNIQUE_NAMES`.
    title : str
        Its human-readable name.
    stage : {"baseline", "pre", "in", "post"}
        Where it acts: on the training data (pre), during training (in), or on the
        trained model's decisions (post).
    constraints : tuple of str
        The constraints it can mitigate for (empty when it takes none).
    needs_sensitive_at_prediction : bool
        Whether deciding about a person needs their sensitive attribute. That matters
        legally in many settings (disparate treatment).
    randomized : bool
        Whether its decisions are drawn at random for some people (seeded, so
        reproducible).
    description : str
        What it does, in plain words.
    params : tuple of ParamSpec
        The settings a user may change, with defaults and bounds.
    reference : str
        Where the technique was published or implemented.
    """

    name: str
    title: str
    stage: Stage
    constraints: tuple[str, ...]
    needs_sensitive_at_prediction: bool
    randomized: bool
    description: str
    params: tuple[ParamSpec, ...]
    reference: str

    def param(self, name: str) -> ParamSpec:
        """Return the parameter called ``name``.

        Raises
        ------
        MitigationError
            If the technique has no such parameter.
        """
        for spec in self.params:
            if spec.name == name:
                return spec
        raise MitigationError(
            UNKNOWN_PARAM_ERROR.format(
                title=self.title, param=name, names=[p.name for p in self.params]
            )
        )


_WARM_START = ParamSpec(
    name="warm_start",
    label="Warm start",
    kind="choice",
    default=True,
    choices=(True, False),
    help="Logistic regression only: start each training from the previous solution. "
    "About a third faster; the solver then stops at a slightly different point within its "
    "tolerance, so results can differ a little from fairlearn's cold starts.",
)
_REDUCTION_PARAMS_NOTE = (
    "The model is trained again for each step on reweighted, relabelled rows, so this "
    "costs a few to a few dozen trainings."
)
_SPECS: tuple[TechniqueSpec, ...] = (
    TechniqueSpec(
        name=BASELINE,
        title="Baseline (unmitigated)",
        stage="baseline",
        constraints=(),
        needs_sensitive_at_prediction=False,
        randomized=False,
        description="The base model trained as it is, without mitigation: the point every "
        "technique is compared with.",
        params=(),
        reference="",
    ),
    TechniqueSpec(
        name="reweighing",
        title="Reweighing",
        stage="pre",
        constraints=("demographic_parity",),
        needs_sensitive_at_prediction=False,
        randomized=False,
        description="Gives each training row a weight so that, in the weighted data, the "
        "outcome no longer depends on the group: rows of a group and outcome that are rarer "
        "than independence would make them count more. The model is then trained once on "
        "the weighted rows.",
        params=(),
        reference="Kamiran & Calders (2012), Data preprocessing techniques for "
        "classification without discrimination",
    ),
    TechniqueSpec(
        name="correlation_remover",
        title="Correlation remover",
        stage="pre",
        constraints=("demographic_parity",),
        needs_sensitive_at_prediction=True,
        randomized=False,
        description="Removes from every prepared feature the part that a straight line "
        "through the sensitive groups predicts, then trains the model on what is left. "
        "Transforming a new person's features needs their group.",
        params=(
            ParamSpec(
                name="alpha",
                label="Filtering strength (alpha)",
                kind="float",
                default=1.0,
                low=0.0,
                high=1.0,
                help="1 removes all linear correlation with the groups; 0 leaves the "
                "features unchanged; values between blend the two.",
            ),
        ),
        reference="fairlearn.preprocessing.CorrelationRemover",
    ),
    TechniqueSpec(
        name="exponentiated_gradient",
        title="Exponentiated gradient",
        stage="in",
        constraints=CONSTRAINTS,
        needs_sensitive_at_prediction=False,
        randomized=True,
        description="Trains a sequence of models on reweighted, relabelled rows and mixes "
        "them into a randomised model with the lowest error that keeps the constraint "
        "within its bound. " + _REDUCTION_PARAMS_NOTE,
        params=(
            ParamSpec(
                name="difference_bound",
                label="Allowed difference",
                kind="float",
                default=0.01,
                low=0.001,
                high=0.5,
                help="How far each group's rate may sit from the overall rate on the "
                "training rows.",
            ),
            ParamSpec(
                name="eps",
                label="Constraint slack (eps)",
                kind="float",
                default=0.01,
                low=0.001,
                high=1.0,
                help="Sets how strongly violations are penalised (the bound on the "
                "multipliers is 1 / eps); smaller values hold the constraint tighter.",
                log_scale=True,
            ),
            ParamSpec(
                name="max_iter",
                label="Iteration limit",
                kind="int",
                default=50,
                low=5,
                high=500,
                help="At most this many steps, each training the model once or more; it "
                "usually stops well before, once the solution is within its tolerance.",
            ),
            _WARM_START,
        ),
        reference="Agarwal et al. (2018), A reductions approach to fair classification; "
        "fairlearn.reductions.ExponentiatedGradient",
    ),
    TechniqueSpec(
        name="grid_search",
        title="Grid search",
        stage="in",
        constraints=CONSTRAINTS,
        needs_sensitive_at_prediction=False,
        randomized=False,
        description="Trains one model per point of a grid of penalties on the constraint "
        "and keeps the one with the best balance of error and constraint violation on the "
        "training rows. A single ordinary model, not a randomised one.",
        params=(
            ParamSpec(
                name="grid_size",
                label="Grid points",
                kind="int",
                default=10,
                low=2,
                high=200,
                help="How many penalties are tried, each with one training.",
            ),
            ParamSpec(
                name="grid_limit",
                label="Largest penalty",
                kind="float",
                default=2.0,
                low=0.1,
                high=20.0,
                help="The grid runs from minus to plus this value.",
            ),
            ParamSpec(
                name="constraint_weight",
                label="Weight of the constraint",
                kind="float",
                default=0.5,
                low=0.0,
                high=1.0,
                help="When choosing among the grid's models: 0 picks the lowest error, "
                "1 the smallest constraint violation.",
            ),
            _WARM_START,
        ),
        reference="Agarwal et al. (2018); fairlearn.reductions.GridSearch",
    ),
    TechniqueSpec(
        name="threshold_optimizer",
        title="Threshold optimizer",
        stage="post",
        constraints=("demographic_parity", "equalized_odds", "equal_opportunity"),
        needs_sensitive_at_prediction=True,
        randomized=True,
        description="Keeps the trained model and chooses a decision threshold for each "
        "group (randomising between two thresholds where needed) that satisfies the "
        "constraint with the best accuracy on the training rows.",
        params=(
            ParamSpec(
                name="objective",
                label="What to keep high",
                kind="choice",
                default="accuracy_score",
                choices=("accuracy_score", "balanced_accuracy_score"),
                help="The measure the thresholds maximise under the constraint.",
            ),
            ParamSpec(
                name="grid_size",
                label="Thresholds tried",
                kind="int",
                default=1000,
                low=10,
                high=10000,
                help="How many candidate thresholds are compared per group.",
            ),
        ),
        reference="Hardt, Price & Srebro (2016), Equality of opportunity in supervised "
        "learning; fairlearn.postprocessing.ThresholdOptimizer",
    ),
    TechniqueSpec(
        name="reject_option",
        title="Reject-option classification",
        stage="post",
        constraints=("demographic_parity",),
        needs_sensitive_at_prediction=True,
        randomized=False,
        description="Keeps the trained model's confident decisions. Near the threshold, "
        "where the model is unsure, it gives the positive outcome to people of groups "
        "selected less often than average and the negative outcome to people of groups "
        "selected more often.",
        params=(
            ParamSpec(
                name="margin",
                label="Width of the uncertain band",
                kind="float",
                default=None,
                low=0.0,
                high=0.5,
                help="Scores within this distance of the threshold count as uncertain. "
                "By default the width that best equalises selection rates on the "
                "training rows is chosen.",
                none_label="chosen on the training rows",
            ),
            ParamSpec(
                name="threshold",
                label="Decision threshold",
                kind="float",
                default=0.5,
                low=0.01,
                high=0.99,
                help="Outside the uncertain band, a score above this is a positive decision.",
            ),
        ),
        reference="Kamiran, Karim & Zhang (2012), Decision theory for discrimination-aware "
        "classification",
    ),
    TechniqueSpec(
        name="group_thresholds",
        title="Per-group thresholds",
        stage="post",
        constraints=(),
        needs_sensitive_at_prediction=True,
        randomized=False,
        description="Keeps the trained model and applies the thresholds chosen per group "
        "on the Fairness page: a score at or above a group's threshold is a positive "
        "decision.",
        params=(),
        reference="",
    ),
)
TECHNIQUES: Mapping[str, TechniqueSpec] = {spec.name: spec for spec in _SPECS}
"""Every technique's :class:`TechniqueSpec`, keyed by name, in display order."""
TECHNIQUE_NAMES: tuple[str, ...] = tuple(TECHNIQUES)


def technique_spec(name: str) -> TechniqueSpec:
    """Return the :class:`TechniqueSpec` of a technique.

    Raises
    ------
    MitigationError
        If ``name`` is not one of :data:`TECHNIQUE_NAMES`.
    """
    if not isinstance(name, str) or name not in TECHNIQUES:
        raise MitigationError(
            UNKNOWN_TECHNIQUE_ERROR.format(names=list(TECHNIQUE_NAMES), value=name)
        )
    return TECHNIQUES[name]


# ---------------------------------------------------------------------- config
@dataclass(frozen=True)
class TechniqueConfig:
    """One technique with its constraint and settings: what to run.

    Frozen and hashable, with parameters stored complete (defaults filled in, in the
    order of the spec) and thresholds sorted by group, so equal choices give equal keys:
    usable as a cache key.

    Parameters
    ----------
    name : str
        One of :data:`TECHNIQUE_NAMES`.
    constraint : str, optional
        One of the technique's :attr:`TechniqueSpec.constraints`; defaults to its first.
    params : tuple of (str, value) pairs or mapping, default ()
        Settings to change; the others keep their defaults.
    thresholds : tuple of (str, float) pairs or mapping, default ()
        Per-group thresholds (only for ``"group_thresholds"``, where they are needed).

    Raises
    ------
    MitigationError
        If the technique, the constraint, a parameter or a threshold is not allowed.
    """

    name: str
    constraint: str | None = None
    params: tuple[tuple[str, Any], ...] = ()
    thresholds: tuple[tuple[str, float], ...] = ()

    def __post_init__(self) -> None:
        spec = technique_spec(self.name)
        constraint = self.constraint
        if spec.constraints:
            constraint = spec.constraints[0] if constraint is None else constraint
            if constraint not in spec.constraints:
                raise MitigationError(
                    UNKNOWN_CONSTRAINT_ERROR.format(
                        title=spec.title, value=constraint, choices=list(spec.constraints)
                    )
                )
        elif constraint is not None:
            raise MitigationError(NO_CONSTRAINT_ERROR.format(title=spec.title, value=constraint))
        object.__setattr__(self, "constraint", constraint)
        object.__setattr__(self, "params", _complete_params(spec, self.params))
        object.__setattr__(self, "thresholds", _checked_thresholds(spec, self.thresholds))

    @property
    def spec(self) -> TechniqueSpec:
        """The technique's :class:`TechniqueSpec`."""
        return TECHNIQUES[self.name]

    @property
    def stage(self) -> str:
        """Where the technique acts: ``"baseline"``, ``"pre"``, ``"in"`` or ``"post"``."""
        return self.spec.stage

    @property
    def needs_sensitive_at_prediction(self) -> bool:
        """Whether deciding about a person needs their sensitive attribute."""
        return self.spec.needs_sensitive_at_prediction

    @property
    def label(self) -> str:
        """A name unique to these choices, such as "Exponentiated gradient · equalized odds".

        Settings that differ from the defaults are added in brackets.
        """
        spec = self.spec
        text = spec.title
        if spec.constraints and len(spec.constraints) > 1:
            text += f" · {CONSTRAINT_TITLES[self.constraint]}"  # type: ignore[index]
        changed = [
            f"{p.name}={_show(value)}"
            for p, (_, value) in zip(spec.params, self.params, strict=True)
            if value != p.default
        ]
        if self.thresholds:
            changed.append(", ".join(f"{g}: {t:g}" for g, t in self.thresholds))
        return f"{text} ({'; '.join(changed)})" if changed else text

    def param(self, name: str) -> Any:
        """Return the value of one setting."""
        self.spec.param(name)
        return dict(self.params)[name]


def _show(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _complete_params(spec: TechniqueSpec, params: Any) -> tuple[tuple[str, Any], ...]:
    pairs = params.items() if isinstance(params, Mapping) else params
    given: dict[str, Any] = {}
    for key, value in pairs:
        spec.param(key)
        if key in given:
            raise MitigationError(DUPLICATE_PARAM_ERROR.format(param=key, title=spec.title))
        given[key] = value
    complete = []
    for p in spec.params:
        try:
            complete.append((p.name, p.coerce(given.get(p.name, p.default), model=spec.name)))
        except ModelError as error:
            raise MitigationError(str(error)) from None
    return tuple(complete)


def _checked_thresholds(spec: TechniqueSpec, thresholds: Any) -> tuple[tuple[str, float], ...]:
    pairs = list(thresholds.items() if isinstance(thresholds, Mapping) else thresholds)
    if spec.name != "group_thresholds":
        if pairs:
            raise MitigationError(THRESHOLDS_ONLY_ERROR.format(title=spec.title))
        return ()
    if not pairs:
        raise MitigationError(THRESHOLDS_NEEDED_ERROR)
    checked: dict[str, float] = {}
    for group, value in pairs:
        if (
            isinstance(value, bool)
            or not isinstance(value, numbers.Real)
            or not math.isfinite(float(value))
        ):
            raise MitigationError(THRESHOLD_VALUE_ERROR.format(group=group, value=value))
        checked[str(group)] = float(value)
    return tuple(sorted(checked.items()))


DEFAULT_TECHNIQUES: tuple[TechniqueConfig, ...] = (
    TechniqueConfig("reweighing"),
    TechniqueConfig("correlation_remover"),
    TechniqueConfig("exponentiated_gradient", "demographic_parity"),
    TechniqueConfig("exponentiated_gradient", "equalized_odds"),
    TechniqueConfig("grid_search", "demographic_parity"),
    TechniqueConfig("threshold_optimizer", "demographic_parity"),
    TechniqueConfig("threshold_optimizer", "equalized_odds"),
    TechniqueConfig("reject_option"),
)
"""The default comparison (the baseline is always added): two pre-processing, three
in-processing and three post-processing runs."""


# ---------------------------------------------------------------------- result
@dataclass(frozen=True, eq=False)
class MitigationResult:
    """What one technique produced on the test rows.

    Attributes
    ----------
    technique : TechniqueConfig
        What was run.
    y_pred : numpy.ndarray of int8
        The decisions on the test rows, 1 for positive (read-only).
    y_score : numpy.ndarray of float or None
        The probability of a positive decision where the technique gives one: the
        model's probability for the baseline, pre-processing and grid search, the
        randomised model's probability for exponentiated gradient. None for
        post-processing, which moves decisions, not the model's ranking (read-only).
    fitted : object
        The fitted model or post-processor. The baseline is a
        :class:`fairlab.models.TrainedModel` and reweighing a full pipeline, both taking
        the feature columns; the other techniques act on the prepared feature matrix
        (the baseline's fitted ``"preprocess"`` step), post-processing on the baseline's
        scores.
    seconds : float
        Wall time of the technique's training and prediction. Post-processing reuses
        the baseline's model, so its time is that of the post-processing alone.
    warnings : tuple of str
        Things the user should know about this run, in plain words.
    needs_sensitive_at_prediction : bool
        Whether deciding about a person needs their sensitive attribute.
    """

    technique: TechniqueConfig
    y_pred: np.ndarray
    y_score: np.ndarray | None
    fitted: Any
    seconds: float
    warnings: tuple[str, ...] = ()
    needs_sensitive_at_prediction: bool = False

    def __post_init__(self) -> None:
        y_pred = np.array(self.y_pred, dtype=np.int8)
        y_pred.setflags(write=False)
        object.__setattr__(self, "y_pred", y_pred)
        if self.y_score is not None:
            y_score = np.array(self.y_score, dtype=float)
            y_score.setflags(write=False)
            object.__setattr__(self, "y_score", y_score)

    @property
    def label(self) -> str:
        """The technique's label in a comparison."""
        return self.technique.label
