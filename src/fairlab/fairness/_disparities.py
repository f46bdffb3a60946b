"""Disparities and verdicts: each criterion as a difference and a ratio, with the interval
implied by simultaneous intervals of its comparisons, and a verdict that is a test."""

from __future__ import annotations

import math
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from fairlab.fairness._config import FairnessConfig
from fairlab.fairness._counts import (
    _RATES,
    CRITERIA,
    DISPARITY_NAMES,
    Comparison,
    Kind,
    Verdict,
    _rates,
)
from fairlab.fairness._messages import REFERENCE_NOT_FOUND_ERROR, FairnessError
from fairlab.fairness._pairs import compare, decide, family_confidence, pair_indices, too_small
from fairlab.fairness._sentences import sentence

METHOD = (
    "Clopper–Pearson intervals for each group's rate; MOVER (Newcombe-type) intervals for "
    "each comparison's difference and log ratio, simultaneous over the comparisons of a "
    "criterion at a Šidák-adjusted level"
)
"""The inference in one line, as written in reports and ``metrics.json``."""

_OBJECT_COLUMNS = ("excluded_groups", "note", "reason", "pair", "pair_metric", "too_small")


def reference_index(
    attribute: str, labels: list[str], cells: np.ndarray, config: FairnessConfig
) -> int | None:
    if config.comparison != "reference":
        return None
    wanted = config.reference_for(attribute)
    if wanted is None:
        return int(np.argmax(cells.sum(axis=1)))
    if wanted not in labels:
        shown = ", ".join(f"'{label}'" for label in labels)
        raise FairnessError(
            REFERENCE_NOT_FOUND_ERROR.format(group=wanted, attribute=attribute, groups=shown)
        )
    return labels.index(wanted)


def _compare(
    rates: np.ndarray, overall: np.ndarray, comparison: Comparison, reference: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """Point difference and ratio over the groups (last axis) whose rate is defined.

    ``rates`` has shape (1, groups) and ``overall`` (1,). NaN where fewer than two groups
    are defined, or where every ratio is 0 / 0.
    """
    defined = ~np.isnan(rates)
    enough = np.count_nonzero(defined, axis=-1) >= 2
    with np.errstate(divide="ignore", invalid="ignore"):
        if comparison == "between_groups":
            highest = np.where(defined, rates, -np.inf).max(axis=-1)
            lowest = np.where(defined, rates, np.inf).min(axis=-1)
            difference = highest - lowest
            ratio = np.where(highest > 0, lowest / highest, np.nan)
        else:
            anchor = rates[:, reference] if comparison == "reference" else overall
            gaps = np.abs(rates - anchor[:, None])
            difference = np.where(defined, gaps, -np.inf).max(axis=-1)
            quotient = rates / anchor[:, None]
            quotient = np.where(quotient > 1, 1 / quotient, quotient)
            has_ratio = ~np.isnan(quotient)
            ratio = np.where(has_ratio, quotient, np.inf).min(axis=-1)
            ratio = np.where(has_ratio.any(axis=-1), ratio, np.nan)
            enough = enough & ~np.isnan(anchor)
    return np.where(enough, difference, np.nan), np.where(enough, ratio, np.nan)


def disparity_table(
    attribute: str,
    labels: list[str],
    cells: np.ndarray,
    reference: int | None,
    config: FairnessConfig,
) -> pd.DataFrame:
    """One row per name of :data:`DISPARITY_NAMES` for one attribute's confusion cells."""
    comparison = config.comparison
    components = tuple(dict.fromkeys(c for parts in CRITERIA.values() for c in parts))
    point_rates = _rates(cells, components)
    point_overall = _rates(cells.sum(axis=0), components)
    point = {
        name: _compare(
            point_rates[name][None, :], point_overall[name][None], comparison, reference
        )
        for name in components
    }
    pairs = {name: pair_indices(cells, name, comparison, reference) for name in components}
    rows = []
    for criterion, parts in CRITERIA.items():
        excluded: dict[str, list[str]] = {}
        problems: list[str] = []
        small: list[tuple[str, str, int]] = []
        for name in parts:
            rates = point_rates[name]
            for index in np.flatnonzero(np.isnan(rates)):
                excluded.setdefault(labels[index], []).append(name)
            problem = _comparison_problem(name, rates, labels, attribute, reference)
            if problem:
                problems.append(problem)
            small += too_small(cells, labels, name, config.min_cases)
        n_comparisons, pair_confidence = family_confidence(
            config.confidence, [pairs[name] for name in parts]
        )
        family = [
            compare(
                cells,
                labels,
                name,
                pairs[name],
                pair_confidence=pair_confidence,
                min_cases=config.min_cases,
            )
            for name in parts
        ]
        for position, kind in enumerate(("difference", "ratio")):
            combine = np.maximum if kind == "difference" else np.minimum
            value = float(combine.reduce([point[p][position] for p in parts])[0])
            limit = config.ratio_bound if kind == "ratio" else config.difference_tolerance
            decision = decide(family, kind, value, limit=limit, has_too_small=bool(small))
            reason = None
            if decision.verdict == "undefined":
                reason = "; ".join(dict.fromkeys(problems)) or (
                    "every compared rate is 0, so no ratio can be formed"
                )
            note = _excluded_note(excluded)
            text = sentence(
                criterion=criterion,
                kind=kind,
                value=value,
                decision=decision,
                reason=reason,
                too_small=small,
                comparisons=n_comparisons,
                attribute=attribute,
                reference=None if reference is None else labels[reference],
                reference_defaulted=reference is not None
                and config.reference_for(attribute) is None,
                limit=limit,
                config=config,
            )
            rows.append(
                {
                    "criterion": criterion,
                    "kind": kind,
                    "value": value,
                    "ci_low": decision.low,
                    "ci_high": decision.high,
                    "limit": limit,
                    "verdict": decision.verdict,
                    "sentence": f"{text} {note}" if note else text,
                    "excluded_groups": tuple(excluded),
                    "note": note,
                    "reason": reason,
                    "pair": decision.pair,
                    "pair_metric": decision.metric,
                    "pair_value": decision.pair_value,
                    "pair_ci_low": decision.pair_low,
                    "pair_ci_high": decision.pair_high,
                    "too_small": tuple(small),
                    "comparisons": n_comparisons,
                    "pair_confidence": pair_confidence,
                }
            )
    index = pd.Index(DISPARITY_NAMES, name="disparity")
    columns: dict[str, Any] = {}
    for key in rows[0]:
        values = [row[key] for row in rows]
        if key in _OBJECT_COLUMNS:  # tuples or None: keep as they are
            holder = np.empty(len(values), dtype=object)  # filled with None
            for position, item in enumerate(values):
                holder[position] = item
            columns[key] = pd.Series(holder, index=index, dtype=object)
        else:
            columns[key] = np.array(values)
    return pd.DataFrame(columns, index=index)


def _excluded_note(excluded: dict[str, list[str]]) -> str | None:
    if not excluded:
        return None
    items = [
        f"'{group}' ("
        + "; ".join(f"no {_RATES[n].of_whom}, so its {_RATES[n].label} is undefined" for n in names)
        + ")"
        for group, names in excluded.items()
    ]
    return "Left out of this comparison: " + "; ".join(items) + "."


def _comparison_problem(
    name: str,
    rates: np.ndarray,
    labels: list[str],
    attribute: str,
    reference: int | None,
) -> str | None:
    label = _RATES[name].label
    of_whom = _RATES[name].of_whom
    if len(labels) < 2:
        return f"'{attribute}' has only one group, so there is nothing to compare"
    if reference is not None and np.isnan(rates[reference]):
        return (
            f"the reference group '{labels[reference]}' has no {of_whom}, so its {label} is "
            "undefined"
        )
    n_defined = int(np.count_nonzero(~np.isnan(rates)))
    if n_defined == 0:
        return f"no group of '{attribute}' has a defined {label} (none has any {of_whom})"
    if n_defined == 1:
        return f"only 1 group of '{attribute}' has a defined {label} (the others have no {of_whom})"
    return None


def verdict_for(
    kind: Literal["difference", "ratio"],
    value: float,
    ci_low: float,
    ci_high: float,
    *,
    limit: float,
) -> Verdict:
    """Judge a disparity against its bound, taking its interval into account.

    Parameters
    ----------
    kind : {"difference", "ratio"}
        A difference passes when small, a ratio when close to 1.
    value : float
        The disparity; NaN when undefined.
    ci_low, ci_high : float
        Its interval; NaN when no resample gave a defined value.
    limit : float
        The tolerance of a difference, or the lower bound of a ratio.

    Returns
    -------
    {"passes", "fails", "insufficient evidence", "undefined"}
        For a ratio, "passes" if ``ci_low >= limit`` and "fails" if ``ci_high < limit``;
        for a difference, "passes" if ``ci_high <= limit`` and "fails" if
        ``ci_low > limit``; "insufficient evidence" when the interval reaches across the
        limit (or is missing), and "undefined" when the value is.

    Raises
    ------
    ValueError
        If ``kind`` is neither "difference" nor "ratio".
    """
    if kind not in get_args(Kind):
        raise ValueError(
            f"The 'kind' parameter must be one of {list(get_args(Kind))}. Got {kind!r} instead."
        )
    if math.isnan(value):
        return "undefined"
    if math.isnan(ci_low) or math.isnan(ci_high):
        return "insufficient evidence"
    if kind == "ratio":
        if ci_low >= limit:
            return "passes"
        if ci_high < limit:
            return "fails"
    else:
        if ci_high <= limit:
            return "passes"
        if ci_low > limit:
            return "fails"
    return "insufficient evidence"
