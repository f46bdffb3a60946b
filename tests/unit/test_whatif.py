"""What-if on one row, and flipping the sensitive attribute over many rows."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from fairlab.audit_data import AuditData, build_audit_data
from fairlab.data import infer_column_roles
from fairlab.errors import ModelError
from fairlab.explain.whatif import (
    FLIP_COLUMNS,
    MAX_FLIP_VALUES,
    MISSING_VALUE,
    NO_ROWS_ERROR,
    NOT_AN_INPUT_ERROR,
    ROW_ERROR,
    TOO_FEW_VALUES_ERROR,
    TOO_MANY_VALUES_ERROR,
    UNKNOWN_FEATURE_ERROR,
    WhatIfError,
    flip_sensitive,
    what_if,
)
from fairlab.models import ModelConfig, TrainedModel, predict, train_model
from fairlab.spec import AuditSpec

FEATURES = ("age", "sex", "race", "income", "married", "grade")
N_ROWS = 600


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    table = pd.DataFrame(
        {
            "age": rng.integers(18, 70, N_ROWS),
            "sex": rng.choice(["F", "M"], N_ROWS),
            "race": rng.choice(["a", "b", "c"], N_ROWS),
            "income": rng.normal(50, 10, N_ROWS).round(1),
            "married": rng.random(N_ROWS) < 0.5,
            "grade": pd.Categorical(rng.choice(["low", "high"], N_ROWS)),
        }
    )
    # The outcome follows sex (with 5% noise), so a model that takes sex leans on it.
    table["outcome"] = ((table["sex"] == "F") ^ (rng.random(N_ROWS) < 0.05)).astype(int)
    return table


@pytest.fixture(scope="module")
def data(frame) -> AuditData:
    spec = AuditSpec(target="outcome", positive_label=1, sensitive=("sex",), features=FEATURES)
    return build_audit_data(frame, spec)


@pytest.fixture(scope="module")
def roles(frame) -> dict[str, str]:
    return {info.name: info.role for info in infer_column_roles(frame[list(FEATURES)])}


@pytest.fixture(scope="module")
def model(data, roles) -> TrainedModel:
    return train_model(data, ModelConfig("decision_tree"), roles=roles)


@pytest.fixture(scope="module")
def blind_model(data, roles) -> TrainedModel:
    """A model that does not take sex."""
    without = AuditData(
        X=data.X.drop(columns="sex"),
        y_true=data.y_true,
        sensitive_features=data.sensitive_features,
        y_pred=None,
        y_score=None,
        spec=data.spec,
    )
    return train_model(without, ModelConfig("decision_tree"), roles=roles)


def _first_row(data: AuditData, sex: str) -> pd.DataFrame:
    position = int(np.flatnonzero(data.X["sex"].to_numpy() == sex)[0])
    return data.X.iloc[[position]]


# ---------------------------------------------------------------------- what-if
def test_changing_sex_changes_the_decision(data, model) -> None:
    row = _first_row(data, "M")
    result = what_if(model, row, {"sex": "F"})
    assert result.changed == ("sex",)
    assert (result.decision_before, result.decision_after) == (0, 1)
    assert result.decision_changed
    # Cross-check with the model's own predictions of the edited row.
    edited = row.assign(sex="F")
    _, before = predict(model, row)
    _, after = predict(model, edited)
    assert result.score_before == pytest.approx(before[0])
    assert result.score_after == pytest.approx(after[0])
    assert result.score_change == pytest.approx(after[0] - before[0])
    assert result.sentence.startswith("Changing sex from 'M' to 'F' turns the decision")
    assert result.table().to_dict("records") == [{"feature": "sex", "before": "M", "after": "F"}]


def test_what_if_keeps_dtypes_and_leaves_the_row_alone(data, model) -> None:
    row = _first_row(data, "F")
    copy = row.copy()
    result = what_if(
        model, row, {"age": 41.0, "income": 12, "married": True, "grade": "high", "race": "c"}
    )
    pd.testing.assert_frame_equal(row, copy)
    assert result.after.dtypes.to_dict() == result.before.dtypes.to_dict()
    assert result.after["age"].iloc[0] == 41
    assert result.after["income"].iloc[0] == 12.0


def test_setting_a_value_to_itself_changes_nothing(data, model) -> None:
    row = _first_row(data, "F")
    result = what_if(model, row, {"sex": "F", "age": int(row["age"].iloc[0])})
    assert result.changed == ()
    assert not result.decision_changed and result.score_change == 0
    assert result.sentence == "Nothing was changed, so the prediction is the same."


@pytest.mark.parametrize(
    ("feature", "value", "expected"),
    [
        ("age", "forty", "a whole number"),
        ("age", 40.5, "a whole number"),
        ("age", True, "a whole number"),
        ("income", "high", "a number"),
        ("income", float("nan"), "a finite number"),
        ("sex", 1, "text"),
        ("sex", None, "text"),
        ("married", "yes", "True or False"),
        ("married", 1, "True or False"),
    ],
)
def test_values_must_suit_their_column(data, model, feature, value, expected) -> None:
    message = f"The value of '{feature}' must be {expected}, like its column."
    with pytest.raises(WhatIfError, match=re.escape(message)):
        what_if(model, _first_row(data, "F"), {feature: value})


def test_categories_must_be_known(data, model) -> None:
    with pytest.raises(WhatIfError, match=re.escape("one of its categories ['high', 'low']")):
        what_if(model, _first_row(data, "F"), {"grade": "medium"})


def test_only_model_inputs_can_be_changed(data, blind_model) -> None:
    message = UNKNOWN_FEATURE_ERROR.format(feature="sex", features=list(blind_model.features))
    with pytest.raises(WhatIfError, match=re.escape(message)):
        what_if(blind_model, _first_row(data, "F"), {"sex": "M"})


def test_what_if_needs_exactly_one_row(data, model) -> None:
    with pytest.raises(WhatIfError, match=re.escape(ROW_ERROR.format(got="2 rows"))):
        what_if(model, data.X.iloc[:2], {"sex": "F"})
    with pytest.raises(WhatIfError, match=re.escape(ROW_ERROR.format(got="Series"))):
        what_if(model, data.X.iloc[0], {"sex": "F"})
    with pytest.raises(ModelError, match="lacks column"):
        what_if(model, data.X.iloc[[0]].drop(columns="age"), {"sex": "F"})


# ---------------------------------------------------------------------- flips
def test_flip_rate_is_high_for_a_model_that_leans_on_sex(data, model) -> None:
    result = flip_sensitive(model, data.X, "sex")
    assert result.values == ("F", "M")
    assert result.flip_rate >= 0.8
    # Independent computation: swap sex in every row and predict again.
    swapped = data.X.assign(sex=np.where(data.X["sex"] == "F", "M", "F"))
    before, score_before = predict(model, data.X)
    after, score_after = predict(model, swapped)
    assert result.flip_rate == pytest.approx(np.mean(before != after))
    assert result.mean_abs_score_change == pytest.approx(np.abs(score_after - score_before).mean())
    table = result.table()
    assert list(table.columns) == list(FLIP_COLUMNS)
    assert table[["from", "to"]].values.tolist() == [["F", "M"], ["M", "F"]]
    women = (data.X["sex"] == "F").to_numpy()
    f_to_m = table.iloc[0]
    assert f_to_m["rows"] == women.sum()
    assert f_to_m["changed"] == np.sum(before[women] != after[women])
    assert f_to_m["to_negative"] == np.sum((before[women] == 1) & (after[women] == 0))
    assert f_to_m["to_positive"] + f_to_m["to_negative"] == f_to_m["changed"]
    assert f_to_m["mean_score_change"] == pytest.approx(
        (score_after[women] - score_before[women]).mean()
    )
    assert "changes the decision for" in result.sentence


def test_flipping_an_attribute_the_model_does_not_take_is_refused(data, blind_model) -> None:
    with pytest.raises(WhatIfError, match=re.escape(NOT_AN_INPUT_ERROR.format(attribute="sex"))):
        flip_sensitive(blind_model, data.X, "sex")


def test_multi_valued_attributes_flip_to_each_other_group(data, model) -> None:
    result = flip_sensitive(model, data.X, "race")
    assert result.values == ("a", "b", "c")
    assert len(result.counterfactuals) == N_ROWS * 2
    table = result.table()
    assert len(table) == 6
    sizes = data.X["race"].value_counts()
    for _, line in table.iterrows():
        assert line["rows"] == sizes[line["from"]]
    # A row flips if any of its counterfactuals changes the decision.
    before, _ = predict(model, data.X)
    changed = np.zeros(N_ROWS, dtype=bool)
    for value in ("a", "b", "c"):
        after, _ = predict(model, data.X.assign(race=value))
        changed |= after != before
    assert result.flip_rate == pytest.approx(changed.mean())
    assert result.flip_rate < 0.2


def test_numeric_attributes_flip_to_the_values_given(data, model) -> None:
    result = flip_sensitive(model, data.X, "age", sensitive_values=[30, 60.0])
    assert result.values == (30, 60)
    own = data.X["age"].isin([30, 60]).sum()
    assert len(result.counterfactuals) == 2 * N_ROWS - own
    with pytest.raises(WhatIfError, match="must be a whole number"):
        flip_sensitive(model, data.X, "age", sensitive_values=[30, "sixty"])
    n_ages = data.X["age"].nunique()
    message = TOO_MANY_VALUES_ERROR.format(attribute="age", count=n_ages, limit=MAX_FLIP_VALUES)
    with pytest.raises(WhatIfError, match=re.escape(message)):
        flip_sensitive(model, data.X, "age")


def test_flips_need_two_values_and_rows(data, model) -> None:
    message = TOO_FEW_VALUES_ERROR.format(attribute="sex", values=["F"])
    with pytest.raises(WhatIfError, match=re.escape(message)):
        flip_sensitive(model, data.X, "sex", sensitive_values=["F", "F"])
    with pytest.raises(WhatIfError, match=re.escape(NO_ROWS_ERROR)):
        flip_sensitive(model, data.X.iloc[:0], "sex")


def test_a_missing_sensitive_value_is_its_own_group(data, model) -> None:
    rows = data.X.iloc[:50].copy()
    rows.loc[0, "sex"] = None
    result = flip_sensitive(model, rows, "sex")
    table = result.table()
    assert table[["from", "to"]].values.tolist() == [
        ["F", "M"],
        ["M", "F"],
        [MISSING_VALUE, "F"],
        [MISSING_VALUE, "M"],
    ]
    assert table["rows"].sum() == 49 + 2
