"""Where the audited predictions come from, and computing them through bounded caches.

A :class:`PredictionSource` is small and hashable: it names the dataset (by its content
key), the spec, and either the file's own prediction columns, a zoo model with its split,
or an uploaded skops model (by the SHA-256 of its bytes). Everything heavy is computed
from it by cached functions, so switching pages or models back and forth costs nothing,
and one user's upload is only reachable with its bytes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import streamlit as st

from fairlab.audit_data import AuditData, build_audit_data
from fairlab.fairness import FairnessConfig, FairnessResult, assess_audit
from fairlab.models import ModelConfig, TrainedModel, predict, train_model
from fairlab.performance import PerformanceResult, performance_summary
from fairlab.spec import AuditSpec
from fairlab.split import SplitConfig, split_audit_data
from fairlab_ui import state
from fairlab_ui.cache import validate_spec

SourceKind = Literal["file", "model", "skops"]


@dataclass(frozen=True)
class PredictionSource:
    """Everything that determines a set of predictions, and nothing heavy."""

    kind: SourceKind
    dataset_key: str
    spec: AuditSpec
    split: SplitConfig | None = None
    model: ModelConfig | None = None
    skops_key: str | None = None
    label: str = ""


@dataclass(frozen=True, eq=False)
class PredictionSet:
    """The audited rows with their predictions and the model's performance on them."""

    source: PredictionSource
    data: AuditData
    y_pred: np.ndarray
    y_score: np.ndarray | None
    performance: PerformanceResult
    fit_seconds: float | None = None


@st.cache_resource(max_entries=16, show_spinner="Training the model…")
def _trained_model(
    dataset_key: str,
    spec: AuditSpec,
    split: SplitConfig,
    model: ModelConfig,
    roles: tuple[tuple[str, str], ...],
    _frame: pd.DataFrame,
) -> tuple[TrainedModel, np.ndarray]:
    data = build_audit_data(_frame, spec)
    parts = split_audit_data(data, split)
    return train_model(parts.train(data), model, roles=dict(roles)), parts.test_rows


def _feature_roles(spec: AuditSpec) -> tuple[tuple[str, str], ...]:
    dataset = state.active_dataset()
    assert dataset is not None
    roles = dataset.roles
    return tuple((c, roles[c]) for c in spec.features if c in roles)


def trained_model(source: PredictionSource, frame: pd.DataFrame) -> TrainedModel:
    """The fitted zoo model of a ``model`` source (trained once per server, then shared)."""
    assert source.kind == "model" and source.model is not None and source.split is not None
    model, _ = _trained_model(
        source.dataset_key,
        source.spec,
        source.split,
        source.model,
        _feature_roles(source.spec),
        frame,
    )
    return model


# cache_resource, not cache_data: the result is read-only, and cache_data would unpickle a
# copy of every audited row on each rerun of the Model and Fairness pages.
@st.cache_resource(max_entries=32, show_spinner="Computing predictions…")
def prediction_set(source: PredictionSource, _frame: pd.DataFrame) -> PredictionSet:
    """Predictions and performance for ``source`` (the test split for models)."""
    data = build_audit_data(_frame, source.spec)
    fit_seconds = None
    if source.kind == "file":
        audited = data
        y_pred = data.y_pred
        y_score = data.y_score
        assert y_pred is not None
    elif source.kind == "model":
        assert source.model is not None and source.split is not None
        model, test_rows = _trained_model(
            source.dataset_key,
            source.spec,
            source.split,
            source.model,
            _feature_roles(source.spec),
            _frame,
        )
        audited = data.subset(test_rows)
        y_pred, y_score = predict(model, audited.X)
        fit_seconds = model.fit_seconds
    else:
        loaded = st.session_state.get(state.SKOPS_MODEL)
        if loaded is None or loaded[0] != source.skops_key:
            raise RuntimeError("The uploaded model is no longer in this session.")
        assert source.split is not None
        audited = data.subset(split_audit_data(data, source.split).test_rows)
        y_pred, y_score = predict(loaded[1], audited.X)
    return PredictionSet(
        source=source,
        data=audited,
        y_pred=np.asarray(y_pred, dtype=np.int8),
        y_score=None if y_score is None else np.asarray(y_score, dtype=float),
        performance=performance_summary(audited.y_true, y_pred, y_score),
        fit_seconds=fit_seconds,
    )


@st.cache_resource(max_entries=32, show_spinner="Assessing groups…")
def fairness(
    source: PredictionSource, config: FairnessConfig, _frame: pd.DataFrame
) -> FairnessResult:
    """The fairness assessment of ``source``'s predictions."""
    predictions = prediction_set(source, _frame)
    return assess_audit(
        predictions.data, y_pred=predictions.y_pred, y_score=predictions.y_score, config=config
    )


def active_source() -> PredictionSource | None:
    """The predictions the user picked, computed with the session's current spec.

    The pick (a model trained here, the file's predictions, an uploaded model) is the
    user's; the spec is the one on the Data page now, so a model picked before the spec
    changed is audited (retrained if need be) with the new spec rather than dropped. Until
    the user picks anything, a file that holds predictions has them audited.
    """
    source: PredictionSource | None = st.session_state.get(state.PREDICTIONS)
    dataset = state.active_dataset()
    spec = state.current_spec()
    if dataset is None or spec is None:
        return None
    if source is not None and source.dataset_key == dataset.key:
        if source.spec == spec:
            return source
        if source.kind != "skops" and spec_is_valid(dataset, spec):
            if source.kind == "model" and spec.features:
                return dataclasses.replace(source, spec=spec)
            if source.kind == "file" and spec.has_predictions:
                return dataclasses.replace(source, spec=spec)
    if spec.has_predictions and spec_is_valid(dataset, spec):
        return file_source(dataset, spec)
    return None


def file_source(dataset: state.ActiveDataset, spec: AuditSpec) -> PredictionSource:
    """The predictions or scores held in the file, as the spec names them."""
    return PredictionSource(
        kind="file", dataset_key=dataset.key, spec=spec, label="predictions in the file"
    )


SPEC_FIRST = "Set a valid audit spec on the Data page first."


def spec_is_valid(dataset: state.ActiveDataset, spec: AuditSpec) -> bool:
    """Whether ``spec`` has no errors on ``dataset``."""
    problems = validate_spec(dataset.key, spec, dataset.frame)
    return not any(p.severity == "error" for p in problems)
