"""Monte-Carlo validation of FairLab's intervals and verdicts on populations of known truth.

Each dataset is drawn as counts: one multinomial draw of the four confusion cells (tn, fp,
fn, tp) per group, from shares that fix the true rates; the real :func:`assess_counts`
path then assesses it. Everything is seeded, so a run is reproducible.

Monte-Carlo error: with ``R`` datasets, an observed proportion has standard error
``sqrt(p (1 − p) / R)``. At ``R = 250`` that is 0.014 at p = 0.05 and 0.016 at p = 0.93, so
the bounds below (*fails* ≤ 5 %, coverage ≥ 93 %) are asserted on the observed share
directly, which is stricter than allowing for that error: a method whose true rate sat
exactly at a bound would fail about half the time, so these pass only because the true
rates are well inside them. A failing assertion shows the measured share.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from fairlab.fairness import FairnessConfig, assess_counts

DATASETS = 250
"""Datasets per scenario: standard error 0.014 on a 5 % share, 0.016 on a 93 % share."""

EQUAL_DIFFERENCES = (
    "equal_opportunity_difference",
    "equalized_odds_difference",
    "demographic_parity_difference",
    "predictive_parity_difference",
)
EQUAL_RATIOS = tuple(name.replace("difference", "ratio") for name in EQUAL_DIFFERENCES)
EQUAL_SHARES = np.array([0.35, 0.15, 0.15, 0.35])  # tn, fp, fn, tp: TPR 0.7, FPR 0.3


def _counts(cells: np.ndarray) -> dict[str, pd.DataFrame]:
    return {
        "g": pd.DataFrame(
            {
                "group": [f"group {i:02d}" for i in range(cells.shape[0])],
                "tn": cells[:, 0],
                "fp": cells[:, 1],
                "fn": cells[:, 2],
                "tp": cells[:, 3],
            }
        )
    }


def _draw(rng: np.random.Generator, sizes: np.ndarray, shares: np.ndarray) -> np.ndarray:
    return np.stack([rng.multinomial(n, s) for n, s in zip(sizes, shares, strict=True)])


@pytest.mark.parametrize("n_groups", [2, 5, 10, 20])
@pytest.mark.parametrize("per_group", [50, 300, 2000])
def test_truly_equal_groups_rarely_fail_and_intervals_cover_zero(
    n_groups: int, per_group: int
) -> None:
    """Equal groups: *fails* in ≤ 5 % and the interval covers the true 0 (or 1) in ≥ 93 %.

    250 datasets per scenario (standard error 0.014 on 5 %, 0.016 on 93 %).
    """
    rng = np.random.default_rng([n_groups, per_group])
    sizes = np.full(n_groups, per_group)
    shares = np.tile(EQUAL_SHARES, (n_groups, 1))
    fails = dict.fromkeys(EQUAL_DIFFERENCES + EQUAL_RATIOS, 0)
    covered = dict.fromkeys(EQUAL_DIFFERENCES + EQUAL_RATIOS, 0)
    for _ in range(DATASETS):
        table = assess_counts(_counts(_draw(rng, sizes, shares))).disparities["g"]
        rows = table.loc[list(fails), ["verdict", "value", "ci_low", "ci_high"]].to_dict("index")
        for name, row in rows.items():
            fails[name] += row["verdict"] == "fails"
            truth = 0.0 if name.endswith("difference") else 1.0
            covered[name] += row["ci_low"] <= truth <= row["ci_high"]
            assert row["ci_low"] <= row["value"] <= row["ci_high"], name
    for name in fails:
        assert fails[name] / DATASETS <= 0.05, (name, fails[name] / DATASETS)
        assert covered[name] / DATASETS >= 0.93, (name, covered[name] / DATASETS)


@pytest.mark.parametrize("n_groups", [2, 5])
def test_a_true_gap_of_0_4_with_200_per_group_fails(n_groups: int) -> None:
    """A true selection-rate and true-positive-rate gap of 0.4 between two groups (of
    ``n_groups``, 200 rows each, tolerance 0.1): *fails* in ≥ 95 % of 250 datasets, and the
    difference interval covers the true 0.4 in ≥ 93 % (standard errors 0.014, 0.016)."""
    rng = np.random.default_rng(40 + n_groups)
    sizes = np.full(n_groups, 200)
    low = np.array([0.45, 0.05, 0.35, 0.15])  # selection 0.2, TPR 0.3
    high = np.array([0.25, 0.25, 0.15, 0.35])  # selection 0.6, TPR 0.7
    shares = np.array([high] + [low] * (n_groups - 1))
    fails = dict.fromkeys(("demographic_parity_difference", "equal_opportunity_difference"), 0)
    covered = dict.fromkeys(fails, 0)
    for _ in range(DATASETS):
        table = assess_counts(_counts(_draw(rng, sizes, shares))).disparities["g"]
        for name in fails:
            row = table.loc[name]
            fails[name] += row["verdict"] == "fails"
            covered[name] += row["ci_low"] <= 0.4 <= row["ci_high"]
            assert row["pair"][0] == "group 00" or row["verdict"] != "fails"
    for name in fails:
        assert fails[name] / DATASETS >= 0.95, (name, fails[name] / DATASETS)
        assert covered[name] / DATASETS >= 0.93, (name, covered[name] / DATASETS)


@pytest.mark.parametrize("cases", [5, 10])
@pytest.mark.parametrize("gap", [0.0, 0.6])
def test_groups_with_5_or_10_cases_never_get_a_confident_verdict(cases: int, gap: float) -> None:
    """Denominators of 5 or 10 (below ``min_cases`` = 30): never *passes* or *fails*, with
    equal rates or a true gap of 0.6, over 250 datasets of 5 groups; each too-small group
    is listed with its count."""
    rng = np.random.default_rng([cases, int(gap * 10)])
    rates = np.array([0.2 + gap] + [0.2] * 4)
    verdicts: set[str] = set()
    for _ in range(DATASETS):
        # Every group: `cases` rows, all positive, so every rate's denominator is ≤ cases.
        tp = rng.binomial(cases, rates)
        cells = np.column_stack([np.zeros(5), np.zeros(5), cases - tp, tp]).astype(int)
        table = assess_counts(_counts(cells)).disparities["g"]
        for name in ("demographic_parity", "equal_opportunity", "error_rate_parity"):
            for kind in ("difference", "ratio"):
                row = table.loc[f"{name}_{kind}"]
                verdicts.add(row["verdict"])
                assert len(row["too_small"]) == 5
                assert all(count <= cases for _, _, count in row["too_small"])
    assert verdicts <= {"insufficient evidence", "undefined"}


@pytest.mark.parametrize("trials", [10, 25, 60, 400, 2000])
def test_group_rate_intervals_cover_from_0_01_to_0_99(trials: int) -> None:
    """Per-group rate intervals cover the true rate in ≥ 93 % for rates 0.01 to 0.99.

    One call assesses 250 groups of the same true rate (each group an independent dataset),
    so each (rate, denominator) cell rests on 250 datasets (standard error 0.016 at 93 %).
    The denominator of the true positive rate is the number of positives, fixed here.
    """
    rng = np.random.default_rng(trials)
    for rate in (0.01, 0.05, 0.2, 0.5, 0.8, 0.95, 0.99):
        tp = rng.binomial(trials, rate, size=DATASETS)
        cells = np.column_stack(
            [np.full(DATASETS, 5), np.zeros(DATASETS), trials - tp, tp]
        ).astype(int)
        table = assess_counts(
            _counts(cells), config=FairnessConfig(comparison="overall")
        ).by_group["g"]
        low, high = table["true_positive_rate_low"], table["true_positive_rate_high"]
        coverage = float(((low <= rate) & (rate <= high)).mean())
        assert coverage >= 0.93, (rate, trials, coverage)
        point = table["true_positive_rate"]
        assert ((low <= point) & (point <= high)).all()


def test_clopper_pearson_coverage_is_at_least_nominal_exactly() -> None:
    """The exact coverage of the group interval, summed over the binomial distribution for
    every rate 0.01–0.99 (step 0.01) and several denominators from 10: at least 0.95 (no
    Monte-Carlo error; the chosen interval's guarantee, measured on the real path)."""
    for trials in (10, 17, 30, 100):
        successes = np.arange(trials + 1)
        cells = np.column_stack(
            [np.full(trials + 1, 5), np.zeros(trials + 1), trials - successes, successes]
        ).astype(int)
        table = assess_counts(
            _counts(cells), config=FairnessConfig(comparison="overall")
        ).by_group["g"]
        low = table["true_positive_rate_low"].to_numpy()
        high = table["true_positive_rate_high"].to_numpy()
        rates = np.arange(1, 100) / 100
        weights = stats.binom.pmf(successes[None, :], trials, rates[:, None])
        inside = (low[None, :] <= rates[:, None]) & (rates[:, None] <= high[None, :])
        assert (weights * inside).sum(axis=1).min() >= 0.95 - 1e-9, trials


def test_every_interval_contains_its_point_estimate_on_unequal_random_groups() -> None:
    """Random group sizes (1 to 500 rows) and random cell shares, 100 datasets, every
    comparison mode: each disparity's and each driving comparison's interval contains its
    point, and each group rate's interval too."""
    rng = np.random.default_rng(7)
    for seed in range(100):
        n_groups = int(rng.integers(2, 12))
        sizes = rng.integers(1, 500, n_groups)
        shares = rng.dirichlet(np.ones(4), n_groups)
        counts = _counts(_draw(rng, sizes, shares))
        comparison = ("between_groups", "reference", "overall")[seed % 3]
        config = FairnessConfig(
            comparison=comparison,
            reference_groups=(("g", "group 00"),) if comparison == "reference" else (),
        )
        result = assess_counts(counts, config=config)
        table = result.disparities["g"]
        defined = table[table["verdict"] != "undefined"]
        assert (defined["ci_low"] <= defined["value"]).all()
        assert (defined["value"] <= defined["ci_high"]).all()
        assert (defined["pair_ci_low"] <= defined["pair_value"]).all()
        assert (defined["pair_value"] <= defined["pair_ci_high"]).all()
        groups = result.by_group["g"]
        for metric in ("selection_rate", "true_positive_rate", "positive_predictive_value"):
            has = groups[metric].notna()
            assert (groups.loc[has, f"{metric}_low"] <= groups.loc[has, metric]).all()
            assert (groups.loc[has, metric] <= groups.loc[has, f"{metric}_high"]).all()
