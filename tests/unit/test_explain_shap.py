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
from fairlab.explain._features import fold_columns
from fairlab.explain.shap_ import (
    ADDITIVITY_TOLERANCE,
    BUDGET_ERROR,
    GROUPS_LENGTH_ERROR,
    MAX_BACKGROUND_ROWS,
    NO_PROBABILITIES_ERROR,
    UNKNOWN_GROUP_ERROR,
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

# Explainer and output space expected for each zoo model.
EXPECTED = {
    "logistic_regression": ("LinearExplainer", "log-odds"),
    "decision_tree": ("TreeExplainer", "probability"),
    "random_forest": ("TreeExplainer", "probability"),
    "hist_gradient_boosting": ("TreeExplainer", "log-odds"),
    "knn": ("PermutationExplainer", "probability"),
    "naive_bayes": ("PermutationExplainer", "probability"),
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
    """Model output computed independently of the explainers, from predict_proba."""
    p = model.pipeline.predict_proba(X)[:, 1]
    return p if space == "probability" else np.log(p) - np.log1p(-p)


# ---------------------------------------------------------------------- explainers, additivity
@pytest.mark.parametrize("name", MODEL_NAMES)
def test_explainer_is_chosen_by_model_and_named(models, results, name) -> None:
    result = results[name]
    assert (result.explainer, result.output_space) == EXPECTED[name]
    assert estimate_shap_cost(models[name], 1).explainer == result.explainer


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_base_value_plus_shap_values_is_the_model_output(german, models, results, name) -> None:
    # Trees and the linear model: exact algorithms, checked at 1e-6 in their own output
    # space (probability for tree/forest, log-odds for boosting and logistic regression).
    # Permutation: each antithetic permutation telescopes from f(background) to f(x), so
    # the values add up exactly too, up to float rounding; the same 1e-6 applies.
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


def test_base_value_is_the_mean_output_over_the_background_for_permutation(german, models):
    train, test, _ = german
    background = train.X.iloc[:MAX_BACKGROUND_ROWS]
    result = explain_shap(models["naive_bayes"], test.X.iloc[:5], background=background)
    mean = models["naive_bayes"].pipeline.predict_proba(background)[:, 1].mean()
    assert result.base_value == pytest.approx(mean, abs=1e-12)


def test_linear_values_match_shap_on_the_encoded_matrix_after_folding(german, models, results):
    # Independent computation once: shap on the encoded columns, then a plain groupby-sum.
    train, test, _ = german
    model = models["logistic_regression"]
    preprocess, estimator = model.pipeline.named_steps.values()
    explainer = shap.LinearExplainer(estimator, preprocess.transform(train.X))
    raw = explainer(preprocess.transform(test.X.iloc[:N_EXPLAINED])).values
    folded = pd.DataFrame(raw).T.groupby(source_columns(model.pipeline)).sum().T
    result = results["logistic_regression"]
    np.testing.assert_allclose(result.values[folded.columns], folded, atol=1e-10)
    np.testing.assert_allclose(result.values.sum(axis=1), raw.sum(axis=1), atol=1e-10)


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


def test_any_pipeline_gets_the_permutation_explainer_with_the_same_values(german, models):
    train, test, _ = german
    model = models["naive_bayes"]
    preprocess, estimator = model.pipeline.named_steps.values()
    loaded = _Loaded(Pipeline([("prep", preprocess), ("clf", estimator)]), model.features)
    rows = test.X.iloc[:10]
    generic = explain_shap(loaded, rows, background=train.X, random_state=3)
    fast = explain_shap(model, rows, background=train.X, random_state=3)
    assert generic.explainer == "PermutationExplainer"
    np.testing.assert_allclose(generic.values, fast.values, atol=1e-10)
    assert generic.base_value == pytest.approx(fast.base_value, abs=1e-12)


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
