from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairlab.audit_data import AuditData
from fairlab.errors import FairLabError, ModelError
from fairlab.spec import AuditSpec
from fairlab.split import (
    CLASS_TOO_SMALL_ERROR,
    RANDOM_STATE_ERROR,
    SPLIT_SIZES_ERROR,
    TEST_SIZE_ERROR,
    TOO_FEW_ROWS_ERROR,
    Split,
    SplitConfig,
    split_audit_data,
)

_SPEC = AuditSpec("y", 1, ("sex", "race"), ("x",))


def _data(y: list[int] | np.ndarray, sex: list[str], race: list[str] | None = None) -> AuditData:
    y = np.asarray(y, dtype=np.int8)
    race = race if race is not None else ["a"] * len(y)
    return AuditData(
        X=pd.DataFrame({"x": np.arange(len(y), dtype=float)}),
        y_true=y,
        sensitive_features=pd.DataFrame({"sex": pd.Categorical(sex), "race": pd.Categorical(race)}),
        y_pred=None,
        y_score=np.linspace(0, 1, len(y)),
        spec=_SPEC,
    )


def _balanced(n: int = 400, seed: int = 0) -> AuditData:
    rng = np.random.default_rng(seed)
    return _data(
        rng.integers(0, 2, n),
        rng.choice(["F", "M"], n).tolist(),
        rng.choice(["a", "b", "c"], n, p=[0.6, 0.3, 0.1]).tolist(),
    )


@pytest.mark.parametrize(
    "value", [1.5, 0, 1, 0.0, 1.0, -0.2, math.nan, math.inf, "0.3", True, None]
)
def test_test_size_must_be_a_float_in_the_open_unit_interval(value: object) -> None:
    with pytest.raises(ModelError, match=re.escape(TEST_SIZE_ERROR.format(value=value))):
        SplitConfig(test_size=value)  # type: ignore[arg-type]


def test_test_size_message_is_in_the_sklearn_shape() -> None:
    with pytest.raises(FairLabError) as info:
        SplitConfig(test_size=1.5)
    assert (
        str(info.value) == "The 'test_size' parameter must be a float in (0, 1). Got 1.5 instead."
    )


@pytest.mark.parametrize("value", [-1, 2**32, 1.5, "0", True])
def test_random_state_must_be_a_non_negative_int(value: object) -> None:
    message = RANDOM_STATE_ERROR.format(high=2**32 - 1, value=value)
    with pytest.raises(ModelError, match=re.escape(message)):
        SplitConfig(random_state=value)  # type: ignore[arg-type]


def test_config_is_frozen_hashable_and_normalised() -> None:
    config = SplitConfig(test_size=np.float64(0.25), random_state=np.int64(3))
    assert type(config.test_size) is float and type(config.random_state) is int
    assert config == SplitConfig(0.25, 3) and hash(config) == hash(SplitConfig(0.25, 3))
    with pytest.raises(AttributeError):
        config.test_size = 0.5  # type: ignore[misc]


def test_split_partitions_the_rows() -> None:
    data = _balanced(400)
    split = split_audit_data(data, SplitConfig(test_size=0.3))
    assert split.test_rows.size == math.ceil(0.3 * 400) and split.train_rows.size == 280
    assert np.intersect1d(split.train_rows, split.test_rows).size == 0
    assert np.array_equal(np.union1d(split.train_rows, split.test_rows), np.arange(400))
    assert np.all(np.diff(split.train_rows) > 0) and np.all(np.diff(split.test_rows) > 0)
    assert not split.train_rows.flags.writeable
    assert split.n_rows == 400 and split.merged_rows == 0


def test_train_and_test_are_the_audit_restricted_to_their_rows() -> None:
    data = _balanced(100)
    split = split_audit_data(data)
    train, test = split.train(data), split.test(data)
    assert train.n_rows + test.n_rows == 100
    assert train.X["x"].tolist() == split.train_rows.astype(float).tolist()
    assert np.array_equal(test.y_true, data.y_true[split.test_rows])
    assert np.array_equal(test.y_score, data.y_score[split.test_rows])
    assert test.sensitive_features["sex"].tolist() == (
        data.sensitive_features["sex"].iloc[split.test_rows].tolist()
    )
    with pytest.raises(ValueError, match="split is of 100 rows, but the data has 50"):
        split.train(data.subset(np.arange(50)))


def test_every_outcome_and_group_stratum_keeps_its_share() -> None:
    data = _balanced(1000, seed=1)
    split = split_audit_data(data, SplitConfig(test_size=0.3, random_state=5))
    in_test = np.zeros(data.n_rows, dtype=bool)
    in_test[split.test_rows] = True
    strata = pd.DataFrame(
        {
            "y": data.y_true,
            "sex": data.sensitive_features["sex"].astype(str),
            "race": data.sensitive_features["race"].astype(str),
            "test": in_test,
        }
    )
    for _, stratum in strata.groupby(["y", "sex", "race"]):
        expected = 0.3 * len(stratum)
        assert abs(stratum["test"].sum() - expected) <= 1, (len(stratum), stratum["test"].sum())


def test_same_seed_same_split_and_other_seed_other_split() -> None:
    data = _balanced(200)
    first = split_audit_data(data, SplitConfig(random_state=7))
    again = split_audit_data(data, SplitConfig(random_state=7))
    other = split_audit_data(data, SplitConfig(random_state=8))
    assert np.array_equal(first.test_rows, again.test_rows)
    assert not np.array_equal(first.test_rows, other.test_rows)


def test_rare_groups_are_pooled_instead_of_failing() -> None:
    n = 60
    sex = ["F", "M"] * 29 + ["X", "Y"]  # X and Y: one row each
    race = ["a"] * 57 + ["b", "b", "b"]  # three rows, too few for both sets at 0.3
    y = [0, 1] * 30
    split = split_audit_data(_data(y, sex, race))
    assert split.n_rows == n
    assert split.merged_rows >= 2
    y_test = np.asarray(y)[split.test_rows]
    assert abs(y_test.sum() - 0.3 * 30) <= 1  # still stratified by outcome


def test_every_row_its_own_group_still_stratifies_the_outcome() -> None:
    n = 100
    y = np.array([1] * 20 + [0] * 80)
    split = split_audit_data(_data(y, [f"g{i}" for i in range(n)]), SplitConfig(0.25))
    assert split.merged_rows == n
    assert y[split.test_rows].sum() == 5


def test_more_strata_than_test_rows_are_pooled() -> None:
    # 12 strata of 4 rows each (enough alone), but only 10 test rows at test_size 0.2.
    n = 48
    sex = [f"g{i // 8}" for i in range(n)]
    y = [i % 2 for i in range(n)]
    split = split_audit_data(_data(y, sex), SplitConfig(test_size=0.2))
    assert split.test_rows.size == 10
    assert split.merged_rows > 0


def test_too_few_rows_is_refused() -> None:
    with pytest.raises(ModelError, match=re.escape(TOO_FEW_ROWS_ERROR.format(n=9))):
        split_audit_data(_data([0, 1] * 4 + [1], ["F"] * 9))


def test_an_outcome_with_one_row_is_refused() -> None:
    message = CLASS_TOO_SMALL_ERROR.format(count=1, outcome="positive")
    with pytest.raises(ModelError, match=re.escape(message)):
        split_audit_data(_data([1] + [0] * 19, ["F"] * 20))
    message = CLASS_TOO_SMALL_ERROR.format(count=0, outcome="negative")
    with pytest.raises(ModelError, match=re.escape(message)):
        split_audit_data(_data([1] * 20, ["F"] * 20))


def test_a_test_size_leaving_one_test_row_is_refused() -> None:
    message = SPLIT_SIZES_ERROR.format(n=10, test_size=0.05, part="test", size=1)
    with pytest.raises(ModelError, match=re.escape(message)):
        split_audit_data(_data([0, 1] * 5, ["F"] * 10), SplitConfig(test_size=0.05))
    message = SPLIT_SIZES_ERROR.format(n=10, test_size=0.95, part="training", size=0)
    with pytest.raises(ModelError, match=re.escape(message)):
        split_audit_data(_data([0, 1] * 5, ["F"] * 10), SplitConfig(test_size=0.95))


def test_split_is_plain_data() -> None:
    split = Split(train_rows=[2, 0], test_rows=[1], config=SplitConfig())
    assert split.train_rows.tolist() == [2, 0] and split.n_rows == 3


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(10, 120),
    n_groups=st.integers(1, 40),
    positive_share=st.floats(0.02, 0.98),
    test_size=st.floats(0.05, 0.9),
    seed=st.integers(0, 2**32 - 1),
)
def test_split_never_crashes_on_valid_data(
    n: int, n_groups: int, positive_share: float, test_size: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < positive_share).astype(np.int8)
    groups = [f"g{g}" for g in rng.integers(0, n_groups, n)]
    data = _data(y, groups, [f"r{g}" for g in rng.integers(0, 3, n)])
    n_test = math.ceil(test_size * n)
    try:
        split = split_audit_data(data, SplitConfig(test_size, seed % 1000))
    except ModelError:
        assert min(y.sum(), n - y.sum()) < 2 or min(n_test, n - n_test) < 2
        return
    assert split.test_rows.size == n_test
    assert np.array_equal(np.sort(np.r_[split.train_rows, split.test_rows]), np.arange(n))
    # Both outcomes are in both sets.
    assert set(y[split.train_rows].tolist()) == {0, 1}
    assert set(y[split.test_rows].tolist()) == {0, 1}


def test_an_extreme_test_size_still_leaves_both_outcomes_in_each_set() -> None:
    y = [0, 0] + [1] * 8
    split = split_audit_data(_data(y, ["F"] * 10), SplitConfig(test_size=0.75))
    assert split.train_rows.size == 2
    assert sorted(np.asarray(y)[split.train_rows].tolist()) == [0, 1]
    assert 0 in np.asarray(y)[split.test_rows]
