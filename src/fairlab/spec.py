"""The audit specification: the user's choices about what to audit.

An :class:`AuditSpec` names the outcome column and its positive (favourable) value, the
sensitive attributes (with bins for numeric ones such as age), the feature columns, and
optionally the columns holding a model's predictions or scores. It is a frozen dataclass:
hashable, so it keys caches, and serialisable to JSON (never pickle), so an audit can be
saved and re-run exactly.

:meth:`AuditSpec.validate` checks a spec against a DataFrame and returns every problem at
once, each tied to the field that fixes it.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from fairlab.errors import SpecError
from fairlab.labels import Label, canonical_label, distinct_labels

__all__ = [
    "AuditSpec",
    "SensitiveBins",
    "GroupMerge",
    "OTHER_GROUP_LABEL",
    "SUPPORTED_SPEC_VERSIONS",
    "SpecProblem",
    "SpecField",
    "MissingPolicy",
    "MIN_GROUP_SIZE",
    "MAX_GROUPS",
    "MAX_CATEGORICAL_SENSITIVE_VALUES",
    "SPEC_VERSION",
    "needs_bins",
    "suggest_bins",
    "bin_labels",
    "group_labels",
    "merge_groups",
    "without_output_columns",
    "parse_edges",
    "MISSING_GROUP_LABEL",
]

SPEC_VERSION = 2
"""Version 2 added ``merges``; version 1 files still load."""
SUPPORTED_SPEC_VERSIONS = (1, 2)
OTHER_GROUP_LABEL = "Other"
MIN_GROUP_SIZE = 30
"""Groups with fewer rows than this are flagged: their metrics are too noisy to compare."""
MAX_GROUPS = 50
"""A sensitive attribute with more groups than this cannot be audited group by group."""
MAX_CATEGORICAL_SENSITIVE_VALUES = 10
"""A numeric sensitive attribute with more distinct values than this must be binned."""

SpecField = Literal[
    "target", "positive_label", "sensitive", "bins", "missing", "features", "prediction", "score"
]
MissingPolicy = Literal["own_group", "drop"]
Severity = Literal["error", "warning"]
MISSING_GROUP_LABEL = "(missing)"

# Messages: what is wrong, then what to do.
NO_TARGET_ERROR = "Choose the column that holds the outcome (the target)."
COLUMN_NOT_FOUND_ERROR = (
    "Column '{column}' is not in the data. Choose one of the columns the data has."
)
TARGET_ONE_CLASS_ERROR = (
    "Column '{column}' has only one value ({value}), so there is nothing to compare. "
    "Choose an outcome column with at least two values."
)
TARGET_EMPTY_ERROR = "Column '{column}' has no values. Choose an outcome column that is filled in."
TARGET_CONTINUOUS_ERROR = (
    "Column '{column}' looks continuous ({n} distinct numbers), but FairLab audits yes/no "
    "decisions. Choose an outcome column with a few values; to audit a score, set it as the "
    "score column with a threshold."
)
POSITIVE_NEEDED_ERROR = (
    "Column '{column}' has {n} distinct values; choose which value counts as the positive outcome."
)
POSITIVE_NOT_FOUND_ERROR = (
    "The positive outcome '{value}' does not occur in column '{column}'. Choose one of its "
    "values: {values}."
)
POSITIVE_ALL_ERROR = (
    "Every row of '{column}' has the positive outcome '{value}', so there is nothing to "
    "compare. Choose another positive value or another outcome column."
)
MULTICLASS_WARNING = (
    "Column '{column}' has {n} values; '{value}' counts as positive and every other value "
    "({others}) as negative."
)
TARGET_MISSING_WARNING = (
    "{n} rows have no value in '{column}'; they are left out of the audit. Fill them in "
    "before uploading if they matter."
)
TARGET_IS_SENSITIVE_ERROR = (
    "Column '{column}' is both the outcome and a sensitive attribute. Choose a different "
    "sensitive attribute."
)
NO_SENSITIVE_ERROR = (
    "Choose at least one sensitive attribute (for example sex, race or age) to compare groups on."
)
ONE_GROUP_ERROR = (
    "Sensitive attribute '{column}' has only one group ({value}), so there is nothing to "
    "compare. Choose an attribute with at least two groups."
)
TOO_MANY_GROUPS_ERROR = (
    "Sensitive attribute '{column}' has {n} groups; FairLab compares at most {limit}. "
    "Merge rare groups into '" + OTHER_GROUP_LABEL + "' (or map values to groups), choose a "
    "coarser attribute, or bin it if it is numeric."
)
MERGE_NOT_SENSITIVE_ERROR = (
    "Groups of '{column}' are set to be merged, but it is not a sensitive attribute. Choose "
    "it as a sensitive attribute, or remove the merging."
)
MERGE_UNKNOWN_VALUES_WARNING = (
    "The merging of '{column}' maps values the column does not hold ({values}); they have "
    "no effect. Check the spelling of the values."
)
MERGE_ALL_ERROR = (
    "Merging the groups of '{column}' leaves a single group ('{group}'), so there is nothing "
    "to compare. Lower the smallest group size, or map fewer values together."
)
MERGE_MIN_ROWS_ERROR = (
    "The smallest group size for merging must be a whole number of at least 0. Got "
    "{value!r} instead."
)
MERGE_LABEL_ERROR = "The name of a merged group must be a non-empty text. Got {value!r} instead."
NEEDS_BINS_ERROR = (
    "Sensitive attribute '{column}' is numeric with {n} distinct values; set bins (for "
    "example {example}) to turn it into groups."
)
BINS_NOT_NUMERIC_ERROR = (
    "Bins are set for '{column}', but it is not numeric. Remove the bins or choose a "
    "numeric column."
)
BINS_INVALID_ERROR = (
    "The bins for '{column}' must be finite numbers in increasing order. Got {edges} instead."
)
SENSITIVE_MISSING_WARNING_OWN = (
    "{n} rows have no value in '{column}'; they form their own group "
    f"'{MISSING_GROUP_LABEL}'. Choose 'drop' to leave them out instead."
)
SENSITIVE_MISSING_WARNING_DROP = (
    "{n} rows have no value in '{column}'; they are left out of the audit. Choose 'own "
    "group' to keep them as a group of their own."
)
SMALL_GROUP_WARNING = (
    "Group '{group}' of '{column}' has only {n} row{s} (fewer than {limit}); its metrics will "
    "have wide intervals. Consider merging groups or collecting more data."
)
EMPTY_INTERSECTION_WARNING = (
    "{n} combinations of {columns} have no rows ({examples}); they are left out of the "
    "intersectional view."
)
FEATURE_IS_TARGET_ERROR = (
    "The outcome '{column}' is also a feature: a model would just copy it. Remove it from "
    "the features."
)
FEATURE_IS_PREDICTION_ERROR = (
    "Column '{column}' holds the model's {kind}s and is also a feature. Remove it from the "
    "features."
)
FEATURE_LEAKS_TARGET_WARNING = (
    "Feature '{column}' duplicates the outcome '{target}' (the same value in every row): "
    "this is leakage. Remove it from the features unless you mean it."
)
NO_FEATURES_WARNING = (
    "No feature columns are chosen: you can audit predictions held in the file, but not "
    "train a model. Choose features to train one."
)
PREDICTION_POSITIVE_NEEDED_ERROR = (
    "Choose which value(s) of the prediction column '{column}' mean a positive prediction."
)
PREDICTION_POSITIVE_NOT_FOUND_ERROR = (
    "The positive prediction '{value}' does not occur in column '{column}'. Choose among: {values}."
)
PREDICTION_UNKNOWN_VALUES_WARNING = (
    "Prediction column '{column}' has values the outcome column does not ({values}); they "
    "count as negative predictions. Check that this is the right column."
)
PREDICTION_MISSING_WARNING = (
    "{n} rows have no prediction in '{column}'; they are left out of the audit."
)
SCORE_NOT_NUMERIC_ERROR = (
    "Score column '{column}' is not numeric. Choose a column of numbers (probabilities or "
    "risk scores)."
)
THRESHOLD_NEEDED_ERROR = (
    "Set a threshold for the score column '{column}': a score at or above it counts as a "
    "positive prediction."
)
THRESHOLD_INVALID_ERROR = "The 'threshold' must be a finite number. Got {value} instead."
SCORE_BAD_VALUES_WARNING = (
    "{n} rows of score column '{column}' are missing or infinite; they are left out of the audit."
)
THRESHOLD_OUTSIDE_SCORES_WARNING = (
    "The threshold {threshold:g} lies outside the scores in '{column}' (from {low:g} to "
    "{high:g}), so every row gets the same prediction. Choose a threshold inside that range."
)
SAME_PREDICTION_SCORE_ERROR = (
    "Column '{column}' is set as both the prediction column and the score column. Choose "
    "one of them, or two different columns."
)
SPEC_JSON_ERROR = (
    "The saved spec could not be read: {reason}. Choose a spec.json file saved by FairLab."
)


@dataclass(frozen=True)
class SpecProblem:
    """One problem found when checking a spec against data.

    Attributes
    ----------
    field : SpecField
        The part of the spec (and so the widget) that can fix it.
    severity : {"error", "warning"}
        Errors block the audit; warnings inform.
    message : str
        Plain text: what is wrong and what to do.
    column : str or None
        The column concerned, if any.
    """

    field: SpecField
    severity: Severity
    message: str
    column: str | None = None


@dataclass(frozen=True)
class SensitiveBins:
    """Cut points that turn a numeric sensitive attribute into groups.

    Groups are half-open intervals: ``edges=(25, 45)`` gives ``< 25``, ``[25, 45)`` and
    ``≥ 45``.
    """

    column: str
    edges: tuple[float, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "edges", tuple(float(e) for e in self.edges))


@dataclass(frozen=True)
class GroupMerge:
    """How to merge the groups of one sensitive attribute before they are compared.

    Values named in ``mapping`` become the group they map to; then every group with
    fewer than ``min_rows`` rows (in the whole data) becomes ``other_label``. Missing
    values are left to the spec's missing-value policy. Binned attributes are merged
    after binning, on their bin labels.

    Parameters
    ----------
    column : str
        The sensitive attribute.
    min_rows : int, default 0
        Groups smaller than this join ``other_label``; 0 merges nothing by size.
    mapping : tuple of (str, str) pairs, default ()
        Explicit value → group pairs, e.g. ``(("Amer-Indian-Eskimo", "Other"),)``.
    other_label : str, default "Other"
        The name of the group rare values join.
    """

    column: str
    min_rows: int = 0
    mapping: tuple[tuple[str, str], ...] = ()
    other_label: str = OTHER_GROUP_LABEL

    def __post_init__(self) -> None:
        if (
            isinstance(self.min_rows, bool)
            or not isinstance(self.min_rows, int | np.integer)
            or self.min_rows < 0
        ):
            raise ValueError(MERGE_MIN_ROWS_ERROR.format(value=self.min_rows))
        object.__setattr__(self, "min_rows", int(self.min_rows))
        pairs = self.mapping.items() if isinstance(self.mapping, Mapping) else self.mapping
        mapping = tuple((str(value), str(group)) for value, group in pairs)
        for _, group in mapping:
            if not group.strip():
                raise ValueError(MERGE_LABEL_ERROR.format(value=group))
        object.__setattr__(self, "mapping", mapping)
        if not isinstance(self.other_label, str) or not self.other_label.strip():
            raise ValueError(MERGE_LABEL_ERROR.format(value=self.other_label))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (without the column, which keys it in a spec)."""
        return {
            "min_rows": self.min_rows,
            "mapping": dict(self.mapping),
            "other_label": self.other_label,
        }


def _as_tuple(values: Iterable[Any] | str | None) -> tuple[Any, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        return (values,)
    return tuple(values)


def _json_label(value: Any) -> Label:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value)
    return str(value)


@dataclass(frozen=True)
class AuditSpec:
    """What to audit, as chosen by the user.

    Parameters
    ----------
    target : str
        Column holding the observed outcome.
    positive_label : str, int, float or bool
        The value of ``target`` that is the positive (favourable) outcome. Every other
        value counts as negative.
    sensitive : tuple of str
        Sensitive attributes to compare groups on.
    features : tuple of str, default ()
        Columns a model may use. Including a sensitive attribute is an explicit choice.
    bins : tuple of SensitiveBins, default ()
        Cut points for numeric sensitive attributes.
    missing_sensitive : {"own_group", "drop"}, default "own_group"
        What to do with rows whose sensitive attribute is missing.
    prediction_column : str, optional
        Column holding a model's predictions (audit-predictions mode).
    prediction_positive : tuple, default ()
        The value(s) of ``prediction_column`` that are positive predictions.
    score_column : str, optional
        Column holding a model's scores; ``score >= threshold`` is a positive prediction.
    threshold : float, optional
        The decision threshold for ``score_column``.
    merges : tuple of GroupMerge, default ()
        Groups of sensitive attributes to merge (rare ones into "Other", or a mapping).
    """

    target: str
    positive_label: Label
    sensitive: tuple[str, ...]
    features: tuple[str, ...] = ()
    bins: tuple[SensitiveBins, ...] = ()
    missing_sensitive: MissingPolicy = "own_group"
    prediction_column: str | None = None
    prediction_positive: tuple[Label, ...] = ()
    score_column: str | None = None
    threshold: float | None = None
    merges: tuple[GroupMerge, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "sensitive", _as_tuple(self.sensitive))
        object.__setattr__(self, "features", _as_tuple(self.features))
        object.__setattr__(
            self,
            "prediction_positive",
            tuple(_json_label(v) for v in _as_tuple(self.prediction_positive)),
        )
        object.__setattr__(self, "positive_label", _json_label(self.positive_label))
        bins = tuple(
            b if isinstance(b, SensitiveBins) else SensitiveBins(column=b[0], edges=b[1])
            for b in _as_tuple(self.bins)
        )
        object.__setattr__(self, "bins", bins)
        object.__setattr__(self, "merges", _as_tuple(self.merges))
        for merge in self.merges:
            if not isinstance(merge, GroupMerge):
                raise ValueError(
                    f"The 'merges' parameter must hold GroupMerge values. Got {merge!r} instead."
                )
        if self.missing_sensitive not in get_args(MissingPolicy):
            raise ValueError(
                "The 'missing_sensitive' parameter must be one of "
                f"{list(get_args(MissingPolicy))}. Got {self.missing_sensitive!r} instead."
            )
        if self.threshold is not None:
            object.__setattr__(self, "threshold", float(self.threshold))
            if not math.isfinite(self.threshold):
                raise ValueError(THRESHOLD_INVALID_ERROR.format(value=self.threshold))
        if isinstance(self.positive_label, float) and not math.isfinite(self.positive_label):
            raise ValueError(
                "The 'positive_label' parameter must be a value of the outcome column. "
                f"Got {self.positive_label} instead."
            )

    # ------------------------------------------------------------------ accessors
    def bins_for(self, column: str) -> tuple[float, ...] | None:
        """Return the cut points set for ``column``, or None."""
        for b in self.bins:
            if b.column == column:
                return b.edges
        return None

    def merge_for(self, column: str) -> GroupMerge | None:
        """Return how the groups of ``column`` are merged, or None."""
        for merge in self.merges:
            if merge.column == column:
                return merge
        return None

    @property
    def has_predictions(self) -> bool:
        """Whether the spec names predictions or scores held in the data."""
        return self.prediction_column is not None or self.score_column is not None

    def replace(self, **changes: Any) -> AuditSpec:
        """Return a copy with some fields changed (validated like the constructor)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return AuditSpec(**values)

    # ------------------------------------------------------------------ JSON
    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict, with a ``version`` key."""
        data = asdict(self)
        data["sensitive"] = list(self.sensitive)
        data["features"] = list(self.features)
        data["prediction_positive"] = list(self.prediction_positive)
        data["bins"] = {b.column: list(b.edges) for b in self.bins}
        data["merges"] = {m.column: m.to_dict() for m in self.merges}
        return {"version": SPEC_VERSION, **data}

    def to_json(self) -> str:
        """Serialise to indented JSON text."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AuditSpec:
        """Build a spec from :meth:`to_dict` output.

        Raises
        ------
        SpecError
            If keys are missing or unknown, or values have the wrong type.
        """
        if not isinstance(data, Mapping):
            raise _json_error("the top level is not an object")
        payload = dict(data)
        version = payload.pop("version", SPEC_VERSION)
        if version not in SUPPORTED_SPEC_VERSIONS or isinstance(version, bool):
            raise _json_error(
                f"version {version!r} is not supported (expected one of "
                f"{list(SUPPORTED_SPEC_VERSIONS)})"
            )
        if version < 2 and "merges" in payload:
            raise _json_error("'merges' needs version 2 or later")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(payload) - known)
        if unknown:
            raise _json_error(f"unknown keys {unknown}")
        for required in ("target", "positive_label", "sensitive"):
            if required not in payload:
                raise _json_error(f"the key '{required}' is missing")
        if not isinstance(payload["target"], str):
            raise _json_error("'target' must be a column name")
        if not isinstance(payload["positive_label"], str | int | float | bool):
            raise _json_error("'positive_label' must be a text, number or true/false")
        for key in ("sensitive", "features", "prediction_positive"):
            value = payload.get(key, [])
            if not isinstance(value, list):
                raise _json_error(f"'{key}' must be a list")
        for key in ("sensitive", "features"):
            if not all(isinstance(v, str) for v in payload.get(key, [])):
                raise _json_error(f"'{key}' must list column names")
        raw_bins = payload.get("bins", {})
        if not isinstance(raw_bins, Mapping) or not all(
            isinstance(v, list) and all(_is_number(e) for e in v) for v in raw_bins.values()
        ):
            raise _json_error("'bins' must map column names to lists of numbers")
        payload["bins"] = tuple(
            SensitiveBins(column=k, edges=tuple(v)) for k, v in raw_bins.items()
        )
        payload["merges"] = _merges_from_json(payload.get("merges", {}))
        for key in ("prediction_column", "score_column"):
            if payload.get(key) is not None and not isinstance(payload[key], str):
                raise _json_error(f"'{key}' must be a column name or null")
        threshold = payload.get("threshold")
        if threshold is not None and not _is_number(threshold):
            raise _json_error("'threshold' must be a number or null")
        try:
            return cls(**payload)
        except (TypeError, ValueError) as exc:
            raise _json_error(str(exc)) from exc

    @classmethod
    def from_json(cls, text: str | bytes) -> AuditSpec:
        """Parse a spec saved with :meth:`to_json`.

        Raises
        ------
        SpecError
            If the text is not valid JSON or not a FairLab spec.
        """
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise _json_error("it is not valid JSON") from exc
        return cls.from_dict(data)

    # ------------------------------------------------------------------ validation
    def validate(self, frame: pd.DataFrame) -> list[SpecProblem]:
        """Check the spec against ``frame`` and return every problem found.

        Parameters
        ----------
        frame : pandas.DataFrame
            The data the audit will run on.

        Returns
        -------
        list of SpecProblem
            Errors first, then warnings; empty when all is well.
        """
        problems: list[SpecProblem] = []
        problems += _check_target(self, frame)
        problems += _check_sensitive(self, frame)
        problems += _check_features(self, frame)
        problems += _check_predictions(self, frame)
        return sorted(problems, key=lambda p: p.severity != "error")

    def check(self, frame: pd.DataFrame) -> list[SpecProblem]:
        """Validate and raise on errors; return the warnings.

        Raises
        ------
        SpecError
            Carrying every error-severity problem.
        """
        problems = self.validate(frame)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise SpecError(errors)
        return problems


def _merges_from_json(raw: Any) -> tuple[GroupMerge, ...]:
    if not isinstance(raw, Mapping):
        raise _json_error("'merges' must map column names to merge settings")
    merges = []
    for column, settings in raw.items():
        if not isinstance(settings, Mapping) or set(settings) - {
            "min_rows",
            "mapping",
            "other_label",
        }:
            raise _json_error(
                f"'merges' of '{column}' must hold only min_rows, mapping and other_label"
            )
        mapping = settings.get("mapping", {})
        if not isinstance(mapping, Mapping) or not all(
            isinstance(v, str) for v in mapping.values()
        ):
            raise _json_error(f"the mapping of '{column}' must map values to group names")
        min_rows = settings.get("min_rows", 0)
        if isinstance(min_rows, bool) or not isinstance(min_rows, int):
            raise _json_error(f"'min_rows' of '{column}' must be a whole number")
        try:
            merges.append(
                GroupMerge(
                    column=str(column),
                    min_rows=min_rows,
                    mapping=tuple(mapping.items()),
                    other_label=settings.get("other_label", OTHER_GROUP_LABEL),
                )
            )
        except ValueError as exc:
            raise _json_error(str(exc)) from exc
    return tuple(merges)


def _json_error(reason: str) -> SpecError:
    return SpecError([SpecProblem("target", "error", SPEC_JSON_ERROR.format(reason=reason))])


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _error(field_: SpecField, message: str, column: str | None = None) -> SpecProblem:
    return SpecProblem(field_, "error", message, column)


def _warning(field_: SpecField, message: str, column: str | None = None) -> SpecProblem:
    return SpecProblem(field_, "warning", message, column)


def _preview(values: Sequence[Any], limit: int = 5) -> str:
    shown = ", ".join(str(v) for v in values[:limit])
    return shown + (f", … ({len(values) - limit} more)" if len(values) > limit else "")


# ---------------------------------------------------------------------- target
def _check_target(spec: AuditSpec, frame: pd.DataFrame) -> list[SpecProblem]:
    column = spec.target
    if not column:
        return [_error("target", NO_TARGET_ERROR)]
    if column not in frame.columns:
        return [_error("target", COLUMN_NOT_FOUND_ERROR.format(column=column), column)]
    values = frame[column]
    labels = distinct_labels(values)
    problems: list[SpecProblem] = []
    if not labels:
        return [_error("target", TARGET_EMPTY_ERROR.format(column=column), column)]
    if len(labels) == 1:
        return [
            _error("target", TARGET_ONE_CLASS_ERROR.format(column=column, value=labels[0]), column)
        ]
    wanted = canonical_label(spec.positive_label)
    canon = [canonical_label(v) for v in labels]
    if wanted not in canon:
        if pd.api.types.is_float_dtype(values) and len(labels) > MAX_CATEGORICAL_SENSITIVE_VALUES:
            problems.append(
                _error(
                    "target", TARGET_CONTINUOUS_ERROR.format(column=column, n=len(labels)), column
                )
            )
        elif len(labels) > 2 or spec.positive_label in ("", None):
            problems.append(
                _error(
                    "positive_label",
                    POSITIVE_NEEDED_ERROR.format(column=column, n=len(labels)),
                    column,
                )
            )
        else:
            problems.append(
                _error(
                    "positive_label",
                    POSITIVE_NOT_FOUND_ERROR.format(
                        value=spec.positive_label, column=column, values=_preview(labels)
                    ),
                    column,
                )
            )
    elif len(labels) > 2:
        others = [v for v, c in zip(labels, canon, strict=True) if c != wanted]
        problems.append(
            _warning(
                "positive_label",
                MULTICLASS_WARNING.format(
                    column=column, n=len(labels), value=spec.positive_label, others=_preview(others)
                ),
                column,
            )
        )
    n_missing = int(values.isna().sum())
    if n_missing:
        problems.append(
            _warning("target", TARGET_MISSING_WARNING.format(n=n_missing, column=column), column)
        )
    if column in spec.sensitive:
        problems.append(
            _error("sensitive", TARGET_IS_SENSITIVE_ERROR.format(column=column), column)
        )
    return problems


# ---------------------------------------------------------------------- sensitive
def needs_bins(values: pd.Series) -> bool:
    """Whether a sensitive attribute is numeric with too many values to be groups as is."""
    return bool(
        pd.api.types.is_numeric_dtype(values)
        and not pd.api.types.is_bool_dtype(values)
        and values.nunique(dropna=True) > MAX_CATEGORICAL_SENSITIVE_VALUES
    )


def suggest_bins(values: pd.Series) -> tuple[float, ...]:
    """Suggest cut points for a numeric sensitive attribute.

    Ages (a column whose values lie in 0–120 and whose name mentions age) get the
    conventional ``25, 45, 65`` cut points that fall inside the data; anything else gets
    its quartiles, rounded to two significant digits.

    Parameters
    ----------
    values : pandas.Series
        A numeric column.

    Returns
    -------
    tuple of float
        Increasing cut points, at least one.
    """
    clean = pd.to_numeric(values, errors="coerce").replace([np.inf, -np.inf], np.nan).dropna()
    if clean.empty:
        return (0.0,)
    low, high = float(clean.min()), float(clean.max())
    decomposed = unicodedata.normalize("NFKD", str(values.name)).lower()
    name = "".join(c for c in decomposed if not unicodedata.combining(c))
    if ("age" in name or "alter" in name or "edad" in name) and 0 <= low and high <= 120:
        edges = tuple(e for e in (25.0, 45.0, 65.0) if low < e <= high)
        if edges:
            return edges
    quartiles = np.quantile(clean.to_numpy(dtype=float), [0.25, 0.5, 0.75])
    rounded = sorted({float(f"{q:.2g}") for q in quartiles if low < float(f"{q:.2g}") <= high})
    return tuple(rounded) or (float(np.median(clean)),)


def bin_labels(edges: Sequence[float]) -> list[str]:
    """Name the groups that ``edges`` cut a numeric column into.

    Examples
    --------
    >>> bin_labels([25, 45])
    ['< 25', '[25, 45)', '≥ 45']
    """
    shown = [f"{e:g}" for e in edges]
    labels = [f"< {shown[0]}"]
    labels += [f"[{a}, {b})" for a, b in zip(shown[:-1], shown[1:], strict=True)]
    labels.append(f"≥ {shown[-1]}")
    return labels


def _valid_edges(edges: Sequence[float]) -> bool:
    return (
        len(edges) > 0
        and all(math.isfinite(e) for e in edges)
        and all(a < b for a, b in zip(edges[:-1], edges[1:], strict=False))
    )


def _check_sensitive(spec: AuditSpec, frame: pd.DataFrame) -> list[SpecProblem]:
    if not spec.sensitive:
        return [_error("sensitive", NO_SENSITIVE_ERROR)]
    problems: list[SpecProblem] = []
    grouped: dict[str, pd.Series] = {}
    for merge in spec.merges:
        if merge.column not in spec.sensitive:
            problems.append(
                _error(
                    "sensitive", MERGE_NOT_SENSITIVE_ERROR.format(column=merge.column), merge.column
                )
            )
    for column in spec.sensitive:
        if column not in frame.columns:
            problems.append(
                _error("sensitive", COLUMN_NOT_FOUND_ERROR.format(column=column), column)
            )
            continue
        values = frame[column]
        edges = spec.bins_for(column)
        if edges is not None:
            if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
                problems.append(
                    _error("bins", BINS_NOT_NUMERIC_ERROR.format(column=column), column)
                )
                continue
            if not _valid_edges(edges):
                problems.append(
                    _error(
                        "bins", BINS_INVALID_ERROR.format(column=column, edges=list(edges)), column
                    )
                )
                continue
        elif needs_bins(values) and spec.merge_for(column) is None:
            example = ", ".join(f"{e:g}" for e in suggest_bins(values))
            problems.append(
                _error(
                    "bins",
                    NEEDS_BINS_ERROR.format(column=column, n=values.nunique(), example=example),
                    column,
                )
            )
            continue
        merge = spec.merge_for(column)
        groups = group_labels(values, edges=edges, missing=spec.missing_sensitive, merge=merge)
        grouped[column] = groups
        merge_problems = (
            [] if merge is None else _check_merge(merge, values, edges=edges, merged=groups)
        )
        problems += merge_problems
        merged_to_one = any(p.severity == "error" for p in merge_problems)
        n_missing = int(values.isna().sum())
        if n_missing:
            template = (
                SENSITIVE_MISSING_WARNING_OWN
                if spec.missing_sensitive == "own_group"
                else SENSITIVE_MISSING_WARNING_DROP
            )
            problems.append(
                _warning("missing", template.format(n=n_missing, column=column), column)
            )
        counts = groups.value_counts(dropna=True)
        counts = counts[counts > 0]
        if merged_to_one:
            continue
        if len(counts) == 1:
            problems.append(
                _error(
                    "sensitive",
                    ONE_GROUP_ERROR.format(column=column, value=counts.index[0]),
                    column,
                )
            )
        elif len(counts) > MAX_GROUPS:
            problems.append(
                _error(
                    "sensitive",
                    TOO_MANY_GROUPS_ERROR.format(column=column, n=len(counts), limit=MAX_GROUPS),
                    column,
                )
            )
        else:
            for group, n in counts.items():
                if n < MIN_GROUP_SIZE:
                    problems.append(
                        _warning(
                            "sensitive",
                            SMALL_GROUP_WARNING.format(
                                group=group,
                                column=column,
                                n=int(n),
                                s="" if int(n) == 1 else "s",
                                limit=MIN_GROUP_SIZE,
                            ),
                            column,
                        )
                    )
    if len(grouped) >= 2 and len(grouped) == len(spec.sensitive):
        problems += _check_intersection(grouped)
    return problems


def _check_merge(
    merge: GroupMerge, values: pd.Series, *, edges: Sequence[float] | None, merged: pd.Series
) -> list[SpecProblem]:
    problems: list[SpecProblem] = []
    unmerged = group_labels(values, edges=edges, missing="drop")
    known = {str(c) for c in unmerged.cat.categories}
    unknown = [value for value, _ in merge.mapping if value not in known]
    if unknown:
        problems.append(
            _warning(
                "sensitive",
                MERGE_UNKNOWN_VALUES_WARNING.format(column=merge.column, values=_preview(unknown)),
                merge.column,
            )
        )
    counts = merged.value_counts(dropna=True)
    counts = counts[counts > 0]
    if len(counts) == 1 and unmerged.nunique(dropna=True) > 1:
        problems.append(
            _error(
                "sensitive",
                MERGE_ALL_ERROR.format(column=merge.column, group=counts.index[0]),
                merge.column,
            )
        )
    return problems


def _check_intersection(grouped: Mapping[str, pd.Series]) -> list[SpecProblem]:
    frame = pd.DataFrame({c: g.astype(str).where(g.notna()) for c, g in grouped.items()}).dropna()
    observed = frame.value_counts()
    observed = observed[observed > 0]
    n_cells = math.prod(frame[c].nunique() for c in frame.columns)
    n_empty = n_cells - len(observed)
    if n_empty <= 0:
        return []
    levels = [sorted(frame[c].unique().tolist()) for c in frame.columns]
    seen = set(observed.index)
    missing = [combo for combo in _product(levels) if combo not in seen]
    examples = "; ".join(" × ".join(map(str, combo)) for combo in missing[:3])
    if len(missing) > 3:
        examples += "; …"
    return [
        _warning(
            "sensitive",
            EMPTY_INTERSECTION_WARNING.format(
                n=n_empty, columns=" × ".join(f"'{c}'" for c in frame.columns), examples=examples
            ),
        )
    ]


def _product(levels: Sequence[Sequence[Any]]) -> Iterable[tuple[Any, ...]]:
    if not levels:
        yield ()
        return
    for head in levels[0]:
        for tail in _product(levels[1:]):
            yield (head, *tail)


def group_labels(
    values: pd.Series,
    *,
    edges: Sequence[float] | None = None,
    missing: MissingPolicy = "own_group",
    merge: GroupMerge | None = None,
) -> pd.Series:
    """Turn a sensitive attribute into group labels (text), binned, merged and with missing
    handled.

    Parameters
    ----------
    values : pandas.Series
        The sensitive attribute.
    edges : sequence of float, optional
        Cut points for a numeric attribute (see :class:`SensitiveBins`).
    missing : {"own_group", "drop"}
        ``"own_group"`` labels missing values ``"(missing)"``; ``"drop"`` leaves them NaN.
    merge : GroupMerge, optional
        Groups to merge (see :func:`merge_groups`), after binning.

    Returns
    -------
    pandas.Series
        Categorical text labels with the same index as ``values``.
    """
    if edges is not None:
        numbers = pd.to_numeric(values, errors="coerce")
        labels = bin_labels(edges)
        codes = np.searchsorted(
            np.asarray(edges, dtype=float), numbers.to_numpy(dtype=float), side="right"
        )
        result = pd.Series(
            pd.Categorical.from_codes(
                np.where(numbers.isna().to_numpy(), -1, codes), categories=labels
            ),
            index=values.index,
            name=values.name,
        )
    else:
        result = values.astype("string").str.strip().astype("category")
        result = (
            result.cat.rename_categories(lambda c: str(c)) if len(result.cat.categories) else result
        )
    if merge is not None:
        result = merge_groups(result, merge)
    if missing == "own_group" and result.isna().any():
        result = result.cat.add_categories([MISSING_GROUP_LABEL]).fillna(MISSING_GROUP_LABEL)
    return result.cat.remove_unused_categories()


def merge_groups(labels: pd.Series, merge: GroupMerge) -> pd.Series:
    """Merge groups: mapped values first, then groups below ``merge.min_rows`` rows.

    Parameters
    ----------
    labels : pandas.Series
        Categorical group labels (as from :func:`group_labels`); missing values stay
        missing.
    merge : GroupMerge
        The mapping, the smallest group size and the name of the group rare values join.

    Returns
    -------
    pandas.Series
        Categorical labels, same index; the groups keep their order, with
        ``merge.other_label`` last.

    Examples
    --------
    >>> labels = pd.Series(["a", "a", "b", "c"], dtype="category")
    >>> merge_groups(labels, GroupMerge("x", min_rows=2)).tolist()
    ['a', 'a', 'Other', 'Other']
    """
    categorical = (
        labels
        if isinstance(labels.dtype, pd.CategoricalDtype)
        else labels.astype("string").astype("category")
    )
    old = [str(c) for c in categorical.cat.categories]
    mapping = dict(merge.mapping)
    mapped = [mapping.get(name, name) for name in old]
    codes = categorical.cat.codes.to_numpy()
    counts = np.bincount(codes[codes >= 0], minlength=len(old))
    totals: dict[str, int] = {}
    for name, count in zip(mapped, counts, strict=True):
        totals[name] = totals.get(name, 0) + int(count)
    final = [merge.other_label if totals[name] < merge.min_rows else name for name in mapped]
    kept = [name for name in dict.fromkeys(final) if name != merge.other_label]
    categories = kept + ([merge.other_label] if merge.other_label in final else [])
    position = {name: i for i, name in enumerate(categories)}
    lookup = np.array([position[name] for name in final] + [-1], dtype=np.int64)
    return pd.Series(
        pd.Categorical.from_codes(lookup[codes], categories=categories),
        index=labels.index,
        name=labels.name,
    )


def without_output_columns(spec: AuditSpec) -> AuditSpec:
    """The spec with its prediction and score columns taken out of the features.

    A column that holds a model's output is never an input: call this whenever the
    prediction or score column is chosen.

    Parameters
    ----------
    spec : AuditSpec

    Returns
    -------
    AuditSpec
        The same spec when neither column is a feature.
    """
    outputs = {spec.prediction_column, spec.score_column} - {None}
    if not outputs & set(spec.features):
        return spec
    return spec.replace(features=tuple(c for c in spec.features if c not in outputs))


# ---------------------------------------------------------------------- features
def _check_features(spec: AuditSpec, frame: pd.DataFrame) -> list[SpecProblem]:
    problems: list[SpecProblem] = []
    if not spec.features:
        return [_warning("features", NO_FEATURES_WARNING)]
    target_values = frame[spec.target] if spec.target in frame.columns else None
    for column in spec.features:
        if column not in frame.columns:
            problems.append(
                _error("features", COLUMN_NOT_FOUND_ERROR.format(column=column), column)
            )
        elif column == spec.target:
            problems.append(
                _error("features", FEATURE_IS_TARGET_ERROR.format(column=column), column)
            )
        elif column == spec.prediction_column:
            problems.append(
                _error(
                    "features",
                    FEATURE_IS_PREDICTION_ERROR.format(column=column, kind="prediction"),
                    column,
                )
            )
        elif column == spec.score_column:
            problems.append(
                _error(
                    "features",
                    FEATURE_IS_PREDICTION_ERROR.format(column=column, kind="score"),
                    column,
                )
            )
        elif target_values is not None and _duplicates(frame[column], target_values):
            problems.append(
                _warning(
                    "features",
                    FEATURE_LEAKS_TARGET_WARNING.format(column=column, target=spec.target),
                    column,
                )
            )
    return problems


def _duplicates(candidate: pd.Series, target: pd.Series) -> bool:
    """Whether ``candidate`` is the target again, up to relabelling its values."""
    if candidate.nunique(dropna=False) != target.nunique(dropna=False):
        return False
    codes_a, _ = pd.factorize(candidate, use_na_sentinel=False)
    codes_b, _ = pd.factorize(target, use_na_sentinel=False)
    return bool(np.array_equal(codes_a, codes_b))


# ---------------------------------------------------------------------- predictions
def _check_predictions(spec: AuditSpec, frame: pd.DataFrame) -> list[SpecProblem]:
    problems: list[SpecProblem] = []
    if spec.prediction_column is not None and spec.prediction_column == spec.score_column:
        return [
            _error("prediction", SAME_PREDICTION_SCORE_ERROR.format(column=spec.prediction_column))
        ]
    if spec.prediction_column is not None:
        problems += _check_prediction_column(spec, frame)
    if spec.score_column is not None:
        problems += _check_score_column(spec, frame)
    return problems


def _check_prediction_column(spec: AuditSpec, frame: pd.DataFrame) -> list[SpecProblem]:
    column = spec.prediction_column
    assert column is not None
    if column not in frame.columns:
        return [_error("prediction", COLUMN_NOT_FOUND_ERROR.format(column=column), column)]
    if not spec.prediction_positive:
        return [
            _error("prediction", PREDICTION_POSITIVE_NEEDED_ERROR.format(column=column), column)
        ]
    values = frame[column]
    labels = distinct_labels(values)
    canon = {canonical_label(v) for v in labels}
    problems: list[SpecProblem] = []
    for positive in spec.prediction_positive:
        if canonical_label(positive) not in canon:
            problems.append(
                _error(
                    "prediction",
                    PREDICTION_POSITIVE_NOT_FOUND_ERROR.format(
                        value=positive, column=column, values=_preview(labels)
                    ),
                    column,
                )
            )
    if spec.target in frame.columns:
        target_canon = {canonical_label(v) for v in distinct_labels(frame[spec.target])}
        unknown = [v for v in labels if canonical_label(v) not in target_canon]
        positives = {canonical_label(p) for p in spec.prediction_positive}
        unknown = [v for v in unknown if canonical_label(v) not in positives]
        # Only a column that speaks the outcome's vocabulary can have "unknown" values;
        # risk levels such as Low/Medium/High against a 0/1 outcome are a different scale.
        shares_vocabulary = bool(canon & target_canon)
        if unknown and shares_vocabulary:
            problems.append(
                _warning(
                    "prediction",
                    PREDICTION_UNKNOWN_VALUES_WARNING.format(
                        column=column, values=_preview(unknown)
                    ),
                    column,
                )
            )
    n_missing = int(values.isna().sum())
    if n_missing:
        problems.append(
            _warning(
                "prediction", PREDICTION_MISSING_WARNING.format(n=n_missing, column=column), column
            )
        )
    return problems


def _check_score_column(spec: AuditSpec, frame: pd.DataFrame) -> list[SpecProblem]:
    column = spec.score_column
    assert column is not None
    if column not in frame.columns:
        return [_error("score", COLUMN_NOT_FOUND_ERROR.format(column=column), column)]
    values = frame[column]
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return [_error("score", SCORE_NOT_NUMERIC_ERROR.format(column=column), column)]
    problems: list[SpecProblem] = []
    if spec.threshold is None:
        problems.append(_error("score", THRESHOLD_NEEDED_ERROR.format(column=column), column))
    numbers = values.to_numpy(dtype=float, na_value=np.nan)
    finite = np.isfinite(numbers)
    n_bad = int((~finite).sum())
    if n_bad:
        problems.append(
            _warning("score", SCORE_BAD_VALUES_WARNING.format(n=n_bad, column=column), column)
        )
    if spec.threshold is not None and finite.any():
        low, high = float(numbers[finite].min()), float(numbers[finite].max())
        if spec.threshold <= low or spec.threshold > high:
            problems.append(
                _warning(
                    "score",
                    THRESHOLD_OUTSIDE_SCORES_WARNING.format(
                        threshold=spec.threshold, column=column, low=low, high=high
                    ),
                    column,
                )
            )
    return problems


BINS_TEXT_ERROR = (
    "Bins must be numbers in increasing order separated by commas, for example 25, 45, 65. "
    "Got '{text}' instead."
)


def parse_edges(text: str, *, column: str) -> tuple[float, ...]:
    """Read cut points typed by a user, such as ``"25, 45, 65"``.

    Parameters
    ----------
    text : str
        Numbers separated by commas, semicolons or spaces.
    column : str
        The column they are for (named in problems).

    Returns
    -------
    tuple of float

    Raises
    ------
    SpecError
        If the text is not increasing finite numbers.
    """
    parts = [p for p in re.split(r"[,;\s]+", text.strip()) if p]
    try:
        edges = tuple(float(p) for p in parts)
    except ValueError:
        edges = ()
    if not _valid_edges(edges):
        raise SpecError([_error("bins", BINS_TEXT_ERROR.format(text=text.strip()), column)])
    return edges
