"""The report's explanations section, and the extra explanation charts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from fairlab.audit_data import AuditData, build_audit_data
from fairlab.data import infer_column_roles
from fairlab.explain import (
    ShapResult,
    agreement_over_rows,
    explain_lime,
    explain_shap,
    proxy_strength,
    summarize_agreement,
)
from fairlab.explain.proxies import ALL_FEATURES
from fairlab.explain.report_section import SECTION_TITLE, explanation_section
from fairlab.explain.surrogate import fit_surrogate
from fairlab.models import ModelConfig, TrainedModel, train_model
from fairlab.plots.explain_extra import (
    COLOR_BY_LENGTH_ERROR,
    MISSING_LABEL,
    gap_decomposition_chart,
    lime_weights_chart,
    proxy_chart,
    shap_by_group_chart,
    shap_dependence_chart,
)
from fairlab.report import ReportSection, render_html
from fairlab.spec import AuditSpec

PAYLOAD = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
FEATURES = (PAYLOAD, "job", "income", "married_to_sex")
N_ROWS = 400


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    sex = rng.choice(["F", "M"], N_ROWS)
    table = pd.DataFrame(
        {
            PAYLOAD: rng.integers(18, 70, N_ROWS),
            "job": rng.choice(["clerk", "nurse", "driver"], N_ROWS),
            "income": rng.normal(50, 10, N_ROWS).round(1),
            # A proxy of sex: the same as sex for 90% of rows.
            "married_to_sex": np.where(rng.random(N_ROWS) < 0.9, sex, rng.choice(["F", "M"])),
            "sex": sex,
        }
    )
    logit = 0.1 * (table[PAYLOAD] - 40) + np.where(table["job"] == "nurse", 1.0, 0.0)
    table["outcome"] = (rng.random(N_ROWS) < 1 / (1 + np.exp(-logit))).astype(int)
    table["decision"] = np.where(table[PAYLOAD] > 40, "yes", "no")
    return table


@pytest.fixture(scope="module")
def roles(frame) -> dict[str, str]:
    return {info.name: info.role for info in infer_column_roles(frame[list(FEATURES)])}


@pytest.fixture(scope="module")
def spec() -> AuditSpec:
    return AuditSpec(
        target="outcome",
        positive_label=1,
        sensitive=("sex",),
        features=FEATURES,
        prediction_column="decision",
        prediction_positive=("yes",),
    )


@pytest.fixture(scope="module")
def data(frame, spec) -> AuditData:
    return build_audit_data(frame, spec)


@pytest.fixture(scope="module")
def model(data, roles) -> TrainedModel:
    return train_model(data, ModelConfig("logistic_regression"), roles=roles)


@pytest.fixture(scope="module")
def shap_result(data, model) -> ShapResult:
    return explain_shap(model, data.X, background=data.X, max_rows=60)


@pytest.fixture(scope="module")
def lime_results(data, model, roles) -> dict[int, object]:
    return {
        position: explain_lime(
            model, data.X, data.X.iloc[position], roles=roles, num_samples=500, num_features=4
        )
        for position in (0, 1, 2)
    }


@pytest.fixture(scope="module")
def proxies(data, roles) -> pd.DataFrame:
    return proxy_strength(data.X, data.sensitive_features["sex"], roles=roles)


@pytest.fixture(scope="module")
def section(shap_result, lime_results, proxies) -> ReportSection:
    shap_rows = shap_result.values.iloc[list(lime_results)]
    lime_rows = pd.DataFrame({p: r.weights for p, r in lime_results.items()}).T
    summary = summarize_agreement(agreement_over_rows(shap_rows, lime_rows, top_k=3))
    return explanation_section(
        shap_result,
        agreement=summary,
        proxies=proxies,
        proxy_attribute="sex",
        model_label=f"Logistic regression {PAYLOAD}",
    )


# ---------------------------------------------------------------------- section
def test_section_names_the_explainer_and_the_rows(section, shap_result) -> None:
    assert section.title == SECTION_TITLE
    assert "SHAP values by LinearExplainer" in section.body_html
    assert f"60 of {N_ROWS} rows explained (a seeded sample)" in section.body_html
    assert shap_result.sampled
    assert "<h3>Global importance</h3>" in section.body_html
    assert "in the log-odds of the positive outcome" in section.body_html


def test_section_holds_importance_agreement_and_proxies(section, shap_result) -> None:
    body = section.body_html
    top = shap_result.mean_abs()
    assert f"<td>{ESCAPED}</td><td>{top[PAYLOAD]:.3g}</td>" in body
    assert "<h3>Do SHAP and LIME agree?</h3>" in body
    assert "tell the same story for" in body
    assert "<h3>Proxies of &#x27;sex&#x27;</h3>" in body
    assert f"<td>{ALL_FEATURES}</td>" in body
    assert "<td>married_to_sex</td><td>categorical</td>" in body
    assert [type(f) for f in section.figures] == [go.Figure, go.Figure]
    bar, proxy = section.figures
    assert ESCAPED in list(bar.data[0].y)
    assert "married_to_sex" in list(proxy.data[0].y) and proxy.data[0].name == "likely proxy"


def test_rendered_report_escapes_user_text(section, spec) -> None:
    page = render_html(dataset_name="synthetic", spec=spec, sections=[section])
    assert PAYLOAD not in page
    assert ESCAPED in page
    assert "<h2>Explanations</h2>" in page
    assert f"Logistic regression {ESCAPED}" in page


def test_section_without_optional_parts(shap_result) -> None:
    lean = explanation_section(shap_result, model_label="model")
    assert "agree" not in lean.body_html and "Proxies" not in lean.body_html
    assert len(lean.figures) == 1


def test_section_of_a_surrogate_says_so_with_its_fidelity(data, roles) -> None:
    surrogate = fit_surrogate(data, roles=roles, kind="tree")
    result = explain_shap(surrogate, data.X, background=data.X.iloc[surrogate.train_rows])
    section = explanation_section(result, model_label=surrogate.label, surrogate=surrogate)
    body = section.body_html
    assert "These explanations describe a surrogate" in body
    assert "fitted to mimic the file&#x27;s predictions" in body
    assert f"{surrogate.agreement:.1%}" in body and "balanced agreement" in body
    assert f"held-out rows</td><td>{surrogate.n_test:,} of {N_ROWS:,}" in body
    assert f"all {N_ROWS:,} rows explained" in body
    assert "R²" not in body


# ---------------------------------------------------------------------- charts
def test_dependence_chart_of_a_number_coloured_by_group(data, shap_result) -> None:
    groups = data.sensitive_features["sex"].iloc[shap_result.row_index]
    fig = shap_dependence_chart(shap_result, PAYLOAD, color_by=groups, color_title="sex")
    assert [trace.name for trace in fig.data] == ["F", "M"]
    assert sum(len(trace.x) for trace in fig.data) == shap_result.n_rows
    women = (groups == "F").to_numpy()
    np.testing.assert_allclose(fig.data[0].x, shap_result.data[PAYLOAD].to_numpy()[women])
    np.testing.assert_allclose(fig.data[0].y, shap_result.values[PAYLOAD].to_numpy()[women])
    assert fig.layout.legend.title.text == "sex"
    assert PAYLOAD not in fig.layout.title.text and ESCAPED in fig.layout.title.text


def test_dependence_chart_of_a_category_is_jittered(shap_result) -> None:
    fig = shap_dependence_chart(shap_result, "job")
    assert len(fig.data) == 1
    assert list(fig.layout.xaxis.ticktext) == ["clerk", "driver", "nurse"]
    x = np.asarray(fig.data[0].x)
    codes = pd.Categorical(shap_result.data["job"], categories=["clerk", "driver", "nurse"]).codes
    assert np.all(np.abs(x - codes) <= 0.25)
    assert np.ptp(x - codes) > 0


def test_dependence_chart_checks_its_inputs(shap_result) -> None:
    with pytest.raises(ValueError, match="was not explained"):
        shap_dependence_chart(shap_result, "zip")
    message = COLOR_BY_LENGTH_ERROR.format(got=3, expected=shap_result.n_rows)
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        shap_dependence_chart(shap_result, "job", color_by=pd.Series(["a", "b", "c"]))


def test_by_group_chart_has_one_bar_trace_per_group(data, shap_result) -> None:
    groups = data.sensitive_features["sex"].iloc[shap_result.row_index]
    table = shap_result.by_group(groups)
    fig = shap_by_group_chart(table, attribute="sex", output_space=shap_result.output_space)
    assert [trace.name for trace in fig.data] == ["F", "M"]
    assert all(isinstance(trace, go.Bar) for trace in fig.data)
    assert fig.layout.barmode == "group"
    assert list(fig.data[0].y) == [
        ESCAPED if f == PAYLOAD else f for f in shap_result.mean_abs().index
    ]
    np.testing.assert_allclose(fig.data[1].x, table["M"].to_numpy())


def test_gap_chart_adds_up_to_the_gap(data, shap_result) -> None:
    groups = data.sensitive_features["sex"].iloc[shap_result.row_index]
    gap = shap_result.gap_decomposition(groups, "F", "M")
    fig = gap_decomposition_chart(gap, top=2, output_space="log-odds")
    (waterfall,) = fig.data
    assert isinstance(waterfall, go.Waterfall)
    assert list(waterfall.measure) == ["relative", "relative", "relative", "total"]
    assert waterfall.y[2] == "2 other features"
    assert sum(waterfall.x[:-1]) == pytest.approx(gap.sum())
    assert waterfall.x[-1] == pytest.approx(gap.sum())
    assert "F − M" in fig.layout.title.text


def test_lime_chart_labels_bars_with_conditions(lime_results) -> None:
    result = lime_results[0]
    fig = lime_weights_chart(result)
    (bars,) = fig.data
    assert list(bars.x) == list(result.weights)
    expected = [
        result.conditions[f].replace("<", "&lt;").replace(">", "&gt;") for f in result.weights.index
    ]
    assert list(bars.y) == expected
    assert f"model {result.model_prediction:.3f}" in fig.layout.title.text


def test_proxy_chart_splits_flagged_features(proxies) -> None:
    fig = proxy_chart(proxies, attribute="sex")
    names = [trace.name for trace in fig.data]
    assert names == ["likely proxy", "not flagged"]
    flagged = proxies.index[proxies["likely_proxy"]].tolist()
    assert list(fig.data[0].y) == flagged
    assert fig.layout.title.text == "How well each feature predicts sex"
    assert fig.layout.xaxis.title.text.startswith("cross-validated ROC AUC (dotted: chance")
    assert [shape.x0 for shape in fig.layout.shapes] == [0.5, 0.7]


def test_missing_groups_are_named(shap_result) -> None:
    groups = pd.Series(["F"] * (shap_result.n_rows - 1) + [None])
    fig = shap_dependence_chart(shap_result, "income", color_by=groups)
    assert [trace.name for trace in fig.data] == ["F", MISSING_LABEL]
