"""Leakage check: features that give the outcome away, found before any model is trained.

A feature *leaks* when it holds the outcome itself, or something recorded after it: a
model trained on it looks excellent in the audit and is useless (and its fairness numbers
meaningless) where the outcome is not known yet. :func:`check_leakage` flags, for each
feature of a spec:

- ``"predicts"``: a one-feature model predicts the outcome almost perfectly
  (cross-validated AUC at least ``auc_threshold``, 0.95 by default). The model is a
  histogram classifier: numbers in quantile bins, categories as they are, a missing
  value as a value of its own, each bin scored by its share of positive outcomes in the
  *other* folds, so a column of names or identifiers does not look predictive by
  memorising rows;
- ``"deterministic"``: every value occurs with one outcome only (a many-to-one mapping,
  with at least :data:`MIN_ROWS_PER_VALUE` rows per value on average);
- ``"filled_after"``: the column is filled in only for rows of one outcome, for at least
  :data:`MIN_CLASS_SHARE` of them (like the date of a re-arrest);
- ``"implies"``: one of its values occurs with one outcome only, in at least
  :data:`MIN_CLASS_SHARE` of that outcome's rows (like an "event happened" flag);
- ``"named_like_outcome"``: its name shares a word with the outcome's and it has no more
  values than the outcome (``two_year_recid`` beside ``is_recid``, not
  ``credit_amount`` beside ``credit``);
- ``"named_like_output"``: its name says it is a model's score or prediction
  (``decile_score``, ``score_text``).

Each finding is a :class:`LeakageFinding` with a message for the user. Nothing is removed:
the caller decides (the default features leave flagged columns out).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from fairlab.labels import positive_mask
from fairlab.spec import AuditSpec

__all__ = [
    "LeakageFinding",
    "LeakageReason",
    "check_leakage",
    "AUC_THRESHOLD",
    "MAX_CHECK_ROWS",
    "MIN_ROWS_PER_VALUE",
    "MIN_CLASS_SHARE",
    "PREDICTS_WARNING",
    "DETERMINISTIC_WARNING",
    "FILLED_AFTER_WARNING",
    "IMPLIES_WARNING",
    "NAMED_LIKE_OUTCOME_WARNING",
    "NAMED_LIKE_OUTPUT_WARNING",
]

LeakageReason = Literal[
    "predicts",
    "deterministic",
    "filled_after",
    "implies",
    "named_like_outcome",
    "named_like_output",
]

AUC_THRESHOLD = 0.95
MAX_CHECK_ROWS = 50_000
"""Larger tables are checked on a seeded random sample of this many rows."""
MIN_ROWS_PER_VALUE = 5
MIN_CLASS_SHARE = 0.1
_N_SPLITS = 5
_N_BINS = 20

PREDICTS_WARNING = (
    "Feature '{column}' alone predicts the outcome '{target}' almost perfectly "
    "(cross-validated AUC {auc:.3f}): it may hold the outcome or something recorded after "
    "it (leakage). Remove it from the features unless it is known before the decision."
)
DETERMINISTIC_WARNING = (
    "Every value of feature '{column}' goes with a single outcome of '{target}': it "
    "determines the outcome (leakage). Remove it from the features unless it is known "
    "before the decision."
)
FILLED_AFTER_WARNING = (
    "Feature '{column}' is filled in only for rows whose outcome is '{outcome}' ({share:.0%} "
    "of them): it was probably recorded after the outcome (leakage). Remove it from the "
    "features."
)
IMPLIES_WARNING = (
    "Value {value} of feature '{column}' occurs only in rows whose outcome is '{outcome}' "
    "({share:.0%} of them): it may have been recorded after the outcome (leakage). Remove it "
    "from the features unless it is known before the decision."
)
NAMED_LIKE_OUTCOME_WARNING = (
    "Feature '{column}' is named like the outcome '{target}' (both mention '{word}'): it may "
    "be another record of the outcome (leakage). Remove it from the features unless it is "
    "known before the decision."
)
NAMED_LIKE_OUTPUT_WARNING = (
    "Feature '{column}' is named like a model's score or prediction: a model's output is not "
    "an input. Remove it from the features, or audit it as the prediction or score column."
)

_OUTPUT_WORDS = frozenset(
    "score scores decile pred prediction predicted proba probability yhat risk".split()
)
_GENERIC_WORDS = frozenset(
    "is has was had the of a an and or to in two one year years day days month date num "
    "number count flag c r v vr x y id value type status total".split()
)
_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class LeakageFinding:
    """A feature that may give the outcome away.

    Attributes
    ----------
    column : str
        The feature.
    reason : LeakageReason
        Which check flagged it.
    message : str
        Plain text for the user: what was found and what to do.
    auc : float or None
        The one-feature model's cross-validated AUC, when it was computed.
    """

    column: str
    reason: LeakageReason
    message: str
    auc: float | None = None


def _words(name: str) -> set[str]:
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", str(name)).lower()
    return set(_WORD.findall(spaced))


def _bin_codes(values: pd.Series) -> np.ndarray:
    """Integer codes: quantile bins for numbers, categories otherwise; missing is a code."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.to_numpy(dtype=float, na_value=np.nan)
        finite = numbers[np.isfinite(numbers)]
        if finite.size == 0:
            return np.zeros(len(values), dtype=np.int64)
        edges = np.unique(np.quantile(finite, np.linspace(0, 1, _N_BINS + 1)[1:-1]))
        codes = np.searchsorted(edges, numbers, side="right") + 1
        return np.where(np.isfinite(numbers), codes, 0).astype(np.int64)
    codes, _ = pd.factorize(values, use_na_sentinel=False)
    return codes.astype(np.int64)


def _cross_validated_auc(codes: np.ndarray, y: np.ndarray, folds: np.ndarray) -> float:
    """AUC of each row's bin scored by its positive share in the other folds."""
    n_codes = int(codes.max()) + 1
    scores = np.empty(len(y), dtype=float)
    for fold in range(_N_SPLITS):
        held = folds == fold
        train_codes, train_y = codes[~held], y[~held]
        counts = np.bincount(train_codes, minlength=n_codes)
        positives = np.bincount(train_codes, weights=train_y, minlength=n_codes)
        prior = train_y.mean() if train_y.size else 0.5
        share = np.where(counts > 0, positives / np.maximum(counts, 1), prior)
        scores[held] = share[codes[held]]
    return float(roc_auc_score(y, scores))


def check_leakage(
    frame: pd.DataFrame,
    spec: AuditSpec,
    *,
    columns: Sequence[str] | None = None,
    auc_threshold: float = AUC_THRESHOLD,
    random_state: int = 0,
) -> tuple[LeakageFinding, ...]:
    """Flag the features that may give the outcome away (see the module docstring).

    Parameters
    ----------
    frame : pandas.DataFrame
        The data.
    spec : AuditSpec
        Its ``target`` and ``positive_label`` define the outcome.
    columns : sequence of str, optional
        The columns to check; ``spec.features`` by default. Unknown columns are skipped.
    auc_threshold : float, default 0.95
        A one-feature model with at least this cross-validated AUC is flagged.
    random_state : int, default 0
        Seed of the folds and of the row sample for tables over :data:`MAX_CHECK_ROWS`.

    Returns
    -------
    tuple of LeakageFinding
        At most one per column (the first reason found, in the order of the module
        docstring's list, names last), in column order; empty when the outcome is not
        usable (missing column, one class).
    """
    checked = [c for c in (spec.features if columns is None else columns) if c in frame.columns]
    if spec.target not in frame.columns or not checked:
        return ()
    rng = np.random.default_rng(random_state)
    positions = np.flatnonzero(frame[spec.target].notna().to_numpy())
    if positions.size > MAX_CHECK_ROWS:
        positions = np.sort(rng.choice(positions, MAX_CHECK_ROWS, replace=False))
    rows = frame.iloc[positions][[spec.target, *checked]]
    y = positive_mask(rows[spec.target], spec.positive_label).astype(np.int64)
    n_positive = int(y.sum())
    if n_positive in (0, len(y)):
        return ()
    folds = rng.permutation(np.arange(len(y)) % _N_SPLITS)
    target_words = _words(spec.target) - _GENERIC_WORDS
    n_target_values = int(rows[spec.target].nunique())
    findings = []
    for column in checked:
        if column == spec.target:
            continue
        finding = _check_column(
            rows[column],
            y,
            folds,
            column=column,
            spec=spec,
            target_words=target_words,
            n_target_values=n_target_values,
            auc_threshold=auc_threshold,
        )
        if finding is not None:
            findings.append(finding)
    return tuple(findings)


def _outcome_text(spec: AuditSpec, outcome_value: int) -> str:
    return str(spec.positive_label) if outcome_value == 1 else f"not {spec.positive_label}"


def _plain(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


def _check_column(
    values: pd.Series,
    y: np.ndarray,
    folds: np.ndarray,
    *,
    column: str,
    spec: AuditSpec,
    target_words: set[str],
    n_target_values: int,
    auc_threshold: float,
) -> LeakageFinding | None:
    target = spec.target
    codes = _bin_codes(values)
    auc = _cross_validated_auc(codes, y, folds)
    if auc >= auc_threshold:
        return LeakageFinding(
            column, "predicts", PREDICTS_WARNING.format(column=column, target=target, auc=auc), auc
        )
    raw_codes, _ = pd.factorize(values, use_na_sentinel=False)
    n_values = int(raw_codes.max()) + 1
    positives = np.bincount(raw_codes, weights=y, minlength=n_values)
    counts = np.bincount(raw_codes, minlength=n_values)
    pure = (positives == 0) | (positives == counts)
    if pure.all() and n_values * MIN_ROWS_PER_VALUE <= len(y) and n_values > 1:
        return LeakageFinding(
            column, "deterministic", DETERMINISTIC_WARNING.format(column=column, target=target), auc
        )
    class_sizes = (len(y) - int(y.sum()), int(y.sum()))
    present = values.notna().to_numpy()
    filled = int(present.sum())
    if 0 < filled < len(y):
        filled_positive = int(y[present].sum())
        for outcome_value in (1, 0):
            in_class = filled_positive if outcome_value == 1 else filled - filled_positive
            if in_class == filled and in_class >= MIN_CLASS_SHARE * class_sizes[outcome_value]:
                return LeakageFinding(
                    column,
                    "filled_after",
                    FILLED_AFTER_WARNING.format(
                        column=column,
                        outcome=_outcome_text(spec, outcome_value),
                        share=in_class / class_sizes[outcome_value],
                    ),
                    auc,
                )
    uniques = pd.unique(values)
    for code in np.flatnonzero(pure & (counts > 0)):
        outcome_value = int(positives[code] > 0)
        if counts[code] >= MIN_CLASS_SHARE * class_sizes[outcome_value] and not pd.isna(
            uniques[code]
        ):
            return LeakageFinding(
                column,
                "implies",
                IMPLIES_WARNING.format(
                    value=repr(_plain(uniques[code])),
                    column=column,
                    outcome=_outcome_text(spec, outcome_value),
                    share=counts[code] / class_sizes[outcome_value],
                ),
                auc,
            )
    words = _words(column)
    shared = sorted(words & target_words)
    if shared and n_values <= max(2, n_target_values):
        return LeakageFinding(
            column,
            "named_like_outcome",
            NAMED_LIKE_OUTCOME_WARNING.format(column=column, target=target, word=shared[0]),
            auc,
        )
    if words & _OUTPUT_WORDS:
        return LeakageFinding(
            column, "named_like_output", NAMED_LIKE_OUTPUT_WARNING.format(column=column), auc
        )
    return None
