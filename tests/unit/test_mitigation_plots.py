from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from fairlab.audit_data import build_audit_data
from fairlab.data import infer_column_roles
from fairlab.fairness import FairnessConfig
from fairlab.mitigation import MitigationError, TechniqueConfig, compare_techniques
from fairlab.models import ModelConfig
from fairlab.plots.mitigation import (
    COLOR_BASELINE,
    flips_chart,
    mitigation_section,
    pareto_front,
    per_group_chart,
    tradeoff_chart,
)
from fairlab.report import ReportSection, render_html
from fairlab.spec import AuditSpec
from fairlab.split import SplitConfig, split_audit_data

PAYLOAD = "<i>a</i>"


@pytest.fixture(scope="module")
def comparison():
    rng = np.random.default_rng(1)
    n = 800
    group = rng.choice([PAYLOAD, "b"], n)
    favoured = group == PAYLOAD
    skill = rng.normal(0, 1, n)
    outcome = np.where(skill + 0.8 * favoured + rng.normal(0, 0.5, n) > 0.4, "yes", "no")
    frame = pd.DataFrame(
        {
            "skill": skill,
            "proxy": favoured + rng.normal(0, 0.5, n),
            "group": pd.Series(group, dtype="str"),
            "outcome": outcome,
        }
    )
    # No prediction or score column: a model is trained, as on the Model page.
    spec = AuditSpec("outcome", "yes", ("group",), ("skill", "proxy"))
    data = build_audit_data(frame, spec)
    assert data.y_pred is None and data.y_score is None
    roles = {info.name: info.role for info in infer_column_roles(data.X)}
    split = split_audit_data(data, SplitConfig(random_state=0))
    return compare_techniques(
        split.train(data),
        split.test(data),
        ModelConfig("logistic_regression"),
        [
            TechniqueConfig("exponentiated_gradient", "demographic_parity"),
            TechniqueConfig("threshold_optimizer", "demographic_parity"),
            TechniqueConfig("reject_option"),
            # Nobody in group b is selected: its precision, so predictive parity, is undefined.
            TechniqueConfig("group_thresholds", thresholds={PAYLOAD: 0.5, "b": 2.0}),
        ],
        roles=roles,
        attribute="group",
        fairness_config=FairnessConfig(n_boot=100),
    )


def test_pareto_front_keeps_the_points_nothing_beats() -> None:
    disparity = np.array([0.20, 0.05, 0.10, 0.12, np.nan, 0.05])
    accuracy = np.array([0.85, 0.80, 0.84, 0.83, 0.90, 0.79])
    front = pareto_front(disparity, accuracy, lower_is_better=True)
    assert front.tolist() == [True, True, True, False, False, False]
    ratios = pareto_front(1 - disparity, accuracy, lower_is_better=False)
    assert ratios.tolist() == front.tolist()


def test_tradeoff_chart_has_whiskers_front_baseline_and_names(comparison) -> None:
    fig = tradeoff_chart(comparison, "demographic_parity_difference")
    assert isinstance(fig, go.Figure)
    by_name = {trace.name: trace for trace in fig.data}
    assert {"Pareto front", "baseline", "in-processing", "post-processing"} <= set(by_name)
    baseline = by_name["baseline"]
    assert baseline.marker.symbol == "star" and baseline.marker.color == COLOR_BASELINE
    assert list(baseline.customdata) == [comparison.baseline_name]
    labelled = [name for trace in fig.data if trace.mode != "lines" for name in trace.customdata]
    assert sorted(labelled) == sorted(comparison.names)
    table = comparison.table()
    for trace in fig.data:
        if trace.mode == "lines":
            continue
        for position, name in enumerate(trace.customdata):
            assert trace.x[position] == pytest.approx(
                table.loc[name, "demographic_parity_difference"]
            )
            assert trace.y[position] == pytest.approx(table.loc[name, "accuracy"])
        assert trace.error_x.array is not None and trace.error_y.arrayminus is not None
    front = by_name["Pareto front"]
    assert len(front.x) >= 1 and list(front.x) == sorted(front.x)
    assert "lower is better" in fig.layout.xaxis.title.text


def test_tradeoff_chart_rings_the_selection_and_leaves_out_undefined_points(comparison) -> None:
    chosen = "Reject-option classification"
    fig = tradeoff_chart(comparison, "predictive_parity_difference", highlight=chosen)
    selected = [trace for trace in fig.data if trace.name == "selected"]
    assert len(selected) == 1 and list(selected[0].customdata) == [chosen]
    shown = [
        name for trace in fig.data if trace.name != "Pareto front" for name in trace.customdata
    ]
    undefined = "Per-group thresholds (&lt;i&gt;a&lt;/i&gt;: 0.5, b: 2)"
    assert not any(name.startswith("Per-group") for name in shown)
    assert any(undefined in a.text for a in fig.layout.annotations)
    with pytest.raises(MitigationError, match="'disparity' parameter"):
        tradeoff_chart(comparison, "fairness")
    with pytest.raises(MitigationError, match="no technique 'fair model'"):
        tradeoff_chart(comparison, highlight="fair model")
    ratio = tradeoff_chart(comparison, "equalized_odds_ratio")
    assert "higher is better" in ratio.layout.xaxis.title.text


def test_user_text_is_escaped_in_the_charts(comparison) -> None:
    fig = tradeoff_chart(comparison)
    hover = " ".join(text for trace in fig.data if trace.hovertext for text in trace.hovertext)
    assert "&lt;i&gt;a&lt;/i&gt;" in hover and PAYLOAD not in hover
    bars = per_group_chart(comparison, "Threshold optimizer · demographic parity")
    labels = [label for trace in bars.data for label in trace.y]
    assert any(label.startswith("&lt;i&gt;a&lt;/i&gt;") for label in labels)
    assert not any(PAYLOAD in label for label in labels)


def test_per_group_chart_shows_baseline_and_technique(comparison) -> None:
    name = "Threshold optimizer · demographic parity"
    fig = per_group_chart(comparison, name, metric="true_positive_rate")
    assert [trace.name for trace in fig.data] == ["baseline", name]
    table = comparison.per_group(name, metrics=("true_positive_rate",))
    assert list(fig.data[1].x) == pytest.approx(table["mitigated"].tolist())
    with pytest.raises(MitigationError, match="'metric' parameter"):
        per_group_chart(comparison, name, metric="fairness")


def test_flips_chart_stacks_both_directions(comparison) -> None:
    name = "Reject-option classification"
    fig = flips_chart(comparison, name)
    flips = comparison.flips(name)
    up, down = fig.data
    assert list(up.customdata) == flips["negative_to_positive"].tolist()
    assert list(down.customdata) == flips["positive_to_negative"].tolist()
    assert fig.layout.barmode == "stack"


def test_report_section_holds_the_table_and_the_chart(comparison) -> None:
    section = mitigation_section(comparison)
    assert isinstance(section, ReportSection)
    assert len(section.figures) == 1 and section.figures[0].data
    body = section.body_html
    assert body.count("<tr>") == len(comparison.names) + 1
    assert "demographic parity difference" in body and "verdict" in body
    assert "needs the sensitive attribute to decide" in body
    assert PAYLOAD not in body and "&lt;i&gt;a&lt;/i&gt;" in body
    assert "debias" not in body.lower()
    html = render_html(
        dataset_name="synthetic",
        spec=AuditSpec("outcome", "yes", ("group",), ("skill",)),
        sections=[section],
    )
    assert "Mitigation techniques compared for &#x27;group&#x27;" in html
    assert html.count("plotly-graph-div") >= 1
    assert not math.isnan(comparison.table().loc[comparison.baseline_name, "accuracy"])
