"""LIME in the user's features: encoding, determinism, the model's own output, stability."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from fairlab.audit_data import AuditData, build_audit_data
from fairlab.data import infer_column_roles, load_bundled
from fairlab.errors import ModelError
from fairlab.explain.lime_ import (
    LIME_NO_PROBABILITY_ERROR,
    LIME_NO_ROLE_ERROR,
    LIME_ROLE_ERROR,
    LIME_ROW_ERROR,
    MAX_FIDELITY_GAP,
    MIN_LIME_SAMPLES,
    MIN_LOCAL_R2,
    MISSING_CATEGORY,
    STABILITY_MARGIN_ERRORS,
    STABILITY_SEEDS,
    STABILITY_THRESHOLD,
    LimeExplainer,
    _fidelity_advice,
    estimate_lime_seconds,
    explain_lime,
    lime_stability,
)
from fairlab.models import ModelConfig, TrainedModel, train_model
from fairlab.spec import AuditSpec
from fairlab.split import SplitConfig, split_audit_data


@pytest.fixture(scope="module")
def german() -> tuple[AuditData, AuditData, dict[str, str]]:
    frame, spec = load_bundled("german")
    data = build_audit_data(frame, spec)
    roles = {info.name: info.role for info in infer_column_roles(frame[list(spec.features)])}
    split = split_audit_data(data, SplitConfig(test_size=0.3, random_state=0))
    return split.train(data), split.test(data), roles


@pytest.fixture(scope="module")
def model(german) -> TrainedModel:
    train, _, roles = german
    return train_model(train, ModelConfig("logistic_regression"), roles=roles)


@pytest.fixture(scope="module")
def explainer(german) -> LimeExplainer:
    train, _, roles = german
    return LimeExplainer(train.X, roles=roles)


def test_weights_are_indexed_by_user_features_only(german, model, explainer) -> None:
    train, test, roles = german
    result = explainer.explain(model, test.X.iloc[0], num_features=8)
    assert set(result.weights.index) <= set(train.X.columns)
    assert len(result.weights) == 8
    assert not result.weights.index.duplicated().any()
    magnitudes = result.weights.abs().to_numpy()
    assert (np.diff(magnitudes) <= 0).all()
    assert list(result.conditions) == list(train.X.columns)


def test_the_shortcut_matches_the_explainer(german, model, explainer) -> None:
    train, test, roles = german
    row = test.X.iloc[3]
    direct = explain_lime(model, train.X, row, roles=roles, num_samples=1000, random_state=4)
    built = explainer.explain(model, row, num_samples=1000, random_state=4)
    pd.testing.assert_series_equal(direct.weights, built.weights)
    assert direct.num_samples == 1000 and direct.random_state == 4


def test_same_seed_gives_identical_weights(german, model, explainer) -> None:
    row = german[1].X.iloc[1]
    first = explainer.explain(model, row, random_state=7)
    again = explainer.explain(model, row, random_state=7)
    pd.testing.assert_series_equal(first.weights, again.weights)
    assert first.score == again.score
    assert first.intercept == again.intercept


def test_another_seed_differs_a_little(german, model, explainer) -> None:
    row = german[1].X.iloc[1]
    first = explainer.explain(model, row, random_state=0).weights
    other = explainer.explain(model, row, random_state=1).weights
    assert not first.equals(other)
    shared = first.index.intersection(other.index)
    assert len(shared) >= 7
    assert np.abs(first[shared] - other[shared]).max() < 0.05


def test_model_prediction_is_the_pipelines_own(german, model, explainer) -> None:
    test = german[1]
    for position in (0, 5, 11):
        result = explainer.explain(model, test.X.iloc[position], num_samples=500)
        expected = model.pipeline.predict_proba(test.X.iloc[[position]])[0, 1]
        assert result.model_prediction == pytest.approx(expected, abs=1e-12)


def test_local_prediction_is_intercept_plus_weights(german, model, explainer) -> None:
    # Every condition holds for the explained row, so LIME's linear model predicts the
    # intercept plus the sum of the weights there.
    result = explainer.explain(model, german[1].X.iloc[2])
    total = result.intercept + result.weights.sum()
    assert result.local_prediction == pytest.approx(total, abs=1e-9)
    assert result.score <= 1.0


def test_conditions_read_as_values_not_codes(german, model, explainer) -> None:
    _, test, roles = german
    row = test.X.iloc[0]
    conditions = explainer.explain(model, row, num_samples=500).conditions
    for feature, condition in conditions.items():
        if roles[feature] == "numeric":
            pattern = rf"^({feature} <= [\d.e+-]+|[\d.e+-]+ < {feature} <= [\d.e+-]+|"
            pattern += rf"{feature} > [\d.e+-]+)$"
            assert re.match(pattern, condition), condition
        else:
            assert condition == f"{feature} = {row[feature]}"
    assert conditions["telephone"] in {"telephone = yes", "telephone = no"}


def test_encoding_round_trips_the_training_rows(german, explainer) -> None:
    train = german[0]
    encoded = explainer.encode(train.X)
    assert encoded.dtype == float and encoded.shape == train.X.shape
    decoded = explainer.decode(encoded)
    pd.testing.assert_frame_equal(decoded, train.X.reset_index(drop=True))


def _frame_with_gaps() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 300
    colour = rng.choice(["red", "blue", "green"], n).astype(object)
    colour[:20] = None
    income = rng.normal(50, 10, n)
    income[20:40] = np.nan
    owner = rng.choice([True, False], n)
    children = rng.integers(0, 4, n)
    score = (colour == "red") + (income > 50) + owner + 0.3 * children + rng.normal(0, 1, n)
    return pd.DataFrame(
        {
            "colour": pd.Series(colour, dtype="str"),
            "income": income,
            "owner": owner,
            "children": children,
            "group": rng.choice(["a", "b"], n),
            "outcome": np.where(score > np.median(score), "yes", "no"),
        }
    )


FEATURES = ("colour", "income", "owner", "children")


@pytest.fixture(scope="module")
def gaps() -> tuple[AuditData, dict[str, str], TrainedModel]:
    data = build_audit_data(_frame_with_gaps(), AuditSpec("outcome", "yes", ("group",), FEATURES))
    roles = {info.name: info.role for info in infer_column_roles(data.X)}
    return (
        data,
        roles,
        train_model(data, ModelConfig("random_forest", {"n_estimators": 20}), roles=roles),
    )


def test_missing_values_round_trip_as_documented(gaps) -> None:
    data, roles, _ = gaps
    assert roles == {
        "colour": "categorical",
        "income": "numeric",
        "owner": "boolean",
        "children": "numeric",
    }
    explainer = LimeExplainer(data.X, roles=roles)
    decoded = explainer.decode(explainer.encode(data.X))
    assert decoded["colour"].isna().sum() == 20
    pd.testing.assert_series_equal(decoded["colour"], data.X["colour"])
    pd.testing.assert_series_equal(decoded["owner"], data.X["owner"])
    pd.testing.assert_series_equal(decoded["children"], data.X["children"])
    median = data.X["income"].median()
    assert (decoded["income"].iloc[20:40] == median).all()
    observed = data.X["income"].notna()
    np.testing.assert_array_equal(decoded["income"][observed], data.X["income"][observed])


def test_decoding_rounds_whole_number_columns(gaps) -> None:
    data, roles, _ = gaps
    explainer = LimeExplainer(data.X, roles=roles)
    encoded = explainer.encode(data.X.iloc[:3])
    encoded[:, explainer.features.index("children")] = [0.4, 1.6, 2.5]
    decoded = explainer.decode(encoded)
    assert decoded["children"].dtype == data.X["children"].dtype
    assert decoded["children"].tolist() == [0, 2, 2]


def test_a_row_with_gaps_is_explained_as_the_model_sees_it(gaps) -> None:
    data, roles, model = gaps
    for position in (0, 25):
        row = data.X.iloc[position]
        result = explain_lime(model, data.X, row, roles=roles, num_samples=500)
        expected = model.pipeline.predict_proba(data.X.iloc[[position]])[0, 1]
        assert result.model_prediction == pytest.approx(expected, abs=1e-12)
    conditions = explain_lime(model, data.X, data.X.iloc[0], roles=roles).conditions
    assert conditions["colour"] == f"colour = {MISSING_CATEGORY}"


def test_a_category_unseen_in_training_is_named(gaps) -> None:
    data, roles, model = gaps
    row = data.X.iloc[50].copy()
    row["colour"] = "purple"
    result = explain_lime(model, data.X, row, roles=roles, num_samples=500)
    assert result.conditions["colour"] == "colour = purple"
    expected = model.pipeline.predict_proba(pd.DataFrame([row]).astype(data.X.dtypes))[0, 1]
    assert result.model_prediction == pytest.approx(expected, abs=1e-12)


def test_roles_are_checked(gaps) -> None:
    data, roles, _ = gaps
    with pytest.raises(ModelError, match=re.escape(LIME_NO_ROLE_ERROR.format(columns=["owner"]))):
        LimeExplainer(data.X, roles={k: v for k, v in roles.items() if k != "owner"})
    message = LIME_ROLE_ERROR.format(column="colour", role="text")
    with pytest.raises(ModelError, match=re.escape(message)):
        LimeExplainer(data.X, roles={**roles, "colour": "text"})


def test_the_row_must_hold_every_feature(gaps) -> None:
    data, roles, model = gaps
    row = data.X.iloc[0].drop("income")
    with pytest.raises(ModelError, match=re.escape(LIME_ROW_ERROR.format(columns=["income"]))):
        explain_lime(model, data.X, row, roles=roles)


@dataclass(frozen=True)
class _LabelsOnly:
    pipeline: object
    features: tuple[str, ...]
    positive_class: str = "yes"


class _PredictOnly:
    classes_ = np.array(["no", "yes"])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return np.where(X["owner"], "yes", "no")


def test_a_model_without_probabilities_is_refused(gaps) -> None:
    data, roles, _ = gaps
    model = _LabelsOnly(_PredictOnly(), FEATURES)
    with pytest.raises(ModelError, match=re.escape(LIME_NO_PROBABILITY_ERROR)):
        explain_lime(model, data.X, data.X.iloc[0], roles=roles)


@pytest.mark.parametrize(
    ("param", "value"), [("num_features", 0), ("num_samples", 1), ("random_state", -1)]
)
def test_parameters_are_checked(german, model, explainer, param, value) -> None:
    with pytest.raises(ValueError, match=f"The '{param}' parameter must be an int"):
        explainer.explain(model, german[1].X.iloc[0], **{param: value})


# ---------------------------------------------------------------------- stability
def test_stability_badge_fields(german, model) -> None:
    train, test, roles = german
    badge = lime_stability(model, train.X, test.X.iloc[0], roles=roles, num_samples=1000)
    assert 0.0 <= badge.min_jaccard <= badge.jaccard <= 1.0
    assert badge.seeds == tuple(range(STABILITY_SEEDS))
    assert len(badge.top_features) == STABILITY_SEEDS
    assert all(len(top) == 5 for top in badge.top_features)
    assert list(badge.weights.columns) == ["mean", "std", "top_k_share"]
    assert (badge.weights["std"] >= 0).all()
    assert badge.weights["top_k_share"].between(0, 1).all()
    assert set(badge.weights.index) <= set(train.X.columns)
    margin = STABILITY_MARGIN_ERRORS * badge.jaccard_error
    expected = (
        "stable"
        if badge.jaccard - margin >= STABILITY_THRESHOLD
        else "unstable"
        if badge.jaccard + margin < STABILITY_THRESHOLD
        else "undecided"
    )
    assert badge.badge == expected and badge.is_stable == (expected == "stable")
    assert f"{STABILITY_SEEDS} runs of LIME (seeds 0 to {STABILITY_SEEDS - 1})" in badge.criterion
    assert f"at least {STABILITY_THRESHOLD:g}" in badge.criterion
    if badge.is_stable:
        assert badge.verdict == "stable" and badge.suggested_num_samples is None
    else:
        assert badge.verdict == f"{expected}: raise the number of samples"
        assert badge.suggested_num_samples == 4000
        assert "raise the number of samples to 4,000" in badge.advice


def test_fidelity_is_reported_with_advice(german, model, explainer) -> None:
    _, test, _ = german
    for position in range(4):
        result = explainer.explain(model, test.X.iloc[position], num_samples=2000)
        gap = abs(result.local_prediction - result.model_prediction)
        assert result.fidelity_gap == pytest.approx(gap)
        faithful = gap <= MAX_FIDELITY_GAP and result.score >= MIN_LOCAL_R2
        assert result.is_faithful == faithful
        assert f"{gap:.3f}" in result.fidelity_advice
        if not faithful:
            assert "narrower kernel width" in result.fidelity_advice


def test_an_unfaithful_explanation_says_what_to_do() -> None:
    faithful = _fidelity_advice(0.05, 0.6, 2.0, 1000)
    assert "faithful enough to read" in faithful and "kernel width" not in faithful
    for gap, score in [(0.25, 0.6), (0.05, 0.05)]:
        advice = _fidelity_advice(gap, score, 2.0, 1000)
        assert "not faithful" in advice
        assert "narrower kernel width (1.00 instead of 2.00)" in advice
        assert "more samples (4,000)" in advice


def test_the_kernel_width_is_passed_to_lime_and_checked(german, model, explainer) -> None:
    _, test, _ = german
    row = test.X.iloc[0]
    default = explainer.explain(model, row, num_samples=500)
    assert default.kernel_width == pytest.approx(0.75 * np.sqrt(len(explainer.features)))
    narrow = explainer.explain(model, row, num_samples=500, kernel_width=0.5)
    assert narrow.kernel_width == 0.5 and narrow.score != default.score
    with pytest.raises(ValueError, match="The 'kernel_width' parameter must be a positive"):
        explainer.explain(model, row, kernel_width=0.0)


@pytest.mark.parametrize("name", ["random_forest", "logistic_regression"])
def test_two_sets_of_seeds_never_contradict_the_badge(german, name) -> None:
    # The complaint: stable on one run, unstable on another run of the same row.
    # Two disjoint sets of seeds must never call one row stable and the other unstable;
    # the same seeds give the same badge.
    train, test, roles = german
    model = train_model(train, ModelConfig(name), roles=roles)
    for position in range(6):
        row = test.X.iloc[position]
        first, second = (
            lime_stability(model, train.X, row, roles=roles, num_samples=2000, random_state=r)
            for r in (0, 1000)
        )
        assert {first.badge, second.badge} != {"stable", "unstable"}
        again = lime_stability(model, train.X, row, roles=roles, num_samples=2000)
        assert again.badge == first.badge and again.jaccard == first.jaccard


def test_few_samples_are_less_stable_than_many(german, model) -> None:
    train, test, roles = german
    rows = [test.X.iloc[position] for position in (0, 1, 2)]

    def badges(num_samples: int) -> list:
        return [
            lime_stability(model, train.X, row, roles=roles, num_samples=num_samples)
            for row in rows
        ]

    few, many = badges(50), badges(5000)
    assert sum(not b.is_stable for b in few) > sum(not b.is_stable for b in many)
    assert all(f.jaccard < m.jaccard for f, m in zip(few, many, strict=True))
    assert all(not b.is_stable and "raise the number of samples" in b.verdict for b in few)
    assert all(b.suggested_num_samples == 200 for b in few)


def test_stability_parameters_are_checked(german, model) -> None:
    train, test, roles = german
    with pytest.raises(ValueError, match="The 'seeds' parameter must be an int >= 2"):
        lime_stability(model, train.X, test.X.iloc[0], roles=roles, seeds=1)
    with pytest.raises(ValueError, match="The 'num_features' parameter must be an int >= 6"):
        lime_stability(model, train.X, test.X.iloc[0], roles=roles, top_k=6, num_features=5)


# ---------------------------------------------------------------------- time budget
@pytest.fixture(scope="module")
def knn(german) -> TrainedModel:
    train, _, roles = german
    return train_model(train, ModelConfig("knn"), roles=roles)


def test_the_estimate_grows_with_samples_and_with_knn_training_rows(german, model, knn):
    assert estimate_lime_seconds(model, 2000) == pytest.approx(
        2 * estimate_lime_seconds(model, 1000)
    )
    per_training_row = estimate_lime_seconds(knn, 1) - estimate_lime_seconds(model, 1)
    n_training = knn.pipeline.named_steps["model"].n_samples_fit_
    assert per_training_row > 0
    assert per_training_row / n_training == pytest.approx(1.5e-8)


@pytest.mark.parametrize("seconds", [0.01, 0.15, 100.0])
def test_max_seconds_lowers_the_samples_as_estimated_and_says_so(german, knn, explainer, seconds):
    row = german[1].X.iloc[4]
    result = explainer.explain(knn, row, num_samples=3000, max_seconds=seconds)
    affordable = int(seconds // estimate_lime_seconds(knn, 1))
    expected = min(3000, max(MIN_LIME_SAMPLES, affordable))
    assert result.num_samples == expected
    assert result.capped_by_time == (expected < 3000)
    again = explainer.explain(knn, row, num_samples=3000, max_seconds=seconds)
    pd.testing.assert_series_equal(result.weights, again.weights)
    plain = explainer.explain(knn, row, num_samples=expected)
    pd.testing.assert_series_equal(result.weights, plain.weights)


def test_the_stability_badge_is_measured_at_the_samples_that_fit(german, knn) -> None:
    train, test, roles = german
    seconds = STABILITY_SEEDS * 1200.5 * estimate_lime_seconds(knn, 1)
    badge = lime_stability(
        knn, train.X, test.X.iloc[0], roles=roles, num_samples=5000, max_seconds=seconds
    )
    assert badge.num_samples == 1200 and badge.capped_by_time
    if not badge.is_stable:
        assert badge.suggested_num_samples == 4 * 1200
    roomy = lime_stability(
        knn, train.X, test.X.iloc[0], roles=roles, num_samples=600, max_seconds=1e3
    )
    assert roomy.num_samples == 600 and not roomy.capped_by_time


@pytest.mark.parametrize("value", [0, -1.0, float("nan"), True, "1"])
def test_max_seconds_is_checked(german, model, explainer, value) -> None:
    train, test, roles = german
    message = "The 'max_seconds' parameter must be a positive number or None"
    with pytest.raises(ValueError, match=message):
        explainer.explain(model, test.X.iloc[0], max_seconds=value)
    with pytest.raises(ValueError, match=message):
        lime_stability(model, train.X, test.X.iloc[0], roles=roles, max_seconds=value)
