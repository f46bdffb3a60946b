"""The proxy detector finds planted proxies, ignores noise, and names German credit's."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from scipy.stats import entropy

from fairlab.data import infer_column_roles, load_bundled
from fairlab.errors import ModelError
from fairlab.explain.proxies import (
    ALL_FEATURES,
    CHANCE_AUC,
    PROXY_AUC_THRESHOLD,
    PROXY_COLUMNS,
    PROXY_LENGTH_ERROR,
    PROXY_ONE_GROUP_ERROR,
    proxy_strength,
)


def _planted(n: int = 1200, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    sex = rng.choice(["female", "male"], n)
    height = np.where(sex == "male", 178.0, 165.0) + rng.normal(0, 7, n)
    height[:30] = np.nan
    X = pd.DataFrame(
        {
            "title": pd.Series(np.where(sex == "male", "Mr", "Ms"), dtype="str"),
            "height": height,
            "noise": rng.normal(size=n),
            "colour": pd.Series(rng.choice(["red", "blue", "green"], n), dtype="str"),
            "customer_id": np.arange(n),
        }
    )
    return X, pd.Series(sex, name="sex")


def _roles(X: pd.DataFrame) -> dict[str, str]:
    return {info.name: info.role for info in infer_column_roles(X)}


@pytest.fixture(scope="module")
def planted() -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    X, sex = _planted()
    return X, sex, proxy_strength(X, sex, roles=_roles(X))


def test_a_copy_of_the_attribute_is_a_perfect_proxy(planted) -> None:
    _, _, table = planted
    assert table.loc["title", "roc_auc"] == pytest.approx(1.0)
    assert table.loc["title", "normalized_mutual_information"] == pytest.approx(1.0)
    assert table.loc["title", "likely_proxy"]


def test_noise_is_near_chance_and_not_flagged(planted) -> None:
    _, _, table = planted
    for feature in ("noise", "colour"):
        assert abs(table.loc[feature, "roc_auc"] - CHANCE_AUC) < 0.07
        assert not table.loc[feature, "likely_proxy"]
    assert table.loc["colour", "normalized_mutual_information"] < 0.01


def test_a_numeric_proxy_with_gaps_is_found(planted) -> None:
    _, _, table = planted
    assert table.loc["height", "roc_auc"] > 0.8
    assert table.loc["height", "likely_proxy"]
    assert np.isnan(table.loc["height", "normalized_mutual_information"])


def test_table_layout(planted) -> None:
    _, _, table = planted
    assert tuple(table.columns) == PROXY_COLUMNS
    assert table.index[0] == ALL_FEATURES
    assert table.loc[ALL_FEATURES, "role"] == "all"
    assert table.loc[ALL_FEATURES, "roc_auc"] >= 0.99
    singles = table.drop(index=ALL_FEATURES)["roc_auc"].to_numpy()
    assert (np.diff(singles) <= 0).all()
    assert (table["baseline"] == CHANCE_AUC).all()
    assert (table["metric"] == "ROC AUC").all()
    assert (table["likely_proxy"] == (table["roc_auc"] >= PROXY_AUC_THRESHOLD)).all()
    assert table.attrs["skipped"] == ["customer_id"]
    assert table.attrs["n_rows"] == 1200


def test_mutual_information_matches_a_hand_computation() -> None:
    rng = np.random.default_rng(5)
    groups = rng.choice(["a", "b"], 600)
    noisy = np.where(rng.random(600) < 0.8, groups, rng.choice(["a", "b", "c"], 600))
    X = pd.DataFrame({"proxy": pd.Series(noisy, dtype="str")})
    table = proxy_strength(X, pd.Series(groups), roles={"proxy": "categorical"})
    joint = pd.crosstab(groups, noisy).to_numpy() / 600
    h_groups = entropy(joint.sum(axis=1))
    h_proxy = entropy(joint.sum(axis=0))
    mutual = h_groups + h_proxy - entropy(joint.ravel())
    expected = mutual / ((h_groups + h_proxy) / 2)  # arithmetic normalisation
    assert table.loc["proxy", "normalized_mutual_information"] == pytest.approx(expected)


def test_several_groups_use_the_macro_one_vs_rest_auc() -> None:
    rng = np.random.default_rng(1)
    n = 900
    race = rng.choice(["a", "b", "c"], n)
    X = pd.DataFrame(
        {
            "district": pd.Series(np.char.add("d-", race), dtype="str"),
            "noise": rng.normal(size=n),
        }
    )
    table = proxy_strength(X, pd.Series(race), roles=_roles(X))
    assert (table["metric"] == "macro one-vs-rest ROC AUC").all()
    assert table.index[1] == "district"
    assert table.loc["district", "roc_auc"] == pytest.approx(1.0)
    assert abs(table.loc["noise", "roc_auc"] - 0.5) < 0.07


def test_german_credit_personal_status_gives_sex_away() -> None:
    frame, spec = load_bundled("german")
    X = frame[[*spec.features, "personal_status"]]
    table = proxy_strength(X, frame["sex"], roles=_roles(X))
    assert table.index[1] == "personal_status"
    assert table.loc["personal_status", "roc_auc"] > 0.99
    assert table.loc["personal_status", "likely_proxy"]
    assert table.drop(index=[ALL_FEATURES, "personal_status"])["likely_proxy"].sum() == 0


def test_rows_are_sampled_with_the_seed() -> None:
    X, sex = _planted(n=3000)
    first = proxy_strength(X, sex, roles=_roles(X), max_rows=500, random_state=3)
    again = proxy_strength(X, sex, roles=_roles(X), max_rows=500, random_state=3)
    assert first.attrs["n_rows"] == 500
    pd.testing.assert_frame_equal(first, again)


def test_missing_groups_and_rare_groups_are_left_out() -> None:
    X, sex = _planted(n=300)
    sex = sex.astype(object)
    sex.iloc[:10] = None
    sex.iloc[10:12] = "other"
    table = proxy_strength(X, sex, roles=_roles(X))
    assert table.attrs["n_rows"] == 288
    assert table.attrs["dropped_groups"] == ["other"]
    assert table.loc["title", "roc_auc"] == pytest.approx(1.0)


def test_one_group_is_refused() -> None:
    X, sex = _planted(n=100)
    message = PROXY_ONE_GROUP_ERROR.format(n_groups=1, cv=3)
    with pytest.raises(ModelError, match=re.escape(message)):
        proxy_strength(X, pd.Series(["female"] * 100), roles=_roles(X))


def test_inputs_are_checked() -> None:
    X, sex = _planted(n=100)
    message = PROXY_LENGTH_ERROR.format(n_sensitive=99, n_rows=100)
    with pytest.raises(ValueError, match=re.escape(message)):
        proxy_strength(X, sex.iloc[:99], roles=_roles(X))
    with pytest.raises(ValueError, match="The 'cv' parameter must be an int >= 2"):
        proxy_strength(X, sex, roles=_roles(X), cv=1)
    with pytest.raises(ModelError, match="No feature is numeric, categorical or yes/no"):
        proxy_strength(X[["customer_id"]], sex, roles=_roles(X))
