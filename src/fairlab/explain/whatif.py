"""What if a row were different? Re-predict after editing features, or the sensitive attribute.

:func:`what_if` edits some feature values of one row and asks the model again: the
decision and score before and after (:class:`WhatIfResult`). Every new value is checked
against its column's type first (a number for a number column, a whole number for an
integer column, text for a text column, a known category for a categorical column, yes/no
for a yes/no column), so a typo is an error with its reason, not a silent change.

:func:`flip_sensitive` changes only the sensitive attribute, row by row, and measures how
often the decision changes (:class:`FlipResult`). It needs the attribute to be an input of
the model: a model that does not take it cannot change its answer when it alone changes,
although other features may still carry it (see :func:`fairlab.explain.proxy_strength`).

The counterfactuals: each row is given, in turn, every other value of the attribute (its
*counterfactual to each other group*), all else unchanged. With two groups that is a swap;
with more, a row of group A gets one counterfactual per other group. A row *flips* when at
least one of its counterfactuals gets another decision; the *flip rate* is the share of
rows that flip. :meth:`FlipResult.table` details each (from, to) pair: how many rows, how
many changed decision and in which direction, and the mean change of score.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from fairlab.errors import FairLabError, ModelError
from fairlab.models import MISSING_COLUMNS_ERROR, FittedModel, predict

__all__ = [
    "WhatIfResult",
    "FlipResult",
    "WhatIfError",
    "what_if",
    "flip_sensitive",
    "MAX_FLIP_VALUES",
    "MISSING_VALUE",
    "FLIP_COLUMNS",
    "ROW_ERROR",
    "UNKNOWN_FEATURE_ERROR",
    "VALUE_TYPE_ERROR",
    "CATEGORY_ERROR",
    "UNSUPPORTED_COLUMN_ERROR",
    "NOT_AN_INPUT_ERROR",
    "NO_ROWS_ERROR",
    "TOO_MANY_VALUES_ERROR",
    "TOO_FEW_VALUES_ERROR",
]

MAX_FLIP_VALUES = 20
"""Above this many distinct values, :func:`flip_sensitive` asks which values to flip to."""
MISSING_VALUE = "(missing)"
"""How a missing value of the sensitive attribute is named in :meth:`FlipResult.table`."""
FLIP_COLUMNS = (
    "from",
    "to",
    "rows",
    "changed",
    "change_rate",
    "to_positive",
    "to_negative",
    "mean_score_change",
)
"""The columns of :meth:`FlipResult.table`, in order."""

ROW_ERROR = "The 'row' parameter must be a DataFrame with exactly one row. Got {got} instead."
UNKNOWN_FEATURE_ERROR = (
    "{feature!r} is not an input of the model, so changing it cannot change the prediction. "
    "Choose among the model's features: {features}."
)
VALUE_TYPE_ERROR = "The value of '{feature}' must be {expected}, like its column. Got {value!r}."
CATEGORY_ERROR = (
    "The value of '{feature}' must be one of its categories {categories}. Got {value!r}."
)
UNSUPPORTED_COLUMN_ERROR = (
    "The column '{feature}' holds {dtype} values, which a what-if cannot change. Change "
    "other features."
)
NOT_AN_INPUT_ERROR = (
    "'{attribute}' is not an input of the model, so flipping it cannot change the "
    "prediction directly. Other features may still carry it (proxies): check them with the "
    "proxy detector."
)
NO_ROWS_ERROR = "There are no rows to flip. Pass rows that hold the model's features."
TOO_MANY_VALUES_ERROR = (
    "'{attribute}' has {count} distinct values, too many to flip each row to every one. "
    "Pass the values to compare in 'sensitive_values' (at most {limit})."
)
TOO_FEW_VALUES_ERROR = (
    "Flipping '{attribute}' needs at least two distinct values to flip between. Got {values}."
)


class WhatIfError(FairLabError):
    """A what-if or a flip of the sensitive attribute cannot be run as asked."""


# ---------------------------------------------------------------------- results
@dataclass(frozen=True, eq=False)
class WhatIfResult:
    """One row before and after some of its features were edited, and the model's answers.

    Attributes
    ----------
    before, after : pandas.DataFrame
        The row as given and as edited (one row each, the model's features).
    changed : tuple of str
        The features whose value the edit actually changed, in the order given.
    decision_before, decision_after : int
        The model's decision (1 positive, 0 negative) for the row before and after.
    score_before, score_after : float or None
        The probability of the positive outcome before and after; None if the model gives
        no probabilities.
    """

    before: pd.DataFrame
    after: pd.DataFrame
    changed: tuple[str, ...]
    decision_before: int
    decision_after: int
    score_before: float | None
    score_after: float | None

    @property
    def decision_changed(self) -> bool:
        """Whether the edit changed the decision."""
        return self.decision_before != self.decision_after

    @property
    def score_change(self) -> float | None:
        """``score_after - score_before``; None without probabilities."""
        if self.score_before is None or self.score_after is None:
            return None
        return self.score_after - self.score_before

    def table(self) -> pd.DataFrame:
        """The changed features, one line each: ``feature``, ``before``, ``after``."""
        return pd.DataFrame(
            {
                "feature": list(self.changed),
                "before": [self.before[f].iloc[0] for f in self.changed],
                "after": [self.after[f].iloc[0] for f in self.changed],
            },
            dtype=object,
        )

    @property
    def sentence(self) -> str:
        """The answer in plain words."""
        if not self.changed:
            return "Nothing was changed, so the prediction is the same."
        edits = ", ".join(
            f"{feature} from {_shown(self.before[feature].iloc[0])} to "
            f"{_shown(self.after[feature].iloc[0])}"
            for feature in self.changed
        )
        outcome = _outcome(self.decision_before)
        if self.decision_changed:
            verdict = f"turns the decision from {outcome} to {_outcome(self.decision_after)}"
        else:
            verdict = f"keeps the decision {outcome}"
        if self.score_before is not None and self.score_after is not None:
            verdict += f" (score {self.score_before:.3f} → {self.score_after:.3f})"
        return f"Changing {edits} {verdict}."


@dataclass(frozen=True, eq=False)
class FlipResult:
    """How the model's decisions change when only the sensitive attribute changes.

    Attributes
    ----------
    attribute : str
        The sensitive attribute (an input of the model).
    values : tuple
        The values each row was flipped to (every one but its own).
    n_rows : int
        Rows flipped.
    flip_rate : float
        The share of rows whose decision changes for at least one of their
        counterfactuals, in [0, 1].
    mean_abs_score_change : float
        The mean, over all counterfactuals, of ``|score after - score before|``; NaN if the
        model gives no probabilities.
    counterfactuals : pandas.DataFrame
        One line per (row, counterfactual value): ``row`` (position in the rows given),
        ``from``, ``to``, ``decision_before``, ``decision_after``, ``score_before``,
        ``score_after`` (NaN without probabilities).
    """

    attribute: str
    values: tuple[Any, ...]
    n_rows: int
    flip_rate: float
    mean_abs_score_change: float
    counterfactuals: pd.DataFrame

    def table(self) -> pd.DataFrame:
        """One line per (from, to) pair of values, with the columns of :data:`FLIP_COLUMNS`.

        ``rows`` counts the rows of group ``from`` flipped to ``to``; ``changed`` those
        whose decision changed, ``change_rate`` their share; ``to_positive`` and
        ``to_negative`` split ``changed`` by the new decision; ``mean_score_change`` is the
        mean of ``score after - score before`` (NaN without probabilities).
        """
        lines = self.counterfactuals
        changed = lines["decision_after"] != lines["decision_before"]
        work = pd.DataFrame(
            {
                "from": lines["from"],
                "to": lines["to"],
                "changed": changed,
                "to_positive": changed & (lines["decision_after"] == 1),
                "to_negative": changed & (lines["decision_after"] == 0),
                "score_change": lines["score_after"] - lines["score_before"],
            }
        )
        grouped = work.groupby(["from", "to"], sort=True, dropna=False)
        table = pd.DataFrame(
            {
                "rows": grouped.size(),
                "changed": grouped["changed"].sum(),
                "to_positive": grouped["to_positive"].sum(),
                "to_negative": grouped["to_negative"].sum(),
                "mean_score_change": grouped["score_change"].mean(),
            }
        ).reset_index()
        table["change_rate"] = table["changed"] / table["rows"]
        table["from"] = table["from"].map(_label)
        table["to"] = table["to"].map(_label)
        return table.astype({"rows": int, "changed": int, "to_positive": int, "to_negative": int})[
            list(FLIP_COLUMNS)
        ]

    @property
    def sentence(self) -> str:
        """The flip rate in plain words."""
        values = ", ".join(_label(value) for value in self.values)
        return (
            f"Setting {self.attribute} to each other value among {values}, all else equal, "
            f"changes the decision for {self.flip_rate:.1%} of {self.n_rows:,} row"
            f"{'s' if self.n_rows != 1 else ''}."
        )


# ---------------------------------------------------------------------- what-if
def what_if(model: FittedModel, row: pd.DataFrame, changes: Mapping[str, object]) -> WhatIfResult:
    """Edit some feature values of one row and predict it again.

    Parameters
    ----------
    model : TrainedModel, LoadedModel or Surrogate
        The fitted model.
    row : pandas.DataFrame
        One row holding the model's features (``X.iloc[[i]]``).
    changes : mapping of str to object
        New values by feature. Each must suit its column: a number for a number column (a
        whole number for an integer column), text for a text column, one of the categories
        for a categorical column, True or False for a yes/no column.

    Returns
    -------
    WhatIfResult

    Raises
    ------
    WhatIfError
        If ``row`` is not one row, a changed column is not a model input, or a value does
        not suit its column.
    ModelError
        If the row lacks the model's features.
    """
    if not isinstance(row, pd.DataFrame) or len(row) != 1:
        got = f"{len(row)} rows" if isinstance(row, pd.DataFrame) else type(row).__name__
        raise WhatIfError(ROW_ERROR.format(got=got))
    features = _features(model, row)
    before = row.loc[:, list(features)].reset_index(drop=True)
    after = before.copy()
    changed: list[str] = []
    for feature, value in changes.items():
        if feature not in features:
            raise WhatIfError(
                UNKNOWN_FEATURE_ERROR.format(feature=feature, features=list(features))
            )
        checked = _checked_value(feature, before[feature], value)
        after[feature] = pd.Series([checked], dtype=before[feature].dtype)
        if not _same(before[feature].iloc[0], after[feature].iloc[0]):
            changed.append(str(feature))
    decisions, scores = predict(model, pd.concat([before, after], ignore_index=True))
    return WhatIfResult(
        before=before,
        after=after,
        changed=tuple(changed),
        decision_before=int(decisions[0]),
        decision_after=int(decisions[1]),
        score_before=None if scores is None else float(scores[0]),
        score_after=None if scores is None else float(scores[1]),
    )


# ---------------------------------------------------------------------- flips
def flip_sensitive(
    model: FittedModel,
    X: pd.DataFrame,
    attribute: str,
    *,
    sensitive_values: Sequence[object] | None = None,
) -> FlipResult:
    """Change only the sensitive attribute of each row and measure how often decisions change.

    Parameters
    ----------
    model : TrainedModel, LoadedModel or Surrogate
        The fitted model; ``attribute`` must be one of its inputs.
    X : pandas.DataFrame
        The rows (for a trained model, usually the test rows).
    attribute : str
        The sensitive attribute's column.
    sensitive_values : sequence, optional
        The values to flip each row to (every one but its own). By default the distinct
        values of the column in ``X``; give a few values for a column with many (such as
        ages). Each must suit the column, like a value of :func:`what_if`.

    Returns
    -------
    FlipResult

    Raises
    ------
    WhatIfError
        If ``attribute`` is not a model input, there are no rows, fewer than two values, or
        more than :data:`MAX_FLIP_VALUES` values by default, or a value does not suit the
        column.
    ModelError
        If ``X`` lacks the model's features.
    """
    features = _features(model, X)
    if attribute not in features:
        raise WhatIfError(NOT_AN_INPUT_ERROR.format(attribute=attribute))
    if len(X) == 0:
        raise WhatIfError(NO_ROWS_ERROR)
    rows = X.loc[:, list(features)].reset_index(drop=True)
    column = rows[attribute]
    values = _flip_values(attribute, column, sensitive_values)

    decisions, scores = predict(model, rows)
    parts, positions, targets = [], [], []
    for value in values:
        others = np.flatnonzero(~_equals(column, value))
        flipped = rows.iloc[others].reset_index(drop=True)
        flipped[attribute] = pd.Series([value] * len(others), dtype=column.dtype)
        parts.append(flipped)
        positions.append(others)
        targets.extend([value] * len(others))
    row = np.concatenate(positions)
    new_decisions, new_scores = predict(model, pd.concat(parts, ignore_index=True))
    no_scores = np.full(len(row), np.nan)
    counterfactuals = pd.DataFrame(
        {
            "row": row,
            "from": pd.Series(column.to_numpy(dtype=object)[row], dtype=object),
            "to": pd.Series(targets, dtype=object),
            "decision_before": decisions[row].astype(np.int8),
            "decision_after": np.asarray(new_decisions, dtype=np.int8),
            "score_before": no_scores if scores is None else scores[row],
            "score_after": no_scores if new_scores is None else new_scores,
        }
    )
    changed = counterfactuals["decision_after"] != counterfactuals["decision_before"]
    flipped_rows = np.unique(counterfactuals.loc[changed, "row"].to_numpy())
    score_change = (counterfactuals["score_after"] - counterfactuals["score_before"]).abs()
    return FlipResult(
        attribute=attribute,
        values=tuple(values),
        n_rows=len(rows),
        flip_rate=len(flipped_rows) / len(rows),
        mean_abs_score_change=math.nan if scores is None else float(score_change.mean()),
        counterfactuals=counterfactuals,
    )


def _flip_values(
    attribute: str, column: pd.Series, sensitive_values: Sequence[object] | None
) -> list[Any]:
    if sensitive_values is None:
        present = column.dropna().unique().tolist()
        if len(present) > MAX_FLIP_VALUES:
            raise WhatIfError(
                TOO_MANY_VALUES_ERROR.format(
                    attribute=attribute, count=len(present), limit=MAX_FLIP_VALUES
                )
            )
        candidates: list[Any] = sorted(present, key=lambda v: (type(v).__name__, str(v)))
    else:
        if isinstance(sensitive_values, str):
            sensitive_values = [sensitive_values]
        candidates = [_checked_value(attribute, column, v) for v in sensitive_values]
    values: list[Any] = []
    for value in candidates:
        plain_value = value.item() if isinstance(value, np.generic) else value
        if not any(_same(plain_value, seen) for seen in values):
            values.append(plain_value)
    if len(values) < 2:
        raise WhatIfError(TOO_FEW_VALUES_ERROR.format(attribute=attribute, values=values))
    return values


# ---------------------------------------------------------------------- helpers
def _features(model: FittedModel, X: pd.DataFrame) -> tuple[str, ...]:
    if model.features is None:
        return tuple(X.columns)
    missing = [column for column in model.features if column not in X.columns]
    if missing:
        raise ModelError(MISSING_COLUMNS_ERROR.format(columns=missing))
    return tuple(model.features)


def _checked_value(feature: str, column: pd.Series, value: object) -> object:
    """``value`` as the column holds it, or a WhatIfError saying what the column needs."""
    dtype = column.dtype

    def wrong(expected: str) -> WhatIfError:
        return WhatIfError(VALUE_TYPE_ERROR.format(feature=feature, expected=expected, value=value))

    if isinstance(dtype, pd.CategoricalDtype):
        categories = dtype.categories.tolist()
        for category in categories:
            if _same(category, value):
                return category
        raise WhatIfError(
            CATEGORY_ERROR.format(feature=feature, categories=categories, value=value)
        )
    if pd.api.types.is_bool_dtype(dtype):
        if not isinstance(value, bool | np.bool_):
            raise wrong("True or False")
        return bool(value)
    if pd.api.types.is_integer_dtype(dtype):
        if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
            raise wrong("a whole number")
        if not math.isfinite(float(value)) or not float(value).is_integer():
            raise wrong("a whole number")
        return int(value)
    if pd.api.types.is_numeric_dtype(dtype):
        if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
            raise wrong("a number")
        if not math.isfinite(float(value)):
            raise wrong("a finite number")
        return float(value)
    if pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype):
        if not isinstance(value, str):
            raise wrong("text")
        return value
    raise WhatIfError(UNSUPPORTED_COLUMN_ERROR.format(feature=feature, dtype=dtype))


def _is_missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _same(a: object, b: object) -> bool:
    """Whether two cell values are the same value (missing equals missing; True is not 1)."""
    if _is_missing(a) or _is_missing(b):
        return _is_missing(a) and _is_missing(b)
    if isinstance(a, bool | np.bool_) != isinstance(b, bool | np.bool_):
        return False
    return bool(a == b)


def _equals(column: pd.Series, value: object) -> np.ndarray:
    """Where ``column`` holds ``value`` (missing values never do)."""
    return np.asarray(column.eq(value).fillna(False), dtype=bool)


def _label(value: object) -> str:
    return MISSING_VALUE if _is_missing(value) else str(value)


def _shown(value: object) -> str:
    if _is_missing(value):
        return MISSING_VALUE
    return repr(value.item() if isinstance(value, np.generic) else value)


def _outcome(decision: int) -> str:
    return "positive" if decision == 1 else "negative"
