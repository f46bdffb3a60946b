"""Run many techniques on one split, in parallel, and compare them with the baseline."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from fairlab.audit_data import AuditData
from fairlab.fairness import CRITERIA, FairnessConfig, FairnessResult, assess_fairness
from fairlab.mitigation._parallel import FitProgressCallback, run_techniques
from fairlab.mitigation._run import (
    TECHNIQUE_TYPE_ERROR,
    check_random_state,
    check_runnable,
    prepare,
    run_prepared,
)
from fairlab.mitigation._techniques import (
    BASELINE,
    CONSTRAINT_TITLES,
    DEFAULT_TECHNIQUES,
    STAGE_TITLES,
    MitigationError,
    MitigationResult,
    TechniqueConfig,
)
from fairlab.models import ModelConfig, TrainedModel
from fairlab.performance import PerformanceResult, performance_summary

__all__ = [
    "MitigationComparison",
    "compare_techniques",
    "ProgressCallback",
    "FitProgressCallback",
    "TABLE_CRITERIA",
    "PER_GROUP_METRICS",
    "DUPLICATE_TECHNIQUE_ERROR",
    "UNKNOWN_NAME_ERROR",
    "N_JOBS_ERROR",
    "KIND_ERROR",
]

ProgressCallback = Callable[[int, int, str], None]
"""Called as ``progress(done, total, name)`` each time a technique (named by its label)
has finished."""

TABLE_CRITERIA: tuple[str, ...] = tuple(CRITERIA)
"""The criteria shown in the comparison table, each with its interval and verdict."""
PER_GROUP_METRICS: tuple[str, ...] = (
    "selection_rate",
    "true_positive_rate",
    "false_positive_rate",
    "positive_predictive_value",
    "accuracy",
)
"""The group metrics :meth:`MitigationComparison.per_group` returns by default."""

DUPLICATE_TECHNIQUE_ERROR = (
    "The technique '{label}' is listed more than once. List each technique and setting once."
)
UNKNOWN_NAME_ERROR = "There is no technique '{name}' in this comparison. Choose one of {names}."
N_JOBS_ERROR = (
    "The 'n_jobs' parameter must be a non-zero int (-1 for every core). Got {value!r} instead."
)
KIND_ERROR = "The 'kind' parameter must be 'difference' or 'ratio'. Got {value!r} instead."

_Kind = Literal["difference", "ratio"]
# In-processing retrains the model many times: start those first, so that parallel
# workers finish together.
_COST_ORDER = {"in": 0, "pre": 1, "post": 2, "baseline": 3}


@dataclass(frozen=True, eq=False)
class MitigationComparison:
    """The baseline and each technique on the same test rows, assessed the same way.

    Compared and hashed by identity, since it holds arrays and tables.

    Attributes
    ----------
    attribute : str
        The sensitive attribute mitigated for and assessed.
    base : ModelConfig
        The base model every technique starts from.
    results : dict of str to MitigationResult
        Keyed by technique label, the baseline first, then in the order asked.
    assessments : dict of str to FairnessResult
        Each technique's group metrics and disparities on the test rows (one attribute).
    performance : dict of str to PerformanceResult
        Each technique's accuracy, balanced accuracy and, where it gives scores, ROC AUC.
    y_true : numpy.ndarray of int8
        The observed outcomes of the test rows.
    groups : pandas.Series
        The test rows' groups of ``attribute`` (categorical).
    fairness_config : FairnessConfig
        Resamples, bounds and comparison used for every assessment.
    random_state : int
        The seed of the randomised techniques.
    """

    attribute: str
    base: ModelConfig
    results: dict[str, MitigationResult]
    assessments: dict[str, FairnessResult]
    performance: dict[str, PerformanceResult]
    y_true: np.ndarray
    groups: pd.Series
    fairness_config: FairnessConfig
    random_state: int

    @property
    def names(self) -> tuple[str, ...]:
        """The technique labels, the baseline first."""
        return tuple(self.results)

    @property
    def baseline_name(self) -> str:
        """The label of the unmitigated baseline."""
        return self.names[0]

    def result(self, name: str) -> MitigationResult:
        """Return the result of the technique labelled ``name``.

        Raises
        ------
        MitigationError
            If there is no such technique in the comparison.
        """
        if name not in self.results:
            raise MitigationError(UNKNOWN_NAME_ERROR.format(name=name, names=list(self.names)))
        return self.results[name]

    def table(self, kind: _Kind = "difference") -> pd.DataFrame:
        """One row per technique: performance, disparities with intervals, verdicts, cost.

        Parameters
        ----------
        kind : {"difference", "ratio"}, default "difference"
            Which form of each disparity to show.

        Returns
        -------
        pandas.DataFrame
            Indexed by technique label (``"technique"``), the baseline first. Columns:
            ``title, stage, constraint``; ``accuracy`` with ``accuracy_low`` and
            ``accuracy_high`` (Clopper–Pearson); ``balanced_accuracy``; ``roc_auc``
            (NaN where the technique gives no scores); for each criterion of
            :data:`TABLE_CRITERIA`, the disparity ``<criterion>_<kind>`` with ``_low``,
            ``_high`` and ``_verdict``; then ``seconds``,
            ``needs_sensitive_at_prediction``, ``randomized`` and ``warnings`` (one
            text, empty when there are none).

        Raises
        ------
        MitigationError
            If ``kind`` is neither "difference" nor "ratio".
        """
        _check_kind(kind)
        rows = []
        for name, result in self.results.items():
            technique = result.technique
            overall = self.assessments[name].overall
            disparities = self.assessments[name].disparities[self.attribute]
            row: dict[str, object] = {
                "technique": name,
                "title": technique.spec.title,
                "stage": STAGE_TITLES[technique.stage],
                "constraint": CONSTRAINT_TITLES.get(technique.constraint or "", ""),
                "accuracy": float(overall["accuracy"]),
                "accuracy_low": float(overall["accuracy_low"]),
                "accuracy_high": float(overall["accuracy_high"]),
                "balanced_accuracy": self.performance[name].balanced_accuracy,
                "roc_auc": self.performance[name].roc_auc,
            }
            for criterion in TABLE_CRITERIA:
                disparity = disparities.loc[f"{criterion}_{kind}"]
                key = f"{criterion}_{kind}"
                row[key] = float(disparity["value"])
                row[f"{key}_low"] = float(disparity["ci_low"])
                row[f"{key}_high"] = float(disparity["ci_high"])
                row[f"{key}_verdict"] = disparity["verdict"]
            row["seconds"] = result.seconds
            row["needs_sensitive_at_prediction"] = result.needs_sensitive_at_prediction
            row["randomized"] = technique.spec.randomized
            row["warnings"] = " ".join(result.warnings)
            rows.append(row)
        return pd.DataFrame(rows).set_index("technique")

    def per_group(self, name: str, metrics: Sequence[str] = PER_GROUP_METRICS) -> pd.DataFrame:
        """A technique's group metrics next to the baseline's.

        Parameters
        ----------
        name : str
            A technique label of :attr:`names`.
        metrics : sequence of str, default :data:`PER_GROUP_METRICS`
            Group metrics of :data:`fairlab.fairness.METRIC_NAMES`.

        Returns
        -------
        pandas.DataFrame
            One row per group and metric, groups in label order: ``group, count, metric,
            baseline, baseline_low, baseline_high, mitigated, mitigated_low,
            mitigated_high, change`` (mitigated minus baseline; NaN where undefined).

        Raises
        ------
        MitigationError
            If ``name`` is not in the comparison.
        """
        self.result(name)
        before = self.assessments[self.baseline_name].by_group[self.attribute]
        after = self.assessments[name].by_group[self.attribute]
        frames = []
        for metric in metrics:
            frames.append(
                pd.DataFrame(
                    {
                        "group": before["group"].to_numpy(),
                        "count": before["count"].to_numpy(),
                        "metric": metric,
                        "baseline": before[metric].to_numpy(dtype=float),
                        "baseline_low": before[f"{metric}_low"].to_numpy(dtype=float),
                        "baseline_high": before[f"{metric}_high"].to_numpy(dtype=float),
                        "mitigated": after[metric].to_numpy(dtype=float),
                        "mitigated_low": after[f"{metric}_low"].to_numpy(dtype=float),
                        "mitigated_high": after[f"{metric}_high"].to_numpy(dtype=float),
                    }
                )
            )
        table = pd.concat(frames, ignore_index=True)
        table["change"] = table["mitigated"] - table["baseline"]
        return table

    def flips(self, name: str) -> pd.DataFrame:
        """What changed: how many decisions the technique flipped, which way, per group.

        Parameters
        ----------
        name : str
            A technique label of :attr:`names`.

        Returns
        -------
        pandas.DataFrame
            One row per group in label order, then ``"overall"``: ``group, count,
            negative_to_positive`` (0 → 1), ``positive_to_negative`` (1 → 0), ``flipped``
            (their sum) and ``flipped_share`` (of the group's rows).

        Raises
        ------
        MitigationError
            If ``name`` is not in the comparison.
        """
        after = self.result(name).y_pred.astype(np.intp)
        before = self.results[self.baseline_name].y_pred.astype(np.intp)
        codes = self.groups.cat.codes.to_numpy().astype(np.intp)
        labels = [str(label) for label in self.groups.cat.categories]
        change = 3 * codes + (after - before + 1)  # 0: 1 → 0, 1: same, 2: 0 → 1
        counts = np.bincount(change, minlength=3 * len(labels)).reshape(-1, 3)
        keep = counts.sum(axis=1) > 0
        labels = [label for label, k in zip(labels, keep, strict=True) if k] + ["overall"]
        counts = np.vstack([counts[keep], counts.sum(axis=0)])
        table = pd.DataFrame(
            {
                "group": labels,
                "count": counts.sum(axis=1),
                "negative_to_positive": counts[:, 2],
                "positive_to_negative": counts[:, 0],
            }
        )
        table["flipped"] = table["negative_to_positive"] + table["positive_to_negative"]
        table["flipped_share"] = table["flipped"] / table["count"]
        return table


def _check_kind(kind: object) -> None:
    if kind not in ("difference", "ratio"):
        raise MitigationError(KIND_ERROR.format(value=kind))


def _check_n_jobs(n_jobs: object) -> int:
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral) or n_jobs == 0:
        raise MitigationError(N_JOBS_ERROR.format(value=n_jobs))
    return int(n_jobs)


def _techniques(techniques: Sequence[TechniqueConfig]) -> list[TechniqueConfig]:
    chosen = [TechniqueConfig(BASELINE)]
    seen = {chosen[0].label}
    for technique in techniques:
        if not isinstance(technique, TechniqueConfig):
            raise MitigationError(TECHNIQUE_TYPE_ERROR.format(value=technique))
        if technique.name == BASELINE:
            continue
        if technique.label in seen:
            raise MitigationError(DUPLICATE_TECHNIQUE_ERROR.format(label=technique.label))
        seen.add(technique.label)
        chosen.append(technique)
    return chosen


def compare_techniques(
    train: AuditData,
    test: AuditData,
    base: ModelConfig,
    techniques: Sequence[TechniqueConfig] = DEFAULT_TECHNIQUES,
    *,
    roles: Mapping[str, str],
    attribute: str,
    fairness_config: FairnessConfig = FairnessConfig(),  # noqa: B008 - frozen, a safe default
    random_state: int | None = None,
    n_jobs: int = 1,
    baseline: TrainedModel | None = None,
    progress: ProgressCallback | None = None,
    fit_progress: FitProgressCallback | None = None,
) -> MitigationComparison:
    """Run the baseline and each technique on one split and assess them the same way.

    The features are prepared once (the baseline's fitted preprocessing) and every
    technique starts from the same base model, seed and rows; post-processing reuses the
    baseline's model. Results do not depend on ``n_jobs``.

    Parameters
    ----------
    train, test : AuditData
        The training and test rows (from :class:`fairlab.split.Split`).
    base : ModelConfig
        The base model.
    techniques : sequence of TechniqueConfig, default :data:`DEFAULT_TECHNIQUES`
        The techniques to compare; the baseline is always added first.
    roles : mapping of str to str
        The role of each feature column (see :func:`fairlab.data.infer_column_roles`).
    attribute : str
        The sensitive attribute to mitigate for and assess: one of ``train.attributes``.
    fairness_config : FairnessConfig, optional
        Resamples, bounds and comparison of the assessments.
    random_state : int, optional
        Seed of the randomised techniques; defaults to ``base.random_state``.
    n_jobs : int, default 1
        How many techniques run at once, each in its own process (joblib's loky); -1
        uses every core. Worker processes are reused between calls.
    baseline : TrainedModel, optional
        The base model already trained on ``train`` (as on the Model page), to reuse;
        it is only read, never refitted. The baseline's run time is then that of
        preparing the features and predicting.
    progress : callable, optional
        Called as ``progress(done, total, name)`` each time a technique has finished,
        the baseline first.
    fit_progress : callable, optional
        Called as ``fit_progress(name, n_fits)`` in the calling thread after each fit of
        the estimator of a reduction (exponentiated gradient, grid search), which refits
        it dozens of times; from worker processes it arrives within a fifth of a second.

    Returns
    -------
    MitigationComparison

    Raises
    ------
    MitigationError
        If a technique is listed twice or cannot run with this base model or attribute,
        the attribute is unknown or has one group, or ``n_jobs`` is not usable.
    ModelError
        If the base model cannot be trained on these rows.
    """
    n_jobs = _check_n_jobs(n_jobs)
    seed = check_random_state(base.random_state if random_state is None else random_state)
    chosen = _techniques(techniques)
    prepared = prepare(train, test, base, roles=roles, attribute=attribute, baseline=baseline)
    for technique in chosen:
        check_runnable(prepared, technique)
    total = len(chosen)
    results: list[MitigationResult | None] = [None] * total
    results[0] = run_prepared(prepared, chosen[0], random_state=seed)
    if progress is not None:
        progress(1, total, chosen[0].label)
    order = sorted(range(1, total), key=lambda i: (_COST_ORDER[chosen[i].stage], i))
    finished = run_techniques(
        prepared,
        [(i, chosen[i]) for i in order],
        random_state=seed,
        n_jobs=n_jobs,
        fit_progress=fit_progress,
    )
    for done, (position, result) in enumerate(finished, start=2):
        results[position] = result
        if progress is not None:
            progress(done, total, result.label)

    groups = test.groups(attribute).reset_index(drop=True)
    if not isinstance(groups.dtype, pd.CategoricalDtype):
        groups = groups.astype("category")
    sensitive = pd.DataFrame({attribute: groups})
    y_true = np.asarray(test.y_true, dtype=np.int8)
    by_name = {result.label: result for result in results if result is not None}
    return MitigationComparison(
        attribute=attribute,
        base=base,
        results=by_name,
        assessments={
            name: assess_fairness(
                y_true,
                result.y_pred,
                sensitive_features=sensitive,
                y_score=result.y_score,
                config=fairness_config,
            )
            for name, result in by_name.items()
        },
        performance={
            name: performance_summary(y_true, result.y_pred, result.y_score)
            for name, result in by_name.items()
        },
        y_true=y_true,
        groups=groups,
        fairness_config=fairness_config,
        random_state=seed,
    )
