"""The spec widget group of the Data page: seed widgets from a spec, read a spec back.

Widget values live under the ``data_`` keys of :mod:`fairlab_ui.state`. When a dataset or
a saved spec is loaded the keys are cleared and :func:`seed` fills them again from the
stored :class:`~fairlab.spec.AuditSpec`; on every run :func:`read` turns the widget values
into a spec. Streamlit forgets widget values when the user visits another page, so the
spec itself is what persists, and the widgets are seeded from it on return.
"""

from __future__ import annotations

import streamlit as st

from fairlab.errors import SpecError
from fairlab.labels import Label, canonical_label, detect_positive_label, distinct_labels
from fairlab.spec import (
    AuditSpec,
    SensitiveBins,
    SpecProblem,
    needs_bins,
    parse_edges,
    suggest_bins,
)
from fairlab_ui import state
from fairlab_ui.state import ActiveDataset

MAX_LABEL_OPTIONS = 50


def _matching_option(options: list[Label], value: Label | None) -> Label | None:
    if value is None or value == "":
        return None
    wanted = canonical_label(value)
    return next((o for o in options if canonical_label(o) == wanted), None)


def seed(spec: AuditSpec | None, dataset: ActiveDataset) -> None:
    """Fill the spec widgets' keys from ``spec`` where they are not set yet."""
    frame = dataset.frame
    columns = [str(c) for c in frame.columns]
    ss = st.session_state
    target = spec.target if spec is not None and spec.target in columns else columns[-1]
    ss.setdefault(state.DATA_TARGET, target)
    target = ss[state.DATA_TARGET]
    if state.DATA_POSITIVE not in ss:
        options = distinct_labels(frame[target], limit=MAX_LABEL_OPTIONS)
        wanted = spec.positive_label if spec is not None and spec.target == target else None
        ss[state.DATA_POSITIVE] = _matching_option(options, wanted)
    sensitive = [c for c in (spec.sensitive if spec else ()) if c in columns and c != target]
    ss.setdefault(state.DATA_SENSITIVE, sensitive)
    for column in ss[state.DATA_SENSITIVE]:
        key = state.DATA_BINS_PREFIX + column
        edges = spec.bins_for(column) if spec is not None else None
        if key not in ss and (edges is not None or needs_bins(frame[column])):
            ss[key] = _edges_text(edges if edges is not None else suggest_bins(frame[column]))
    ss.setdefault(state.DATA_MISSING_POLICY, spec.missing_sensitive if spec else "own_group")
    features = [c for c in (spec.features if spec else ()) if c in columns and c != target]
    ss.setdefault(state.DATA_FEATURES, features)
    prediction = (
        spec.prediction_column if spec is not None and spec.prediction_column in columns else None
    )
    ss.setdefault(state.DATA_PREDICTION, prediction)
    if state.DATA_PREDICTION_POSITIVE not in ss:
        chosen: list[Label] = []
        if prediction is not None and spec is not None:
            options = distinct_labels(frame[prediction], limit=MAX_LABEL_OPTIONS)
            chosen = [
                o
                for p in spec.prediction_positive
                if (o := _matching_option(options, p)) is not None
            ]
        ss[state.DATA_PREDICTION_POSITIVE] = chosen
    score = spec.score_column if spec is not None and spec.score_column in columns else None
    ss.setdefault(state.DATA_SCORE, score)
    threshold = spec.threshold if spec is not None and spec.threshold is not None else 0.5
    ss.setdefault(state.DATA_THRESHOLD, float(threshold))


def _edges_text(edges: tuple[float, ...]) -> str:
    return ", ".join(f"{e:g}" for e in edges)


def read(dataset: ActiveDataset) -> tuple[AuditSpec | None, list[SpecProblem]]:
    """Build the spec the widgets describe.

    Returns
    -------
    (spec, problems)
        ``problems`` holds what the widgets themselves got wrong (bins that are not
        numbers); ``spec`` is None when no spec can be formed at all.
    """
    ss = st.session_state
    problems: list[SpecProblem] = []
    bins: list[SensitiveBins] = []
    for column in ss[state.DATA_SENSITIVE]:
        key = state.DATA_BINS_PREFIX + column
        if key in ss:
            try:
                bins.append(SensitiveBins(column, parse_edges(ss[key], column=column)))
            except SpecError as exc:
                problems.extend(exc.problems)
    positive = ss[state.DATA_POSITIVE]
    prediction = ss[state.DATA_PREDICTION]
    score = ss[state.DATA_SCORE]
    spec = AuditSpec(
        target=ss[state.DATA_TARGET],
        positive_label="" if positive is None else positive,
        sensitive=tuple(ss[state.DATA_SENSITIVE]),
        features=tuple(ss[state.DATA_FEATURES]),
        bins=tuple(bins),
        missing_sensitive=ss[state.DATA_MISSING_POLICY],
        prediction_column=prediction,
        prediction_positive=tuple(ss[state.DATA_PREDICTION_POSITIVE]) if prediction else (),
        score_column=score,
        threshold=float(ss[state.DATA_THRESHOLD]) if score is not None else None,
    )
    if problems:
        # Without the broken bins the spec would read as "needs bins": report the typo only.
        spec_problems = [p for p in spec.validate(dataset.frame) if p.field != "bins"]
        return None, problems + spec_problems
    return spec, []


def on_target_change(dataset: ActiveDataset) -> None:
    """A new outcome column: detect its positive value and take it out of the other lists."""
    ss = st.session_state
    target = ss[state.DATA_TARGET]
    detected = detect_positive_label(dataset.frame[target])
    ss[state.DATA_POSITIVE] = detected
    ss[state.DATA_SENSITIVE] = [c for c in ss[state.DATA_SENSITIVE] if c != target]
    ss[state.DATA_FEATURES] = [c for c in ss[state.DATA_FEATURES] if c != target]
    if ss.get(state.DATA_PREDICTION) == target:
        ss[state.DATA_PREDICTION] = None
    if ss.get(state.DATA_SCORE) == target:
        ss[state.DATA_SCORE] = None


def on_sensitive_change(dataset: ActiveDataset) -> None:
    """New sensitive attributes leave the features (using them is an explicit choice) and
    numeric ones get suggested bins."""
    ss = st.session_state
    sensitive = ss[state.DATA_SENSITIVE]
    ss[state.DATA_FEATURES] = [c for c in ss[state.DATA_FEATURES] if c not in sensitive]
    for column in sensitive:
        key = state.DATA_BINS_PREFIX + column
        if key not in ss and needs_bins(dataset.frame[column]):
            ss[key] = _edges_text(suggest_bins(dataset.frame[column]))


def on_prediction_change(dataset: ActiveDataset) -> None:
    """A new prediction column: guess its positive value and take it out of the features."""
    ss = st.session_state
    prediction = ss[state.DATA_PREDICTION]
    if prediction is None:
        ss[state.DATA_PREDICTION_POSITIVE] = []
        return
    detected = detect_positive_label(dataset.frame[prediction])
    if detected is None:
        target = ss[state.DATA_TARGET]
        options = distinct_labels(dataset.frame[prediction], limit=MAX_LABEL_OPTIONS)
        detected = _matching_option(options, ss.get(state.DATA_POSITIVE)) if target else None
    ss[state.DATA_PREDICTION_POSITIVE] = [] if detected is None else [detected]
    ss[state.DATA_FEATURES] = [c for c in ss[state.DATA_FEATURES] if c != prediction]


SPEC_UNKNOWN_COLUMNS_ERROR = (
    "The saved spec names columns this data does not have ({columns}). Load it with the "
    "data it was saved for, or set the spec by hand."
)


def on_spec_upload(dataset: ActiveDataset) -> None:
    """Load a spec saved as JSON; a broken or unfitting file leaves the current spec as it was."""
    uploaded = st.session_state.get(state.DATA_SPEC_UPLOAD)
    if uploaded is None:
        return
    try:
        spec = AuditSpec.from_json(uploaded.getvalue())
    except SpecError as exc:
        st.session_state[state.SPEC_FILE_ERROR] = str(exc)
        return
    named = [
        spec.target,
        *spec.sensitive,
        *spec.features,
        spec.prediction_column,
        spec.score_column,
    ]
    unknown = [c for c in named if c is not None and c not in dataset.frame.columns]
    if unknown:
        st.session_state[state.SPEC_FILE_ERROR] = SPEC_UNKNOWN_COLUMNS_ERROR.format(
            columns=", ".join(f"'{c}'" for c in unknown[:5]) + (", …" if len(unknown) > 5 else "")
        )
        return
    st.session_state.pop(state.SPEC_FILE_ERROR, None)
    st.session_state[state.SPEC] = spec
    state.reset_spec_widgets()
