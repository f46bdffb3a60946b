"""Mitigation comparisons of the active trained model, stored per source and choices.

A comparison is keyed by the prediction source (dataset content key, spec, split, model
config), the attribute, the techniques (frozen, hashable configs) and the fairness
settings, so re-visiting the Mitigate page, or another user asking for exactly the same
comparison of the same bytes, costs nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from fairlab.audit_data import build_audit_data
from fairlab.fairness import FairnessConfig
from fairlab.mitigation import (
    TECHNIQUES,
    MitigationComparison,
    TechniqueConfig,
    compare_techniques,
)
from fairlab.split import split_audit_data
from fairlab_ui import state
from fairlab_ui.cache import result_store
from fairlab_ui.jobs import heavy_job
from fairlab_ui.predictions import PredictionSource, trained_model

_SKIPPED = frozenset({"baseline", "group_thresholds"})


@dataclass(frozen=True)
class MitigationRequest:
    """Everything that determines a comparison, and nothing heavy."""

    source: PredictionSource
    attribute: str
    techniques: tuple[TechniqueConfig, ...]
    fairness: FairnessConfig


def catalogue() -> dict[str, TechniqueConfig]:
    """Every technique with each of its constraints, by label, at default settings."""
    options: dict[str, TechniqueConfig] = {}
    for name, spec in TECHNIQUES.items():
        if name in _SKIPPED:
            continue
        for constraint in spec.constraints or (None,):
            config = TechniqueConfig(name, constraint)
            options[config.label] = config
    return options


def n_jobs() -> int:
    """Techniques run at once: one per core."""
    return max(1, os.cpu_count() or 1)


def comparison(
    request: MitigationRequest,
    frame: pd.DataFrame,
    *,
    progress: Callable[[int, int, str], None] | None = None,
    fit_progress: Callable[[str, int], None] | None = None,
) -> MitigationComparison:
    """Run (or fetch) the comparison of ``request``.

    ``progress(done, total, name)`` follows the techniques, ``fit_progress(name, n_fits)``
    each fit inside a reduction (both called in the page's thread).
    """
    store = result_store("mitigation", 8)
    result = store.get(request)
    if result is None:
        source = request.source
        assert source.kind == "model" and source.model is not None and source.split is not None
        data = build_audit_data(frame, source.spec)
        parts = split_audit_data(data, source.split)
        dataset = state.active_dataset()
        assert dataset is not None
        roles = {c: dataset.roles[c] for c in source.spec.features if c in dataset.roles}
        with heavy_job("comparison", weight=n_jobs()):
            result = compare_techniques(
                parts.train(data),
                parts.test(data),
                source.model,
                request.techniques,
                roles=roles,
                attribute=request.attribute,
                fairness_config=request.fairness,
                n_jobs=n_jobs(),
                baseline=trained_model(source, frame),
                progress=progress,
                fit_progress=fit_progress,
            )
        store.put(request, result)
    return result  # type: ignore[return-value]


def expected_fits(technique: TechniqueConfig) -> int | None:
    """How many fits a reduction makes, when that is known in advance (grid search: one per
    grid point); None for exponentiated gradient, which stops when it has converged."""
    if technique.name == "grid_search":
        return int(technique.param("grid_size"))
    return None


def stored(request: MitigationRequest) -> MitigationComparison | None:
    """The comparison of ``request`` if it has been run, else None."""
    return result_store("mitigation", 8).get(request)  # type: ignore[return-value]
