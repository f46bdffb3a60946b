"""The cases of issue #11, each checked on the real path: intervals that contain their point,
can reach 0, stay honest for tiny groups, and verdicts that name their pair."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from fairlab.audit_data import build_audit_data
from fairlab.data import load_bundled
from fairlab.fairness import (
    INVALID_MIN_CASES_ERROR,
    FairnessConfig,
    FairnessError,
    assess_audit,
    assess_counts,
)
from fairlab.fairness._intervals import clopper_pearson, difference_interval, sidak_confidence
from fairlab.glossary import GLOSSARY


def _counts(rows: dict[str, tuple[int, int, int, int]]) -> dict[str, pd.DataFrame]:
    """Groups as {label: (tn, fp, fn, tp)}."""
    cells = np.array(list(rows.values()))
    return {
        "g": pd.DataFrame(
            {
                "group": list(rows),
                "tn": cells[:, 0],
                "fp": cells[:, 1],
                "fn": cells[:, 2],
                "tp": cells[:, 3],
            }
        )
    }


def test_compas_by_sex_keeps_the_point_inside_its_interval() -> None:
    # Issue #11: error_rate_parity_ratio 0.999876 had the interval [0.9097, 0.9990].
    frame, spec = load_bundled("compas")
    spec = dataclasses.replace(
        spec, positive_label=1, prediction_positive=("Medium", "High"), sensitive=("sex",)
    )
    table = assess_audit(build_audit_data(frame, spec)).disparities["sex"]
    ratio = table.loc["error_rate_parity_ratio"]
    assert ratio["value"] == pytest.approx(0.999876, abs=1e-6)
    assert ratio["ci_low"] <= ratio["value"] <= ratio["ci_high"]
    difference = table.loc["error_rate_parity_difference"]
    assert difference["value"] == pytest.approx(0.000043, abs=1e-6)
    assert difference["ci_low"] == 0.0 <= difference["value"] <= difference["ci_high"]
    assert set(ratio["pair"]) == {"Male", "Female"}


@pytest.mark.parametrize("rows", [1, 3])
def test_tiny_groups_get_wide_intervals_and_no_confident_verdict(rows: int) -> None:
    # Issue #11: one row per group gave error_rate_parity_ratio 0 with [0, 0] -> fails;
    # three rows per group gave passes.
    counts = _counts({"a": (rows, 0, 0, 0), "b": (0, rows, 0, 0)})  # a never wrong, b always
    result = assess_counts(counts)
    row = result.disparities["g"].loc["error_rate_parity_ratio"]
    assert row["value"] == 0.0
    assert row["ci_high"] > 0.5
    assert row["verdict"] == "insufficient evidence"
    assert set(row["too_small"]) == {("a", "error_rate", rows), ("b", "error_rate", rows)}
    assert f"'a' ({rows} rows for its error rate)" in row["sentence"]
    same = assess_counts(_counts({"a": (rows, 0, 0, 0), "b": (rows, 0, 0, 0)}))
    assert set(same.disparities["g"]["verdict"]) <= {"insufficient evidence", "undefined"}


def test_a_zero_rate_on_many_cases_gets_an_interval_of_honest_width() -> None:
    # Issue #11: an FPR of 0/124 gave equalized_odds_ratio 0 with [0, 0].
    counts = _counts({"small FPR": (124, 0, 40, 60), "other": (900, 80, 300, 700)})
    row = assess_counts(counts).disparities["g"].loc["equalized_odds_ratio"]
    assert row["value"] == 0.0 and row["ci_low"] == 0.0
    assert row["ci_high"] > 0.05
    assert row["pair_metric"] == "false_positive_rate"


def test_the_small_flag_counts_the_rate_denominator_not_rows() -> None:
    # Issue #11: Female×Other had 46 rows but 3 positives and was not flagged.
    counts = _counts({"Female×Other": (40, 3, 1, 2), "Male×White": (4000, 300, 400, 1300)})
    result = assess_counts(counts)
    assert not result.by_group["g"].set_index("group").loc["Female×Other", "small"]
    row = result.disparities["g"].loc["equal_opportunity_difference"]
    assert ("Female×Other", "true_positive_rate", 3) in row["too_small"]
    assert row["verdict"] != "passes"
    assert "Too small to be confident (fewer than 30 cases): 'Female×Other' (3 positives" in (
        row["sentence"]
    )
    dp = result.disparities["g"].loc["demographic_parity_difference"]
    assert dp["too_small"] == ()  # 46 rows are enough for the selection rate


def test_a_small_group_cannot_make_a_fail_but_large_groups_can() -> None:
    counts = _counts(
        {"tiny": (10, 0, 0, 10), "low": (800, 200, 500, 500), "high": (200, 800, 100, 900)}
    )
    row = assess_counts(counts).disparities["g"].loc["demographic_parity_difference"]
    assert row["verdict"] == "fails"
    assert set(row["pair"]) == {"low", "high"}
    strict = assess_counts(counts, config=FairnessConfig(min_cases=2001))
    assert strict.disparities["g"].loc["demographic_parity_difference", "verdict"] == (
        "insufficient evidence"
    )


def test_min_cases_is_checked() -> None:
    with pytest.raises(FairnessError, match="The 'min_cases' parameter"):
        FairnessConfig(min_cases=-1)
    assert INVALID_MIN_CASES_ERROR.startswith("The 'min_cases' parameter")


def test_more_groups_mean_wider_simultaneous_intervals() -> None:
    base = (300, 100, 100, 300)
    two = assess_counts(_counts({f"g{i}": base for i in range(2)})).disparities["g"]
    ten = assess_counts(_counts({f"g{i}": base for i in range(10)})).disparities["g"]
    assert two.loc["demographic_parity_difference", "comparisons"] == 1
    assert ten.loc["demographic_parity_difference", "comparisons"] == 45
    assert ten.loc["equalized_odds_difference", "comparisons"] == 90
    assert ten.loc["equalized_odds_difference", "pair_confidence"] == pytest.approx(
        0.95 ** (1 / 90)
    )
    width = {
        k: t.loc["demographic_parity_difference", "ci_high"] for k, t in ((2, two), (10, ten))
    }
    assert width[10] > width[2] > 0
    assert two.loc["demographic_parity_difference", "ci_low"] == 0.0


def test_overall_and_reference_comparisons_have_their_own_pairs() -> None:
    counts = _counts({"a": (300, 100, 100, 300), "b": (500, 100, 100, 300), "c": (300, 300, 0, 0)})
    overall = assess_counts(counts, config=FairnessConfig(comparison="overall")).disparities["g"]
    assert overall.loc["demographic_parity_difference", "pair"][1] == "overall"
    assert overall.loc["demographic_parity_difference", "comparisons"] == 3
    reference = assess_counts(
        counts, config=FairnessConfig(comparison="reference", reference_groups=(("g", "a"),))
    ).disparities["g"]
    assert "a" in reference.loc["demographic_parity_difference", "pair"]
    assert reference.loc["demographic_parity_difference", "comparisons"] == 2


def test_glossary_worked_example_matches_the_library() -> None:
    level = sidak_confidence(0.95, 1)
    limits_a = clopper_pearson(np.array([75]), np.array([200]), level)
    limits_b = clopper_pearson(np.array([20]), np.array([100]), level)
    low, high = difference_interval(np.array([0.375]), limits_a, np.array([0.2]), limits_b)
    example = GLOSSARY["verdict"].example
    for number in (limits_a[0], limits_a[1], limits_b[0], limits_b[1]):
        assert f"{float(number[0]):.3f}" in example
    assert f"{float(low[0]):.3f}" in example and f"{float(high[0]):.3f}" in example
    assert f"{sidak_confidence(0.95, 3):.3f}" in example
    counts = _counts({"A": (110, 15, 15, 60), "B": (70, 10, 10, 10)})  # 75/200 and 20/100
    row = assess_counts(counts).disparities["g"].loc["demographic_parity_difference"]
    assert row["ci_low"] == pytest.approx(float(low[0]))
    assert row["verdict"] == "insufficient evidence"
    ci = clopper_pearson(np.array([10]), np.array([40]), 0.95)
    assert "0.13 to 0.41" in GLOSSARY["confidence_interval"].example
    assert (round(float(ci[0][0]), 2), round(float(ci[1][0]), 2)) == (0.13, 0.41)
