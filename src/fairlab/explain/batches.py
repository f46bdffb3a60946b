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

from fairlab.explain.shap_ import ShapError, ShapResult, estimate_shap_cost, explain_shap
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
    """

    n_rows: int
    n_wanted: int
    n_available: int
    seconds_estimate: float
    explainer: str
    capped_by_budget: bool

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
    return RowPlan(
        n_rows=n_rows,
        n_wanted=asked,
        n_available=int(n_available),
        seconds_estimate=float(estimate.seconds_estimate),
        explainer=estimate.explainer,
        capped_by_budget=n_rows < asked,
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
        return explain_shap(model, X, background=background, random_state=random_state)
    rng = np.random.default_rng(random_state)
    if n_rows < len(X):
        positions = np.sort(rng.choice(len(X), size=int(n_rows), replace=False))
    else:
        positions = np.arange(len(X))
    parts: list[ShapResult] = []
    for start in range(0, len(positions), int(batch_rows)):
        chunk = positions[start : start + int(batch_rows)]
        parts.append(
            explain_shap(
                model,
                X.iloc[chunk],
                background=background,
                max_rows=len(chunk),
                max_evaluations=_UNLIMITED_EVALUATIONS,
                random_state=random_state,
            )
        )
        if progress is not None:
            progress(min(start + len(chunk), len(positions)), len(positions))
    first = parts[0]
    values = pd.concat([p.values for p in parts], ignore_index=True)
    output = np.concatenate([p.output for p in parts])
    error = float(np.max(np.abs(first.base_value + values.sum(axis=1).to_numpy() - output)))
    return dataclasses.replace(
        first,
        values=values,
        output=output,
        data=pd.concat([p.data for p in parts], ignore_index=True),
        row_index=positions,
        n_rows_total=len(X),
        additivity_error=error,
    )
