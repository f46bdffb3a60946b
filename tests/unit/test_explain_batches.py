from __future__ import annotations

import numpy as np
import pytest

from fairlab.audit_data import build_audit_data
from fairlab.data import load_bundled
from fairlab.data.csv import infer_column_roles
from fairlab.explain import ShapError, estimate_shap_cost, explain_shap
from fairlab.explain.batches import RowPlan, explain_shap_batches, plan_shap_rows
from fairlab.models import ModelConfig, train_model


@pytest.fixture(scope="module")
def german():
    frame, spec = load_bundled("german")
    data = build_audit_data(frame, spec)
    roles = {info.name: info.role for info in infer_column_roles(frame[list(spec.features)])}
    train, test = data.subset(np.arange(700)), data.subset(np.arange(700, 1000))
    return train, test, roles


# Exact explainers give every row the same values whatever its batch; a permutation
# explainer's sampled permutations depend on the row's place in its batch.
@pytest.mark.parametrize("name", ["logistic_regression", "random_forest"])
def test_batches_give_the_values_of_one_call_on_the_same_rows(german, name):
    train, test, roles = german
    model = train_model(train, ModelConfig(name), roles=roles)
    calls = []
    result = explain_shap_batches(
        model,
        test.X,
        background=train.X,
        n_rows=53,
        random_state=3,
        batch_rows=20,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(20, 53), (40, 53), (53, 53)]
    assert result.n_rows == 53 and result.n_rows_total == len(test.X)
    assert len(set(result.row_index.tolist())) == 53
    assert np.all(np.diff(result.row_index) > 0)
    # The explained data are the rows named by row_index.
    expected = test.X.iloc[result.row_index].reset_index(drop=True)
    assert result.data.astype(str).equals(expected.astype(str))
    once = explain_shap(
        model,
        test.X.iloc[result.row_index],
        background=train.X,
        max_rows=53,
        max_evaluations=2**62,
        random_state=3,
    )
    np.testing.assert_allclose(result.values.to_numpy(), once.values.to_numpy(), atol=1e-9)
    assert result.base_value == pytest.approx(once.base_value, abs=1e-12)
    assert result.additivity_error <= result.additivity_tolerance


def test_batches_of_a_model_agnostic_explainer_are_reproducible(german):
    train, test, roles = german
    model = train_model(train, ModelConfig("knn"), roles=roles)
    kwargs = dict(background=train.X, n_rows=30, random_state=5, batch_rows=12)
    first = explain_shap_batches(model, test.X, **kwargs)
    again = explain_shap_batches(model, test.X, **kwargs)
    np.testing.assert_array_equal(first.values.to_numpy(), again.values.to_numpy())
    assert first.n_rows == 30 and first.row_index.tolist() == again.row_index.tolist()


def test_all_rows_when_fewer_than_asked(german):
    train, test, roles = german
    model = train_model(train, ModelConfig("logistic_regression"), roles=roles)
    result = explain_shap_batches(model, test.X.iloc[:30], background=train.X, n_rows=1000)
    assert result.n_rows == 30 and not result.sampled
    assert result.row_index.tolist() == list(range(30))


def test_plan_caps_rows_to_the_time_budget(german):
    train, _, roles = german
    model = train_model(train, ModelConfig("random_forest"), roles=roles)
    per_row = estimate_shap_cost(model, 1000).seconds_estimate / 1000
    roomy = plan_shap_rows(model, 5000, wanted=1000, max_seconds=per_row * 2000)
    assert isinstance(roomy, RowPlan)
    assert roomy.n_rows == 1000 and not roomy.capped_by_budget
    tight = plan_shap_rows(model, 5000, wanted=1000, max_seconds=per_row * 100.5)
    assert tight.n_rows == 100 and tight.capped_by_budget
    assert tight.seconds_estimate <= per_row * 100.5
    assert "100 of 5,000 rows" in tight.sentence and "time budget" in tight.sentence
    assert plan_shap_rows(model, 50, wanted=1000, max_seconds=1e9).n_rows == 50
    assert plan_shap_rows(model, 5000, wanted=1000, max_seconds=1e-12).n_rows == 1


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"wanted": 0, "max_seconds": 1.0}, "'wanted' parameter must be an int >= 1"),
        ({"wanted": 10, "max_seconds": 0}, "'max_seconds' parameter must be a number > 0"),
    ],
)
def test_plan_rejects_bad_parameters(german, kwargs, match):
    train, _, roles = german
    model = train_model(train, ModelConfig("decision_tree"), roles=roles)
    with pytest.raises(ShapError, match=match):
        plan_shap_rows(model, 100, **kwargs)


def test_batches_reject_bad_counts(german):
    train, test, roles = german
    model = train_model(train, ModelConfig("decision_tree"), roles=roles)
    with pytest.raises(ShapError, match="'batch_rows' parameter must be an int >= 1"):
        explain_shap_batches(model, test.X, background=train.X, n_rows=10, batch_rows=0)


def test_batches_keep_each_batchs_tie_notes_and_share(monkeypatch):
    # kNN on data full of duplicated rows, with no budget for the model to settle ties: each
    # batch leaves tied coalitions to the fast path and says so; the merged result must say
    # it too and report the share over all rows, not only the first batch's.
    import pandas as pd

    from fairlab.explain import shap_ as shap_module
    from fairlab.spec import AuditSpec

    monkeypatch.setattr(shap_module, "_MODEL_TIE_SAMPLES", 0)
    rng = np.random.default_rng(3)
    n = 1200
    frame = pd.DataFrame(
        {
            "colour": rng.choice(["red", "blue", "green"], n),
            "count": rng.integers(0, 3, n),
            "group": rng.choice(["a", "b"], n),
        }
    )
    signal = (frame["colour"] == "red") + frame["count"] / 2 + rng.normal(0, 0.7, n)
    frame["outcome"] = np.where(signal > 0.8, "yes", "no")
    data = build_audit_data(frame, AuditSpec("outcome", "yes", ("group",), ("colour", "count")))
    roles = {info.name: info.role for info in infer_column_roles(data.X)}
    train, test = data.subset(np.arange(1000)), data.subset(np.arange(1000, n))
    model = train_model(train, ModelConfig("knn", {"n_neighbors": 5}), roles=roles)
    kwargs = dict(background=train.X, n_rows=40, random_state=0, max_passes=1)
    merged = explain_shap_batches(model, test.X, batch_rows=10, **kwargs)
    assert merged.tie_share > 0
    tie_notes = [n for n in merged.notes if "left to the fast path" in n]
    assert tie_notes, merged.notes
    assert sum("permutations of the features per row" in n for n in merged.notes) == 1
