from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest

from fairlab.audit_data import build_audit_data
from fairlab.data.profile import (
    group_profile,
    intersection_table,
    missing_by_column,
    profile_groups,
    wilson_interval,
)
from fairlab.spec import AuditSpec


@pytest.mark.parametrize(("k", "n"), [(0, 10), (3, 10), (10, 10), (57, 1000), (1, 2)])
def test_wilson_interval_matches_scipy(k: int, n: int) -> None:
    low, high = wilson_interval(np.array([k]), np.array([n]))
    reference = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert low[0] == pytest.approx(reference.low, abs=1e-12)
    assert high[0] == pytest.approx(reference.high, abs=1e-12)


def test_wilson_interval_is_undefined_for_empty_groups() -> None:
    low, high = wilson_interval(np.array([0]), np.array([0]))
    assert np.isnan(low[0]) and np.isnan(high[0])


def test_group_profile_counts_match_pandas() -> None:
    rng = np.random.default_rng(1)
    groups = pd.Series(rng.choice(["a", "b", "c"], 500, p=[0.7, 0.25, 0.05]))
    y = rng.integers(0, 2, 500).astype(np.int8)
    profile = group_profile(y, groups, attribute="g")
    expected = pd.DataFrame({"g": groups, "y": y}).groupby("g")["y"].agg(["size", "sum", "mean"])
    table = profile.table.set_index("group")
    for group in "abc":
        assert table.loc[group, "count"] == expected.loc[group, "size"]
        assert table.loc[group, "positives"] == expected.loc[group, "sum"]
        assert table.loc[group, "base_rate"] == pytest.approx(expected.loc[group, "mean"])
        assert (
            table.loc[group, "base_rate_low"]
            <= table.loc[group, "base_rate"]
            <= table.loc[group, "base_rate_high"]
        )
    assert table["share"].sum() == pytest.approx(1.0)
    assert profile.overall_base_rate == pytest.approx(y.mean())
    assert profile.table["count"].is_monotonic_decreasing
    assert profile.small_groups == ["c"]


def test_profile_groups_and_intersection_grid() -> None:
    frame = pd.DataFrame(
        {
            "y": [1, 0, 1, 1, 0, 0, 1, 0],
            "sex": ["F", "F", "M", "M", "F", "M", "F", "F"],
            "race": ["A", "B", "A", "A", "A", "B", "A", "A"],
        }
    )
    data = build_audit_data(frame, AuditSpec("y", 1, ("sex", "race")))
    profiles = profile_groups(data)
    assert list(profiles) == ["sex", "race", "sex×race"]
    grid = intersection_table(profiles["sex×race"], value="count")
    assert grid.loc["F", "A"] == 4 and grid.loc["F", "B"] == 1 and grid.loc["M", "B"] == 1
    rates = intersection_table(profiles["sex×race"])
    assert rates.loc["F", "A"] == pytest.approx(2 / 4)
    with pytest.raises(ValueError, match="not an intersection"):
        intersection_table(profiles["sex"])


def test_missing_by_column_lists_only_columns_with_gaps() -> None:
    frame = pd.DataFrame({"a": [1, None, None], "b": [1, 2, 3], "c": ["x", None, "z"]})
    table = missing_by_column(frame)
    assert table["column"].tolist() == ["a", "c"]
    assert table["missing"].tolist() == [2, 1]
    assert table["share"].tolist() == pytest.approx([2 / 3, 1 / 3])
