"""Pairwise comparisons of one rate with simultaneous intervals, and the verdict they give.

A disparity is a summary of comparisons: every pair of groups (``"between_groups"``), each
group with the reference group, or each group with the rate over all rows. Each comparison
gets a MOVER interval for its difference and for its ratio at the Šidák level of the whole
family (equalized odds puts its true and false positive rate comparisons in one family),
so that all of them hold together at the configured confidence. The summary's interval
follows: if every comparison is inside its interval, ``max |d|`` lies between the largest
lower bound and the largest upper bound of the ``|d|`` intervals, and the smallest folded
ratio between the smallest lower and the smallest upper bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fairlab.fairness._counts import Comparison, Kind, denominators, numerators
from fairlab.fairness._intervals import (
    clopper_pearson,
    difference_interval,
    fold_difference,
    fold_ratio,
    ratio_interval,
    sidak_confidence,
)

OVERALL_LABEL = "overall"
"""How the rate over all rows is named as the second side of a comparison."""


@dataclass(frozen=True)
class Comparisons:
    """The comparisons of one rate: who with whom, and the simultaneous intervals.

    Arrays have one entry per comparison; ``difference_*`` are about ``|d|`` and
    ``ratio_*`` about the folded ratio ``min(q, 1/q)`` (NaN where both rates are 0).
    """

    metric: str
    first: tuple[str, ...]
    second: tuple[str, ...]
    difference: np.ndarray
    difference_low: np.ndarray
    difference_high: np.ndarray
    ratio: np.ndarray
    ratio_low: np.ndarray
    ratio_high: np.ndarray
    eligible: np.ndarray


@dataclass(frozen=True)
class Decision:
    """A summary interval, the verdict it gives and the comparison that drives it."""

    low: float
    high: float
    verdict: str
    metric: str | None
    pair: tuple[str, ...]
    pair_value: float
    pair_low: float
    pair_high: float


def pair_indices(
    cells: np.ndarray, metric: str, comparison: Comparison, reference: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """The groups compared (``first``) and with what (``second``: a group, or -1 for all rows).

    Only groups whose rate is defined take part.
    """
    defined = np.flatnonzero(denominators(cells, metric) > 0)
    if comparison == "between_groups":
        left, right = np.triu_indices(defined.size, k=1)
        return defined[left], defined[right]
    if comparison == "reference":
        if reference is None or reference not in defined:
            return np.empty(0, np.intp), np.empty(0, np.intp)
        others = defined[defined != reference]
        return others, np.full(others.size, reference)
    if defined.size < 2:
        return np.empty(0, np.intp), np.empty(0, np.intp)
    return defined, np.full(defined.size, -1)


def compare(
    cells: np.ndarray,
    labels: list[str],
    metric: str,
    pairs: tuple[np.ndarray, np.ndarray],
    *,
    pair_confidence: float,
    min_cases: int,
) -> Comparisons:
    """Intervals of every comparison of ``metric`` in ``pairs``, each at ``pair_confidence``.

    Against all rows (``second == -1``), ``r_g − r_all = (1 − w)(r_g − r_rest)`` and
    ``r_g / r_all = ρ / (w ρ + 1 − w)`` with ``ρ = r_g / r_rest`` and ``w`` the group's
    share of the rate's denominator: both are monotone in a comparison of two independent
    samples (the group and the rest), whose interval is mapped over.
    """
    first, second = pairs
    x, n = numerators(cells, metric), denominators(cells, metric)
    to_all = second < 0
    other = np.where(to_all, 0, second)
    x_second = np.where(to_all, x.sum() - x[first], x[other]).astype(float)
    n_second = np.where(to_all, n.sum() - n[first], n[other]).astype(float)
    x_first, n_first = x[first].astype(float), n[first].astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate_first = x_first / n_first
        rate_second = np.where(n_second > 0, x_second / n_second, np.nan)
    limits_first = clopper_pearson(x_first, n_first, pair_confidence)
    limits_second = clopper_pearson(x_second, n_second, pair_confidence)
    d_low, d_high = difference_interval(rate_first, limits_first, rate_second, limits_second)
    q_low, q_high = ratio_interval(rate_first, limits_first, rate_second, limits_second)
    difference = rate_first - rate_second
    ratio = _divide(rate_first, rate_second)
    if to_all.any():
        weight = n_first / n.sum()
        d_low, d_high = (1 - weight) * d_low, (1 - weight) * d_high
        difference = (1 - weight) * difference
        q_low, q_high, ratio = (_to_overall(q, weight) for q in (q_low, q_high, ratio))
    difference_low, difference_high = fold_difference(difference, d_low, d_high)
    ratio_low, ratio_high = fold_ratio(ratio, q_low, q_high)
    with np.errstate(divide="ignore"):
        folded = np.where(ratio > 1, 1 / ratio, ratio)
    swap = rate_first < rate_second
    names_first = [labels[i] for i in first]
    names_second = [OVERALL_LABEL if j < 0 else labels[j] for j in second]
    sides = zip(names_first, names_second, (to_all | ~swap).tolist(), strict=True)
    ordered = [(a, b) if keep else (b, a) for a, b, keep in sides]  # the higher rate first
    return Comparisons(
        metric=metric,
        first=tuple(a for a, _ in ordered),
        second=tuple(b for _, b in ordered),
        difference=np.abs(difference),
        difference_low=difference_low,
        difference_high=difference_high,
        ratio=folded,
        ratio_low=ratio_low,
        ratio_high=ratio_high,
        eligible=(n_first >= min_cases) & (n_second >= min_cases),
    )


def family_confidence(
    confidence: float, pairs: list[tuple[np.ndarray, np.ndarray]]
) -> tuple[int, float]:
    """The number of comparisons in a family and the Šidák level of each."""
    comparisons = int(sum(first.size for first, _ in pairs))
    return comparisons, sidak_confidence(confidence, comparisons)


def decide(
    family: list[Comparisons],
    kind: Kind,
    value: float,
    *,
    limit: float,
    has_too_small: bool,
) -> Decision:
    """The summary interval of a family, its verdict and the comparison behind it.

    A difference *fails* when some comparison between groups large enough is shown above
    ``limit`` (its simultaneous lower bound exceeds it), and *passes* when every
    comparison is shown within it (every upper bound at or below it) and no group is too
    small; a ratio likewise against its bound from below. Anything else is *insufficient
    evidence*; an undefined ``value`` is *undefined*.
    """
    if kind == "difference":
        point = np.concatenate([c.difference for c in family])
        low = np.concatenate([c.difference_low for c in family])
        high = np.concatenate([c.difference_high for c in family])
    else:
        point = np.concatenate([c.ratio for c in family])
        low = np.concatenate([c.ratio_low for c in family])
        high = np.concatenate([c.ratio_high for c in family])
    eligible = np.concatenate([c.eligible for c in family])
    metrics = [c.metric for c in family for _ in c.first]
    pairs = [(a, b) for c in family for a, b in zip(c.first, c.second, strict=True)]
    usable = ~np.isnan(point)
    if np.isnan(value) or not usable.any():
        return Decision(np.nan, np.nan, "undefined", None, (), np.nan, np.nan, np.nan)
    if kind == "difference":
        summary_low = float(max(np.max(low[usable]), 0.0))
        summary_high = float(np.max(high[usable]))
        shown_beyond = usable & eligible & (low > limit)
        far = np.where(usable, high, -np.inf)
        beyond = np.where(shown_beyond, low, -np.inf)
        driver = int(np.argmax(beyond)) if shown_beyond.any() else int(np.argmax(far))
    else:
        summary_low = float(np.min(low[usable]))
        summary_high = float(np.min(high[usable]))
        shown_beyond = usable & eligible & (high < limit)
        far = np.where(usable, low, np.inf)
        beyond = np.where(shown_beyond, high, np.inf)
        driver = int(np.argmin(beyond)) if shown_beyond.any() else int(np.argmin(far))
    summary_low, summary_high = min(summary_low, value), max(summary_high, value)
    if shown_beyond.any():
        verdict = "fails"
    elif has_too_small:
        verdict = "insufficient evidence"
    elif (summary_high <= limit) if kind == "difference" else (summary_low >= limit):
        verdict = "passes"
    else:
        verdict = "insufficient evidence"
    return Decision(
        low=summary_low,
        high=summary_high,
        verdict=verdict,
        metric=metrics[driver],
        pair=pairs[driver],
        pair_value=float(point[driver]),
        pair_low=float(low[driver]),
        pair_high=float(high[driver]),
    )


def too_small(
    cells: np.ndarray, labels: list[str], metric: str, min_cases: int
) -> list[tuple[str, str, int]]:
    """``(group, metric, cases)`` for each group with a defined rate on too few cases."""
    n = denominators(cells, metric)
    return [
        (labels[index], metric, int(n[index]))
        for index in np.flatnonzero((n > 0) & (n < min_cases))
    ]


def _divide(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        quotient = top / bottom
    return np.where((top == 0) & (bottom == 0), np.nan, quotient)


def _to_overall(ratio: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """``ρ / (w ρ + 1 − w)``: a group's rate over the overall rate, from ``r_g / r_rest``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        mapped = ratio / (weight * ratio + 1 - weight)
    return np.where(np.isinf(ratio), 1 / weight, mapped)
