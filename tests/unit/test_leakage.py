from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from fairlab.data.bundled import data_dir, load_bundled
from fairlab.data.csv import read_csv
from fairlab.leakage import (
    AUC_THRESHOLD,
    DETERMINISTIC_WARNING,
    FILLED_AFTER_WARNING,
    NAMED_LIKE_OUTCOME_WARNING,
    NAMED_LIKE_OUTPUT_WARNING,
    LeakageFinding,
    check_leakage,
)
from fairlab.spec import AuditSpec


def _frame(n: int = 2000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    return pd.DataFrame(
        {
            "outcome": y,
            "honest": rng.normal(size=n) + 0.5 * y,
            "copy": np.where(y == 1, "yes", "no"),
            "noisy_copy": np.where(rng.random(n) < 0.99, y, 1 - y) * 10.0,
            "name": [f"person {i}" for i in range(n)],
            "filled_after": np.where(y == 1, rng.integers(1, 400, n), np.nan),
            "bucket": np.where(y == 1, rng.choice(["a", "b"], n), rng.choice(["c", "d"], n)),
            "risk_score": rng.random(n),
            "outcome_flag": rng.integers(0, 2, n),
        }
    )


def _spec(frame: pd.DataFrame) -> AuditSpec:
    features = tuple(c for c in frame.columns if c != "outcome")
    return AuditSpec(target="outcome", positive_label=1, sensitive=(), features=features)


@pytest.fixture(scope="module")
def findings() -> dict[str, LeakageFinding]:
    frame = _frame()
    return {finding.column: finding for finding in check_leakage(frame, _spec(frame))}


def test_honest_feature_and_row_memorising_names_are_not_flagged(findings) -> None:
    assert "honest" not in findings
    assert "name" not in findings


def test_copies_of_the_outcome_are_flagged_with_their_auc(findings) -> None:
    assert findings["copy"].reason == "predicts"
    assert findings["noisy_copy"].reason == "predicts"
    frame = _frame()
    independent = roc_auc_score(frame["outcome"], frame["noisy_copy"])
    assert findings["noisy_copy"].auc == pytest.approx(independent, abs=0.005)
    assert findings["noisy_copy"].auc >= AUC_THRESHOLD


def test_a_column_filled_only_after_a_positive_outcome_is_flagged(findings) -> None:
    frame = _frame()
    finding = findings["filled_after"]
    # The AUC of "is filled in" alone is 1, so the histogram model catches it first.
    assert finding.reason == "predicts"
    assert finding.auc == pytest.approx(1.0)
    sparse = frame.assign(
        filled_after=np.where(
            (frame["outcome"] == 1) & (np.arange(len(frame)) % 3 == 0), 5.0, np.nan
        )
    )
    (only,) = check_leakage(sparse, _spec(sparse), columns=["filled_after"])
    share = (sparse["filled_after"].notna().sum()) / (sparse["outcome"] == 1).sum()
    assert only.message == FILLED_AFTER_WARNING.format(
        column="filled_after", outcome="1", share=share
    )


def test_a_many_to_one_mapping_is_deterministic(findings) -> None:
    assert findings["bucket"].reason in ("predicts", "deterministic")
    frame = _frame()
    # With AUC out of reach (threshold above 1), the mapping is still named as such.
    (only,) = check_leakage(frame, _spec(frame), columns=["bucket"], auc_threshold=1.1)
    assert only.message == DETERMINISTIC_WARNING.format(column="bucket", target="outcome")


def test_names_like_an_output_or_the_outcome_are_flagged(findings) -> None:
    assert findings["risk_score"].message == NAMED_LIKE_OUTPUT_WARNING.format(column="risk_score")
    assert findings["outcome_flag"].message == NAMED_LIKE_OUTCOME_WARNING.format(
        column="outcome_flag", target="outcome", word="outcome"
    )


def test_findings_come_in_column_order_one_each(findings) -> None:
    frame = _frame()
    order = [c for c in frame.columns if c in findings]
    assert list(findings) == order


def test_nothing_to_check_gives_no_findings() -> None:
    frame = _frame()
    assert check_leakage(frame, _spec(frame).replace(target="nope")) == ()
    one_class = frame.assign(outcome=1)
    assert check_leakage(one_class, _spec(one_class)) == ()


def test_bundled_default_features_raise_no_finding_and_neither_does_all_of_adult() -> None:
    for name in ("adult", "german", "compas"):
        frame, spec = load_bundled(name)
        assert check_leakage(frame, spec) == (), name
    frame, spec = load_bundled("adult")
    every = spec.replace(features=tuple(c for c in frame.columns if c != spec.target))
    assert check_leakage(frame, every) == ()


def test_raw_compas_siblings_of_the_outcome_are_flagged() -> None:
    frame = read_csv(data_dir() / "compas-scores-two-years.csv.gz").frame
    spec = AuditSpec(
        target="two_year_recid",
        positive_label=1,
        sensitive=("race",),
        features=tuple(c for c in frame.columns if c != "two_year_recid"),
    )
    flagged = {finding.column for finding in check_leakage(frame, spec)}
    assert {"is_recid", "decile_score", "score_text", "r_charge_degree", "r_charge_desc"} <= flagged
    assert not flagged & {"age", "priors_count", "juv_fel_count", "c_charge_degree", "sex"}
