from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fairlab.audit_data import build_audit_data, intersection_name
from fairlab.errors import SpecError
from fairlab.spec import AuditSpec, SensitiveBins


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "y": ["yes", "no", "yes", None, "no", "yes"],
            "sex": ["F", "M", None, "F", "M", "F"],
            "age": [20, 30, 40, 50, 60, 70],
            "x": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            "pred": ["yes", "yes", "no", "no", None, "yes"],
            "score": [0.9, 0.8, np.nan, 0.1, 0.4, np.inf],
        }
    )


def test_outcome_maps_to_one_and_rows_without_outcome_are_dropped(frame: pd.DataFrame) -> None:
    spec = AuditSpec("y", "yes", ("sex",), ("x",))
    data = build_audit_data(frame, spec)
    assert data.y_true.tolist() == [1, 0, 1, 0, 1]
    assert data.y_true.dtype == np.int8
    assert data.dropped == {"no outcome": 1}
    assert data.X["x"].tolist() == [1.0, 2.0, 3.0, 5.0, 6.0]
    assert data.sensitive_features["sex"].tolist() == ["F", "M", "(missing)", "M", "F"]


def test_drop_policy_removes_rows_without_a_group(frame: pd.DataFrame) -> None:
    spec = AuditSpec("y", "yes", ("sex",), ("x",), missing_sensitive="drop")
    data = build_audit_data(frame, spec)
    assert data.n_rows == 4
    assert data.dropped == {"no outcome": 1, "no value for 'sex'": 1}


def test_binned_attribute_and_intersection(frame: pd.DataFrame) -> None:
    spec = AuditSpec("y", "yes", ("sex", "age"), bins=(SensitiveBins("age", (45,)),))
    data = build_audit_data(frame, spec)
    assert data.attributes == ("sex", "age", "sex×age")
    assert data.groups("age").tolist() == ["< 45", "< 45", "< 45", "≥ 45", "≥ 45"]
    assert data.groups(intersection_name(["sex", "age"])).tolist() == [
        "F × < 45",
        "M × < 45",
        "(missing) × < 45",
        "M × ≥ 45",
        "F × ≥ 45",
    ]
    with pytest.raises(KeyError, match="not a sensitive attribute"):
        data.groups("race")


def test_predictions_and_scores(frame: pd.DataFrame) -> None:
    spec = AuditSpec("y", "yes", ("sex",), prediction_column="pred", prediction_positive=("yes",))
    data = build_audit_data(frame, spec)
    assert data.y_pred.tolist() == [1, 1, 0, 1]
    assert data.dropped == {"no outcome": 1, "no prediction": 1}

    spec = AuditSpec("y", "yes", ("sex",), score_column="score", threshold=0.5)
    data = build_audit_data(frame, spec)
    assert data.y_score.tolist() == [0.9, 0.8, 0.4]
    assert data.y_pred.tolist() == [1, 1, 0]
    assert data.dropped == {"no outcome": 1, "no usable score": 2}


def test_a_spec_with_errors_is_refused(frame: pd.DataFrame) -> None:
    with pytest.raises(SpecError, match="Choose at least one sensitive attribute"):
        build_audit_data(frame, AuditSpec("y", "yes", ()))


def test_subset_keeps_rows_aligned(frame: pd.DataFrame) -> None:
    spec = AuditSpec("y", "yes", ("sex",), ("x",), score_column="score", threshold=0.5)
    data = build_audit_data(frame, spec)
    part = data.subset(np.array([2, 0]))
    assert part.y_true.tolist() == [data.y_true[2], data.y_true[0]]
    assert part.X["x"].tolist() == [data.X["x"][2], data.X["x"][0]]
    assert part.sensitive_features["sex"].tolist() == ["M", "F"]
    assert part.y_score.tolist() == [0.4, 0.9]
    assert part.n_rows == 2


def test_merged_groups_reach_the_audit_data_and_their_counts_add_up() -> None:
    from fairlab.spec import GroupMerge

    places = ["big"] * 80 + [f"small{i}" for i in range(60) for _ in range(2)]
    frame = pd.DataFrame({"y": [0, 1] * 100, "place": places, "x": range(200)})
    spec = AuditSpec(
        target="y",
        positive_label=1,
        sensitive=("place",),
        features=("x",),
        merges=(GroupMerge("place", min_rows=10),),
    )
    data = build_audit_data(frame, spec)
    counts = data.sensitive_features["place"].value_counts().to_dict()
    assert counts == {"big": 80, "Other": 120}
    assert data.n_rows == 200


def test_an_intersection_keeps_each_attributes_group_order() -> None:
    frame = pd.DataFrame(
        {
            "y": [0, 1] * 6,
            "age": [20, 35, 60, 22, 40, 70] * 2,
            "sex": ["M"] * 6 + ["F"] * 6,
            "x": range(12),
        }
    )
    spec = AuditSpec(
        target="y",
        positive_label=1,
        sensitive=("age", "sex"),
        features=("x",),
        bins=(SensitiveBins("age", (30.0, 50.0)),),
    )
    data = build_audit_data(frame, spec)
    assert list(data.groups("age").cat.categories) == ["< 30", "[30, 50)", "≥ 50"]
    assert list(data.groups("age×sex").cat.categories) == [
        "< 30 × F", "< 30 × M", "[30, 50) × F", "[30, 50) × M", "≥ 50 × F", "≥ 50 × M"
    ]
    assert data.groups("age×sex").iloc[0] == "< 30 × M"
