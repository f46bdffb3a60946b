"""Property tests for fairlab.fairness: invariants that hold for any data."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fairlab.fairness import (
    METRIC_NAMES,
    FairnessConfig,
    FairnessResult,
    assess_fairness,
    verdict_for,
)

PROPERTIES = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CONFIG = FairnessConfig(n_boot=40)
RATE_COLUMNS = ("base_rate", *METRIC_NAMES)

_rows = st.lists(
    st.tuples(st.integers(0, 1), st.integers(0, 1), st.sampled_from("abcd")),
    min_size=1,
    max_size=80,
)


def _assess(rows: list[tuple[int, int, str]], config: FairnessConfig = CONFIG) -> FairnessResult:
    y_true = np.array([r[0] for r in rows], dtype=np.int8)
    y_pred = np.array([r[1] for r in rows], dtype=np.int8)
    groups = pd.DataFrame({"g": [r[2] for r in rows]})
    return assess_fairness(y_true, y_pred, sensitive_features=groups, config=config)


def _numbers(table: pd.DataFrame) -> pd.DataFrame:
    return table.select_dtypes(include=["number", "bool"])


@PROPERTIES
@given(_rows)
def test_rates_are_in_zero_one_or_undefined_with_a_reason(rows) -> None:
    result = _assess(rows)
    table = result.by_group["g"]
    assert table["count"].sum() == len(rows)
    assert (table[["tp", "fp", "tn", "fn"]].sum(axis=1) == table["count"]).all()
    for metric in RATE_COLUMNS:
        for column in (metric, f"{metric}_low", f"{metric}_high"):
            values = table[column].to_numpy(dtype=float)
            defined = values[~np.isnan(values)]
            assert ((defined >= 0) & (defined <= 1)).all(), column
        if metric != "base_rate":
            undefined = table[metric].isna().to_numpy()
            reasons = table[f"{metric}_undefined"].map(lambda r: r is not None).to_numpy()
            assert (undefined == reasons).all(), metric
            assert table[f"{metric}_low"].isna().to_numpy()[undefined].all()
    assert (table["small"] == (table["count"] < CONFIG.min_group_size)).all()


@PROPERTIES
@given(_rows, st.randoms(use_true_random=False))
def test_row_order_changes_nothing(rows, random) -> None:
    shuffled = list(rows)
    random.shuffle(shuffled)
    first, second = _assess(rows), _assess(shuffled)
    pd.testing.assert_frame_equal(first.by_group["g"], second.by_group["g"])
    pd.testing.assert_frame_equal(first.disparities["g"], second.disparities["g"])
    pd.testing.assert_series_equal(first.overall, second.overall)


@PROPERTIES
@given(_rows, st.permutations(["p", "q", "r", "s"]))
def test_renaming_groups_changes_nothing_but_the_names(rows, new_names) -> None:
    mapping = dict(zip("abcd", new_names, strict=True))
    renamed = [(t, p, mapping[g]) for t, p, g in rows]
    first, second = _assess(rows), _assess(renamed)
    ours = first.by_group["g"].assign(group=lambda t: t["group"].map(mapping))
    theirs = second.by_group["g"]
    point = ["group", "count", "tp", "fp", "tn", "fn", *RATE_COLUMNS, "small"]
    pd.testing.assert_frame_equal(
        ours[point].set_index("group").sort_index(), theirs[point].set_index("group").sort_index()
    )
    for name, row in first.disparities["g"].iterrows():
        other = second.disparities["g"].loc[name]
        assert np.isclose(row["value"], other["value"], equal_nan=True, rtol=0, atol=1e-12)
        assert {mapping[g] for g in row["excluded_groups"]} == set(other["excluded_groups"])
    # A renaming that keeps the order of the groups keeps the random draws too.
    prefixed = _assess([(t, p, f"group {g}") for t, p, g in rows])
    pd.testing.assert_frame_equal(_numbers(first.by_group["g"]), _numbers(prefixed.by_group["g"]))
    pd.testing.assert_frame_equal(
        _numbers(first.disparities["g"]), _numbers(prefixed.disparities["g"])
    )


@PROPERTIES
@given(_rows, st.sampled_from(["between_groups", "overall", "reference"]), st.data())
def test_differences_are_non_negative_and_ratios_at_most_one(rows, comparison, data) -> None:
    reference = data.draw(st.sampled_from(sorted({g for _, _, g in rows})))
    config = FairnessConfig(n_boot=40, comparison=comparison, reference_groups=(("g", reference),))
    disparities = _assess(rows, config).disparities["g"]
    for _, row in disparities.iterrows():
        for column in ("value", "ci_low", "ci_high"):
            value = row[column]
            if np.isnan(value):
                continue
            # Rates lie in [0, 1], so a difference does too; a ratio is smaller over larger.
            assert 0 <= value <= 1, (row.name, column, value)
        by_interval = verdict_for(
            row["kind"], row["value"], row["ci_low"], row["ci_high"], limit=row["limit"]
        )
        if not row["too_small"]:
            assert row["verdict"] == by_interval
        else:  # a too-small group never gives "passes", and a "fails" needs a large pair
            assert row["verdict"] in (by_interval, "insufficient evidence")
            assert row["verdict"] != "passes"
        assert (row["verdict"] == "undefined") == (row["reason"] is not None)
        if row["verdict"] != "undefined":
            assert row["ci_low"] <= row["value"] <= row["ci_high"]
            assert row["pair_ci_low"] <= row["pair_value"] <= row["pair_ci_high"]
            assert len(row["pair"]) == 2


@PROPERTIES
@given(_rows, st.sampled_from(["between_groups", "overall"]))
def test_without_a_minimum_the_verdict_is_the_interval_rule(rows, comparison) -> None:
    config = FairnessConfig(comparison=comparison, min_cases=0)
    for _, row in _assess(rows, config).disparities["g"].iterrows():
        assert row["too_small"] == ()
        assert row["verdict"] == verdict_for(
            row["kind"], row["value"], row["ci_low"], row["ci_high"], limit=row["limit"]
        )


@PROPERTIES
@given(_rows)
def test_too_small_lists_exactly_the_groups_under_the_minimum(rows) -> None:
    result = _assess(rows)
    table = result.by_group["g"]
    row = result.disparities["g"].loc["equal_opportunity_difference"]
    positives = table["tp"] + table["fn"]
    expected = {
        (group, "true_positive_rate", int(n))
        for group, n in zip(table["group"], positives, strict=True)
        if 0 < n < CONFIG.min_cases
    }
    assert set(row["too_small"]) == expected


@PROPERTIES
@given(_rows)
def test_between_groups_difference_is_max_minus_min_of_defined_rates(rows) -> None:
    result = _assess(rows)
    table = result.by_group["g"]
    disparities = result.disparities["g"]
    rates = table["selection_rate"]
    value = disparities.loc["demographic_parity_difference", "value"]
    if len(rates) >= 2:
        assert np.isclose(value, rates.max() - rates.min(), rtol=0, atol=1e-12)
    tpr = table["true_positive_rate"].dropna()
    eo = disparities.loc["equal_opportunity_difference", "value"]
    if len(tpr) >= 2:
        assert np.isclose(eo, tpr.max() - tpr.min(), rtol=0, atol=1e-12)
    else:
        assert np.isnan(eo)


@PROPERTIES
@given(_rows, st.integers(0, 2**32 - 1))
def test_same_data_gives_the_same_intervals(rows, seed) -> None:
    config = FairnessConfig(n_boot=40, random_state=seed)
    first, second = _assess(rows, config), _assess(rows, config)
    pd.testing.assert_frame_equal(first.by_group["g"], second.by_group["g"])
    pd.testing.assert_frame_equal(first.disparities["g"], second.disparities["g"])
