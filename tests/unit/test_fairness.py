"""Tests for fairlab.fairness: every number cross-checked once, then behaviour."""

from __future__ import annotations

import json
import re
from functools import partial

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    MetricFrame,
    count,
    demographic_parity_difference,
    demographic_parity_ratio,
    equal_opportunity_difference,
    equal_opportunity_ratio,
    equalized_odds_difference,
    equalized_odds_ratio,
    false_negative_rate,
    false_positive_rate,
    selection_rate,
    true_negative_rate,
    true_positive_rate,
)
from sklearn.metrics import accuracy_score, precision_score

from fairlab.audit_data import build_audit_data
from fairlab.errors import FairLabError
from fairlab.fairness import (
    CALIBRATION_COLUMNS,
    DISPARITY_NAMES,
    INVALID_COMPARISON_ERROR,
    INVALID_N_BOOT_ERROR,
    LENGTH_MISMATCH_ERROR,
    METRIC_EXPLANATIONS,
    METRIC_NAMES,
    NO_PREDICTIONS_ERROR,
    NON_BINARY_LABELS_ERROR,
    REFERENCE_NEEDED_ERROR,
    SENSITIVE_MISSING_ERROR,
    FairnessConfig,
    FairnessError,
    assess_audit,
    assess_counts,
    assess_fairness,
    metrics_json,
    verdict_for,
)
from fairlab.spec import AuditSpec

FAST = FairnessConfig(n_boot=200)


def _message(template: str) -> str:
    """A regular expression matching the fixed text of a message template."""
    return re.escape(template.split("{")[0])


def _data(n: int = 3000, seed: int = 0) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    """Three groups of different sizes and rates, every confusion cell populated."""
    rng = np.random.default_rng(seed)
    group = rng.choice(["a", "b", "c"], size=n, p=[0.5, 0.3, 0.2])
    sex = rng.choice(["F", "M"], size=n)
    base = np.select([group == "a", group == "b"], [0.5, 0.35], 0.2)
    y_true = (rng.random(n) < base).astype(np.int8)
    lift = np.select([group == "a", group == "b"], [0.25, 0.1], 0.0)
    y_pred = (rng.random(n) < 0.15 + lift + 0.5 * y_true).astype(np.int8)
    return y_true, y_pred, pd.DataFrame({"group": group, "sex": sex})


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    return _data()


# ---------------------------------------------------------------------- point estimates
def test_every_metric_matches_plain_numpy_on_the_confusion_counts(data) -> None:
    y_true, y_pred, sensitive = data
    result = assess_fairness(y_true, y_pred, sensitive_features=sensitive, config=FAST)
    table = result.by_group["group"].set_index("group")
    for name in "abc":
        rows = sensitive["group"].to_numpy() == name
        t, p = y_true[rows], y_pred[rows]
        tp = int(np.sum((t == 1) & (p == 1)))
        fp = int(np.sum((t == 0) & (p == 1)))
        tn = int(np.sum((t == 0) & (p == 0)))
        fn = int(np.sum((t == 1) & (p == 0)))
        expected = {
            "count": rows.sum(),
            "tp": tp,
            "fp": fp,
            "tn": tn,
            "fn": fn,
            "base_rate": (tp + fn) / rows.sum(),
            "selection_rate": (tp + fp) / rows.sum(),
            "true_positive_rate": tp / (tp + fn),
            "false_positive_rate": fp / (fp + tn),
            "false_negative_rate": fn / (tp + fn),
            "true_negative_rate": tn / (fp + tn),
            "positive_predictive_value": tp / (tp + fp),
            "negative_predictive_value": tn / (tn + fn),
            "false_discovery_rate": fp / (tp + fp),
            "false_omission_rate": fn / (tn + fn),
            "accuracy": (tp + tn) / rows.sum(),
        }
        assert set(METRIC_NAMES) <= set(expected)
        for column, value in expected.items():
            assert table.loc[name, column] == pytest.approx(value, abs=1e-12), (name, column)
    assert result.overall["count"] == len(y_true)
    assert result.overall["selection_rate"] == pytest.approx(y_pred.mean())
    assert result.overall["base_rate"] == pytest.approx(y_true.mean())


def _fairlearn_metrics() -> dict:
    return {
        "selection_rate": selection_rate,
        "true_positive_rate": true_positive_rate,
        "false_positive_rate": false_positive_rate,
        "false_negative_rate": false_negative_rate,
        "true_negative_rate": true_negative_rate,
        "positive_predictive_value": partial(precision_score, zero_division=np.nan),
        "negative_predictive_value": partial(precision_score, pos_label=0, zero_division=np.nan),
        "false_discovery_rate": lambda t, p: 1 - precision_score(t, p),
        "false_omission_rate": lambda t, p: 1 - precision_score(t, p, pos_label=0),
        "accuracy": accuracy_score,
        "count": count,
    }


def test_every_metric_matches_fairlearn_metric_frame(data) -> None:
    y_true, y_pred, sensitive = data
    result = assess_fairness(y_true, y_pred, sensitive_features=sensitive, config=FAST)
    for attribute in ("group", "sex"):
        frame = MetricFrame(
            metrics=_fairlearn_metrics(),
            y_true=y_true,
            y_pred=y_pred,
            sensitive_features=sensitive[attribute],
        )
        ours = result.by_group[attribute].set_index("group")
        theirs = frame.by_group
        assert list(ours.index) == [str(g) for g in theirs.index]
        for metric in (*METRIC_NAMES, "count"):
            np.testing.assert_allclose(
                ours[metric].to_numpy(dtype=float),
                theirs[metric].to_numpy(dtype=float),
                rtol=0,
                atol=1e-12,
                err_msg=f"{attribute}: {metric}",
            )
        for metric in METRIC_NAMES:
            assert result.overall[metric] == pytest.approx(frame.overall[metric], abs=1e-12)


def test_intersection_matches_fairlearn_with_two_sensitive_features(data) -> None:
    y_true, y_pred, sensitive = data
    frame = pd.DataFrame(
        {"y": y_true, "p": y_pred, "group": sensitive["group"], "sex": sensitive["sex"]}
    )
    spec = AuditSpec("y", 1, ("group", "sex"), prediction_column="p", prediction_positive=(1,))
    result = assess_audit(build_audit_data(frame, spec), config=FAST)
    assert result.attributes == ("group", "sex", "group×sex")
    theirs = MetricFrame(
        metrics={"selection_rate": selection_rate, "true_positive_rate": true_positive_rate},
        y_true=y_true,
        y_pred=y_pred,
        sensitive_features=sensitive[["group", "sex"]],
    ).by_group
    ours = result.by_group["group×sex"].set_index("group")
    for (group, sex), row in theirs.iterrows():
        label = f"{group} × {sex}"
        assert ours.loc[label, "selection_rate"] == pytest.approx(row["selection_rate"])
        assert ours.loc[label, "true_positive_rate"] == pytest.approx(row["true_positive_rate"])


@pytest.mark.parametrize(
    ("comparison", "method"), [("between_groups", "between_groups"), ("overall", "to_overall")]
)
def test_every_disparity_matches_fairlearn(data, comparison: str, method: str) -> None:
    y_true, y_pred, sensitive = data
    config = FairnessConfig(n_boot=50, comparison=comparison)
    result = assess_fairness(y_true, y_pred, sensitive_features=sensitive, config=config)
    ours = result.disparities["group"]["value"]
    a = sensitive["group"]
    metric_frame = partial(MetricFrame, y_true=y_true, y_pred=y_pred, sensitive_features=a)
    precision = metric_frame(metrics=precision_score)
    error_rate = metric_frame(metrics=lambda t, p: 1 - accuracy_score(t, p))
    expected = {
        "demographic_parity_difference": demographic_parity_difference,
        "demographic_parity_ratio": demographic_parity_ratio,
        "equalized_odds_difference": equalized_odds_difference,
        "equalized_odds_ratio": equalized_odds_ratio,
        "equal_opportunity_difference": equal_opportunity_difference,
        "equal_opportunity_ratio": equal_opportunity_ratio,
    }
    for name, function in expected.items():
        value = function(y_true, y_pred, sensitive_features=a, method=method)
        assert ours[name] == pytest.approx(value, abs=1e-12), name
    assert ours["predictive_parity_difference"] == pytest.approx(precision.difference(method))
    assert ours["predictive_parity_ratio"] == pytest.approx(precision.ratio(method))
    assert ours["error_rate_parity_difference"] == pytest.approx(error_rate.difference(method))
    assert ours["error_rate_parity_ratio"] == pytest.approx(error_rate.ratio(method))
    assert set(ours.index) == set(DISPARITY_NAMES)


def test_assess_counts_gives_what_assess_fairness_gives(data) -> None:
    y_true, y_pred, sensitive = data
    result = assess_fairness(y_true, y_pred, sensitive_features=sensitive, config=FAST)
    counts = {a: t[["group", "tp", "fp", "tn", "fn"]] for a, t in result.by_group.items()}
    again = assess_counts(counts, config=FAST)
    for attribute in result.attributes:
        pd.testing.assert_frame_equal(again.by_group[attribute], result.by_group[attribute])
        pd.testing.assert_frame_equal(again.disparities[attribute], result.disparities[attribute])


# ---------------------------------------------------------------------- undefined is undefined
def _with_special_group(kind: str) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """Two ordinary groups with high TPR, plus group 'z' with no positives / negatives / 1 row."""
    rng = np.random.default_rng(3)
    n = 600
    y_true = rng.integers(0, 2, n)
    y_pred = np.where(y_true == 1, rng.random(n) < 0.95, rng.random(n) < 0.2).astype(int)
    groups = np.where(np.arange(n) % 2 == 0, "x", "y").astype(object)
    special = {"no positives": (40, 0), "no negatives": (40, 1), "one row": (1, 1)}[kind]
    size, outcome = special
    groups[:size] = "z"
    y_true[:size] = outcome
    y_pred[:size] = rng.integers(0, 2, size) if size > 1 else 1
    return y_true, y_pred, pd.Series(groups, name="g")


def test_group_without_positives_has_undefined_tpr_excluded_from_disparities() -> None:
    y_true, y_pred, groups = _with_special_group("no positives")
    result = assess_fairness(y_true, y_pred, sensitive_features=groups, config=FAST)
    z = result.by_group["g"].set_index("group").loc["z"]
    for metric in ("true_positive_rate", "false_negative_rate"):
        assert np.isnan(z[metric]) and np.isnan(z[f"{metric}_low"])
        assert z[f"{metric}_undefined"] == "undefined (n = 0 positives)"
    assert z["false_positive_rate_undefined"] is None
    disparities = result.disparities["g"]
    eo = disparities.loc["equalized_odds_difference"]
    # fairlearn scores the missing TPR as 0, so its equalized odds difference is ~0.95.
    assert equalized_odds_difference(y_true, y_pred, sensitive_features=groups) > 0.9
    ordinary = result.by_group["g"].set_index("group").loc[["x", "y"]]
    tpr_gap = np.ptp(ordinary["true_positive_rate"])
    fpr_gap = np.ptp(result.by_group["g"]["false_positive_rate"])
    assert eo["value"] == pytest.approx(max(tpr_gap, fpr_gap))
    assert eo["value"] < 0.5
    assert eo["excluded_groups"] == ("z",)
    assert "Left out of this comparison: 'z' (no positives" in eo["note"]
    assert eo["note"] in eo["sentence"]
    for name in ("equal_opportunity_difference", "equal_opportunity_ratio"):
        assert disparities.loc[name, "excluded_groups"] == ("z",)
    assert disparities.loc["demographic_parity_difference", "excluded_groups"] == ()
    assert disparities.loc["demographic_parity_difference", "note"] is None


def test_group_without_negatives_has_undefined_fpr() -> None:
    y_true, y_pred, groups = _with_special_group("no negatives")
    result = assess_fairness(y_true, y_pred, sensitive_features=groups, config=FAST)
    z = result.by_group["g"].set_index("group").loc["z"]
    for metric in ("false_positive_rate", "true_negative_rate"):
        assert np.isnan(z[metric])
        assert z[f"{metric}_undefined"] == "undefined (n = 0 negatives)"
    assert not np.isnan(z["true_positive_rate"])
    eo = result.disparities["g"].loc["equalized_odds_ratio"]
    assert eo["excluded_groups"] == ("z",)
    assert "no negatives, so its false positive rate is undefined" in eo["note"]
    assert result.disparities["g"].loc["equal_opportunity_ratio", "excluded_groups"] == ()


def test_a_group_of_one_row_is_flagged_and_its_undefined_rates_left_out() -> None:
    y_true, y_pred, groups = _with_special_group("one row")
    result = assess_fairness(y_true, y_pred, sensitive_features=groups, config=FAST)
    table = result.by_group["g"].set_index("group")
    z = table.loc["z"]
    assert z["count"] == 1 and z["small"]
    assert not table.loc["x", "small"]
    assert z["selection_rate"] == 1.0 and z["true_positive_rate"] == 1.0
    # One row with a rate of 1: Clopper–Pearson gives [0.025, 1], not a zero-width [1, 1].
    assert z["selection_rate_low"] == pytest.approx(0.025)
    assert z["selection_rate_high"] == 1.0
    for name in ("error_rate_parity_ratio", "demographic_parity_difference"):
        row = result.disparities["g"].loc[name]
        assert row["verdict"] == "insufficient evidence"
        assert ("z", "selection_rate" if "demographic" in name else "error_rate", 1) in row[
            "too_small"
        ]
    assert z["negative_predictive_value_undefined"] == "undefined (n = 0 predicted negatives)"
    assert z["false_positive_rate_undefined"] == "undefined (n = 0 negatives)"
    assert result.disparities["g"].loc["equalized_odds_difference", "excluded_groups"] == ("z",)


def test_fewer_than_two_defined_groups_make_the_disparity_undefined() -> None:
    y_true = np.array([1, 1, 0, 0, 0, 0])
    y_pred = np.array([1, 0, 1, 0, 1, 0])
    groups = pd.Series(["a", "a", "b", "b", "c", "c"], name="g")
    result = assess_fairness(y_true, y_pred, sensitive_features=groups, config=FAST)
    row = result.disparities["g"].loc["equal_opportunity_difference"]
    assert np.isnan(row["value"]) and np.isnan(row["ci_low"]) and np.isnan(row["ci_high"])
    assert row["verdict"] == "undefined"
    assert "only 1 group of 'g' has a defined true positive rate" in row["reason"]
    assert row["sentence"].startswith("True positive rates cannot be compared")
    assert row["excluded_groups"] == ("b", "c")
    assert result.disparities["g"].loc["equalized_odds_difference", "verdict"] == "undefined"
    assert result.disparities["g"].loc["demographic_parity_difference", "verdict"] != "undefined"


def test_a_ratio_of_zero_rates_is_undefined() -> None:
    y_true = np.array([1, 0, 1, 0])
    y_pred = np.zeros(4, dtype=int)
    groups = pd.Series(["a", "a", "b", "b"], name="g")
    result = assess_fairness(y_true, y_pred, sensitive_features=groups, config=FAST)
    ratio = result.disparities["g"].loc["demographic_parity_ratio"]
    assert ratio["verdict"] == "undefined"
    assert "every compared rate is 0" in ratio["reason"]
    assert result.disparities["g"].loc["demographic_parity_difference", "value"] == 0.0


def test_a_single_group_has_nothing_to_compare() -> None:
    groups = pd.Series(["a"] * 4, name="g")
    result = assess_fairness([0, 1, 0, 1], [0, 1, 1, 1], sensitive_features=groups, config=FAST)
    disparities = result.disparities["g"]
    assert (disparities["verdict"] == "undefined").all()
    assert disparities.loc["equalized_odds_ratio", "reason"] == (
        "'g' has only one group, so there is nothing to compare"
    )


def test_categories_without_rows_are_not_groups() -> None:
    groups = pd.Series(pd.Categorical(["b", "a", "b", "a"], categories=["c", "b", "a"]))
    result = assess_fairness(
        [0, 1, 1, 1],
        [0, 1, 1, 0],
        sensitive_features=pd.DataFrame({"g": groups}),
        y_score=[0.1, 0.9, 0.3, 0.5],
        config=FAST,
    )
    table = result.by_group["g"]
    assert table["group"].tolist() == ["b", "a"]  # category order, empty 'c' left out
    assert table["count"].tolist() == [2, 2]
    assert table["mean_score"].tolist() == pytest.approx([0.2, 0.7])


# ---------------------------------------------------------------------- input contract
@pytest.mark.parametrize(
    ("y_true", "y_pred", "bad"),
    [
        ([0, 1, 2, 1], [0, 1, 1, 0], "y_true"),
        ([0, 1, 1, 0], ["yes", "no", "no", "yes"], "y_pred"),
        ([0, 1, np.nan, 0], [0, 1, 1, 0], "y_true"),
        ([">50K", "<=50K", ">50K", "<=50K"], [0, 1, 1, 0], "y_true"),
    ],
)
def test_labels_must_be_mapped_to_zero_and_one_upstream(y_true, y_pred, bad: str) -> None:
    with pytest.raises(FairnessError, match=_message(NON_BINARY_LABELS_ERROR)) as info:
        assess_fairness(y_true, y_pred, sensitive_features=pd.Series(list("aabb")))
    assert isinstance(info.value, ValueError) and isinstance(info.value, FairLabError)
    assert f"'{bad}'" in str(info.value)


def test_booleans_and_floats_that_are_zero_or_one_are_accepted() -> None:
    result = assess_fairness(
        np.array([True, False, True, False]),
        np.array([1.0, 0.0, 0.0, 1.0]),
        sensitive_features=pd.DataFrame({"g": list("aabb")}),
        config=FAST,
    )
    assert result.by_group["g"]["tp"].tolist() == [1, 0]


def test_bad_inputs_are_told_in_words() -> None:
    groups = pd.Series(list("aabb"), name="g")
    with pytest.raises(FairnessError, match=_message(LENGTH_MISMATCH_ERROR)):
        assess_fairness([0, 1, 1, 0], [0, 1, 1], sensitive_features=groups)
    with pytest.raises(FairnessError, match="There are no rows"):
        assess_fairness([], [], sensitive_features=pd.Series([], dtype=object))
    with pytest.raises(FairnessError, match=_message(SENSITIVE_MISSING_ERROR)):
        assess_fairness([0, 1, 1, 0], [0, 1, 1, 0], sensitive_features=groups.where(groups == "a"))
    with pytest.raises(FairnessError, match="finite numbers"):
        assess_fairness(
            [0, 1, 1, 0], [0, 1, 1, 0], sensitive_features=groups, y_score=[0.1, np.nan, 1, 0]
        )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"n_boot": 0}, INVALID_N_BOOT_ERROR),
        ({"n_boot": 1.5}, INVALID_N_BOOT_ERROR),
        ({"comparison": "to_overall"}, INVALID_COMPARISON_ERROR),
        ({"comparison": "reference"}, REFERENCE_NEEDED_ERROR),
        ({"confidence": 1.0}, "The 'confidence' parameter"),
        ({"ratio_bound": 1.2}, "The 'ratio_bound' parameter"),
        ({"difference_tolerance": -0.1}, "The 'difference_tolerance' parameter"),
        ({"random_state": -1}, "The 'random_state' parameter"),
        ({"min_group_size": -1}, "The 'min_group_size' parameter"),
        ({"reference_groups": ("sex", "Male")}, "The 'reference_groups' parameter"),
    ],
)
def test_config_checks_its_options(options: dict, message: str) -> None:
    with pytest.raises(FairnessError, match=_message(message)):
        FairnessConfig(**options)


def test_config_is_hashable_and_reference_pairs_are_normalised() -> None:
    config = FairnessConfig(comparison="reference", reference_groups=[["sex", "M"]])
    assert config.reference_groups == (("sex", "M"),)
    assert config.reference_for("sex") == "M" and config.reference_for("race") is None
    assert hash(config) == hash(
        FairnessConfig(comparison="reference", reference_groups={"sex": "M"})
    )


# ---------------------------------------------------------------------- reference groups
def test_reference_group_comparison_follows_its_definition(data) -> None:
    y_true, y_pred, sensitive = data
    config = FairnessConfig(n_boot=100, comparison="reference", reference_groups=(("group", "b"),))
    result = assess_fairness(y_true, y_pred, sensitive_features=sensitive, config=config)
    table = result.by_group["group"].set_index("group")
    disparities = result.disparities["group"]
    for criterion, metric in (
        ("demographic_parity", "selection_rate"),
        ("equal_opportunity", "true_positive_rate"),
        ("predictive_parity", "positive_predictive_value"),
    ):
        rates = table[metric]
        reference = rates["b"]
        expected_difference = (rates - reference).abs().max()
        expected_ratio = np.minimum(rates / reference, reference / rates).min()
        assert disparities.loc[f"{criterion}_difference", "value"] == pytest.approx(
            expected_difference
        )
        assert disparities.loc[f"{criterion}_ratio", "value"] == pytest.approx(expected_ratio)
    sentence = disparities.loc["demographic_parity_difference", "sentence"]
    assert "from the reference group 'b' of 'group'" in sentence
    # 'sex' has no reference set: its largest group is used, and the sentence says so.
    largest = result.by_group["sex"].sort_values("count").iloc[-1]["group"]
    assert f"'{largest}' (its largest group)" in result.disparities["sex"].iloc[0]["sentence"]


def test_reference_group_must_exist(data) -> None:
    y_true, y_pred, sensitive = data
    config = FairnessConfig(comparison="reference", reference_groups=(("group", "zz"),))
    with pytest.raises(FairnessError, match="'zz' is not a group of 'group'. Choose one of"):
        assess_fairness(y_true, y_pred, sensitive_features=sensitive, config=config)
    config = FairnessConfig(comparison="reference", reference_groups=(("race", "x"),))
    with pytest.raises(FairnessError, match="'race', which is not assessed"):
        assess_fairness(y_true, y_pred, sensitive_features=sensitive, config=config)


def test_an_undefined_reference_rate_makes_the_disparity_undefined() -> None:
    y_true, y_pred, groups = _with_special_group("no positives")
    config = FairnessConfig(n_boot=50, comparison="reference", reference_groups=(("g", "z"),))
    result = assess_fairness(y_true, y_pred, sensitive_features=groups, config=config)
    row = result.disparities["g"].loc["equal_opportunity_difference"]
    assert row["verdict"] == "undefined"
    assert "the reference group 'z' has no positives" in row["reason"]
    assert result.disparities["g"].loc["demographic_parity_difference", "verdict"] != "undefined"


# ---------------------------------------------------------------------- verdicts and words
@pytest.mark.parametrize(
    ("kind", "value", "low", "high", "expected"),
    [
        ("ratio", 0.90, 0.85, 0.95, "passes"),
        ("ratio", 0.85, 0.80, 0.90, "passes"),
        ("ratio", 0.70, 0.65, 0.79, "fails"),
        ("ratio", 0.82, 0.75, 0.88, "insufficient evidence"),
        ("ratio", 0.79, 0.70, 0.80, "insufficient evidence"),
        ("difference", 0.05, 0.02, 0.08, "passes"),
        ("difference", 0.05, 0.02, 0.10, "passes"),
        ("difference", 0.19, 0.18, 0.20, "fails"),
        ("difference", 0.12, 0.10, 0.15, "insufficient evidence"),
        ("difference", 0.09, 0.05, 0.13, "insufficient evidence"),
        ("difference", np.nan, np.nan, np.nan, "undefined"),
        ("ratio", 0.9, np.nan, np.nan, "insufficient evidence"),
    ],
)
def test_verdict_logic_on_constructed_intervals(kind, value, low, high, expected) -> None:
    limit = 0.8 if kind == "ratio" else 0.1
    assert verdict_for(kind, value, low, high, limit=limit) == expected


def test_verdict_kind_is_checked_at_run_time() -> None:
    with pytest.raises(ValueError, match="The 'kind' parameter must be one of"):
        verdict_for("gap", 0.1, 0.0, 0.2, limit=0.1)  # type: ignore[arg-type]


def test_sentences_carry_the_numbers_and_the_verdict() -> None:
    rng = np.random.default_rng(5)
    n = 20_000
    sex = rng.choice(["F", "M"], n)
    y_pred = (rng.random(n) < np.where(sex == "M", 0.40, 0.21)).astype(int)
    y_true = rng.integers(0, 2, n)
    result = assess_fairness(
        y_true, y_pred, sensitive_features=pd.DataFrame({"sex": sex}), config=FAST
    )
    row = result.disparities["sex"].loc["demographic_parity_difference"]
    assert row["verdict"] == "fails"
    assert row["pair"] == ("M", "F") and row["pair_metric"] == "selection_rate"
    assert row["sentence"] == (
        f"Selection rates differ by {row['value']:.2f} (95% CI {row['ci_low']:.2f}–"
        f"{row['ci_high']:.2f}) between the groups of 'sex', more than the tolerance of "
        f"0.10: fails. Decided by 'M' vs 'F' (selection rate): gap {row['value']:.2f}, "
        f"interval {row['pair_ci_low']:.2f}–{row['pair_ci_high']:.2f}."
    )
    ratio = result.disparities["sex"].loc["demographic_parity_ratio"]
    assert ratio["sentence"].startswith("Among the groups of 'sex', the lowest selection rate is")
    assert "below the four-fifths bound of 0.80: fails. Decided by 'M' vs 'F'" in ratio["sentence"]


def test_explanations_cover_every_metric_and_disparity_in_fairlearn_vocabulary() -> None:
    assert set(METRIC_NAMES) | set(DISPARITY_NAMES) | {"base_rate"} <= set(METRIC_EXPLANATIONS)
    text = " ".join(METRIC_EXPLANATIONS.values()).lower()
    for word in ("debias", "unbiased", "fair model"):
        assert word not in text
    assert all(s.endswith(".") and s[0].isupper() for s in METRIC_EXPLANATIONS.values())


# ---------------------------------------------------------------------- bootstrap
def test_bootstrap_intervals_agree_with_fairlearn_within_monte_carlo_error() -> None:
    rng = np.random.default_rng(11)
    n = 2000
    group = pd.Series(rng.choice(["a", "b"], size=n, p=[0.6, 0.4]), name="g")
    y_true = rng.integers(0, 2, n)
    y_pred = (rng.random(n) < np.where(group == "a", 0.55, 0.35) + 0.2 * y_true).astype(int)
    n_boot = 300
    theirs = MetricFrame(
        metrics={"selection_rate": selection_rate, "true_positive_rate": true_positive_rate},
        y_true=y_true,
        y_pred=y_pred,
        sensitive_features=group,
        n_boot=n_boot,
        ci_quantiles=[0.025, 0.975],
        random_state=0,
    )
    ours = assess_fairness(
        y_true, y_pred, sensitive_features=group, config=FairnessConfig(n_boot=n_boot)
    )
    table = ours.by_group["g"].set_index("group")
    disparities = ours.disparities["g"]
    # Each endpoint is a 2.5% or 97.5% quantile of B = 300 resamples. For a roughly normal
    # bootstrap distribution with spread s, its Monte-Carlo standard error is
    # sqrt(q (1 - q) / B) / density(q) = 0.009 / (0.058 / s) = 0.15 s, so two independent
    # estimates differ by about 0.22 s, and the interval is 3.92 s wide. fairlearn resamples
    # all rows at once while FairLab keeps group sizes fixed; that changes the variance of a
    # group rate only at order 1 / n. Allowing 0.3 × width = 1.2 s (over five standard
    # errors) keeps a false alarm unlikely while catching a wrong scale or a wrong centre.
    checked = 0
    for metric in ("selection_rate", "true_positive_rate"):
        for name in ("a", "b"):
            low, high = table.loc[name, f"{metric}_low"], table.loc[name, f"{metric}_high"]
            tolerance = 0.3 * (high - low)
            assert low == pytest.approx(theirs.by_group_ci[0].loc[name, metric], abs=tolerance)
            assert high == pytest.approx(theirs.by_group_ci[1].loc[name, metric], abs=tolerance)
            checked += 2
    criteria = {"selection_rate": "demographic_parity", "true_positive_rate": "equal_opportunity"}
    for metric, criterion in criteria.items():
        for kind, fairlearn_ci in (
            ("difference", theirs.difference_ci()),
            ("ratio", theirs.ratio_ci()),
        ):
            row = disparities.loc[f"{criterion}_{kind}"]
            tolerance = 0.3 * (row["ci_high"] - row["ci_low"])
            assert row["ci_low"] == pytest.approx(fairlearn_ci[0][metric], abs=tolerance)
            assert row["ci_high"] == pytest.approx(fairlearn_ci[1][metric], abs=tolerance)
            checked += 2
    assert checked == 16


def test_clopper_pearson_matches_resampling_rows_where_the_bootstrap_is_good() -> None:
    # 300 rows, a rate near 0.5: the row bootstrap is accurate there, and agrees.
    rng = np.random.default_rng(2)
    n = 400
    group = np.where(np.arange(n) < 300, "a", "b")
    y_true = rng.integers(0, 2, n)
    y_pred = rng.integers(0, 2, n)
    n_boot = 2000
    config = FairnessConfig(n_boot=n_boot, random_state=4)
    ours = assess_fairness(
        y_true, y_pred, sensitive_features=pd.Series(group, name="g"), config=config
    )
    rows_a = np.flatnonzero(group == "a")
    picks = rows_a[rng.integers(0, rows_a.size, size=(n_boot, rows_a.size))]
    tpr = ((y_true[picks] == 1) & (y_pred[picks] == 1)).sum(1) / (y_true[picks] == 1).sum(1)
    low, high = np.quantile(tpr, [0.025, 0.975])
    row = ours.by_group["g"].set_index("group").loc["a"]
    # B = 2000: each endpoint's Monte-Carlo error is about 0.05 of the width.
    width = high - low
    assert row["true_positive_rate_low"] == pytest.approx(low, abs=0.2 * width)
    assert row["true_positive_rate_high"] == pytest.approx(high, abs=0.2 * width)


def test_intervals_cover_the_estimate_and_shrink_as_n_grows() -> None:
    widths = []
    for n in (1_000, 100_000):
        y_true, y_pred, sensitive = _data(n=n, seed=1)
        result = assess_fairness(y_true, y_pred, sensitive_features=sensitive, config=FAST)
        table = result.by_group["group"]
        for metric in ("base_rate", *METRIC_NAMES):
            assert (table[f"{metric}_low"] <= table[metric] + 1e-12).all(), metric
            assert (table[metric] <= table[f"{metric}_high"] + 1e-12).all(), metric
        disparities = result.disparities["group"]
        widths.append(
            np.mean(
                [
                    table["selection_rate_high"] - table["selection_rate_low"],
                    table["true_positive_rate_high"] - table["true_positive_rate_low"],
                ]
            )
        )
        assert (disparities["ci_low"] <= disparities["ci_high"]).all()
    # Widths scale as 1 / sqrt(n): 100 times the rows, a tenth of the width.
    assert widths[1] / widths[0] == pytest.approx(0.1, rel=0.25)


def test_intervals_cover_the_true_rate_about_as_often_as_they_claim() -> None:
    rng = np.random.default_rng(8)
    shares = np.array([[0.3, 0.1, 0.2, 0.4], [0.4, 0.2, 0.1, 0.3]])  # tn, fp, fn, tp
    true_selection = shares[:, 1] + shares[:, 3]
    hits, trials = 0, 200
    for seed in range(trials):
        cells = np.stack([rng.multinomial(400, s) for s in shares])
        counts = pd.DataFrame(
            {
                "group": ["a", "b"],
                "tn": cells[:, 0],
                "fp": cells[:, 1],
                "fn": cells[:, 2],
                "tp": cells[:, 3],
            }
        )
        table = assess_counts(
            {"g": counts}, config=FairnessConfig(n_boot=300, random_state=seed)
        ).by_group["g"]
        inside = (table["selection_rate_low"] <= true_selection) & (
            true_selection <= table["selection_rate_high"]
        )
        hits += int(inside.sum())
    coverage = hits / (2 * trials)
    # 400 intervals at 95%: the binomial spread of the coverage is about 0.011.
    assert 0.915 <= coverage <= 0.98


def test_same_counts_same_intervals_whatever_the_seed(data) -> None:
    # Intervals are closed-form in the counts: no resampling, so the seed changes nothing.
    y_true, y_pred, sensitive = data
    first = assess_fairness(y_true, y_pred, sensitive_features=sensitive, config=FAST)
    other = assess_fairness(
        y_true,
        y_pred,
        sensitive_features=sensitive,
        config=FairnessConfig(n_boot=200, random_state=1),
    )
    pd.testing.assert_frame_equal(first.by_group["group"], other.by_group["group"])
    pd.testing.assert_frame_equal(first.disparities["group"], other.disparities["group"])


# ---------------------------------------------------------------------- scores and audits
def test_calibration_columns_when_scores_exist(data) -> None:
    y_true, y_pred, sensitive = data
    scores = np.random.default_rng(0).random(len(y_true))
    result = assess_fairness(
        y_true, y_pred, sensitive_features=sensitive, y_score=scores, config=FAST
    )
    table = result.by_group["group"].set_index("group")
    assert set(CALIBRATION_COLUMNS) <= set(table.columns)
    frame = pd.DataFrame({"g": sensitive["group"], "s": scores, "y": y_true})
    grouped = frame.groupby("g")
    np.testing.assert_allclose(table["mean_score"], grouped["s"].mean())
    np.testing.assert_allclose(table["observed_rate"], grouped["y"].mean())
    half = 1.959964 * grouped["s"].std() / np.sqrt(grouped["s"].count())
    np.testing.assert_allclose(table["mean_score_high"] - table["mean_score"], half, rtol=1e-5)
    assert result.overall["mean_score"] == pytest.approx(scores.mean())
    without = assess_fairness(y_true, y_pred, sensitive_features=sensitive, config=FAST)
    assert "mean_score" not in without.by_group["group"].columns


def test_assess_audit_uses_the_audit_predictions_unless_given() -> None:
    frame = pd.DataFrame(
        {
            "y": ["yes", "no"] * 20,
            "sex": ["F"] * 20 + ["M"] * 20,
            "score": np.linspace(0, 1, 40),
        }
    )
    spec = AuditSpec("y", "yes", ("sex",), score_column="score", threshold=0.5)
    data = build_audit_data(frame, spec)
    result = assess_audit(data, config=FAST)
    assert result.overall["selection_rate"] == pytest.approx(0.5)
    assert "mean_score" in result.by_group["sex"].columns
    flipped = assess_audit(data, y_pred=1 - data.y_pred, config=FAST)
    assert flipped.overall["selection_rate"] == pytest.approx(0.5)
    assert flipped.by_group["sex"]["tp"].tolist() != result.by_group["sex"]["tp"].tolist()
    no_predictions = build_audit_data(frame, AuditSpec("y", "yes", ("sex",)))
    with pytest.raises(FairnessError, match=_message(NO_PREDICTIONS_ERROR)):
        assess_audit(no_predictions)


# ---------------------------------------------------------------------- metrics.json
def test_metrics_json_has_the_documented_shape() -> None:
    y_true, y_pred, groups = _with_special_group("no positives")
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "outcome": np.where(y_true == 1, "good", "bad"),
            "decision": np.where(y_pred == 1, "approve", "deny"),
            "g": groups,
            "sex": rng.choice(["F", "M"], len(y_true)),
        }
    )
    spec = AuditSpec(
        "outcome",
        "good",
        ("g", "sex"),
        prediction_column="decision",
        prediction_positive=("approve",),
    )
    result = assess_audit(build_audit_data(frame, spec), config=FAST)
    payload = metrics_json(result, spec)
    text = json.dumps(payload, allow_nan=False)
    assert json.loads(text) == payload
    assert set(payload) == {"spec", "config", "method", "overall", "by_group", "disparities"}
    assert payload["method"]["level"] == 0.95 and payload["method"]["min_cases"] == 30
    assert "Clopper–Pearson" in payload["method"]["description"]
    assert payload["config"]["min_cases"] == 30
    assert payload["spec"] == spec.to_dict()
    assert list(payload["by_group"]) == ["g", "sex", "g×sex"]
    assert list(payload["disparities"]) == ["g", "sex", "g×sex"]
    for metric in METRIC_NAMES:
        assert isinstance(payload["overall"][metric], float)
    z = next(row for row in payload["by_group"]["g"] if row["group"] == "z")
    assert {"group", "count", "tp", "fp", "tn", "fn", "ci", *METRIC_NAMES} <= set(z)
    assert z["true_positive_rate"] is None
    assert z["ci"]["true_positive_rate"] == [None, None]
    assert z["undefined"] == {
        "true_positive_rate": "undefined (n = 0 positives)",
        "false_negative_rate": "undefined (n = 0 positives)",
    }
    assert isinstance(z["count"], int) and isinstance(z["selection_rate"], float)
    assert len(z["ci"]["selection_rate"]) == 2
    disparities = payload["disparities"]["g"]
    assert list(disparities) == list(DISPARITY_NAMES)
    eo = disparities["equalized_odds_difference"]
    assert {"value", "ci", "verdict"} <= set(eo)
    assert eo["excluded_groups"] == ["z"]
    assert eo["verdict"] in ("passes", "fails", "insufficient evidence")
    assert eo["level"] == 0.95 and eo["comparisons"] == 4  # TPR: x, y; FPR: x, y, z
    assert eo["pair_level"] == pytest.approx(0.95 ** (1 / 4))
    assert eo["pair"]["metric"] in ("true_positive_rate", "false_positive_rate")
    assert len(eo["pair"]["groups"]) == 2 and len(eo["pair"]["ci"]) == 2
    assert eo["pair"]["ci"][0] <= eo["pair"]["value"] <= eo["pair"]["ci"][1]
    assert isinstance(eo["too_small"], list)
    intersection = payload["disparities"]["g×sex"]["equal_opportunity_difference"]
    assert set(intersection["excluded_groups"]) == {"z × F", "z × M"}


def test_metrics_json_writes_null_and_a_reason_for_an_undefined_disparity() -> None:
    y_true = np.array([1, 1, 0, 0])
    y_pred = np.array([1, 0, 1, 0])
    groups = pd.DataFrame({"g": ["a", "a", "b", "b"]})
    result = assess_fairness(y_true, y_pred, sensitive_features=groups, config=FAST)
    spec = AuditSpec("y", 1, ("g",))
    entry = metrics_json(result, spec)["disparities"]["g"]["equal_opportunity_ratio"]
    assert entry["value"] is None and entry["ci"] == [None, None]
    assert entry["verdict"] == "undefined"
    assert entry["pair"] is None
    assert "only 1 group" in entry["reason"]
    json.dumps(metrics_json(result, spec), allow_nan=False)
