"""Outcome labels as the user sees them, and how FairLab maps them to 0/1.

A CSV column can hold its outcome as ``1``/``0``, ``1.0``/``0.0``, ``True``/``False``,
``yes``/``no`` or ``>50K``/``<=50K``. The positive value the user picks is stored as a
JSON scalar and compared through :func:`canonical_label`, so ``1``, ``1.0`` and ``"1"``
name the same outcome, whatever dtype pandas gave the column.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = [
    "Label",
    "canonical_label",
    "positive_mask",
    "distinct_labels",
    "detect_positive_label",
]

Label = str | int | float | bool

_POSITIVE_WORDS = (
    "1",
    "true",
    "yes",
    "y",
    "t",
    "good",
    "positive",
    "pos",
    "approved",
    "accepted",
    "hired",
    "granted",
    "pass",
    "passed",
    "success",
    "high",
    "oui",
    "si",
    "sí",
    "ja",
    "sim",
)
_NEGATIVE_WORDS = (
    "0",
    "false",
    "no",
    "n",
    "f",
    "bad",
    "negative",
    "neg",
    "denied",
    "rejected",
    "declined",
    "fail",
    "failed",
    "failure",
    "low",
    "non",
    "nein",
    "não",
    "nao",
)


def canonical_label(value: object) -> str:
    """Return the text that identifies an outcome value across dtypes.

    Parameters
    ----------
    value : object
        A cell value or a label chosen by the user.

    Returns
    -------
    str
        ``"1"`` for ``1``, ``1.0``, ``"1"`` and ``np.int64(1)``; ``"True"`` for
        ``True`` and ``"true"``; other text stripped of surrounding spaces.
    """
    if isinstance(value, bool | np.bool_):
        return "True" if value else "False"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isfinite(number) and number.is_integer():
            return str(int(number))
        return repr(number)
    text = str(value).strip()
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered.capitalize()
    try:
        number = float(text)
    except ValueError:
        return text
    if (
        math.isfinite(number)
        and number.is_integer()
        and text.lstrip("+-").replace(".", "", 1).isdigit()
    ):
        return str(int(number))
    return text


def _canonical_codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return codes, [canonical_label(u) for u in uniques]


def positive_mask(values: pd.Series, positive: Label | Iterable[Label]) -> np.ndarray:
    """Say, row by row, whether a value is one of the positive labels.

    Parameters
    ----------
    values : pandas.Series
        The column holding outcomes or predictions.
    positive : Label or iterable of Label
        The value, or values, that count as the positive outcome.

    Returns
    -------
    numpy.ndarray of bool
        True where the value is positive; False for other values and for missing ones.
    """
    if isinstance(positive, str | int | float | bool | np.generic):
        wanted = {canonical_label(positive)}
    else:
        wanted = {canonical_label(p) for p in positive}
    codes, canon = _canonical_codes(values)
    hit = np.array([c in wanted for c in canon] + [False], dtype=bool)
    return hit[codes]


def distinct_labels(values: pd.Series, *, limit: int | None = None) -> list[Label]:
    """List the distinct non-missing values of a column as JSON scalars, most common first.

    Parameters
    ----------
    values : pandas.Series
        The column.
    limit : int, optional
        Return at most this many values.

    Returns
    -------
    list of Label
        Python ``str``, ``int``, ``float`` or ``bool`` values.
    """
    counts = values.value_counts(dropna=True, sort=True)
    if limit is not None:
        counts = counts.iloc[:limit]
    return [_as_json_scalar(v) for v in counts.index]


def _as_json_scalar(value: object) -> Label:
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        return int(number) if number.is_integer() else number
    return str(value)


def detect_positive_label(values: pd.Series) -> Label | None:
    """Guess the positive (favourable) outcome when the column leaves no doubt.

    Two distinct values are needed, one of which reads as positive (``1``, ``True``,
    ``yes``, ``good``, ``approved``, ...) while the other reads as negative, or which
    start with ``>`` against ``<`` or ``<=`` (as in ``>50K`` / ``<=50K``).

    Parameters
    ----------
    values : pandas.Series
        The outcome column.

    Returns
    -------
    Label or None
        The positive value, or None when the user has to choose.
    """
    labels = distinct_labels(values, limit=3)
    if len(labels) != 2:
        return None
    canon = [canonical_label(v).lower() for v in labels]
    for candidate, cand_text, other_text in (
        (labels[0], canon[0], canon[1]),
        (labels[1], canon[1], canon[0]),
    ):
        if cand_text in _POSITIVE_WORDS and other_text in _NEGATIVE_WORDS:
            return candidate
        if cand_text.startswith(">") and other_text.startswith("<"):
            return candidate
    return None
