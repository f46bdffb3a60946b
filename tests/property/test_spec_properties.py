"""Spec validation on arbitrary small tables: it always answers, and never with a crash."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fairlab.audit_data import build_audit_data
from fairlab.errors import SpecError
from fairlab.spec import AuditSpec, GroupMerge, SensitiveBins, group_labels

CELLS = st.one_of(
    st.none(),
    st.integers(-5, 5),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["yes", "no", "", " ", "<b>x</b>", "=1+1", "é", "1", "1.0", "True"]),
    st.booleans(),
)


def _is_usable_label(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and not np.isfinite(value))


@st.composite
def tables_and_specs(draw: st.DrawFn) -> tuple[pd.DataFrame, AuditSpec]:
    n_cols = draw(st.integers(2, 5))
    n_rows = draw(st.integers(0, 40))
    names = [f"c{i}" for i in range(n_cols)]
    columns = {}
    for name in names:
        kind = draw(st.sampled_from(["mixed", "int", "float", "text"]))
        if kind == "mixed":
            values = draw(st.lists(CELLS, min_size=n_rows, max_size=n_rows))
            columns[name] = pd.Series(values, dtype=object)
        elif kind == "int":
            columns[name] = pd.Series(
                draw(st.lists(st.integers(0, 3), min_size=n_rows, max_size=n_rows))
            )
        elif kind == "float":
            floats = st.one_of(st.floats(-100, 100), st.just(float("nan")))
            columns[name] = pd.Series(
                draw(st.lists(floats, min_size=n_rows, max_size=n_rows)), dtype=float
            )
        else:
            words = st.sampled_from(["a", "b", "c", None])
            columns[name] = pd.Series(
                draw(st.lists(words, min_size=n_rows, max_size=n_rows)), dtype="str"
            )
    frame = pd.DataFrame(columns)
    target = draw(st.sampled_from(names + ["missing_column"]))
    sensitive = tuple(draw(st.lists(st.sampled_from(names), max_size=2, unique=True)))
    features = tuple(draw(st.lists(st.sampled_from(names), max_size=3, unique=True)))
    bins = ()
    if sensitive and draw(st.booleans()):
        edges = tuple(sorted(set(draw(st.lists(st.floats(-10, 10), min_size=1, max_size=3)))))
        bins = (SensitiveBins(sensitive[0], edges),)
    merges = ()
    if sensitive and draw(st.booleans()):
        mapping = draw(
            st.lists(st.tuples(st.sampled_from(["a", "b", "1", "x"]), st.sampled_from(["a", "M"])),
                     max_size=2, unique_by=lambda pair: pair[0])
        )
        merges = (GroupMerge(sensitive[-1], min_rows=draw(st.integers(0, 20)), mapping=mapping),)
    prediction = draw(st.one_of(st.none(), st.sampled_from(names)))
    score = draw(st.one_of(st.none(), st.sampled_from(names)))
    spec = AuditSpec(
        target=target,
        positive_label=draw(st.one_of(st.just(""), CELLS.filter(_is_usable_label))),
        sensitive=sensitive,
        features=features,
        bins=bins,
        missing_sensitive=draw(st.sampled_from(["own_group", "drop"])),
        prediction_column=prediction,
        prediction_positive=tuple(draw(st.lists(st.sampled_from(["yes", 1, True]), max_size=2))),
        score_column=score,
        threshold=draw(st.one_of(st.none(), st.floats(-1, 2))),
        merges=merges,
    )
    return frame, spec


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables_and_specs())
def test_validate_always_answers_and_build_fails_only_with_spec_errors(
    case: tuple[pd.DataFrame, AuditSpec],
) -> None:
    frame, spec = case
    problems = spec.validate(frame)
    assert all(p.severity in ("error", "warning") and p.message for p in problems)
    errors = [p for p in problems if p.severity == "error"]
    try:
        data = build_audit_data(frame, spec)
    except SpecError as exc:
        assert errors and list(exc.problems) == errors
        return
    assert not errors
    assert set(np.unique(data.y_true)) <= {0, 1}
    assert data.n_rows == len(data.sensitive_features) == len(data.X)
    assert data.n_rows + sum(data.dropped.values()) == len(frame)


@settings(max_examples=100, deadline=None)
@given(tables_and_specs())
def test_json_round_trip_of_any_spec(case: tuple[pd.DataFrame, AuditSpec]) -> None:
    _, spec = case
    assert AuditSpec.from_json(spec.to_json()) == spec


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "b", "c", "d", "e", None]), min_size=1, max_size=60),
    st.integers(0, 30),
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "c"]), st.sampled_from(["ab", "Other", "d"])),
        max_size=3,
        unique_by=lambda pair: pair[0],
    ),
)
def test_merging_keeps_every_row_and_matches_counts_from_scratch(values, min_rows, mapping):
    series = pd.Series(values, dtype=object)
    merged = group_labels(series, missing="drop", merge=GroupMerge("x", min_rows, mapping))
    assert merged.isna().sum() == series.isna().sum()
    # Independent computation: map, count, relabel the small ones.
    named = {value: group for value, group in mapping}
    mapped = [None if v is None else named.get(v, v) for v in values]
    counts = pd.Series([m for m in mapped if m is not None]).value_counts()
    expected = [
        None if m is None else ("Other" if counts[m] < min_rows else m) for m in mapped
    ]
    assert [None if pd.isna(v) else v for v in merged] == expected
