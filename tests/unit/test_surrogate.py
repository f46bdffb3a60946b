"""Global surrogates of predictions from a file: fidelity, explainability, refusals."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import r2_score

from fairlab.audit_data import AuditData, build_audit_data
from fairlab.data import infer_column_roles
from fairlab.errors import ModelError
from fairlab.explain import explain_lime, explain_shap
from fairlab.explain.surrogate import (
    CONSTANT_PREDICTIONS_ERROR,
    CONSTANT_SCORES_ERROR,
    KIND_ERROR,
    MAX_DEPTH_ERROR,
    MIN_SURROGATE_ROWS,
    NO_ANSWERS_ERROR,
    NO_FEATURES_ERROR,
    NO_SCORES_ERROR,
    RARE_DECISION_ERROR,
    TOO_FEW_ROWS_ERROR,
    ScoreRegressor,
    Surrogate,
    SurrogateError,
    fit_surrogate,
)
from fairlab.models import FittedModel, predict
from fairlab.spec import AuditSpec

FEATURES = ("age", "sex", "income", "job")
N_ROWS = 1000


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    table = pd.DataFrame(
        {
            "age": rng.integers(18, 70, N_ROWS),
            "sex": rng.choice(["F", "M"], N_ROWS),
            "income": rng.normal(50, 10, N_ROWS).round(1),
            "job": rng.choice(["clerk", "nurse", "driver"], N_ROWS),
            "outcome": rng.integers(0, 2, N_ROWS),
        }
    )
    # The known rule the file's model follows: women over 40 are accepted.
    rule = (table["age"] > 40) & (table["sex"] == "F")
    table["decision"] = np.where(rule, "accept", "reject")
    # Its scores: a smooth function of age and sex, in [0, 1].
    logit = 0.15 * (table["age"] - 40) + np.where(table["sex"] == "F", 1.0, -1.0)
    table["score"] = 1 / (1 + np.exp(-logit))
    table["risk_decile"] = np.clip(np.ceil(table["score"] * 10), 1, 10).astype(int)
    return table


@pytest.fixture(scope="module")
def roles(frame) -> dict[str, str]:
    return {info.name: info.role for info in infer_column_roles(frame[list(FEATURES)])}


def _audit(frame: pd.DataFrame, **spec: object) -> AuditData:
    return build_audit_data(
        frame,
        AuditSpec(
            target="outcome", positive_label=1, sensitive=("sex",), features=FEATURES, **spec
        ),
    )


@pytest.fixture(scope="module")
def predictions(frame) -> AuditData:
    return _audit(frame, prediction_column="decision", prediction_positive=("accept",))


@pytest.fixture(scope="module")
def scores(frame) -> AuditData:
    return _audit(frame, score_column="score", threshold=0.5)


@pytest.fixture(scope="module")
def tree(predictions, roles) -> Surrogate:
    return fit_surrogate(predictions, roles=roles, kind="tree")


@pytest.fixture(scope="module")
def score_tree(scores, roles) -> Surrogate:
    return fit_surrogate(scores, roles=roles, kind="tree")


# ---------------------------------------------------------------------- fidelity
@pytest.mark.parametrize("kind", ["tree", "boosting"])
def test_surrogate_recovers_a_known_rule(predictions, roles, kind) -> None:
    surrogate = fit_surrogate(predictions, roles=roles, kind=kind)
    assert surrogate.mimics == "predictions" and surrogate.kind == kind
    assert surrogate.agreement >= 0.98
    assert surrogate.balanced_agreement >= 0.98
    assert surrogate.r2 is None and surrogate.threshold is None and surrogate.score_range is None


def test_fidelity_is_measured_on_held_out_rows(predictions, tree) -> None:
    # Cross-check the fidelity figures against an independent computation.
    assert tree.n_rows == N_ROWS and tree.n_test == 300
    assert not set(tree.train_rows) & set(tree.test_rows)
    assert sorted([*tree.train_rows, *tree.test_rows]) == list(range(N_ROWS))
    file_decisions = predictions.y_pred[tree.test_rows]
    mine, _ = predict(tree, predictions.X.iloc[tree.test_rows])
    assert tree.agreement == pytest.approx(np.mean(mine == file_decisions))
    recalls = [np.mean(mine[file_decisions == d] == d) for d in (0, 1)]
    assert tree.balanced_agreement == pytest.approx(np.mean(recalls))
    # The split keeps the share of each decision.
    assert predictions.y_pred[tree.test_rows].mean() == pytest.approx(
        predictions.y_pred.mean(), abs=0.01
    )


def test_balanced_agreement_is_not_fooled_by_a_rare_decision(frame, roles) -> None:
    # A decision the features cannot predict, taken for 5% of rows: always answering the
    # majority gets 95% agreement but only 50% balanced agreement.
    rng = np.random.default_rng(1)
    noisy = frame.assign(decision=np.where(rng.random(N_ROWS) < 0.05, "accept", "reject"))
    data = _audit(noisy, prediction_column="decision", prediction_positive=("accept",))
    surrogate = fit_surrogate(data, roles=roles, kind="tree", max_depth=1)
    assert surrogate.agreement > 0.9
    assert surrogate.balanced_agreement < 0.6


def test_label_and_sentence_say_what_is_explained(tree, score_tree) -> None:
    assert tree.label == "surrogate (shallow tree) explaining the file's predictions"
    assert score_tree.label == "surrogate (shallow tree) explaining the file's scores"
    assert tree.title == "shallow tree"
    assert "of 300 held-out rows" in tree.fidelity_sentence
    assert "R²" not in tree.fidelity_sentence and "R²" in score_tree.fidelity_sentence


def test_surrogate_is_a_fitted_model(tree) -> None:
    model: FittedModel = tree
    assert model.features == FEATURES
    assert model.positive_class == 1
    assert list(tree.pipeline.named_steps) == ["preprocess", "model"]


# ---------------------------------------------------------------------- scores
@pytest.mark.parametrize("kind", ["tree", "boosting"])
def test_surrogate_of_scores_reports_r2(scores, roles, kind) -> None:
    surrogate = fit_surrogate(scores, roles=roles, kind=kind)
    assert surrogate.mimics == "scores"
    assert surrogate.r2 >= 0.9
    assert surrogate.agreement >= 0.9
    assert surrogate.threshold == 0.5 and surrogate.score_range == (0.0, 1.0)
    estimator = surrogate.pipeline.named_steps["model"]
    assert isinstance(estimator, ScoreRegressor)
    held_out = scores.X.iloc[surrogate.test_rows]
    encoded = surrogate.pipeline.named_steps["preprocess"].transform(held_out)
    expected = r2_score(scores.y_score[surrogate.test_rows], estimator.predict_score(encoded))
    assert surrogate.r2 == pytest.approx(expected)
    decisions, probabilities = predict(surrogate, held_out)
    np.testing.assert_array_equal(decisions, estimator.predict_score(encoded) >= 0.5)
    np.testing.assert_allclose(probabilities, np.clip(estimator.predict_score(encoded), 0, 1))


def test_scores_outside_zero_one_are_rescaled_to_a_probability(frame, roles) -> None:
    data = _audit(frame, score_column="risk_decile", threshold=6)
    surrogate = fit_surrogate(data, roles=roles, kind="boosting")
    train_scores = data.y_score[surrogate.train_rows]
    assert surrogate.score_range == (train_scores.min(), train_scores.max())
    decisions, probabilities = predict(surrogate, data.X)
    assert ((probabilities >= 0) & (probabilities <= 1)).all()
    assert probabilities.max() > 0.9 and probabilities.min() < 0.1
    raw = surrogate.pipeline.named_steps["model"].predict_score(
        surrogate.pipeline.named_steps["preprocess"].transform(data.X)
    )
    np.testing.assert_array_equal(decisions, raw >= 6)


def test_mimic_chooses_between_scores_and_predictions(frame, roles) -> None:
    data = _audit(
        frame,
        prediction_column="decision",
        prediction_positive=("accept",),
        score_column="score",
        threshold=0.5,
    )
    assert fit_surrogate(data, roles=roles).mimics == "scores"
    assert fit_surrogate(data, roles=roles, mimic="predictions").mimics == "predictions"


# ---------------------------------------------------------------------- explained unchanged
def test_shap_explains_the_tree_surrogate_exactly(predictions, tree) -> None:
    background = predictions.X.iloc[tree.train_rows]
    result = explain_shap(tree, predictions.X.iloc[:60], background=background)
    assert (result.explainer, result.output_space) == ("TreeExplainer", "probability")
    rebuilt = result.base_value + result.values.sum(axis=1).to_numpy()
    np.testing.assert_allclose(rebuilt, result.output, atol=1e-6)
    _, probability = predict(tree, predictions.X.iloc[:60])
    np.testing.assert_allclose(result.output, probability, atol=1e-6)
    # The rule uses age and sex only; the surrogate's explanation says so.
    assert set(result.mean_abs().index[:2]) == {"age", "sex"}
    assert result.mean_abs()[["income", "job"]].max() < 0.01


def test_shap_explains_the_score_surrogate(scores, score_tree) -> None:
    background = scores.X.iloc[score_tree.train_rows]
    result = explain_shap(score_tree, scores.X.iloc[:30], background=background)
    assert (result.explainer, result.output_space) == ("PermutationExplainer", "probability")
    assert result.additivity_error <= result.additivity_tolerance
    _, probability = predict(score_tree, scores.X.iloc[:30])
    np.testing.assert_allclose(result.output, probability, atol=1e-6)
    assert set(result.mean_abs().index[:2]) == {"age", "sex"}


def test_lime_explains_a_surrogate(predictions, roles, tree) -> None:
    train = predictions.X.iloc[tree.train_rows]
    row = predictions.X.iloc[0]
    result = explain_lime(tree, train, row, roles=roles, num_samples=1000)
    assert set(result.weights.index) <= set(FEATURES)
    assert set(result.weights.abs().sort_values().index[-2:]) == {"age", "sex"}
    _, probability = predict(tree, predictions.X.iloc[[0]])
    assert result.model_prediction == pytest.approx(probability[0])


# ---------------------------------------------------------------------- refusals
def test_nothing_to_mimic_is_refused(frame, roles) -> None:
    with pytest.raises(SurrogateError, match=re.escape(NO_ANSWERS_ERROR)):
        fit_surrogate(_audit(frame), roles=roles)


def test_scores_asked_without_scores_are_refused(predictions, roles) -> None:
    with pytest.raises(SurrogateError, match=re.escape(NO_SCORES_ERROR)):
        fit_surrogate(predictions, roles=roles, mimic="scores")


@pytest.mark.parametrize(("value", "outcome"), [(0, "negative"), (1, "positive")])
def test_constant_predictions_are_refused(predictions, roles, value, outcome) -> None:
    constant = dataclasses.replace(predictions, y_pred=np.full(N_ROWS, value, dtype=np.int8))
    message = CONSTANT_PREDICTIONS_ERROR.format(outcome=outcome)
    with pytest.raises(SurrogateError, match=re.escape(message)):
        fit_surrogate(constant, roles=roles)


def test_a_decision_taken_once_is_refused(predictions, roles) -> None:
    once = np.zeros(N_ROWS, dtype=np.int8)
    once[3] = 1
    message = RARE_DECISION_ERROR.format(count=1, outcome="positive")
    with pytest.raises(SurrogateError, match=re.escape(message)):
        fit_surrogate(dataclasses.replace(predictions, y_pred=once), roles=roles)


def test_constant_scores_are_refused(scores, roles) -> None:
    constant = dataclasses.replace(scores, y_score=np.full(N_ROWS, 0.3))
    with pytest.raises(SurrogateError, match=re.escape(CONSTANT_SCORES_ERROR.format(value=0.3))):
        fit_surrogate(constant, roles=roles)


def test_no_features_and_too_few_rows_are_refused(predictions, roles) -> None:
    no_features = dataclasses.replace(predictions, X=predictions.X.iloc[:, :0])
    message = NO_FEATURES_ERROR.format(mimics="predictions")
    with pytest.raises(SurrogateError, match=re.escape(message)):
        fit_surrogate(no_features, roles=roles)
    few = predictions.subset(np.arange(MIN_SURROGATE_ROWS - 1))
    message = TOO_FEW_ROWS_ERROR.format(n=MIN_SURROGATE_ROWS - 1)
    with pytest.raises(SurrogateError, match=re.escape(message)):
        fit_surrogate(few, roles=roles)


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"kind": "forest"}, SurrogateError, KIND_ERROR.split("{")[0]),
        ({"max_depth": 0}, SurrogateError, re.escape(MAX_DEPTH_ERROR.format(high=32, value=0))),
        ({"max_depth": True}, SurrogateError, "max_depth"),
        ({"mimic": "labels"}, SurrogateError, "'mimic' parameter"),
        ({"test_size": 1.0}, ModelError, "'test_size' parameter"),
        ({"random_state": -1}, ModelError, "'random_state' parameter"),
    ],
)
def test_parameters_are_checked(predictions, roles, params, error, match) -> None:
    with pytest.raises(error, match=match):
        fit_surrogate(predictions, roles=roles, **params)


def test_a_feature_without_role_is_refused(predictions, roles) -> None:
    partial = {k: v for k, v in roles.items() if k != "job"}
    with pytest.raises(ModelError, match="'job'"):
        fit_surrogate(predictions, roles=partial)
