from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from fairlab.errors import SpecError
from fairlab.spec import (
    BINS_NOT_NUMERIC_ERROR,
    BINS_TEXT_ERROR,
    EMPTY_INTERSECTION_WARNING,
    FEATURE_IS_TARGET_ERROR,
    FEATURE_LEAKS_TARGET_WARNING,
    MAX_GROUPS,
    MERGE_ALL_ERROR,
    MERGE_NOT_SENSITIVE_ERROR,
    MERGE_UNKNOWN_VALUES_WARNING,
    MISSING_GROUP_LABEL,
    MULTICLASS_WARNING,
    NEEDS_BINS_ERROR,
    NO_FEATURES_WARNING,
    NO_SENSITIVE_ERROR,
    ONE_GROUP_ERROR,
    POSITIVE_NEEDED_ERROR,
    POSITIVE_NOT_FOUND_ERROR,
    PREDICTION_POSITIVE_NEEDED_ERROR,
    PREDICTION_UNKNOWN_VALUES_WARNING,
    SCORE_BAD_VALUES_WARNING,
    SCORE_NOT_NUMERIC_ERROR,
    SENSITIVE_MISSING_WARNING_OWN,
    SMALL_GROUP_WARNING,
    SPEC_VERSION,
    TARGET_CONTINUOUS_ERROR,
    TARGET_MISSING_WARNING,
    TARGET_ONE_CLASS_ERROR,
    THRESHOLD_NEEDED_ERROR,
    THRESHOLD_OUTSIDE_SCORES_WARNING,
    TOO_MANY_GROUPS_ERROR,
    AuditSpec,
    GroupMerge,
    SensitiveBins,
    SpecProblem,
    bin_labels,
    group_labels,
    merge_groups,
    parse_edges,
    suggest_bins,
    without_output_columns,
)


def _prefix(template: str) -> str:
    """The literal start of a message template, up to its first placeholder."""
    return re.escape(template.split("{")[0])


@pytest.fixture
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 200
    return pd.DataFrame(
        {
            "income": rng.choice([">50K", "<=50K"], n),
            "sex": rng.choice(["Female", "Male"], n),
            "race": rng.choice(["A", "B"], n),
            "age": rng.integers(18, 80, n),
            "hours": rng.normal(40, 5, n),
            "job": rng.choice(["x", "y", "z"], n),
        }
    )


@pytest.fixture
def spec() -> AuditSpec:
    return AuditSpec(
        target="income", positive_label=">50K", sensitive=("sex",), features=("hours", "job")
    )


def _messages(problems: list[SpecProblem], severity: str | None = None) -> list[str]:
    return [p.message for p in problems if severity is None or p.severity == severity]


def _one(problems: list[SpecProblem], template: str) -> SpecProblem:
    hits = [p for p in problems if re.match(_prefix(template), p.message)]
    assert len(hits) == 1, _messages(problems)
    return hits[0]


def test_a_good_spec_has_no_problems(frame: pd.DataFrame, spec: AuditSpec) -> None:
    assert spec.validate(frame) == []


def test_lists_become_tuples_so_specs_hash(frame: pd.DataFrame) -> None:
    spec = AuditSpec(target="income", positive_label=">50K", sensitive=["sex"], features=["hours"])
    assert spec.sensitive == ("sex",)
    assert hash(spec) == hash(AuditSpec("income", ">50K", ("sex",), ("hours",)))


def test_json_round_trip_is_exact() -> None:
    spec = AuditSpec(
        target="y",
        positive_label=1,
        sensitive=("sex", "age"),
        features=("a", "b"),
        bins=(SensitiveBins("age", (25, 45)),),
        missing_sensitive="drop",
        prediction_column="pred",
        prediction_positive=("yes", 1, True),
        score_column="score",
        threshold=0.4,
    )
    text = spec.to_json()
    assert json.loads(text)["version"] == SPEC_VERSION == 2
    again = AuditSpec.from_json(text)
    assert again == spec
    assert again.prediction_positive == ("yes", 1, True)
    assert type(again.positive_label) is int


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("not json", "not valid JSON"),
        ("[1, 2]", "not an object"),
        ('{"target": "y", "positive_label": 1}', "'sensitive' is missing"),
        ('{"target": "y", "positive_label": 1, "sensitive": "sex"}', "'sensitive' must be a list"),
        ('{"target": "y", "positive_label": 1, "sensitive": [], "bogus": 1}', "unknown keys"),
        ('{"target": "y", "positive_label": 1, "sensitive": [], "bins": {"a": ["x"]}}', "'bins'"),
        (
            '{"target": "y", "positive_label": 1, "sensitive": [], "missing_sensitive": "x"}',
            "missing_sensitive",
        ),
        ('{"target": 3, "positive_label": 1, "sensitive": []}', "'target' must be"),
        ('{"version": 99, "target": "y", "positive_label": 1, "sensitive": []}', "version 99"),
    ],
)
def test_from_json_refuses_what_is_not_a_spec(text: str, reason: str) -> None:
    with pytest.raises(SpecError, match=re.escape(reason)) as info:
        AuditSpec.from_json(text)
    assert "Choose a spec.json file saved by FairLab" in str(info.value)


def test_validate_returns_every_problem_at_once(frame: pd.DataFrame) -> None:
    spec = AuditSpec(target="income", positive_label="rich", sensitive=(), features=("income",))
    problems = spec.validate(frame)
    messages = _messages(problems, "error")
    assert len(messages) == 3
    _one(problems, POSITIVE_NOT_FOUND_ERROR)
    _one(problems, NO_SENSITIVE_ERROR)
    _one(problems, FEATURE_IS_TARGET_ERROR)


def test_errors_come_before_warnings(frame: pd.DataFrame) -> None:
    frame.loc[0, "income"] = None
    spec = AuditSpec(target="income", positive_label=">50K", sensitive=())
    severities = [p.severity for p in spec.validate(frame)]
    assert severities == sorted(severities, key=lambda s: s != "error")
    assert "warning" in severities and "error" in severities


def test_target_with_one_class(frame: pd.DataFrame) -> None:
    frame["income"] = "<=50K"
    problem = _one(AuditSpec("income", ">50K", ("sex",)).validate(frame), TARGET_ONE_CLASS_ERROR)
    assert problem.field == "target" and problem.severity == "error"


def test_target_with_three_values_asks_for_the_positive_one(frame: pd.DataFrame) -> None:
    problem = _one(AuditSpec("job", "", ("sex",)).validate(frame), POSITIVE_NEEDED_ERROR)
    assert problem.message == (
        "Column 'job' has 3 distinct values; choose which value counts as the positive outcome."
    )
    assert problem.field == "positive_label"


def test_target_with_three_values_and_a_positive_one_warns_about_the_rest(
    frame: pd.DataFrame,
) -> None:
    problem = _one(AuditSpec("job", "x", ("sex",)).validate(frame), MULTICLASS_WARNING)
    assert problem.severity == "warning"
    assert "y" in problem.message and "z" in problem.message


def test_continuous_float_target_is_refused(frame: pd.DataFrame) -> None:
    problem = _one(AuditSpec("hours", 1, ("sex",)).validate(frame), TARGET_CONTINUOUS_ERROR)
    assert "score column" in problem.message


def test_float_target_with_zero_one_values_works(frame: pd.DataFrame) -> None:
    frame["approved"] = (frame["income"] == ">50K").astype(float)
    assert AuditSpec("approved", 1, ("sex",), ("hours",)).validate(frame) == []
    assert AuditSpec("approved", "1", ("sex",), ("hours",)).validate(frame) == []


def test_target_with_missing_values_warns(frame: pd.DataFrame, spec: AuditSpec) -> None:
    frame.loc[:4, "income"] = None
    problem = _one(spec.validate(frame), TARGET_MISSING_WARNING)
    assert problem.message.startswith("5 rows have no value in 'income'")


def test_sensitive_attribute_with_one_group(frame: pd.DataFrame, spec: AuditSpec) -> None:
    frame["sex"] = "Female"
    _one(spec.validate(frame), ONE_GROUP_ERROR)


def test_sensitive_attribute_with_too_many_groups(frame: pd.DataFrame) -> None:
    frame["zip"] = [f"z{i % 60}" for i in range(len(frame))]
    problem = _one(AuditSpec("income", ">50K", ("zip",)).validate(frame), TOO_MANY_GROUPS_ERROR)
    assert "60 groups" in problem.message


def test_numeric_sensitive_attribute_needs_bins(frame: pd.DataFrame) -> None:
    problem = _one(AuditSpec("income", ">50K", ("age",)).validate(frame), NEEDS_BINS_ERROR)
    assert problem.field == "bins"
    assert "25, 45, 65" in problem.message
    binned = AuditSpec(
        "income", ">50K", ("age",), ("hours",), bins=(SensitiveBins("age", (30, 50)),)
    )
    assert binned.validate(frame) == []


def test_bins_on_a_text_column(frame: pd.DataFrame) -> None:
    spec = AuditSpec("income", ">50K", ("sex",), bins=(SensitiveBins("sex", (1,)),))
    _one(spec.validate(frame), BINS_NOT_NUMERIC_ERROR)


def test_small_groups_are_flagged(frame: pd.DataFrame, spec: AuditSpec) -> None:
    frame.loc[:9, "sex"] = "Nonbinary"
    problem = _one(spec.validate(frame), SMALL_GROUP_WARNING)
    assert "'Nonbinary'" in problem.message and "only 10 rows" in problem.message


def test_missing_sensitive_values_become_their_own_group_or_are_dropped(
    frame: pd.DataFrame, spec: AuditSpec
) -> None:
    frame.loc[:39, "sex"] = None
    _one(spec.validate(frame), SENSITIVE_MISSING_WARNING_OWN)
    groups = group_labels(frame["sex"], missing="own_group")
    assert (groups == "(missing)").sum() == 40
    dropped = group_labels(frame["sex"], missing="drop")
    assert dropped.isna().sum() == 40


def test_empty_intersections_are_reported(frame: pd.DataFrame) -> None:
    frame["race"] = np.where(frame["sex"] == "Female", "A", "B")
    spec = AuditSpec("income", ">50K", ("sex", "race"), ("hours",))
    problem = _one(spec.validate(frame), EMPTY_INTERSECTION_WARNING)
    assert problem.message.startswith("2 combinations of 'sex' × 'race' have no rows")


def test_feature_duplicating_the_target_is_leakage(frame: pd.DataFrame) -> None:
    frame["income_copy"] = frame["income"].map({">50K": 1, "<=50K": 0})
    spec = AuditSpec("income", ">50K", ("sex",), ("hours", "income_copy"))
    problem = _one(spec.validate(frame), FEATURE_LEAKS_TARGET_WARNING)
    assert problem.column == "income_copy"


def test_no_features_is_a_warning_not_an_error(frame: pd.DataFrame) -> None:
    problem = _one(AuditSpec("income", ">50K", ("sex",)).validate(frame), NO_FEATURES_WARNING)
    assert problem.severity == "warning"


def test_prediction_column_needs_positive_values(frame: pd.DataFrame, spec: AuditSpec) -> None:
    frame["pred"] = frame["income"]
    _one(spec.replace(prediction_column="pred").validate(frame), PREDICTION_POSITIVE_NEEDED_ERROR)
    assert (
        spec.replace(prediction_column="pred", prediction_positive=(">50K",)).validate(frame) == []
    )


def test_prediction_values_unknown_to_the_target_are_named(
    frame: pd.DataFrame, spec: AuditSpec
) -> None:
    frame["pred"] = frame["income"].where(frame.index % 7 != 0, "maybe")
    problem = _one(
        spec.replace(prediction_column="pred", prediction_positive=(">50K",)).validate(frame),
        PREDICTION_UNKNOWN_VALUES_WARNING,
    )
    assert "maybe" in problem.message


def test_score_column_checks(frame: pd.DataFrame, spec: AuditSpec) -> None:
    frame["score"] = np.linspace(0, 1, len(frame))
    frame.loc[0, "score"] = np.inf
    frame.loc[1, "score"] = np.nan
    _one(spec.replace(score_column="job", threshold=0.5).validate(frame), SCORE_NOT_NUMERIC_ERROR)
    _one(spec.replace(score_column="score").validate(frame), THRESHOLD_NEEDED_ERROR)
    problem = _one(
        spec.replace(score_column="score", threshold=0.5).validate(frame), SCORE_BAD_VALUES_WARNING
    )
    assert problem.message.startswith("2 rows")
    _one(
        spec.replace(score_column="score", threshold=5).validate(frame),
        THRESHOLD_OUTSIDE_SCORES_WARNING,
    )


def test_check_raises_with_every_error(frame: pd.DataFrame) -> None:
    spec = AuditSpec(target="income", positive_label="rich", sensitive=())
    with pytest.raises(SpecError) as info:
        spec.check(frame)
    assert len(info.value.problems) == 2


def test_bin_labels_and_group_labels() -> None:
    assert bin_labels([25, 45]) == ["< 25", "[25, 45)", "≥ 45"]
    assert bin_labels([0.5]) == ["< 0.5", "≥ 0.5"]
    ages = pd.Series([18, 25, 44, 45, 90, None])
    groups = group_labels(ages, edges=(25, 45), missing="drop")
    assert groups.tolist()[:5] == ["< 25", "[25, 45)", "[25, 45)", "≥ 45", "≥ 45"]
    assert pd.isna(groups.iloc[5])


def test_suggest_bins() -> None:
    assert suggest_bins(pd.Series(np.arange(18, 90), name="age")) == (25.0, 45.0, 65.0)
    assert suggest_bins(pd.Series(np.arange(19, 40), name="Age")) == (25.0,)
    edges = suggest_bins(pd.Series(np.arange(1000.0), name="income"))
    assert edges == (250.0, 500.0, 750.0)


@pytest.mark.parametrize(
    ("text", "edges"), [("25, 45, 65", (25, 45, 65)), ("0.5", (0.5,)), ("1;2 3", (1, 2, 3))]
)
def test_parse_edges(text: str, edges: tuple) -> None:
    assert parse_edges(text, column="age") == edges


@pytest.mark.parametrize("text", ["", "a, b", "45, 25", "1, 1", "inf"])
def test_parse_edges_refuses_nonsense(text: str) -> None:
    with pytest.raises(SpecError, match=_prefix(BINS_TEXT_ERROR)):
        parse_edges(text, column="age")


def test_predictions_on_another_scale_than_the_outcome_are_not_unknown(
    frame: pd.DataFrame, spec: AuditSpec
) -> None:
    frame["risk"] = np.where(
        frame.index % 3 == 0, "Low", np.where(frame.index % 3 == 1, "Medium", "High")
    )
    problems = spec.replace(prediction_column="risk", prediction_positive=("Low",)).validate(frame)
    assert problems == []


@pytest.mark.parametrize("threshold", [float("inf"), float("nan")])
def test_a_threshold_must_be_finite(threshold: float) -> None:
    with pytest.raises(ValueError, match="The 'threshold' must be a finite number"):
        AuditSpec("y", 1, ("sex",), score_column="s", threshold=threshold)


def test_from_json_refuses_a_non_finite_positive_label() -> None:
    with pytest.raises(SpecError, match="'positive_label' parameter must be a value"):
        AuditSpec.from_json('{"target": "y", "positive_label": NaN, "sensitive": []}')


# ---------------------------------------------------------------------- merging groups
def _many_groups(n_groups: int = 60, big: int = 3) -> pd.DataFrame:
    # `big` groups of 100 rows, the rest of 2 rows each.
    values = [f"g{i}" for i in range(big) for _ in range(100)]
    values += [f"r{i}" for i in range(n_groups - big) for _ in range(2)]
    rng = np.random.default_rng(0)
    return pd.DataFrame({"y": rng.integers(0, 2, len(values)), "place": values})


def test_merging_rare_groups_counts_rows_independently() -> None:
    frame = _many_groups()
    merged = group_labels(frame["place"], merge=GroupMerge("place", min_rows=30))
    counts = merged.value_counts()
    expected = frame["place"].map(lambda v: v if v.startswith("g") else "Other").value_counts()
    assert counts.sort_index().to_dict() == expected.sort_index().to_dict()
    assert list(merged.cat.categories) == ["g0", "g1", "g2", "Other"]


def test_more_than_max_groups_is_refused_then_auditable_once_merged() -> None:
    frame = _many_groups()
    spec = AuditSpec(target="y", positive_label=1, sensitive=("place",))
    problems = spec.validate(frame)
    assert any(p.message == TOO_MANY_GROUPS_ERROR.format(column="place", n=60, limit=MAX_GROUPS)
               for p in problems)
    assert "Merge rare groups into 'Other'" in TOO_MANY_GROUPS_ERROR
    merged = spec.replace(merges=(GroupMerge("place", min_rows=30),))
    assert not [p for p in merged.validate(frame) if p.severity == "error"]


def test_mapping_merges_before_sizes_and_keeps_missing_to_the_policy() -> None:
    values = pd.Series(["a", "b", "c", None, "c", "d"])
    merge = GroupMerge("x", min_rows=2, mapping=(("a", "ab"), ("b", "ab")))
    merged = merge_groups(group_labels(values, missing="drop"), merge)
    assert merged.tolist()[:3] == ["ab", "ab", "c"]
    assert pd.isna(merged.iloc[3])
    assert merged.iloc[5] == "Other"
    own = group_labels(values, merge=merge)
    assert own.iloc[3] == MISSING_GROUP_LABEL


def test_merging_binned_groups_uses_bin_labels() -> None:
    values = pd.Series([10, 20, 30, 40, 50, 60] * 5 + [90])
    merged = group_labels(values, edges=(25, 75), merge=GroupMerge("age", min_rows=2))
    assert set(merged) == {"< 25", "[25, 75)", "Other"}


def test_merge_problems_are_named() -> None:
    frame = pd.DataFrame({"y": [0, 1] * 20, "sex": ["f", "m"] * 20, "race": ["a", "b"] * 20})
    base = AuditSpec(target="y", positive_label=1, sensitive=("sex",))
    stray = base.replace(merges=(GroupMerge("race", min_rows=5),))
    assert any(
        p.severity == "error" and p.message == MERGE_NOT_SENSITIVE_ERROR.format(column="race")
        for p in stray.validate(frame)
    )
    all_in_one = base.replace(merges=(GroupMerge("sex", min_rows=100),))
    messages = [p.message for p in all_in_one.validate(frame) if p.severity == "error"]
    assert messages == [MERGE_ALL_ERROR.format(column="sex", group="Other")]
    typo = base.replace(merges=(GroupMerge("sex", mapping=(("F", "female"),)),))
    assert any(
        p.message == MERGE_UNKNOWN_VALUES_WARNING.format(column="sex", values="F")
        for p in typo.validate(frame)
    )


@pytest.mark.parametrize(
    "kwargs", [{"min_rows": -1}, {"min_rows": 2.5}, {"min_rows": True}, {"other_label": " "},
               {"mapping": (("a", ""),)}]
)
def test_bad_merge_settings_are_refused(kwargs) -> None:
    with pytest.raises(ValueError, match="merg"):
        GroupMerge("x", **kwargs)


def test_merges_round_trip_through_json_and_old_specs_still_load() -> None:
    spec = AuditSpec(
        target="y",
        positive_label=1,
        sensitive=("place",),
        merges=(GroupMerge("place", min_rows=30, mapping={"r1": "g0"}, other_label="Rest"),),
    )
    again = AuditSpec.from_json(spec.to_json())
    assert again == spec
    old = json.dumps({"version": 1, "target": "y", "positive_label": 1, "sensitive": ["sex"]})
    assert AuditSpec.from_json(old).merges == ()


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ({"version": 1, "merges": {}}, "needs version 2"),
        ({"merges": []}, "'merges' must map"),
        ({"merges": {"sex": {"bogus": 1}}}, "must hold only"),
        ({"merges": {"sex": {"min_rows": "3"}}}, "whole number"),
        ({"merges": {"sex": {"mapping": {"a": 3}}}}, "map values to group names"),
        ({"merges": {"sex": {"min_rows": -3}}}, "at least 0"),
    ],
)
def test_bad_merges_in_json_are_refused(payload, reason) -> None:
    data = {"target": "y", "positive_label": 1, "sensitive": ["sex"], **payload}
    with pytest.raises(SpecError, match=re.escape(reason)):
        AuditSpec.from_dict(data)


def test_output_columns_leave_the_features() -> None:
    spec = AuditSpec(
        target="y",
        positive_label=1,
        sensitive=("sex",),
        features=("a", "score", "pred"),
        prediction_column="pred",
        prediction_positive=(1,),
        score_column="score",
        threshold=0.5,
    )
    assert without_output_columns(spec).features == ("a",)
    clean = spec.replace(features=("a",))
    assert without_output_columns(clean) is clean
