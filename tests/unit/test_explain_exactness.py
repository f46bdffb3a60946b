"""SHAP on UCI Adult against independent computations: shap's explainers, exact Shapley
values by enumerating every coalition, and the fitted pipeline's own predict_proba."""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pandas as pd
import pytest
import shap
from scipy.special import expit

from fairlab.audit_data import build_audit_data
from fairlab.data import infer_column_roles, load_bundled
from fairlab.explain import explain_shap, source_columns
from fairlab.explain.report_section import explanation_section, shap_values_table
from fairlab.explain.shap_ import (
    INTERVENTIONAL_BACKGROUND_ROWS,
    KNN_BACKGROUND_ROWS,
    MAX_BACKGROUND_ROWS,
)
from fairlab.models import MODEL_NAMES, ModelConfig, train_model
from fairlab.split import SplitConfig, split_audit_data

N_ROWS = 25


def _dense(matrix) -> np.ndarray:  # noqa: ANN001
    return np.asarray(matrix.toarray() if hasattr(matrix, "toarray") else matrix, dtype=float)


@pytest.fixture(scope="module")
def adult():
    frame, spec = load_bundled("adult")
    data = build_audit_data(frame, spec)
    roles = {info.name: info.role for info in infer_column_roles(data.X)}
    split = split_audit_data(data, SplitConfig(test_size=0.3, random_state=0))
    return split.train(data), split.test(data), roles, frame, spec


@pytest.fixture(scope="module")
def zoo(adult):
    train, _, roles, _, _ = adult
    return {name: train_model(train, ModelConfig(name), roles=roles) for name in MODEL_NAMES}


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_values_add_up_to_the_fitted_pipelines_own_predict_proba(adult, zoo, name):
    train, test, _, _, _ = adult
    model = zoo[name]
    rows = test.X.iloc[:N_ROWS]
    result = explain_shap(model, rows, background=train.X, passes=2)
    own = model.pipeline.predict_proba(rows)[:, 1]
    total = result.base_value + result.values.sum(axis=1).to_numpy()
    if result.output_space == "log-odds":
        total = expit(total)
    np.testing.assert_allclose(total, own, rtol=0, atol=1e-9)
    assert result.additivity_error <= result.additivity_tolerance


@pytest.mark.parametrize("name", ["decision_tree", "random_forest", "hist_gradient_boosting"])
@pytest.mark.parametrize("perturbation", ["tree_path_dependent", "interventional"])
def test_tree_values_equal_shaps_tree_explainer(adult, zoo, name, perturbation):
    train, test, _, _, _ = adult
    model = zoo[name]
    rows = test.X.iloc[:N_ROWS]
    result = explain_shap(
        model, rows, background=train.X, tree_perturbation=perturbation, max_evaluations=10**12
    )
    preprocess, estimator = model.pipeline.named_steps.values()
    encoded = _dense(preprocess.transform(rows))
    if perturbation == "interventional":
        rng = np.random.default_rng(0)
        picked = np.sort(rng.choice(len(train.X), INTERVENTIONAL_BACKGROUND_ROWS, replace=False))
        data = _dense(preprocess.transform(train.X.iloc[picked]))
        explainer = shap.TreeExplainer(estimator, data=data, feature_perturbation=perturbation)
        assert result.background_rows == INTERVENTIONAL_BACKGROUND_ROWS
        assert f"{INTERVENTIONAL_BACKGROUND_ROWS:,} background rows" in result.background
    else:
        explainer = shap.TreeExplainer(estimator, feature_perturbation=perturbation)
        assert result.background_rows == 0 and "no background rows" in result.background
    raw = np.asarray(explainer(encoded).values)
    raw = raw[:, :, 1] if raw.ndim == 3 else raw
    folded = pd.DataFrame(raw).T.groupby(source_columns(model.pipeline)).sum().T
    np.testing.assert_allclose(result.values[folded.columns], folded, rtol=0, atol=1e-9)
    assert result.tree_perturbation == perturbation


def test_linear_values_use_every_background_row(adult, zoo):
    train, test, _, _, _ = adult
    model = zoo["logistic_regression"]
    background = train.X.iloc[:2000]
    result = explain_shap(model, test.X.iloc[:N_ROWS], background=background)
    preprocess, estimator = model.pipeline.named_steps.values()
    data = _dense(preprocess.transform(background))
    masker = shap.maskers.Independent(data, max_samples=data.shape[0])
    encoded = _dense(preprocess.transform(test.X.iloc[:N_ROWS]))
    raw = shap.LinearExplainer(estimator, masker)(encoded)
    folded = pd.DataFrame(raw.values).T.groupby(source_columns(model.pipeline)).sum().T
    np.testing.assert_allclose(result.values[folded.columns], folded, rtol=0, atol=1e-9)
    assert result.background_rows == 2000 and "all 2,000 training rows" in result.background


def _exact_shapley(predict, row: pd.DataFrame, background: pd.DataFrame) -> np.ndarray:
    # Every coalition S: v(S) = mean over background rows of the model on the row's
    # values in S and the background row's elsewhere; then the Shapley weights.
    features = list(row.columns)
    n = len(features)
    coalitions = list(itertools.product([False, True], repeat=n))
    frames = []
    for coalition in coalitions:
        frame = background.copy()
        for on, feature in zip(coalition, features, strict=True):
            if on:
                frame[feature] = row[feature].iloc[0]
        frames.append(frame)
    outputs = predict(pd.concat(frames, ignore_index=True)).reshape(len(coalitions), -1)
    value = dict(zip(coalitions, outputs.mean(axis=1), strict=True))
    phi = np.zeros(n)
    for coalition in coalitions:
        size = sum(coalition)
        for j in range(n):
            if not coalition[j]:
                weight = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
                grown = tuple(True if i == j else c for i, c in enumerate(coalition))
                phi[j] += weight * (value[grown] - value[coalition])
    return phi


@pytest.fixture(scope="module")
def small_adult(adult):
    # Six features (64 coalitions), so that exact Shapley values are cheap to enumerate.
    _, _, _, frame, spec = adult
    features = ("age", "education_num", "hours_per_week", "marital_status", "relationship")
    features = (*features, "capital_gain")
    small = dataclasses.replace(spec, features=features)
    data = build_audit_data(frame.iloc[:6000], small)
    roles = {info.name: info.role for info in infer_column_roles(data.X)}
    split = split_audit_data(data, SplitConfig(test_size=0.3, random_state=0))
    return split.train(data), split.test(data), roles


@pytest.mark.parametrize(
    ("name", "n_background"), [("linear_svm", MAX_BACKGROUND_ROWS), ("knn", KNN_BACKGROUND_ROWS)]
)
def test_permutation_values_are_within_their_stated_error_of_exact_shapley(
    small_adult, name, n_background
):
    train, test, roles = small_adult
    model = train_model(train, ModelConfig(name), roles=roles)
    rows = test.X.iloc[:6]
    result = explain_shap(model, rows, background=train.X, random_state=0, max_evaluations=10**12)
    rng = np.random.default_rng(0)
    picked = np.sort(rng.choice(len(train.X), n_background, replace=False))
    background = train.X.iloc[picked].loc[:, list(model.features)]
    assert result.background_rows == n_background
    assert f"{n_background:,} background rows drawn at random" in result.background

    def predict(frame: pd.DataFrame) -> np.ndarray:
        return model.pipeline.predict_proba(frame)[:, 1]

    exact = np.array(
        [
            _exact_shapley(predict, rows.iloc[[i]].loc[:, list(model.features)], background)
            for i in range(len(rows))
        ]
    )
    error = np.abs(result.values.to_numpy() - exact)
    relative = error.mean() / np.abs(exact).mean()
    # The stated error is an estimate from the permutations: the measured one must lie
    # within twice it, and reach the target for one row at a time, unless tied kNN
    # neighbours (whose split the model's own rounding decides) keep it from it, and then
    # the result says so.
    if name == "knn" and result.relative_error > 0.05:
        assert any("not reached because of tied neighbours" in note for note in result.notes)
    else:
        assert result.relative_error <= 0.05
    assert relative <= 2 * result.relative_error + 1e-12
    # The standard errors are calibrated: most values lie within 3 of them.
    z = error / np.maximum(result.standard_errors.to_numpy(), 1e-12)
    assert np.mean(z <= 3) >= 0.9


def test_knn_on_adult_is_within_its_stated_error_of_the_models_exact_shapley(adult, zoo):
    # All 11 Adult features (2,048 coalitions), three rows, four background rows: exact
    # Shapley values of the fitted pipeline's own predict_proba against the same
    # background. Coalitions with tied neighbours are common here; the stated error (the
    # Monte-Carlo error plus how much the split of ties moves the values) must not be
    # below the error measured against the model itself.
    train, test, _, _, _ = adult
    model = zoo["knn"]
    features = list(model.features)
    assert len(features) == 11
    background = train.X.iloc[:4].loc[:, features]
    rows = test.X.iloc[:3].loc[:, features]
    result = explain_shap(model, rows, background=background, random_state=0)
    assert result.background_rows == 4
    assert result.tie_share == 0.0  # every tied coalition was predicted by the model

    def predict(frame: pd.DataFrame) -> np.ndarray:
        return model.pipeline.predict_proba(frame)[:, 1]

    exact = np.array([_exact_shapley(predict, rows.iloc[[i]], background) for i in range(3)])
    relative = np.abs(result.values.to_numpy() - exact).mean() / np.abs(exact).mean()
    assert relative <= result.relative_error
    np.testing.assert_allclose(
        result.base_value + result.values.sum(axis=1), predict(rows), rtol=0, atol=1e-12
    )


def test_one_pass_says_it_misses_the_target(adult, zoo):
    train, test, _, _, _ = adult
    result = explain_shap(zoo["knn"], test.X.iloc[:40], background=train.X, passes=1)
    assert result.relative_error > 0.05
    assert any("does not reach the 5% target" in note for note in result.notes)
    assert "short of the 5% target" in result.uncertainty_sentence


def test_report_and_download_name_the_background_and_errors(adult, zoo):
    train, test, _, _, _ = adult
    for name, words in [
        ("random_forest", "no background rows"),
        ("knn", f"{KNN_BACKGROUND_ROWS:,} background rows drawn at random"),
        ("linear_svm", f"{MAX_BACKGROUND_ROWS:,} background rows drawn at random"),
        ("naive_bayes", "training rows given"),
    ]:
        result = explain_shap(zoo[name], test.X.iloc[:5], background=train.X.iloc[:500])
        assert words in result.background
        section = explanation_section(result, model_label=name)
        assert words in section.body_html
        assert result.output_space in section.body_html
        table = shap_values_table(result)
        assert set(table["background"]) == {result.background}
        assert set(table["output_space"]) == {result.output_space}
        if result.standard_errors is None:
            assert table["standard_error"].isna().all()
        else:
            np.testing.assert_allclose(
                table["standard_error"], result.standard_errors.to_numpy().ravel()
            )
            assert (table["standard_error"] > 0).any()
