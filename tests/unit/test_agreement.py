"""Agreement between two attributions: top-k overlap, rank correlation, signs, sentences."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from fairlab.explain.agreement import (
    ROWS_MISMATCH_ERROR,
    TOP_K_ERROR,
    agreement_over_rows,
    compare_attributions,
    summarize_agreement,
    top_k_features,
)

FEATURES = [f"f{i}" for i in range(8)]


def _series(values, index=None) -> pd.Series:
    return pd.Series(values, index=index or FEATURES[: len(values)], dtype=float)


def test_identical_attributions_agree_fully() -> None:
    a = _series([0.8, -0.5, 0.3, 0.2, -0.1, 0.05, 0.01, 0.0])
    result = compare_attributions(a, a.copy())
    assert result.jaccard == 1.0
    assert result.overlap == 5 and result.top_k == 5
    assert result.spearman == pytest.approx(1.0)
    assert result.sign_agreement == 1.0
    assert result.same_story
    assert result.sentence == (
        "SHAP and LIME tell the same story: 5 of their top 5 features agree and the ranks "
        "correlate strongly (ρ = 1.00)."
    )


def test_reversed_ranking_correlates_negatively() -> None:
    a = _series([8, 7, 6, 5, 4, 3, 2, 1])
    b = _series([1, 2, 3, 4, 5, 6, 7, 8])
    result = compare_attributions(a, b, top_k=3)
    assert result.spearman == pytest.approx(-1.0)
    assert result.overlap == 0 and result.jaccard == 0.0
    assert math.isnan(result.sign_agreement)
    assert not result.same_story
    assert result.sentence == (
        "SHAP and LIME tell different stories: only 0 of their top 3 features agree and the "
        "ranks correlate negatively (ρ = −1.00)."
    )


def test_disjoint_top_k_has_zero_overlap() -> None:
    a = pd.Series({"age": 0.9, "income": 0.7, "city": 0.0, "job": 0.0})
    b = pd.Series({"city": -0.4, "job": 0.3})
    result = compare_attributions(a, b, top_k=2)
    assert result.top_a == ("age", "income") and result.top_b == ("city", "job")
    assert result.shared == () and result.overlap == 0 and result.jaccard == 0.0


def test_hand_computed_example_matches_scipy() -> None:
    a = pd.Series({"age": 0.50, "income": -0.30, "job": 0.20, "city": 0.10, "sex": 0.05})
    b = pd.Series({"income": 0.40, "age": 0.35, "sex": -0.10, "hours": 0.08})
    result = compare_attributions(a, b, top_k=3, names=("SHAP", "LIME"))
    # Union in order: age, income, job, city, sex, hours; absent features count as 0.
    abs_a = [0.50, 0.30, 0.20, 0.10, 0.05, 0.0]
    abs_b = [0.35, 0.40, 0.0, 0.0, 0.10, 0.08]
    # By hand: ranks a = 6,5,4,3,2,1; ranks b = 5,6,1.5,1.5,4,3; d² = 1+1+6.25+2.25+4+4.
    by_hand = 1 - 6 * 18.5 / (6 * (36 - 1))
    assert by_hand == pytest.approx(scipy.stats.spearmanr(abs_a, abs_b).statistic, abs=0.02)
    assert result.spearman == pytest.approx(scipy.stats.spearmanr(abs_a, abs_b).statistic)
    assert result.top_a == ("age", "income", "job")
    assert result.top_b == ("income", "age", "sex")
    assert result.shared == ("age", "income")
    assert result.jaccard == pytest.approx(2 / 4)
    assert result.sign_agreement == pytest.approx(1 / 2)  # income's sign differs
    assert not result.same_story  # 2 of 3 >= 60 %, but ρ ≈ 0.46 < 0.5
    assert result.sentence == (
        "SHAP and LIME tell different stories: 2 of their top 3 features agree but the ranks "
        "correlate moderately (ρ = 0.46). They disagree on the direction of 1 of the 2 "
        "shared features."
    )


def test_spearman_with_exact_ranks_matches_the_textbook_formula() -> None:
    a = _series([5, 4, 3, 2, 1])
    b = _series([4, 5, 3, 1, 2])
    d_squared = 1 + 1 + 0 + 1 + 1
    expected = 1 - 6 * d_squared / (5 * (25 - 1))
    assert compare_attributions(a, b).spearman == pytest.approx(expected)


def test_undefined_rank_correlation_is_nan_and_said() -> None:
    a = _series([1.0, 1.0, 1.0])
    b = _series([0.3, 0.2, 0.1])
    result = compare_attributions(a, b, top_k=2)
    assert math.isnan(result.spearman)
    assert not result.same_story
    assert "the ranks cannot be compared" in result.sentence


def test_all_zero_attributions_cannot_be_compared() -> None:
    result = compare_attributions(_series([0.0, 0.0]), _series([0.0, 0.0]))
    assert math.isnan(result.jaccard)
    assert result.sentence == (
        "SHAP and LIME cannot be compared: neither gives any feature a weight."
    )


def test_top_k_skips_zeros_and_keeps_order_on_ties() -> None:
    attributions = pd.Series({"a": 0.2, "b": -0.5, "c": 0.0, "d": 0.2, "e": np.nan})
    assert top_k_features(attributions, 3) == ("b", "a", "d")
    assert top_k_features(attributions, 10) == ("b", "a", "d")


def test_parameters_are_checked() -> None:
    a = _series([1.0, 2.0])
    with pytest.raises(ValueError, match=re.escape(TOP_K_ERROR.format(value=0))):
        compare_attributions(a, a, top_k=0)
    with pytest.raises(TypeError, match="The 'b' parameter must be a Series"):
        compare_attributions(a, a.to_numpy())
    with pytest.raises(ValueError, match="more than once"):
        compare_attributions(a, pd.Series([1.0, 2.0], index=["f0", "f0"]))
    with pytest.raises(ValueError, match="two names"):
        compare_attributions(a, a, names=("SHAP",))


finite = st.floats(min_value=-10, max_value=10, allow_nan=False, allow_subnormal=False)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(finite, min_size=2, max_size=8),
    st.lists(finite, min_size=2, max_size=8),
    st.integers(1, 6),
)
def test_agreement_is_bounded_and_symmetric(first, second, top_k) -> None:
    a = _series(first)
    b = _series(second)
    ab = compare_attributions(a, b, top_k=top_k)
    ba = compare_attributions(b, a, top_k=top_k)
    for result in (ab, ba):
        assert math.isnan(result.jaccard) or 0.0 <= result.jaccard <= 1.0
        assert math.isnan(result.spearman) or -1.0 - 1e-12 <= result.spearman <= 1.0 + 1e-12
        assert math.isnan(result.sign_agreement) or 0.0 <= result.sign_agreement <= 1.0
        assert 0 <= result.overlap <= top_k
    assert ab.overlap == ba.overlap
    assert ab.jaccard == ba.jaccard or (math.isnan(ab.jaccard) and math.isnan(ba.jaccard))
    assert ab.spearman == pytest.approx(ba.spearman, nan_ok=True)
    assert ab.same_story == ba.same_story


@settings(max_examples=30, deadline=None)
@given(st.lists(finite, min_size=3, max_size=8), st.floats(0.1, 10))
def test_rescaling_one_explanation_changes_nothing(values, factor) -> None:
    a = _series(values)
    plain = compare_attributions(a, a)
    scaled = compare_attributions(a, a * factor)
    assert (plain.overlap, plain.same_story) == (scaled.overlap, scaled.same_story)
    assert plain.spearman == pytest.approx(scaled.spearman, nan_ok=True)


# ---------------------------------------------------------------------- over rows
def test_agreement_over_rows_matches_row_by_row() -> None:
    rng = np.random.default_rng(0)
    shap_values = pd.DataFrame(rng.normal(size=(6, 8)), columns=FEATURES, index=list("uvwxyz"))
    lime_weights = shap_values + rng.normal(scale=0.3, size=(6, 8))
    lime_weights.iloc[:, 6:] = np.nan  # LIME chose six features only
    lime_weights = lime_weights.iloc[::-1]  # the same rows in another order
    per_row = agreement_over_rows(shap_values, lime_weights, top_k=4)
    assert list(per_row.index) == list("uvwxyz")
    assert list(per_row.columns) == [
        "overlap",
        "jaccard",
        "spearman",
        "sign_agreement",
        "same_story",
    ]
    for label in per_row.index:
        one = compare_attributions(shap_values.loc[label], lime_weights.loc[label], top_k=4)
        assert per_row.loc[label, "overlap"] == one.overlap
        assert per_row.loc[label, "jaccard"] == pytest.approx(one.jaccard)
        assert per_row.loc[label, "spearman"] == pytest.approx(one.spearman)
        assert per_row.loc[label, "same_story"] == one.same_story

    summary = summarize_agreement(per_row)
    assert summary.n_rows == 6
    assert summary.mean["jaccard"] == pytest.approx(per_row["jaccard"].mean())
    assert summary.min["spearman"] == pytest.approx(per_row["spearman"].min())
    same = int(per_row["same_story"].sum())
    assert summary.same_story_share == pytest.approx(same / 6)
    assert summary.sentence.startswith(f"SHAP and LIME tell the same story for {same} of 6 rows")


def test_agreement_over_rows_needs_the_same_rows() -> None:
    a = pd.DataFrame({"x": [1.0, 2.0]}, index=[0, 1])
    b = pd.DataFrame({"x": [1.0, 2.0]}, index=[0, 2])
    with pytest.raises(ValueError, match=re.escape(ROWS_MISMATCH_ERROR.format(rows=[1, 2]))):
        agreement_over_rows(a, b)
    with pytest.raises(TypeError, match="must be a DataFrame"):
        agreement_over_rows(a, b["x"])


def test_summary_of_no_rows() -> None:
    empty = agreement_over_rows(pd.DataFrame({"x": []}), pd.DataFrame({"x": []}))
    summary = summarize_agreement(empty)
    assert summary.n_rows == 0 and math.isnan(summary.same_story_share)
    assert summary.sentence == "No rows were explained by both SHAP and LIME."
