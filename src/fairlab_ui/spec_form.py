"""The spec form of the Data page: its choices, and the spec they describe.

The form's choices live in the session's choices (:func:`fairlab_ui.state.choices`) under
the ``data_`` keys of :mod:`fairlab_ui.state`. Loading a dataset or a saved spec replaces
them (:func:`load`); a user's edit of one widget records it and rebuilds the spec
(:func:`on_edit`). Nothing else writes them: the widgets only show them (:func:`bind`), so
a visit to another page, which clears the widgets' state, changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from fairlab.errors import SpecError
from fairlab.labels import Label, canonical_label, detect_positive_label, distinct_labels
from fairlab.spec import (
    AuditSpec,
    GroupMerge,
    SensitiveBins,
    SpecProblem,
    needs_bins,
    parse_edges,
    suggest_bins,
)
from fairlab_ui import state
from fairlab_ui.state import ActiveDataset

MAX_LABEL_OPTIONS = 50
MERGE_PREFIXES = (state.DATA_MERGE_MIN_PREFIX, state.DATA_MERGE_MAP_PREFIX)

MAPPING_LINE_ERROR = (
    "Line {line} of the mapping for '{column}' reads '{text}'; write one 'value = group' per "
    "line, for example 'Amer-Indian-Eskimo = Other'."
)


def _matching_option(options: list[Label], value: Label | None) -> Label | None:
    if value is None or value == "":
        return None
    wanted = canonical_label(value)
    return next((o for o in options if canonical_label(o) == wanted), None)


def load(spec: AuditSpec, dataset: ActiveDataset) -> None:
    """Make ``spec`` the session's spec and the spec form's choices, replacing the choices
    made for the dataset or spec loaded before (a user's action: loading data or a spec)."""
    frame = dataset.frame
    columns = [str(c) for c in frame.columns]
    state.forget_choices(state.SPEC_CHOICE_KEYS, (state.DATA_BINS_PREFIX, *MERGE_PREFIXES))
    put = state.set_choice
    target = spec.target if spec.target in columns else columns[-1]
    put(state.DATA_TARGET, target)
    options = distinct_labels(frame[target], limit=MAX_LABEL_OPTIONS)
    put(state.DATA_POSITIVE, _matching_option(options, spec.positive_label))
    sensitive = [c for c in spec.sensitive if c in columns and c != target]
    put(state.DATA_SENSITIVE, sensitive)
    for column in sensitive:
        edges = spec.bins_for(column)
        if edges is not None or needs_bins(frame[column]):
            put(
                state.DATA_BINS_PREFIX + column,
                _edges_text(edges if edges is not None else suggest_bins(frame[column])),
            )
    for merge in spec.merges:
        if merge.column in sensitive:
            put(state.DATA_MERGE_MIN_PREFIX + merge.column, merge.min_rows)
            put(
                state.DATA_MERGE_MAP_PREFIX + merge.column,
                "\n".join(f"{value} = {group}" for value, group in merge.mapping),
            )
    put(state.DATA_MISSING_POLICY, spec.missing_sensitive)
    put(state.DATA_FEATURES, [c for c in spec.features if c in columns and c != target])
    prediction = spec.prediction_column if spec.prediction_column in columns else None
    put(state.DATA_PREDICTION, prediction)
    chosen: list[Label] = []
    if prediction is not None:
        options = distinct_labels(frame[prediction], limit=MAX_LABEL_OPTIONS)
        chosen = [
            o for p in spec.prediction_positive if (o := _matching_option(options, p)) is not None
        ]
    put(state.DATA_PREDICTION_POSITIVE, chosen)
    put(state.DATA_SCORE, spec.score_column if spec.score_column in columns else None)
    put(state.DATA_THRESHOLD, float(spec.threshold if spec.threshold is not None else 0.5))
    # What the form can hold (the outcome is never a feature, say), as an edit would build it.
    st.session_state[state.SPEC] = draft(dataset)[0]


def _edges_text(edges: tuple[float, ...]) -> str:
    return ", ".join(f"{e:g}" for e in edges)


def bins_keys() -> list[str]:
    """The bins boxes to show: one per sensitive attribute that has bins in the form."""
    store = state.choices()
    keys = (state.DATA_BINS_PREFIX + c for c in store.get(state.DATA_SENSITIVE, []))
    return [k for k in keys if k in store]


def bind(key: str, dataset: ActiveDataset) -> dict[str, Any]:
    """Show the form's choice ``key`` in its widget; returns the widget's keyword arguments
    (``**bind(key, dataset)``): its key and the callback that records the user's edit."""
    state.show(key)
    return {"key": key, "on_change": on_edit, "args": (key, dataset)}


def draft(dataset: ActiveDataset) -> tuple[AuditSpec | None, list[SpecProblem]]:
    """The spec the form's choices describe.

    Returns
    -------
    (spec, problems)
        ``problems`` holds what the form itself got wrong (bins that are not numbers);
        ``spec`` is None when no spec can be formed at all.
    """
    ss = state.choices()
    problems: list[SpecProblem] = []
    bins: list[SensitiveBins] = []
    for column in ss[state.DATA_SENSITIVE]:
        key = state.DATA_BINS_PREFIX + column
        if key in ss:
            try:
                bins.append(SensitiveBins(column, parse_edges(ss[key], column=column)))
            except SpecError as exc:
                problems.extend(exc.problems)
    merges = tuple(
        merge for column in ss[state.DATA_SENSITIVE] if (merge := _merge(ss, column)) is not None
    )
    positive = ss[state.DATA_POSITIVE]
    prediction = ss[state.DATA_PREDICTION]
    score = ss[state.DATA_SCORE]
    spec = AuditSpec(
        target=ss[state.DATA_TARGET],
        positive_label="" if positive is None else positive,
        sensitive=tuple(ss[state.DATA_SENSITIVE]),
        features=tuple(ss[state.DATA_FEATURES]),
        bins=tuple(bins),
        merges=merges,
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


def parse_mapping(text: str, *, column: str) -> tuple[tuple[tuple[str, str], ...], list[str]]:
    """Read 'value = group' lines; return the pairs and a message per unreadable line."""
    pairs: list[tuple[str, str]] = []
    errors: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        value, equals, group = line.partition("=")
        if not equals or not value.strip() or not group.strip():
            errors.append(MAPPING_LINE_ERROR.format(line=number, column=column, text=line.strip()))
            continue
        pairs.append((value.strip(), group.strip()))
    return tuple(pairs), errors


def _merge(ss: dict[str, Any], column: str) -> GroupMerge | None:
    """The merge the form's choices set for ``column`` (unreadable mapping lines left out:
    the form says which), or None when nothing is merged."""
    min_rows = int(ss.get(state.DATA_MERGE_MIN_PREFIX + column) or 0)
    text = str(ss.get(state.DATA_MERGE_MAP_PREFIX + column) or "")
    pairs, _ = parse_mapping(text, column=column)
    if not min_rows and not pairs:
        return None
    return GroupMerge(column, min_rows=min_rows, mapping=pairs)


def on_edit(key: str, dataset: ActiveDataset) -> None:
    """A widget of the form changed: record it, adjust what depends on it, rebuild the spec."""
    state.commit(key)
    adjust = _ADJUSTERS.get(key)
    if adjust is not None:
        adjust(dataset)
    st.session_state[state.SPEC] = draft(dataset)[0]


def _on_target_change(dataset: ActiveDataset) -> None:
    """A new outcome column: detect its positive value and take it out of the other lists."""
    ss = state.choices()
    target = ss[state.DATA_TARGET]
    ss[state.DATA_POSITIVE] = detect_positive_label(dataset.frame[target])
    ss[state.DATA_SENSITIVE] = [c for c in ss[state.DATA_SENSITIVE] if c != target]
    ss[state.DATA_FEATURES] = [c for c in ss[state.DATA_FEATURES] if c != target]
    if ss[state.DATA_PREDICTION] == target:
        ss[state.DATA_PREDICTION] = None
        ss[state.DATA_PREDICTION_POSITIVE] = []
    if ss[state.DATA_SCORE] == target:
        ss[state.DATA_SCORE] = None


def _on_sensitive_change(dataset: ActiveDataset) -> None:
    """New sensitive attributes leave the features (using them is an explicit choice) and
    numeric ones get suggested bins (or the bins set for them before in this form)."""
    ss = state.choices()
    sensitive = ss[state.DATA_SENSITIVE]
    ss[state.DATA_FEATURES] = [c for c in ss[state.DATA_FEATURES] if c not in sensitive]
    for column in sensitive:
        key = state.DATA_BINS_PREFIX + column
        if key not in ss and needs_bins(dataset.frame[column]):
            ss[key] = _edges_text(suggest_bins(dataset.frame[column]))


def _on_prediction_change(dataset: ActiveDataset) -> None:
    """A new prediction column: guess its positive value and take it out of the features."""
    ss = state.choices()
    prediction = ss[state.DATA_PREDICTION]
    if prediction is None:
        ss[state.DATA_PREDICTION_POSITIVE] = []
        return
    detected = detect_positive_label(dataset.frame[prediction])
    if detected is None:
        options = distinct_labels(dataset.frame[prediction], limit=MAX_LABEL_OPTIONS)
        detected = _matching_option(options, ss[state.DATA_POSITIVE])
    ss[state.DATA_PREDICTION_POSITIVE] = [] if detected is None else [detected]
    ss[state.DATA_FEATURES] = [c for c in ss[state.DATA_FEATURES] if c != prediction]


def _on_score_change(dataset: ActiveDataset) -> None:
    """A new score column leaves the features, as a prediction column does."""
    ss = state.choices()
    score = ss[state.DATA_SCORE]
    ss[state.DATA_FEATURES] = [c for c in ss[state.DATA_FEATURES] if c != score]


_ADJUSTERS: dict[str, Callable[[ActiveDataset], None]] = {
    state.DATA_TARGET: _on_target_change,
    state.DATA_SENSITIVE: _on_sensitive_change,
    state.DATA_PREDICTION: _on_prediction_change,
    state.DATA_SCORE: _on_score_change,
}


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
    load(spec, dataset)
