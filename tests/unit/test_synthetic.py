"""Tests for fairlab.data.synthetic: each knob produces its bias, and worlds are reproducible."""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import pytest

from fairlab.data.synthetic import (
    AGE_BAND_COLUMN,
    BOUNDS,
    GROUP_COLUMN,
    MINORITY_GROUP,
    NEGATIVE_LABEL,
    POSITIVE_LABEL,
    SCENARIOS,
    WorldConfig,
    WorldConfigError,
    generate_world,
)
from fairlab.errors import FairLabError

N = 20_000
PROXIES = {"lending": "neighbourhood_score", "hiring": "postcode_index"}
# Two features per scenario that are linear in (ability + measurement noise).
LINEAR_PAIRS = {
    "lending": (("credit_score", False), ("annual_income_k", True)),
    "hiring": (("aptitude_test_score", False), ("interview_score", False)),
}


def positive(series: pd.Series) -> np.ndarray:
    return (series == POSITIVE_LABEL).to_numpy()


def base_rates(labels: pd.Series, groups: pd.Series) -> dict[str, float]:
    return pd.Series(positive(labels)).groupby(groups.to_numpy()).mean().to_dict()


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_default_world_is_valid_and_unbiased(scenario: str) -> None:
    world = generate_world(WorldConfig(scenario=scenario, n_rows=N))
    frame, spec = world.frame, world.spec
    assert len(frame) == N
    assert not [p for p in spec.validate(frame) if p.severity == "error"]
    assert spec.sensitive == (GROUP_COLUMN,)
    assert GROUP_COLUMN not in spec.features
    assert set(spec.features) | {spec.target, GROUP_COLUMN} == set(frame.columns)
    assert set(frame[spec.target]) == {POSITIVE_LABEL, NEGATIVE_LABEL}
    assert (world.true_labels == frame[spec.target]).all()
    rates = base_rates(frame[spec.target], frame[GROUP_COLUMN])
    assert abs(rates["A"] - rates["B"]) <= 0.01
    assert abs(frame[GROUP_COLUMN].eq(MINORITY_GROUP).mean() - 0.5) <= 0.001
    assert abs(np.corrcoef(frame[PROXIES[scenario]], frame[GROUP_COLUMN].eq("A"))[0, 1]) < 0.03
    assert any("no label bias" in line for line in world.description)


@pytest.mark.parametrize("share", [0.05, 0.2, 0.5])
def test_minority_share_sets_group_sizes(share: float) -> None:
    world = generate_world(WorldConfig(n_rows=N, minority_share=share))
    realised = world.frame[GROUP_COLUMN].eq(MINORITY_GROUP).mean()
    assert abs(realised - share) <= 0.02
    assert world.realised["minority_share"] == pytest.approx(realised)


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("gap", [0.1, 0.3, 0.6])
def test_base_rate_gap_sets_true_base_rates(scenario: str, gap: float) -> None:
    world = generate_world(
        WorldConfig(scenario=scenario, n_rows=N, minority_share=0.2, base_rate_gap=gap)
    )
    rates = base_rates(world.true_labels, world.frame[GROUP_COLUMN])
    assert abs((rates["A"] - rates["B"]) - gap) <= 0.03
    assert world.realised["base_rate_gap"] == pytest.approx(rates["A"] - rates["B"])
    assert any(f"set to {gap:.2f}" in line for line in world.description)


def test_base_rate_gap_shows_in_features() -> None:
    world = generate_world(WorldConfig(n_rows=N, base_rate_gap=0.4))
    means = world.frame.groupby(GROUP_COLUMN)["credit_score"].mean()
    assert means["A"] > means["B"] + 20


@pytest.mark.parametrize("bias", [0.1, 0.3, 0.9])
def test_label_bias_flips_share_of_minority_positives(bias: float) -> None:
    world = generate_world(WorldConfig(n_rows=N, minority_share=0.3, label_bias=bias))
    frame, spec = world.frame, world.spec
    true = positive(world.true_labels)
    observed = positive(frame[spec.target])
    minority = frame[GROUP_COLUMN].eq(MINORITY_GROUP).to_numpy()
    assert not (observed & ~true).any(), "label bias only records positives as negative"
    assert (observed[~minority] == true[~minority]).all(), "group A's labels are untouched"
    flipped_share = (true & ~observed & minority).sum() / (true & minority).sum()
    assert abs(flipped_share - bias) <= 0.03
    assert world.realised["label_bias"] == pytest.approx(flipped_share)
    assert spec.validate(frame.assign(**{spec.target: world.true_labels})) == spec.validate(frame)


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("strength", [0.2, 0.6, 0.95])
def test_proxy_correlation_is_as_set(scenario: str, strength: float) -> None:
    world = generate_world(
        WorldConfig(scenario=scenario, n_rows=N, minority_share=0.1, proxy_strength=strength)
    )
    proxy = world.frame[PROXIES[scenario]]
    correlation = np.corrcoef(proxy, world.frame[GROUP_COLUMN].eq("A"))[0, 1]
    assert abs(correlation - strength) <= 0.05
    assert world.realised["proxy_correlation"] == pytest.approx(correlation)
    assert PROXIES[scenario] in world.spec.features


def test_proxy_says_nothing_but_the_group() -> None:
    world = generate_world(WorldConfig(n_rows=N, proxy_strength=0.8, base_rate_gap=0.0))
    frame = world.frame
    for group, members in frame.groupby(GROUP_COLUMN):
        correlation = np.corrcoef(members["neighbourhood_score"], positive(members["repaid"]))
        assert abs(correlation[0, 1]) < 0.05, group


def measured_noise_sd(members: pd.DataFrame, scenario: str) -> float:
    """Noise spread implied by the correlation of two measurements of the same ability.

    Within a group ability has unit variance, so corr = 1 / (1 + sd²).
    """
    values = [
        np.log(members[name]) if logged else members[name]
        for name, logged in LINEAR_PAIRS[scenario]
    ]
    correlation = np.corrcoef(*values)[0, 1]
    return math.sqrt(1 / correlation - 1)


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("noise_gap", [0.0, 0.5, 1.5])
def test_noise_gap_adds_measurement_noise_to_minority(scenario: str, noise_gap: float) -> None:
    world = generate_world(WorldConfig(scenario=scenario, n_rows=N, noise_gap=noise_gap))
    by_group = {
        group: measured_noise_sd(members, scenario)
        for group, members in world.frame.groupby(GROUP_COLUMN)
    }
    assert by_group["A"] == pytest.approx(0.5, abs=0.05)
    assert abs((by_group["B"] - by_group["A"]) - noise_gap) <= 0.1
    assert world.realised["noise_gap"] == pytest.approx(noise_gap, abs=0.03)


def test_knobs_change_only_their_own_part() -> None:
    base = generate_world(WorldConfig(n_rows=2000))
    with_proxy = generate_world(WorldConfig(n_rows=2000, proxy_strength=0.7))
    with_age = generate_world(WorldConfig(n_rows=2000, include_age_band=True))
    changed = [c for c in base.frame if not base.frame[c].equals(with_proxy.frame[c])]
    assert changed == ["neighbourhood_score"]
    pd.testing.assert_frame_equal(with_age.frame.drop(columns=AGE_BAND_COLUMN), base.frame)


def test_age_band_is_a_second_sensitive_attribute() -> None:
    world = generate_world(WorldConfig(scenario="hiring", n_rows=N, include_age_band=True))
    assert world.spec.sensitive == (GROUP_COLUMN, AGE_BAND_COLUMN)
    assert AGE_BAND_COLUMN not in world.spec.features
    assert not [p for p in world.spec.validate(world.frame) if p.severity == "error"]
    rates = base_rates(world.true_labels, world.frame[AGE_BAND_COLUMN])
    assert max(rates.values()) - min(rates.values()) < 0.04


def test_sensitive_as_feature() -> None:
    world = generate_world(
        WorldConfig(n_rows=500, include_age_band=True), sensitive_as_feature=True
    )
    assert world.spec.features[:2] == (GROUP_COLUMN, AGE_BAND_COLUMN)


def test_same_seed_same_world_other_seed_other_world() -> None:
    config = WorldConfig(
        scenario="hiring",
        n_rows=3000,
        seed=7,
        minority_share=0.2,
        base_rate_gap=0.2,
        label_bias=0.2,
        proxy_strength=0.5,
        noise_gap=0.5,
        include_age_band=True,
    )
    first, second = generate_world(config), generate_world(config)
    pd.testing.assert_frame_equal(first.frame, second.frame)
    pd.testing.assert_series_equal(first.true_labels, second.true_labels)
    assert first.description == second.description
    other = generate_world(WorldConfig(**{**config.__dict__, "seed": 8}))
    assert not other.frame.equals(first.frame)


def test_description_names_every_injected_bias_with_its_numbers() -> None:
    world = generate_world(
        WorldConfig(
            n_rows=N,
            minority_share=0.25,
            base_rate_gap=0.2,
            label_bias=0.15,
            proxy_strength=0.6,
            noise_gap=0.8,
        )
    )
    text = "\n".join(world.description)
    for phrase in (
        "Under-representation",
        "25.0%",
        "Historical inequality",
        "gap of 0.20",
        "Label bias",
        "15.0%",
        "Proxy",
        "0.60",
        "Unequal measurement",
        "set to 0.80",
    ):
        assert phrase in text
    assert "debias" not in text.lower() and "fair model" not in text.lower()


def test_config_is_hashable_and_round_trips_query_params() -> None:
    config = WorldConfig(
        scenario="hiring",
        n_rows=1234,
        seed=99,
        minority_share=0.15,
        base_rate_gap=0.123,
        label_bias=0.3,
        proxy_strength=0.7,
        noise_gap=1.25,
        include_age_band=True,
    )
    params = config.to_query_params()
    assert all(isinstance(v, str) for v in params.values())
    assert WorldConfig.from_query_params(params) == config
    assert hash(WorldConfig.from_query_params(params)) == hash(config)
    assert WorldConfig.from_query_params({}) == WorldConfig()
    assert WorldConfig.from_query_params({"page": "x", "seed": ["1", "2"]}).seed == 2


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"n_rows": "many"}, "'n_rows' to 'many', which is not a whole number"),
        ({"label_bias": "lots"}, "'label_bias' to 'lots', which is not a number"),
        ({"include_age_band": "maybe"}, "use 1 \\(on\\) or 0 \\(off\\)"),
        ({"scenario": "policing"}, "'scenario' setting must be one of"),
        ({"proxy_strength": "1.5"}, "'proxy_strength' setting .* from 0 to 0.95"),
        ({"n_rows": "5.5"}, "not a whole number"),
    ],
)
def test_invalid_query_params_say_what_to_do(params: dict[str, str], match: str) -> None:
    with pytest.raises(WorldConfigError, match=match) as caught:
        WorldConfig.from_query_params(params)
    assert isinstance(caught.value, FairLabError)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("n_rows", 10),
        ("n_rows", 100.0),
        ("seed", -1),
        ("minority_share", 0.6),
        ("base_rate_gap", -0.1),
        ("label_bias", float("nan")),
        ("noise_gap", 3),
        ("proxy_strength", True),
    ],
)
def test_out_of_range_settings_are_refused(name: str, value: object) -> None:
    low, high = (f"{int(b):,}" if name in ("n_rows", "seed") else f"{b:g}" for b in BOUNDS[name])
    with pytest.raises(WorldConfigError, match=rf"'{name}' setting .* from {low} to {high}\."):
        WorldConfig(**{name: value})


def test_generate_world_needs_a_config() -> None:
    with pytest.raises(WorldConfigError, match="Pass a WorldConfig"):
        generate_world({"n_rows": 100})  # type: ignore[arg-type]


def test_small_world_still_valid() -> None:
    world = generate_world(WorldConfig(n_rows=100, minority_share=0.05, label_bias=0.9))
    assert world.frame[GROUP_COLUMN].eq(MINORITY_GROUP).sum() == 5
    assert not [p for p in world.spec.validate(world.frame) if p.severity == "error"]


def test_hundred_thousand_rows_is_fast() -> None:
    generate_world(WorldConfig(n_rows=1000))
    config = WorldConfig(n_rows=100_000, label_bias=0.2, proxy_strength=0.5, include_age_band=True)
    elapsed = min(_timed(config) for _ in range(2))
    assert elapsed < 0.5


def _timed(config: WorldConfig) -> float:
    start = time.perf_counter()
    generate_world(config)
    return time.perf_counter() - start
