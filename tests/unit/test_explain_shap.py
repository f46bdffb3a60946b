from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
import shap
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

import fairlab.explain.shap_ as shap_module
from fairlab.audit_data import build_audit_data
from fairlab.data import load_bundled
from fairlab.data.csv import infer_column_roles
from fairlab.errors import ModelError
from fairlab.explain import (
    CostEstimate,
    ShapError,
    ShapResult,
    estimate_shap_cost,
    explain_shap,
    source_columns,
)
from fairlab.explain._fast_knn import knn_index, knn_predict, knn_tables
from fairlab.explain._fast_permutation import values_from_chain_outputs
from fairlab.explain._fast_trees import forest_shap, forest_tables
from fairlab.explain._features import fold_columns
from fairlab.explain.shap_ import (
    ADDITIVE_NAIVE_BAYES,
    ADDITIVITY_TOLERANCE,
    BUDGET_ERROR,
    GROUPS_LENGTH_ERROR,
    KNN_BACKGROUND_ROWS,
    MAX_BACKGROUND_ROWS,
    NO_PROBABILITIES_ERROR,
    SECONDS_ERROR,
    UNKNOWN_GROUP_ERROR,
    compile_kernels,
)
from fairlab.models import (
    MISSING_COLUMNS_ERROR,
    MODEL_NAMES,
    ModelConfig,
    TrainedModel,
    train_model,
)
from fairlab.plots.explain import (
    ROW_ERROR,
    shap_bar_chart,
    shap_beeswarm_chart,
    shap_waterfall_chart,
)
from fairlab.spec import AuditSpec

# Explainer and output space expected for each zoo model.
EXPECTED = {
    "logistic_regression": ("LinearExplainer", "log-odds"),
    "decision_tree": ("TreeExplainer", "probability"),
    "random_forest": ("TreeExplainer", "probability"),
    "hist_gradient_boosting": ("TreeExplainer", "log-odds"),
    "knn": ("PermutationExplainer", "probability"),
    "naive_bayes": (ADDITIVE_NAIVE_BAYES, "log-odds"),
    "linear_svm": ("PermutationExplainer", "probability"),
}
N_EXPLAINED = 40


@pytest.fixture(scope="module")
def german():
    frame, spec = load_bundled("german")
    data = build_audit_data(frame.iloc[:400].reset_index(drop=True), spec)
    roles = {info.name: info.role for info in infer_column_roles(frame[list(spec.features)])}
    train = data.subset(np.arange(300))
    test = data.subset(np.arange(300, 400))
    return train, test, roles


@pytest.fixture(scope="module")
def models(german) -> dict[str, TrainedModel]:
    train, _, roles = german
    return {name: train_model(train, ModelConfig(name), roles=roles) for name in MODEL_NAMES}


@pytest.fixture(scope="module")
def results(german, models) -> dict[str, ShapResult]:
    train, test, _ = german
    return {
        name: explain_shap(model, test.X.iloc[:N_EXPLAINED], background=train.X)
        for name, model in models.items()
    }


def _model_output(model: TrainedModel, X: pd.DataFrame, space: str) -> np.ndarray:
    """Model output computed independently of the explainers, from the pipeline itself."""
    if space == "probability":
        return model.pipeline.predict_proba(X)[:, 1]
    if not hasattr(model.pipeline, "predict_log_proba"):  # gradient boosting
        p = model.pipeline.predict_proba(X)[:, 1]
        return np.log(p) - np.log1p(-p)
    log_proba = model.pipeline.predict_log_proba(X)
    return log_proba[:, 1] - log_proba[:, 0]


# ---------------------------------------------------------------------- explainers, additivity
@pytest.mark.parametrize("name", MODEL_NAMES)
def test_explainer_is_chosen_by_model_and_named(models, results, name) -> None:
    result = results[name]
    assert (result.explainer, result.output_space) == EXPECTED[name]
    assert estimate_shap_cost(models[name], 1).explainer == result.explainer


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_base_value_plus_shap_values_is_the_model_output(german, models, results, name) -> None:
    # Trees, the linear model and naive Bayes: exact algorithms, checked at 1e-6 in their
    # own output space (probability for tree/forest, log-odds for boosting, logistic
    # regression and naive Bayes). Permutation: each antithetic permutation telescopes from
    # f(background) to f(x), so the values add up exactly too, up to float rounding; the
    # same 1e-6 applies. The output is checked against the pipeline's own prediction.
    _, test, _ = german
    result = results[name]
    # (On German credit no kNN neighbours tie, so kNN's output does not depend on the batch.)
    assert result.additivity_tolerance == ADDITIVITY_TOLERANCE == 1e-6
    rebuilt = result.base_value + result.values.sum(axis=1).to_numpy()
    np.testing.assert_allclose(rebuilt, result.output, rtol=0, atol=1e-6)
    assert result.additivity_error == pytest.approx(np.abs(rebuilt - result.output).max())
    assert result.additivity_error <= result.additivity_tolerance
    expected = _model_output(models[name], test.X.iloc[result.row_index], result.output_space)
    np.testing.assert_allclose(result.output, expected, rtol=0, atol=1e-6)


@pytest.mark.parametrize("name", ["linear_svm", "knn"])
def test_base_value_is_the_mean_output_over_the_background_for_permutation(german, models, name):
    train, test, _ = german
    limit = KNN_BACKGROUND_ROWS if name == "knn" else MAX_BACKGROUND_ROWS
    background = train.X.iloc[:limit]
    result = explain_shap(models[name], test.X.iloc[:5], background=background)
    mean = models[name].pipeline.predict_proba(background)[:, 1].mean()
    assert result.base_value == pytest.approx(mean, abs=1e-12)
    assert result.background_rows == limit


def test_naive_bayes_base_value_is_the_mean_log_odds_over_every_background_row(german, models):
    train, test, _ = german
    model = models["naive_bayes"]
    result = explain_shap(model, test.X.iloc[:5], background=train.X)
    log_proba = model.pipeline.predict_log_proba(train.X)
    assert result.base_value == pytest.approx((log_proba[:, 1] - log_proba[:, 0]).mean())
    assert result.background_rows == train.n_rows > MAX_BACKGROUND_ROWS


def test_naive_bayes_values_are_shaps_on_the_log_odds(german, models):
    # Independent computation: shap's own permutation explainer on the encoded columns, on
    # the model's log-odds, with the same background; the log-odds is additive over the
    # columns, so any permutation gives the exact SHAP values. Then a plain groupby-sum.
    train, test, _ = german
    model = models["naive_bayes"]
    preprocess, estimator = model.pipeline.named_steps.values()
    background, rows = train.X.iloc[:60], test.X.iloc[:N_EXPLAINED]

    def log_odds(encoded: np.ndarray) -> np.ndarray:
        log_proba = estimator.predict_log_proba(encoded)
        return log_proba[:, 1] - log_proba[:, 0]

    masker = shap.maskers.Independent(preprocess.transform(background), max_samples=60)
    encoded = preprocess.transform(rows)
    explanation = shap.PermutationExplainer(log_odds, masker, seed=0)(
        encoded, max_evals=2 * encoded.shape[1] + 1, silent=True
    )
    folded = pd.DataFrame(explanation.values).T.groupby(source_columns(model.pipeline)).sum().T
    result = explain_shap(model, rows, background=background)
    assert result.explainer == ADDITIVE_NAIVE_BAYES and result.background_rows == 60
    np.testing.assert_allclose(result.values[folded.columns], folded, rtol=0, atol=1e-9)
    assert result.base_value == pytest.approx(float(np.ravel(explanation.base_values)[0]))


def test_linear_values_match_shap_on_the_encoded_matrix_after_folding(german, models, results):
    # Independent computation once: shap on the encoded columns, then a plain groupby-sum.
    train, test, _ = german
    model = models["logistic_regression"]
    preprocess, estimator = model.pipeline.named_steps.values()
    data = preprocess.transform(train.X)
    explainer = shap.LinearExplainer(
        estimator, shap.maskers.Independent(data, max_samples=data.shape[0])
    )
    raw = explainer(preprocess.transform(test.X.iloc[:N_EXPLAINED])).values
    folded = pd.DataFrame(raw).T.groupby(source_columns(model.pipeline)).sum().T
    result = results["logistic_regression"]
    np.testing.assert_allclose(result.values[folded.columns], folded, atol=1e-10)
    np.testing.assert_allclose(result.values.sum(axis=1), raw.sum(axis=1), atol=1e-10)


@pytest.mark.parametrize("max_depth", [8, None])
def test_forest_values_are_shaps_tree_path_dependent_values(german, max_depth, monkeypatch):
    # Per-leaf tables (max_depth 8), or shap itself when a path splits on more distinct
    # features than the tables allow (no depth limit, with the limit lowered to 6).
    train, test, roles = german
    if max_depth is None:
        monkeypatch.setattr("fairlab.explain._fast_trees.MAX_PATH_FEATURES", 6)
    config = ModelConfig("random_forest", {"n_estimators": 30, "max_depth": max_depth})
    model = train_model(train, config, roles=roles)
    preprocess, estimator = model.pipeline.named_steps.values()
    fast = forest_tables(estimator, 1)
    assert (fast is None) == (max_depth is None)
    rows = test.X.iloc[:N_EXPLAINED]
    encoded = preprocess.transform(rows)
    explanation = shap.TreeExplainer(estimator)(getattr(encoded, "toarray", lambda: encoded)())
    folded = pd.DataFrame(explanation.values[:, :, 1]).T.groupby(source_columns(model.pipeline))
    result = explain_shap(model, rows, background=train.X)
    expected = folded.sum().T
    np.testing.assert_allclose(result.values[expected.columns], expected, rtol=0, atol=1e-12)
    assert result.base_value == pytest.approx(explanation.base_values[0, 1], abs=1e-12)
    assert result.additivity_error <= 1e-12


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 5), st.integers(1, 8), st.integers(0, 2**31 - 1))
def test_chain_values_add_up_and_are_exact_for_additive_outputs(n_rows, n_features, seed):
    # For any coalition outputs, the values telescope to f(row) - f(background); for an
    # additive model every permutation gives each feature its own term.
    rng = np.random.default_rng(seed)
    orders = np.array([rng.permutation(n_features) for _ in range(n_rows)])
    terms = rng.normal(size=(n_rows, n_features))
    outputs = np.empty((n_rows, 2 * n_features + 1))
    for row, order in enumerate(orders):
        on = np.zeros(n_features, dtype=bool)
        outputs[row, 0] = 0.0
        for position, feature in enumerate(order):
            on[feature] = True
            outputs[row, position + 1] = terms[row, on].sum()
        for position, feature in enumerate(order):
            on[feature] = False
            outputs[row, n_features + position + 1] = terms[row, on].sum()
    values = values_from_chain_outputs(outputs, orders)
    np.testing.assert_allclose(values, terms, atol=1e-12)
    noisy = outputs + rng.normal(size=outputs.shape)
    noisy[:, -1] = noisy[:, 0]
    values = values_from_chain_outputs(noisy, orders)
    np.testing.assert_allclose(values.sum(axis=1), noisy[:, n_features] - noisy[:, 0], atol=1e-12)


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 6), st.integers(1, 5), st.integers(1, 4), st.integers(0, 2**31 - 1))
def test_forest_tables_give_shaps_values_on_random_forests(depth, n_columns, n_trees, seed):
    from sklearn.ensemble import RandomForestClassifier

    rng = np.random.default_rng(seed)
    X = rng.integers(0, 4, size=(120, n_columns)).astype(float) + rng.normal(0, 0.1, (120, 1))
    y = (X[:, 0] + rng.normal(0, 1, 120) > 1.5).astype(int)
    if y.min() == y.max():
        y[0] = 1 - y[0]
    forest = RandomForestClassifier(n_trees, max_depth=depth, random_state=seed % 1000).fit(X, y)
    tables = forest_tables(forest, 1)
    explanation = shap.TreeExplainer(forest)(X[:20])
    np.testing.assert_allclose(forest_shap(tables, X[:20]), explanation.values[:, :, 1], atol=1e-12)
    assert tables.base_value == pytest.approx(explanation.base_values[0, 1], abs=1e-12)


# ---------------------------------------------------------------------- folding
@pytest.mark.parametrize("name", MODEL_NAMES)
def test_values_speak_of_the_user_features_once_each(models, results, name) -> None:
    result = results[name]
    features = list(models[name].features)
    assert list(result.values.columns) == features
    assert list(result.data.columns) == features
    encoded = models[name].pipeline.named_steps["preprocess"].get_feature_names_out()
    assert not set(result.values.columns) & {str(e) for e in encoded}
    assert not any("__" in c for c in result.values.columns)


@pytest.mark.parametrize("name", ["logistic_regression", "random_forest", "hist_gradient_boosting"])
def test_source_columns_follow_the_column_transformer(models, name) -> None:
    pipeline = models[name].pipeline
    preprocess = pipeline.named_steps["preprocess"]
    names = preprocess.get_feature_names_out()
    sources = source_columns(pipeline)
    assert len(sources) == len(names)
    assert set(sources) == set(models[name].features)
    parts = {c: part for part, _, cols in preprocess.transformers_ for c in cols}
    for encoded, source in zip(names, sources, strict=True):
        assert encoded.startswith(f"{parts[source]}__{source}")
    assert source_columns(preprocess) == sources


@settings(max_examples=50, deadline=None)
@given(
    st.integers(1, 6),
    st.lists(st.integers(0, 3), min_size=1, max_size=12),
    st.integers(0, 2**31 - 1),
)
def test_folding_keeps_row_sums(n_rows, owners, seed) -> None:
    values = np.random.default_rng(seed).normal(size=(n_rows, len(owners)))
    features = ["a", "b", "c", "d"]
    folded = fold_columns(values, [features[o] for o in owners], features)
    assert list(folded.columns) == features
    np.testing.assert_allclose(folded.sum(axis=1), values.sum(axis=1), atol=1e-12)
    for j, feature in enumerate(features):
        own = [k for k, o in enumerate(owners) if o == j]
        np.testing.assert_allclose(folded[feature], values[:, own].sum(axis=1), atol=1e-12)


# ---------------------------------------------------------------------- model-agnostic path
@dataclass(frozen=True)
class _Loaded:
    """A model as loaded from a file: any pipeline, no FairLab step names."""

    pipeline: Pipeline
    features: tuple[str, ...] | None
    positive_class: int = 1


@pytest.mark.parametrize("calibration", ["sigmoid", "isotonic"])
def test_any_pipeline_gets_the_permutation_explainer_with_the_same_values(german, calibration):
    # The zoo's calibrated linear SVM is explained without shap's loop (per-fold decisions
    # summed along the permutation chains); an arbitrary pipeline holding the same fitted
    # steps goes through shap's PermutationExplainer. Same permutations, same values.
    train, test, roles = german
    config = ModelConfig("linear_svm", {"calibration": calibration})
    model = train_model(train, config, roles=roles)
    preprocess, estimator = model.pipeline.named_steps.values()
    loaded = _Loaded(Pipeline([("prep", preprocess), ("clf", estimator)]), model.features)
    rows = test.X.iloc[:10]
    generic = explain_shap(loaded, rows, background=train.X, random_state=3)
    fast = explain_shap(model, rows, background=train.X, random_state=3)
    assert generic.explainer == fast.explainer == "PermutationExplainer"
    np.testing.assert_allclose(generic.values, fast.values, rtol=0, atol=1e-10)
    assert generic.base_value == pytest.approx(fast.base_value, abs=1e-12)
    np.testing.assert_allclose(generic.output, fast.output, rtol=0, atol=1e-12)
    assert generic.background_rows == fast.background_rows == MAX_BACKGROUND_ROWS


class _ExactKnn:
    """A brute-force kNN on the fixed-point distances the fast path defines: each feature's
    squared distance rounded to the grid, summed, ties to the lowest training row."""

    def __init__(self, estimator, preprocess, owner: list[int], scale: float) -> None:
        self.estimator, self.preprocess, self.scale = estimator, preprocess, scale
        self.owner = np.asarray(owner)
        self.classes_ = estimator.classes_

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        encoded = np.asarray(self.preprocess.transform(X), dtype=float)
        training, labels = self.estimator._fit_X, self.estimator._y
        k = self.estimator.n_neighbors
        positive = np.empty(len(encoded))
        for i, row in enumerate(encoded):
            squared = (row - training) ** 2
            distance = sum(
                np.rint(squared[:, self.owner == j].sum(axis=1) * self.scale)
                for j in np.unique(self.owner)
            )
            nearest = np.lexsort((np.arange(len(training)), distance))[:k]
            if self.estimator.weights == "uniform":
                positive[i] = np.mean(labels[nearest] == 1)
                continue
            length = np.sqrt(distance[nearest] / self.scale)
            weight = (length == 0).astype(float) if (length == 0).any() else 1 / length
            positive[i] = np.sum(weight * (labels[nearest] == 1)) / np.sum(weight)
        return np.column_stack([1 - positive, positive])


def test_knn_values_are_shaps_permutation_values_on_exact_distances(german, models, monkeypatch):
    # The chains, block bounds and lazy updates of the fast kNN path against shap's own
    # loop on a brute-force kNN with the same distances and tie-breaking: with no budget
    # for the model, tied coalitions keep the fast path's answer (ties to the lowest row).
    monkeypatch.setattr(shap_module, "_MODEL_TIE_SAMPLES", 0)
    train, test, _ = german
    model = models["knn"]
    preprocess, estimator = model.pipeline.named_steps.values()
    features = list(model.features)
    owner = [features.index(s) for s in source_columns(model.pipeline)]
    index = knn_index(estimator, owner, len(features), 1)
    exact = _ExactKnn(estimator, preprocess, owner, index.scale)
    loaded = _Loaded(exact, model.features)
    background, rows = train.X.iloc[:KNN_BACKGROUND_ROWS], test.X.iloc[:8]
    generic = explain_shap(loaded, rows, background=background, random_state=5)
    fast = explain_shap(model, rows, background=background, random_state=5)
    assert generic.background_rows == fast.background_rows == KNN_BACKGROUND_ROWS
    np.testing.assert_allclose(generic.values, fast.values, rtol=0, atol=1e-12)
    np.testing.assert_allclose(generic.output, fast.output, rtol=0, atol=1e-12)
    # With the budget, tied coalitions are the model's: the values are those of shap's
    # loop on the fitted pipeline itself.
    monkeypatch.undo()
    plain = _Loaded(Pipeline([("prep", preprocess), ("clf", estimator)]), model.features)
    own = explain_shap(plain, rows, background=background, random_state=5)
    settled = explain_shap(model, rows, background=background, random_state=5)
    np.testing.assert_allclose(own.values, settled.values, rtol=0, atol=1e-12)
    assert settled.tie_share == 0.0


@pytest.mark.parametrize("weights", ["uniform", "distance"])
def test_knn_values_on_tied_data_match_shaps_loop(weights, monkeypatch) -> None:
    # Many duplicated and equally distant training rows (small integers and categories),
    # and enough of them for the block bounds to prune: ties must go the same way along
    # the chains as in a brute-force search, and every coalition whose k-th neighbour is
    # tied is handed to the model (a budget for all of them here).
    monkeypatch.setattr(shap_module, "_MODEL_TIE_SAMPLES", 10**6)
    rng = np.random.default_rng(7)
    n = 3000
    frame = pd.DataFrame(
        {
            "colour": pd.Series(rng.choice(["red", "blue", "green", "grey"], n), dtype="str"),
            "size": pd.Series(rng.choice(["S", "M", "L"], n), dtype="str"),
            "count": rng.integers(0, 4, n),
            "score": rng.integers(0, 6, n),
            "group": rng.choice(["a", "b"], n),
        }
    )
    signal = (frame["colour"] == "red") + frame["count"] / 3 + rng.normal(0, 0.7, n)
    frame["outcome"] = np.where(signal > 0.8, "yes", "no")
    spec = AuditSpec("outcome", "yes", ("group",), ("colour", "size", "count", "score"))
    data = build_audit_data(frame, spec)
    roles = {info.name: info.role for info in infer_column_roles(data.X)}
    train, test = data.subset(np.arange(2800)), data.subset(np.arange(2800, 3000))
    config = ModelConfig("knn", {"n_neighbors": 7, "weights": weights})
    model = train_model(train, config, roles=roles)
    preprocess, estimator = model.pipeline.named_steps.values()
    features = list(model.features)
    owner = [features.index(s) for s in source_columns(model.pipeline)]
    index = knn_index(estimator, owner, len(features), 1)
    assert len(np.unique(estimator._fit_X, axis=0)) <= 4 * 3 * 4 * 6  # duplicates: ties
    # Rows where exact distances and scikit-learn's float distances split a tie apart.
    exact = _ExactKnn(estimator, preprocess, owner, index.scale)
    rows, background = test.X.iloc[:40], train.X.iloc[:KNN_BACKGROUND_ROWS]
    own = model.pipeline.predict_proba(rows)[:, 1]
    tied = np.flatnonzero(np.abs(exact.predict_proba(rows)[:, 1] - own) > 1e-12)
    fast = explain_shap(model, rows, background=background, random_state=1, passes=2)
    # Additivity against the fitted pipeline's own predict_proba, tied rows included.
    np.testing.assert_allclose(fast.output, own, rtol=0, atol=0)
    rebuilt = fast.base_value + fast.values.sum(axis=1).to_numpy()
    np.testing.assert_allclose(rebuilt, own, rtol=0, atol=1e-12)
    assert fast.additivity_error <= 1e-12
    # Every row whose own tie goes the other way is explained by the model, and said so.
    assert set(tied.tolist()) <= set(fast.model_rows)
    if fast.model_rows:
        assert any(f"{len(fast.model_rows):,} of 40 explained rows" in n for n in fast.notes)
    # Those rows' values are those of the model-agnostic path on the fitted pipeline itself.
    preprocess_step, estimator_step = model.pipeline.named_steps.values()
    plain = _Loaded(Pipeline([("prep", preprocess_step), ("clf", estimator_step)]), model.features)
    generic = explain_shap(plain, rows, background=background, random_state=1, passes=2)
    picked = list(fast.model_rows)
    np.testing.assert_allclose(
        fast.values.iloc[picked], generic.values.iloc[picked], rtol=0, atol=1e-12
    )


def test_knn_rows_taken_in_chunks_give_the_same_values(german, models, monkeypatch):
    train, test, _ = german
    rows = test.X.iloc[:N_EXPLAINED]
    whole = explain_shap(models["knn"], rows, background=train.X, random_state=2)
    model = models["knn"]
    features = list(model.features)
    owner = [features.index(s) for s in source_columns(model.pipeline)]
    index = knn_index(model.pipeline.named_steps["model"], owner, len(features), 1)
    # Tables of at most KNN_BACKGROUND_ROWS + 3 rows: the explained rows go 3 at a time.
    per_row = 8 * len(features) * index.width
    monkeypatch.setattr(
        "fairlab.explain.shap_._KNN_TABLE_BYTES", per_row * (KNN_BACKGROUND_ROWS + 3)
    )
    chunked = explain_shap(models["knn"], rows, background=train.X, random_state=2)
    pd.testing.assert_frame_equal(whole.values, chunked.values)
    np.testing.assert_array_equal(whole.output, chunked.output)


def test_knn_predictions_are_the_models_and_do_not_depend_on_the_batch(german, models):
    train, test, _ = german
    model = models["knn"]
    preprocess, estimator = model.pipeline.named_steps.values()
    features = list(model.features)
    owner = [features.index(s) for s in source_columns(model.pipeline)]
    index = knn_index(estimator, owner, len(features), 1)
    tables, _ = knn_tables(index, preprocess.transform(test.X))
    together = knn_predict(index, tables)
    alone = np.array([knn_predict(index, tables[[i]])[0] for i in range(10)])
    np.testing.assert_array_equal(together[:10], alone)
    # German credit has no tied k-th neighbours, so scikit-learn agrees everywhere.
    np.testing.assert_allclose(together, model.pipeline.predict_proba(test.X)[:, 1], atol=1e-12)


def test_kernels_can_be_compiled_ahead_of_the_first_explanation() -> None:
    assert compile_kernels() >= 0.0


def test_knn_ties_go_to_the_earliest_training_row() -> None:
    from sklearn.neighbors import KNeighborsClassifier

    X = np.array([[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [5.0, 5.0]])
    for labels, expected in (([1, 0, 0, 0], 1.0), ([0, 1, 1, 1], 0.0)):
        estimator = KNeighborsClassifier(n_neighbors=1).fit(X, labels)
        index = knn_index(estimator, [0, 1], 2, 1)
        tables, _ = knn_tables(index, np.array([[0.0, 0.0], [0.1, -0.1]]))
        np.testing.assert_array_equal(knn_predict(index, tables), [expected, expected])


def test_a_model_without_probabilities_is_refused(german, models):
    train, test, _ = german
    preprocess = models["logistic_regression"].pipeline.named_steps["preprocess"]
    svc = LinearSVC().fit(preprocess.transform(train.X), train.y_true)
    loaded = _Loaded(Pipeline([("prep", preprocess), ("clf", svc)]), models["knn"].features)
    with pytest.raises(ShapError, match=re.escape(NO_PROBABILITIES_ERROR)):
        explain_shap(loaded, test.X.iloc[:3], background=train.X)


# ---------------------------------------------------------------------- budgets
def test_a_small_budget_samples_rows_seeded_and_says_how_many(german, models) -> None:
    train, test, _ = german
    model = models["naive_bayes"]
    per_row = estimate_shap_cost(model, 1).evaluations
    budget = 7 * per_row + per_row // 2
    runs = [
        explain_shap(model, test.X, background=train.X, max_evaluations=budget, random_state=s)
        for s in (5, 5, 6)
    ]
    first, again, other = runs
    assert first.n_rows == 7 and first.n_rows_total == test.n_rows and first.sampled
    np.testing.assert_array_equal(first.row_index, again.row_index)
    np.testing.assert_allclose(first.values, again.values)
    assert not np.array_equal(first.row_index, other.row_index)
    assert np.all(np.diff(first.row_index) > 0)
    pd.testing.assert_frame_equal(first.data, test.X.iloc[first.row_index].reset_index(drop=True))


def test_max_rows_caps_rows_and_at_least_one_row_is_explained(german, models) -> None:
    train, test, _ = german
    model = models["random_forest"]
    capped = explain_shap(model, test.X, background=train.X, max_rows=12)
    assert (capped.n_rows, capped.n_rows_total) == (12, test.n_rows)
    tiny = explain_shap(model, test.X, background=train.X, max_evaluations=1)
    assert tiny.n_rows == 1


@pytest.mark.parametrize("name", ["naive_bayes", "knn", "random_forest"])
def test_max_seconds_caps_rows_as_the_cost_estimate_says_and_says_so(german, models, name):
    train, test, _ = german
    model = models[name]
    per_row = estimate_shap_cost(model, 1).seconds_estimate
    budget = 6.5 * per_row
    result = explain_shap(model, test.X, background=train.X, max_seconds=budget)
    assert result.n_rows == len(result.values) == len(result.row_index) == len(result.data) == 6
    assert result.n_rows_total == test.n_rows and result.sampled
    assert len(set(result.row_index.tolist())) == 6
    assert any("6 of 100 rows were explained" in note for note in result.notes)
    roomy = explain_shap(model, test.X.iloc[:4], background=train.X, max_seconds=1e6)
    assert roomy.n_rows == 4 and not roomy.sampled
    assert not any("rows were explained" in note for note in roomy.notes)


@pytest.mark.parametrize("value", [0, -1.0, float("nan"), float("inf"), True, "1"])
def test_max_seconds_must_be_a_positive_number(german, models, value) -> None:
    train, test, _ = german
    with pytest.raises(ShapError, match=re.escape(SECONDS_ERROR.format(value=value))):
        explain_shap(models["decision_tree"], test.X, background=train.X, max_seconds=value)


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_results_say_what_they_are_relative_to(german, models, results, name) -> None:
    train, _, _ = german
    result = results[name]
    expected = {
        "PermutationExplainer": KNN_BACKGROUND_ROWS if name == "knn" else MAX_BACKGROUND_ROWS,
        "TreeExplainer": 0,
        "LinearExplainer": train.n_rows,
        ADDITIVE_NAIVE_BAYES: train.n_rows,
    }[result.explainer]
    assert result.background_rows == expected
    if result.explainer in {"PermutationExplainer", ADDITIVE_NAIVE_BAYES}:
        assert result.notes and f"{expected:,} background rows" in result.notes[0]


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_cost_estimate_grows_with_rows(models, name) -> None:
    one, many = estimate_shap_cost(models[name], 1), estimate_shap_cost(models[name], 100)
    assert isinstance(many, CostEstimate) and many.explainer == EXPECTED[name][0]
    assert many.evaluations == 100 * one.evaluations > 0
    assert many.seconds_estimate == pytest.approx(100 * one.seconds_estimate)


@pytest.mark.parametrize("param", ["max_rows", "max_evaluations"])
@pytest.mark.parametrize("value", [0, -1, 2.5, True])
def test_budgets_must_be_positive_ints(german, models, param, value) -> None:
    train, test, _ = german
    with pytest.raises(ShapError, match=re.escape(BUDGET_ERROR.format(param=param, value=value))):
        explain_shap(models["decision_tree"], test.X, background=train.X, **{param: value})


# ---------------------------------------------------------------------- group lenses
@pytest.mark.parametrize("name", ["hist_gradient_boosting", "knn"])
def test_gap_decomposition_sums_to_the_gap_in_mean_output(german, results, name) -> None:
    _, test, _ = german
    result = results[name]
    attribute = test.attributes[0]
    groups = test.groups(attribute).iloc[result.row_index].reset_index(drop=True)
    a, b = sorted(groups.unique(), key=str)[:2]
    gap = result.gap_decomposition(groups, a, b)
    expected = (
        result.output[groups.to_numpy() == a].mean() - result.output[groups.to_numpy() == b].mean()
    )
    assert gap.sum() == pytest.approx(expected, abs=1e-9)
    assert list(gap.index) == list(result.values.columns)
    table = result.by_group(groups)
    assert table.shape == (result.values.shape[1], groups.nunique())
    assert list(table.index) == list(result.mean_abs().index)
    with pytest.raises(
        ShapError,
        match=re.escape(
            UNKNOWN_GROUP_ERROR.format(group="zz", groups=sorted(map(str, groups.unique())))
        ),
    ):
        result.gap_decomposition(groups, "zz", b)
    with pytest.raises(
        ShapError, match=re.escape(GROUPS_LENGTH_ERROR.format(got=3, expected=result.n_rows))
    ):
        result.by_group(groups.iloc[:3])


def test_mean_abs_is_sorted(results) -> None:
    importance = results["random_forest"].mean_abs()
    assert importance.is_monotonic_decreasing and (importance >= 0).all()


# ---------------------------------------------------------------------- charts
def _result(n_features: int = 20, n_rows: int = 30) -> ShapResult:
    rng = np.random.default_rng(0)
    names = ["<b>job</b>", *[f"f{i}" for i in range(1, n_features)]]
    values = pd.DataFrame(rng.normal(size=(n_rows, n_features)), columns=names)
    data = pd.DataFrame({n: rng.normal(size=n_rows) for n in names})
    data["<b>job</b>"] = pd.Series(rng.choice(["<i>a</i>", "b"], n_rows), dtype="str")
    base = 0.3
    return ShapResult(
        values=values,
        base_value=base,
        output=base + values.sum(axis=1).to_numpy(),
        data=data,
        row_index=np.arange(5, 5 + n_rows),
        explainer="TreeExplainer",
        output_space="probability",
        n_rows_total=100,
        additivity_tolerance=1e-6,
        additivity_error=0.0,
    )


def test_bar_chart_shows_the_top_features_escaped() -> None:
    result = _result()
    (bar,) = shap_bar_chart(result, top=15).data
    assert len(bar.y) == 15
    np.testing.assert_allclose(bar.x, result.mean_abs().head(15))
    assert "<b>" not in "".join(bar.y)
    assert len(shap_bar_chart(_result(n_features=4)).data[0].y) == 4


def test_beeswarm_has_one_trace_per_feature_coloured_in_unit_range(results) -> None:
    fig = shap_beeswarm_chart(_result(), top=15)
    assert len(fig.data) == 15
    for trace in fig.data:
        colors = np.asarray(trace.marker.color, dtype=float)
        assert len(colors) == 30 and colors.min() >= 0 and colors.max() <= 1
    assert all("<b>" not in t for t in fig.layout.yaxis.ticktext)
    assert all("<i>" not in t for trace in fig.data for t in trace.text)
    real = shap_beeswarm_chart(results["knn"], top=5)
    assert len(real.data) == 5 and "40 rows" in real.layout.title.text


def test_waterfall_goes_from_base_value_to_output() -> None:
    result = _result()
    fig = shap_waterfall_chart(result, 2, top=10)
    (waterfall,) = fig.data
    assert waterfall.y[0] == "base value" and waterfall.y[-1] == "model output"
    assert len(waterfall.y) == 10 + 3 and waterfall.y[-2] == "10 other features"
    assert sum(waterfall.x[:-1]) == pytest.approx(result.output[2])
    assert "Row 7: base value 0.300" in fig.layout.title.text
    assert f"{result.output[2]:.3f}" in fig.layout.title.text
    assert all("<b>" not in label and "<i>" not in label for label in waterfall.y)
    with pytest.raises(ValueError, match=re.escape(ROW_ERROR.format(high=29, value=30))):
        shap_waterfall_chart(result, 30)


class _BatchDependent:
    """A classifier whose probability for a row shifts with the batch it is predicted in,
    as kNN's does on data with tied neighbours (float rounding picks the tied neighbour)."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline, self.classes_ = pipeline, pipeline.classes_

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        proba = self.pipeline.predict_proba(X).copy()
        shift = 0.01 if len(X) < 50 else 0.0
        return np.column_stack([proba[:, 0] - shift, proba[:, 1] + shift])


def test_additivity_error_is_measured_and_reported_when_the_model_depends_on_the_batch(
    german, models
):
    train, test, _ = german
    model = models["naive_bayes"]
    loaded = _Loaded(_BatchDependent(model.pipeline), model.features)
    result = explain_shap(loaded, test.X.iloc[:5], background=train.X)
    rebuilt = result.base_value + result.values.sum(axis=1).to_numpy()
    assert result.additivity_error == pytest.approx(np.abs(rebuilt - result.output).max())
    assert result.additivity_error == pytest.approx(0.01, abs=1e-9)
    assert result.additivity_error > result.additivity_tolerance


def test_rows_without_the_model_features_are_refused(german, models):
    train, test, _ = german
    model = models["decision_tree"]
    dropped = model.features[0]
    message = re.escape(MISSING_COLUMNS_ERROR.format(columns=[dropped]))
    with pytest.raises(ModelError, match=message):
        explain_shap(model, test.X.drop(columns=dropped), background=train.X)
    with pytest.raises(ModelError, match=message):
        explain_shap(model, test.X, background=train.X.drop(columns=dropped))
