"""Do two explanations tell the same story? Agreement between feature attributions.

Attributions are a :class:`pandas.Series` of weights indexed by the user's feature names:
SHAP values folded back to the features, LIME weights, or any other. A feature absent from
one of them counts as 0 there (LIME gives weights to its chosen features only).

:func:`compare_attributions` compares two explanations of one row: the overlap of their
top-k features (count and Jaccard index), the Spearman rank correlation of the absolute
attributions over all features either one names, the share of shared top features on which
they agree about the direction, and a plain sentence (:class:`Agreement`).
:func:`agreement_over_rows` does the same for many rows, one line per row, and
:func:`summarize_agreement` condenses that to means, minimums and a sentence.

Two explanations "tell the same story" when at least :data:`SAME_STORY_OVERLAP` of their
top-k features are shared and their ranks correlate at least :data:`SAME_STORY_RHO`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.stats

__all__ = [
    "Agreement",
    "AgreementSummary",
    "compare_attributions",
    "agreement_over_rows",
    "summarize_agreement",
    "top_k_features",
    "SAME_STORY_OVERLAP",
    "SAME_STORY_RHO",
    "TOP_K_ERROR",
    "NAMES_ERROR",
    "ATTRIBUTIONS_TYPE_ERROR",
    "DUPLICATE_FEATURES_ERROR",
    "ROWS_MISMATCH_ERROR",
]

SAME_STORY_OVERLAP = 0.6
"""At least this share of the top-k features must be shared (3 of 5) for the same story."""
SAME_STORY_RHO = 0.5
"""The Spearman correlation of absolute attributions must reach this for the same story."""

TOP_K_ERROR = "The 'top_k' parameter must be an int >= 1. Got {value!r} instead."
NAMES_ERROR = "The 'names' parameter must be two names, such as ('SHAP', 'LIME'). Got {value!r}."
ATTRIBUTIONS_TYPE_ERROR = (
    "The '{param}' parameter must be a {expected} of attributions indexed by feature name. "
    "Got {got} instead."
)
DUPLICATE_FEATURES_ERROR = "The attributions '{param}' name feature(s) {features} more than once."
ROWS_MISMATCH_ERROR = (
    "The two tables of attributions must explain the same rows. Rows only in one of them: {rows}."
)

_METRICS = ["overlap", "jaccard", "spearman", "sign_agreement", "same_story"]


@dataclass(frozen=True)
class Agreement:
    """How far two explanations of one row agree.

    Attributes
    ----------
    names : tuple of str
        The names of the two explanations, as used in :attr:`sentence`.
    top_k : int
        How many top features were compared (fewer when fewer features have a weight).
    top_a, top_b : tuple of str
        Each explanation's top features, by decreasing absolute attribution.
    shared : tuple of str
        The features in both tops, in the order of ``top_a``.
    overlap : int
        ``len(shared)``.
    jaccard : float
        ``overlap`` over the number of distinct features in the two tops, in [0, 1]; NaN
        when neither explanation gives any feature a non-zero weight.
    spearman : float
        The Spearman rank correlation of the absolute attributions over every feature
        either explanation names; NaN when it is undefined (fewer than two features, or one
        explanation gives them all the same weight).
    sign_agreement : float
        The share of shared features given the same sign by both; NaN if none is shared.
    same_story : bool
        Whether the share of shared features reaches :data:`SAME_STORY_OVERLAP` and
        ``spearman`` reaches :data:`SAME_STORY_RHO`.
    sentence : str
        The verdict in plain words.
    """

    names: tuple[str, str]
    top_k: int
    top_a: tuple[str, ...]
    top_b: tuple[str, ...]
    shared: tuple[str, ...]
    overlap: int
    jaccard: float
    spearman: float
    sign_agreement: float
    same_story: bool
    sentence: str


@dataclass(frozen=True)
class AgreementSummary:
    """Agreement over many rows, condensed.

    Attributes
    ----------
    n_rows : int
        The number of rows compared.
    mean, min : pandas.Series
        The mean and the smallest ``overlap``, ``jaccard``, ``spearman`` and
        ``sign_agreement`` over rows (NaN values skipped).
    same_story_share : float
        The share of rows on which the two explanations tell the same story.
    sentence : str
        The summary in plain words.
    """

    n_rows: int
    mean: pd.Series
    min: pd.Series
    same_story_share: float
    sentence: str


def top_k_features(attributions: pd.Series, k: int) -> tuple[str, ...]:
    """The ``k`` features with the largest absolute non-zero attribution.

    Parameters
    ----------
    attributions : pandas.Series
        Weights indexed by feature name; zeros and missing values are never in the top.
    k : int
        How many features at most.

    Returns
    -------
    tuple of str
        Strongest first; ties keep the order of ``attributions``.
    """
    magnitude = attributions.abs().fillna(0.0).to_numpy(dtype=float)
    order = np.argsort(-magnitude, kind="stable")
    return tuple(str(attributions.index[i]) for i in order[:k] if magnitude[i] > 0)


def compare_attributions(
    a: pd.Series,
    b: pd.Series,
    *,
    top_k: int = 5,
    names: Sequence[str] = ("SHAP", "LIME"),
) -> Agreement:
    """Compare two explanations of the same row.

    Parameters
    ----------
    a, b : pandas.Series
        Attributions indexed by feature name (a feature absent from one counts as 0 there).
    top_k : int, default 5
        How many top features to compare.
    names : pair of str, default ("SHAP", "LIME")
        What ``a`` and ``b`` are called in the sentence.

    Returns
    -------
    Agreement

    Raises
    ------
    TypeError
        If ``a`` or ``b`` is not a Series.
    ValueError
        If ``top_k`` is not an int >= 1, ``names`` is not two names, or a feature appears
        twice in ``a`` or ``b``.
    """
    _check_top_k(top_k)
    names = _check_names(names)
    first, second = _aligned(_check_series(a, "a"), _check_series(b, "b"))
    top_a = top_k_features(first, top_k)
    top_b = top_k_features(second, top_k)
    shared = tuple(feature for feature in top_a if feature in set(top_b))
    in_either = set(top_a) | set(top_b)
    jaccard = len(shared) / len(in_either) if in_either else math.nan
    spearman = _spearman(first.abs().to_numpy(), second.abs().to_numpy())
    if shared:
        same_sign = np.sign(first[list(shared)].to_numpy()) == np.sign(
            second[list(shared)].to_numpy()
        )
        sign_agreement = float(same_sign.mean())
    else:
        sign_agreement = math.nan
    k = max(len(top_a), len(top_b))
    overlap_ok = k > 0 and len(shared) >= SAME_STORY_OVERLAP * k
    rho_ok = not math.isnan(spearman) and spearman >= SAME_STORY_RHO
    return Agreement(
        names=names,
        top_k=k,
        top_a=top_a,
        top_b=top_b,
        shared=shared,
        overlap=len(shared),
        jaccard=jaccard,
        spearman=spearman,
        sign_agreement=sign_agreement,
        same_story=overlap_ok and rho_ok,
        sentence=_sentence(names, k, shared, overlap_ok, spearman, rho_ok, sign_agreement),
    )


def agreement_over_rows(
    a: pd.DataFrame,
    b: pd.DataFrame,
    *,
    top_k: int = 5,
) -> pd.DataFrame:
    """Compare two explanations row by row.

    Parameters
    ----------
    a, b : pandas.DataFrame
        One row of attributions per explained row, one column per feature; the same row
        labels in both (in any order). Missing values count as 0.
    top_k : int, default 5
        How many top features to compare.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``a``, with columns ``overlap``, ``jaccard``, ``spearman``,
        ``sign_agreement`` and ``same_story`` (see :class:`Agreement`).

    Raises
    ------
    TypeError
        If ``a`` or ``b`` is not a DataFrame.
    ValueError
        If the two do not hold the same rows, or ``top_k`` is not an int >= 1.
    """
    _check_top_k(top_k)
    for param, frame in (("a", a), ("b", b)):
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(
                ATTRIBUTIONS_TYPE_ERROR.format(
                    param=param, expected="DataFrame", got=type(frame).__name__
                )
            )
    only = a.index.symmetric_difference(b.index)
    if len(only) or a.index.has_duplicates or b.index.has_duplicates:
        raise ValueError(ROWS_MISMATCH_ERROR.format(rows=list(only)[:5]))
    lines = []
    for label in a.index:
        agreement = compare_attributions(a.loc[label], b.loc[label], top_k=top_k)
        lines.append([getattr(agreement, metric) for metric in _METRICS])
    result = pd.DataFrame(lines, index=a.index, columns=_METRICS)
    return result.astype(
        {
            "overlap": int,
            "jaccard": float,
            "spearman": float,
            "sign_agreement": float,
            "same_story": bool,
        }
    )


def summarize_agreement(
    per_row: pd.DataFrame, *, names: Sequence[str] = ("SHAP", "LIME")
) -> AgreementSummary:
    """Condense :func:`agreement_over_rows` to means, minimums and a sentence.

    Parameters
    ----------
    per_row : pandas.DataFrame
        The result of :func:`agreement_over_rows`.
    names : pair of str, default ("SHAP", "LIME")
        What the two explanations are called in the sentence.

    Returns
    -------
    AgreementSummary
    """
    names = _check_names(names)
    numbers = per_row[["overlap", "jaccard", "spearman", "sign_agreement"]].astype(float)
    n_rows = len(per_row)
    same = int(per_row["same_story"].sum())
    mean = numbers.mean()
    if n_rows == 0:
        sentence = f"No rows were explained by both {names[0]} and {names[1]}."
    else:
        sentence = (
            f"{names[0]} and {names[1]} tell the same story for {same} of {n_rows} "
            f"row{'s' if n_rows != 1 else ''} (mean top-k Jaccard {_number(mean['jaccard'])}, "
            f"mean ρ = {_number(mean['spearman'])})."
        )
    return AgreementSummary(
        n_rows=n_rows,
        mean=mean,
        min=numbers.min(),
        same_story_share=same / n_rows if n_rows else math.nan,
        sentence=sentence,
    )


# ---------------------------------------------------------------------- helpers
def _check_top_k(top_k: object) -> None:
    if isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer)) or top_k < 1:
        raise ValueError(TOP_K_ERROR.format(value=top_k))


def _check_names(names: Sequence[str]) -> tuple[str, str]:
    if isinstance(names, str) or len(names) != 2:
        raise ValueError(NAMES_ERROR.format(value=names))
    return str(names[0]), str(names[1])


def _check_series(attributions: object, param: str) -> pd.Series:
    if not isinstance(attributions, pd.Series):
        raise TypeError(
            ATTRIBUTIONS_TYPE_ERROR.format(
                param=param, expected="Series", got=type(attributions).__name__
            )
        )
    duplicated = attributions.index[attributions.index.duplicated()].unique().tolist()
    if duplicated:
        raise ValueError(DUPLICATE_FEATURES_ERROR.format(param=param, features=duplicated))
    return attributions


def _aligned(a: pd.Series, b: pd.Series) -> tuple[pd.Series, pd.Series]:
    features = list(a.index) + [feature for feature in b.index if feature not in set(a.index)]
    first = a.reindex(features).astype(float).fillna(0.0)
    second = b.reindex(features).astype(float).fillna(0.0)
    return first, second


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    if len(x) < 2 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return math.nan
    return float(scipy.stats.spearmanr(x, y).statistic)


def _number(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.2f}".replace("-", "−")


def _strength(rho: float) -> str:
    if rho >= 0.7:
        return "the ranks correlate strongly"
    if rho >= 0.4:
        return "the ranks correlate moderately"
    if rho >= 0.1:
        return "the ranks correlate weakly"
    if rho > -0.1:
        return "the ranks do not correlate"
    return "the ranks correlate negatively"


def _sentence(
    names: tuple[str, str],
    k: int,
    shared: tuple[str, ...],
    overlap_ok: bool,
    rho: float,
    rho_ok: bool,
    sign_agreement: float,
) -> str:
    a_name, b_name = names
    if k == 0:
        return f"{a_name} and {b_name} cannot be compared: neither gives any feature a weight."
    verdict = "tell the same story" if overlap_ok and rho_ok else "tell different stories"
    overlap = f"{'' if overlap_ok else 'only '}{len(shared)} of their top {k} features agree"
    if math.isnan(rho):
        ranks = "the ranks cannot be compared"
    else:
        ranks = f"{_strength(rho)} (ρ = {_number(rho)})"
    joint = "and" if overlap_ok == rho_ok else "but"
    sentence = f"{a_name} and {b_name} {verdict}: {overlap} {joint} {ranks}."
    if shared and sign_agreement < 1:
        opposite = round((1 - sign_agreement) * len(shared))
        sentence += (
            f" They disagree on the direction of {opposite} of the {len(shared)} shared "
            f"feature{'s' if len(shared) != 1 else ''}."
        )
    return sentence
