"""Global SHAP explanations planned against a time budget and computed in batches.

:func:`plan_shap_rows` says, before anything runs, how many rows fit in a budget of
seconds (from :func:`~fairlab.explain.estimate_shap_cost`); :func:`explain_shap_batches`
explains a seeded sample of that many rows a batch at a time, calling back after each batch
so that a user interface can show progress, and returns one
:class:`~fairlab.explain.ShapResult` as if the rows had been explained at once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fairlab.explain.shap_ import (
    MAX_PERMUTATION_PASSES,
    ShapError,
    ShapResult,
    TreePerturbation,
    _permutation_notes,
    estimate_shap_cost,
    explain_shap,
)
from fairlab.models import FittedModel

__all__ = ["RowPlan", "plan_shap_rows", "explain_shap_batches", "DEFAULT_BATCH_ROWS"]

DEFAULT_BATCH_ROWS = 250
"""Rows per batch: small enough for a progress bar to move, large enough to vectorise."""

_UNLIMITED_EVALUATIONS = 2**62
PLAN_ERROR = "The '{param}' parameter must be {expected}. Got {value!r} instead."

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RowPlan:
    """How many rows an explanation will cover, decided before it runs.

    Attributes
    ----------
    n_rows : int
        Rows that will be explained.
    n_wanted : int
        Rows asked for (capped by the rows available).
    n_available : int
        Rows that could be explained.
    seconds_estimate : float
        Estimated wall time for ``n_rows`` rows.
    explainer : str
        The explainer that will be used.
    capped_by_budget : bool
        Whether the time budget, not the request, set ``n_rows``.
    max_passes : int
        For the permutation explainer: at most this many passes over its background fit
        the budget (the explanation uses fewer when they reach its error target).
    """

    n_rows: int
    n_wanted: int
    n_available: int
    seconds_estimate: float
    explainer: str
    capped_by_budget: bool
    max_passes: int = 1

    @property
    def sentence(self) -> str:
        """The plan in plain words."""
        text = (
            f"{self.explainer} on {self.n_rows:,} of {self.n_available:,} rows, "
            f"about {self.seconds_estimate:.1f} s."
        )
        if self.capped_by_budget:
            text += (
                f" {self.n_wanted:,} rows would take longer than the time budget, so a "
                "seeded sample is explained instead."
            )
        if self.explainer == "PermutationExplainer":
            text += (
                f" The budget allows up to {self.max_passes} pass"
                f"{'es' if self.max_passes > 1 else ''} of permutations per row (more passes, "
                "smaller Monte-Carlo error)."
            )
        return text


def plan_shap_rows(
    model: FittedModel, n_available: int, *, wanted: int, max_seconds: float
) -> RowPlan:
    """Decide how many rows to explain within a budget of seconds.

    Parameters
    ----------
    model : TrainedModel or LoadedModel
        The model to explain.
    n_available : int
        How many rows could be explained.
    wanted : int
        How many rows the user asks for.
    max_seconds : float
        The time budget; at least one row is always planned.

    Returns
    -------
    RowPlan

    Raises
    ------
    ShapError
        If a count is not a positive int or the budget is not a positive number.
    """
    for name, value in (("n_available", n_available), ("wanted", wanted)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ShapError(PLAN_ERROR.format(param=name, expected="an int >= 1", value=value))
    if not max_seconds > 0:
        raise ShapError(
            PLAN_ERROR.format(param="max_seconds", expected="a number > 0", value=max_seconds)
        )
    asked = int(min(wanted, n_available))
    full = estimate_shap_cost(model, asked)
    n_rows = asked
    if full.seconds_estimate > max_seconds:
        per_row = full.seconds_estimate / asked
        n_rows = int(max(1, min(asked, max_seconds // per_row)))
    estimate = estimate_shap_cost(model, n_rows)
    passes = int(max_seconds // estimate.seconds_estimate) if estimate.seconds_estimate > 0 else 1
    return RowPlan(
        n_rows=n_rows,
        n_wanted=asked,
        n_available=int(n_available),
        seconds_estimate=float(estimate.seconds_estimate),
        explainer=estimate.explainer,
        capped_by_budget=n_rows < asked,
        max_passes=int(min(MAX_PERMUTATION_PASSES, max(1, passes))),
    )


def explain_shap_batches(
    model: FittedModel,
    X: pd.DataFrame,
    *,
    background: pd.DataFrame,
    n_rows: int,
    random_state: int = 0,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    progress: Progress | None = None,
    max_passes: int | None = None,
    tree_perturbation: TreePerturbation = "tree_path_dependent",
) -> ShapResult:
    """Explain a seeded sample of rows, a batch at a time.

    Parameters
    ----------
    model : TrainedModel or LoadedModel
        The model to explain.
    X : pandas.DataFrame
        The rows to sample from.
    background : pandas.DataFrame
        As for :func:`~fairlab.explain.explain_shap`.
    n_rows : int
        How many rows to explain (all of ``X`` if it has fewer).
    random_state : int, default 0
        Seeds the row sample and every batch's explainer, so every batch is explained
        against the same background.
    batch_rows : int, default :data:`DEFAULT_BATCH_ROWS`
        Rows per batch.
    progress : callable, optional
        Called as ``progress(done, total)`` after each batch.
    max_passes : int, optional
        At most this many permutation passes (see :func:`~fairlab.explain.explain_shap`);
        the first batch chooses how many, and every other batch uses as many.
    tree_perturbation : {"tree_path_dependent", "interventional"}
        As for :func:`~fairlab.explain.explain_shap`.

    Returns
    -------
    ShapResult
        Rows in the order of ``X``; ``row_index`` holds their positions in ``X`` and
        ``additivity_error`` is measured over all rows against one base value.

    Raises
    ------
    ShapError
        As :func:`~fairlab.explain.explain_shap`, or if a count is not a positive int.
    """
    for name, value in (("n_rows", n_rows), ("batch_rows", batch_rows)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ShapError(PLAN_ERROR.format(param=name, expected="an int >= 1", value=value))
    if len(X) == 0:
        return explain_shap(
            model,
            X,
            background=background,
            random_state=random_state,
            tree_perturbation=tree_perturbation,
        )
    rng = np.random.default_rng(random_state)
    if n_rows < len(X):
        positions = np.sort(rng.choice(len(X), size=int(n_rows), replace=False))
    else:
        positions = np.arange(len(X))
    parts: list[ShapResult] = []
    passes: int | None = None
    for start in range(0, len(positions), int(batch_rows)):
        chunk = positions[start : start + int(batch_rows)]
        part = explain_shap(
            model,
            X.iloc[chunk],
            background=background,
            max_rows=len(chunk),
            max_evaluations=_UNLIMITED_EVALUATIONS,
            random_state=random_state,
            tree_perturbation=tree_perturbation,
            passes=passes,
            max_passes=max_passes,
        )
        if part.n_permutations and part.background_rows:
            passes = part.n_permutations // part.background_rows
        parts.append(part)
        if progress is not None:
            progress(min(start + len(chunk), len(positions)), len(positions))
    first = parts[0]
    values = pd.concat([p.values for p in parts], ignore_index=True)
    output = np.concatenate([p.output for p in parts])
    error = float(np.max(np.abs(first.base_value + values.sum(axis=1).to_numpy() - output)))
    errors = None
    relative = 0.0
    if first.standard_errors is not None:
        errors = pd.concat([p.standard_errors for p in parts], ignore_index=True)
        scale = float(values.abs().to_numpy().mean())
        relative = float(np.sqrt(2 / np.pi) * errors.to_numpy().mean() / scale) if scale else 0.0
    offsets = np.cumsum([0, *[p.n_rows for p in parts]])
    model_rows = tuple(
        int(offset + r) for offset, p in zip(offsets, parts, strict=False) for r in p.model_rows
    )
    notes = list(first.notes)
    tie_share = first.tie_share
    if first.standard_errors is not None and len(parts) > 1:
        # The first batch's notes speak of its own rows; say it again of all of them, and
        # keep what each batch added (kNN ties left to the fast path and their bias).
        passes = first.n_permutations // first.background_rows
        notes = _permutation_notes(
            model, first.background_rows, passes, relative, list(model_rows), len(values)
        )
        for part in parts:
            own = _permutation_notes(
                model,
                part.background_rows,
                part.n_permutations // part.background_rows,
                part.relative_error,
                list(part.model_rows),
                len(part.values),
            )
            notes += [n for n in part.notes if n not in own and n not in notes]
        sizes = np.array([len(p.values) for p in parts], dtype=float)
        tie_share = float(np.average([p.tie_share for p in parts], weights=sizes))
    return dataclasses.replace(
        first,
        values=values,
        standard_errors=errors,
        relative_error=relative,
        model_rows=model_rows,
        tie_share=tie_share,
        notes=tuple(notes),
        output=output,
        data=pd.concat([p.data for p in parts], ignore_index=True),
        row_index=positions,
        n_rows_total=len(X),
        additivity_error=error,
    )

