"""Explanations of the active predictions, computed through bounded caches.

The model explained is the one behind the active :class:`PredictionSource`: the trained zoo
model, the uploaded skops model, or, when the predictions come from the file, a surrogate
model fitted to mimic them. Every cache is keyed by the source (dataset content key, spec,
split, model config or skops bytes hash) and small settings, never by a DataFrame.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import streamlit as st

from fairlab.audit_data import AuditData, build_audit_data
from fairlab.explain import (
    LimeExplainer,
    LimeResult,
    LimeStability,
    ShapResult,
    explain_shap,
    lime_stability,
)
from fairlab.explain.agreement import AgreementSummary, agreement_over_rows, summarize_agreement
from fairlab.explain.batches import explain_shap_batches
from fairlab.explain.proxies import proxy_strength
from fairlab.explain.shap_ import MAX_PERMUTATION_PASSES, TreePerturbation
from fairlab.explain.surrogate import Surrogate, fit_surrogate
from fairlab.models import FittedModel
from fairlab.split import split_audit_data
from fairlab_ui import state
from fairlab_ui.cache import result_store
from fairlab_ui.jobs import heavy_job, worker_slots
from fairlab_ui.predictions import PredictionSource, prediction_set, trained_model

SurrogateKind = Literal["tree", "boosting"]

MAX_BACKGROUND_ROWS = 2_000

LIME_SECONDS = 0.8
"""Time budget of one row's LIME: slow models get fewer samples (and say so)."""
"""Training rows kept as the explainers' background and LIME's sampling statistics."""


@dataclass(frozen=True, eq=False)
class ExplainContext:
    """What the Explain page works on, for one prediction source.

    Attributes
    ----------
    model : FittedModel
        The model explained (a surrogate for predictions from the file).
    label : str
        What is explained, in words.
    rows : AuditData
        The audited rows (the test split, or every row of the file).
    y_pred, y_score : numpy.ndarray
        The audited predictions and scores (scores may be None).
    background : pandas.DataFrame
        Training rows (sampled) the explanations are relative to.
    roles : dict of str to str
        The role of each feature.
    surrogate : Surrogate or None
        Set when the predictions come from the file and a surrogate stands in for the model.
    """

    model: FittedModel
    label: str
    rows: AuditData
    y_pred: np.ndarray
    y_score: np.ndarray | None
    background: pd.DataFrame
    roles: dict[str, str]
    surrogate: Surrogate | None = None

    @property
    def features(self) -> list[str]:
        """The model's features, in order."""
        return [str(c) for c in self.rows.X.columns]


def _roles(spec_features: tuple[str, ...]) -> dict[str, str]:
    dataset = state.active_dataset()
    assert dataset is not None
    roles = dataset.roles
    return {c: roles[c] for c in spec_features if c in roles}


def _sampled(frame: pd.DataFrame, n: int, seed: int = 0) -> pd.DataFrame:
    if len(frame) <= n:
        return frame.reset_index(drop=True)
    rng = np.random.default_rng(seed)
    return frame.iloc[np.sort(rng.choice(len(frame), n, replace=False))].reset_index(drop=True)


@st.cache_resource(max_entries=16, show_spinner="Preparing the model for explanation…")
def _context(
    source: PredictionSource,
    roles: tuple[tuple[str, str], ...],
    surrogate_kind: SurrogateKind,
    _frame: pd.DataFrame,
) -> ExplainContext:
    predictions = prediction_set(source, _frame)
    role_map = dict(roles)
    surrogate = None
    if source.kind == "model":
        model: FittedModel = trained_model(source, _frame)
        data = build_audit_data(_frame, source.spec)
        assert source.split is not None
        train = split_audit_data(data, source.split).train(data)
        background = train.X
        label = source.label
    elif source.kind == "skops":
        loaded = st.session_state.get(state.SKOPS_MODEL)
        if loaded is None or loaded[0] != source.skops_key:
            raise RuntimeError("The uploaded model is no longer in this session.")
        model = loaded[1]
        data = build_audit_data(_frame, source.spec)
        assert source.split is not None
        background = split_audit_data(data, source.split).train(data).X
        label = source.label
    else:
        surrogate = fit_surrogate(
            predictions.data, roles=role_map, kind=surrogate_kind, random_state=0
        )
        model = surrogate
        background = predictions.data.X
        label = surrogate.label
    return ExplainContext(
        model=model,
        label=label,
        rows=predictions.data,
        y_pred=predictions.y_pred,
        y_score=predictions.y_score,
        background=_sampled(background, MAX_BACKGROUND_ROWS),
        roles=role_map,
        surrogate=surrogate,
    )


def context(
    source: PredictionSource, frame: pd.DataFrame, *, surrogate_kind: SurrogateKind = "tree"
) -> ExplainContext:
    """The explanation context of ``source`` (cached per source).

    ``surrogate_kind`` chooses the surrogate (``"tree"``: a shallow decision tree, or
    ``"boosting"``: gradient boosting) when the predictions come from the file.
    """
    kind = surrogate_kind if source.kind == "file" else "tree"
    return _context(source, tuple(sorted(_roles(source.spec.features).items())), kind, frame)


def global_shap(
    source: PredictionSource,
    ctx: ExplainContext,
    *,
    n_rows: int,
    seed: int,
    progress: Callable[[int, int], None] | None = None,
    tree_perturbation: TreePerturbation | None = None,
    max_passes: int | None = None,
) -> ShapResult:
    """SHAP values of a seeded sample of ``n_rows`` audited rows, stored per source.

    ``tree_perturbation`` and ``max_passes`` default to those of the Explain page's last
    request for the same rows and seed (so that the report shows what the page showed),
    else to path-dependent trees and :data:`fairlab.explain.shap_.MAX_PERMUTATION_PASSES`.
    """
    request = st.session_state.get(state.EXPLAIN_GLOBAL_REQUEST)
    matches = request is not None and tuple(request[:3]) == (source, n_rows, seed)
    asked = tuple(request[3:]) if matches else ()
    if tree_perturbation is None:
        tree_perturbation = asked[0] if len(asked) > 0 else "tree_path_dependent"
    if max_passes is None:
        max_passes = asked[1] if len(asked) > 1 else MAX_PERMUTATION_PASSES
    store = result_store("global_shap", 16)
    key = (source, n_rows, seed, tree_perturbation, max_passes)
    result = store.get(key)
    if result is None:
        with heavy_job("explanation"):
            result = explain_shap_batches(
                ctx.model,
                ctx.rows.X,
                background=ctx.background,
                n_rows=n_rows,
                random_state=seed,
                progress=progress,
                tree_perturbation=tree_perturbation,
                max_passes=max_passes,
            )
        store.put(key, result)
    return result  # type: ignore[return-value]


@st.cache_resource(max_entries=64, show_spinner="Computing SHAP values for the row…")
def _row_shap(
    source: PredictionSource, position: int, tree_perturbation: str, _ctx: ExplainContext
) -> ShapResult:
    return explain_shap(
        _ctx.model,
        _ctx.rows.X.iloc[[position]],
        background=_ctx.background,
        max_rows=1,
        max_evaluations=2**62,
        tree_perturbation=tree_perturbation,  # type: ignore[arg-type]
    )


def row_shap(
    source: PredictionSource,
    ctx: ExplainContext,
    position: int,
    tree_perturbation: TreePerturbation = "tree_path_dependent",
) -> ShapResult:
    """SHAP values of one audited row (cached); ``row_index`` holds its position."""
    return dataclasses.replace(
        _row_shap(source, position, tree_perturbation, ctx),
        row_index=np.array([position]),
        n_rows_total=1,
    )


def _lime_explainer(source: PredictionSource, _ctx: ExplainContext) -> LimeExplainer:
    return LimeExplainer(_ctx.background, roles=_ctx.roles)


@st.cache_resource(max_entries=64, show_spinner="Fitting LIME around the row…")
def _row_lime(
    source: PredictionSource, position: int, num_samples: int, seed: int, _ctx: ExplainContext
) -> LimeResult:
    explainer = _lime_explainer(source, _ctx)
    return explainer.explain(
        _ctx.model,
        _ctx.rows.X.iloc[position],
        num_samples=num_samples,
        random_state=seed,
        max_seconds=LIME_SECONDS,
    )


def row_lime(
    source: PredictionSource, ctx: ExplainContext, position: int, *, num_samples: int, seed: int
) -> LimeResult:
    """LIME's explanation of one audited row (cached)."""
    return _row_lime(source, position, num_samples, seed, ctx)


@st.cache_resource(
    max_entries=32,
    show_spinner="Re-running LIME with several seeds (queued if the server is busy)…",
)
def _row_stability(
    source: PredictionSource, position: int, num_samples: int, seeds: int, _ctx: ExplainContext
) -> LimeStability:
    with worker_slots().hold():
        return lime_stability(
            _ctx.model,
            _ctx.background,
            _ctx.rows.X.iloc[position],
            roles=_ctx.roles,
            seeds=seeds,
            num_samples=num_samples,
            max_seconds=LIME_SECONDS * seeds,
        )


def row_stability(
    source: PredictionSource, ctx: ExplainContext, position: int, *, num_samples: int, seeds: int
) -> LimeStability:
    """LIME's stability over ``seeds`` seeds for one row (cached)."""
    return _row_stability(source, position, num_samples, seeds, ctx)


@st.cache_resource(
    max_entries=16,
    show_spinner="Comparing SHAP and LIME over a sample (queued if the server is busy)…",
)
def _agreement(
    source: PredictionSource, n_rows: int, num_samples: int, _ctx: ExplainContext
) -> tuple[pd.DataFrame, AgreementSummary]:
    explainer = _lime_explainer(source, _ctx)
    with worker_slots().hold():
        shap_result = explain_shap_batches(
            _ctx.model, _ctx.rows.X, background=_ctx.background, n_rows=n_rows, random_state=1
        )
        lime_weights = [
            explainer.explain(
                _ctx.model, _ctx.rows.X.iloc[int(p)], num_samples=num_samples, random_state=0
            ).weights
            for p in shap_result.row_index
        ]
    lime_table = pd.DataFrame(
        [weights.to_dict() for weights in lime_weights], index=shap_result.values.index
    ).reindex(columns=shap_result.values.columns)
    per_row = agreement_over_rows(shap_result.values, lime_table.fillna(0.0))
    return per_row, summarize_agreement(per_row)


def agreement(
    source: PredictionSource, ctx: ExplainContext, *, n_rows: int, num_samples: int
) -> tuple[pd.DataFrame, AgreementSummary]:
    """SHAP against LIME over a seeded sample of rows (cached)."""
    return _agreement(source, n_rows, num_samples, ctx)


@st.cache_resource(
    max_entries=16, show_spinner="Testing every feature as a proxy (queued if the server is busy)…"
)
def _proxies(source: PredictionSource, attribute: str, _ctx: ExplainContext) -> pd.DataFrame:
    X = _ctx.rows.X
    own = [c for c in X.columns if c in _ctx.rows.sensitive_features.columns]
    usable = X.drop(columns=own)
    with worker_slots().hold():
        return proxy_strength(usable, _ctx.rows.groups(attribute), roles=_ctx.roles)


def proxies(source: PredictionSource, ctx: ExplainContext, attribute: str) -> pd.DataFrame:
    """How well each feature predicts ``attribute`` (the attribute itself left out)."""
    return _proxies(source, attribute, ctx)
