from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from fairlab.thresholds import ThresholdSweep

# Scores drawn from a few values make ties common; thresholds reach beyond the scores.
SCORE_VALUES = st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.5000001, 0.75, 0.9, 1.0])
THRESHOLDS = st.one_of(SCORE_VALUES, st.floats(min_value=-2.0, max_value=3.0, allow_nan=False))


@st.composite
def audits(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    n = draw(st.integers(min_value=1, max_value=60))
    rows = st.lists(st.integers(0, 1), min_size=n, max_size=n)
    y_true = np.array(draw(rows), dtype=np.int8)
    y_score = np.array(draw(st.lists(SCORE_VALUES, min_size=n, max_size=n)))
    groups = draw(st.lists(st.sampled_from(["a", "b", "c"]), min_size=n, max_size=n))
    return y_true, y_score, pd.Series(groups)


@settings(max_examples=150, deadline=None)
@given(audits(), THRESHOLDS)
def test_counts_sum_to_group_size(audit, threshold) -> None:
    y_true, y_score, groups = audit
    table = ThresholdSweep.from_scores(y_true, y_score, groups).confusion_at(threshold)
    sizes = groups.value_counts()
    assert (table["tp"] + table["fp"] + table["tn"] + table["fn"] == table["count"]).all()
    assert table.set_index("group")["count"].to_dict() == sizes.to_dict()
    assert (table[["tp", "fp", "tn", "fn"]] >= 0).all().all()
    positives = pd.Series(y_true).groupby(groups.to_numpy()).sum()
    assert (table.set_index("group")["tp"] + table.set_index("group")["fn"]).to_dict() == (
        positives.to_dict()
    )


@settings(max_examples=150, deadline=None)
@given(audits(), THRESHOLDS, THRESHOLDS)
def test_tpr_and_fpr_do_not_increase_with_the_threshold(audit, first, second) -> None:
    low, high = sorted((first, second))
    sweep = ThresholdSweep.from_scores(*audit)
    at_low = sweep.rates_at(low).set_index("group")
    at_high = sweep.rates_at(high).set_index("group")
    for metric in ("true_positive_rate", "false_positive_rate", "selection_rate"):
        lo, hi = at_low[metric], at_high[metric]
        assert (lo.isna() == hi.isna()).all()
        defined = lo.notna()
        assert (hi[defined] <= lo[defined]).all()
        assert ((lo[defined] >= 0) & (lo[defined] <= 1)).all()


@settings(max_examples=150, deadline=None)
@given(audits(), THRESHOLDS)
def test_per_group_thresholds_equal_to_a_global_one_give_the_global_result(
    audit, threshold
) -> None:
    sweep = ThresholdSweep.from_scores(*audit)
    per_group = {group: threshold for group in sweep.groups}
    pd.testing.assert_frame_equal(sweep.rates_at(per_group), sweep.rates_at(threshold))
    pd.testing.assert_series_equal(sweep.overall_at(per_group), sweep.overall_at(threshold))
    assert sweep.cost_at(per_group, cost_fp=2.0) == sweep.cost_at(threshold, cost_fp=2.0)


@settings(max_examples=100, deadline=None)
@given(audits(), THRESHOLDS, st.randoms(use_true_random=False))
def test_row_order_does_not_matter(audit, threshold, random) -> None:
    y_true, y_score, groups = audit
    order = np.array(random.sample(range(y_true.size), y_true.size))
    shuffled = ThresholdSweep.from_scores(
        y_true[order], y_score[order], groups.iloc[order].reset_index(drop=True)
    )
    original = ThresholdSweep.from_scores(y_true, y_score, groups)
    pd.testing.assert_frame_equal(shuffled.rates_at(threshold), original.rates_at(threshold))
    assert shuffled.best_threshold(cost_fp=1.5) == original.best_threshold(cost_fp=1.5)
