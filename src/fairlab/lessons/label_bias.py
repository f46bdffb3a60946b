"""Lesson 5: label bias — an audit against biased labels finds the model fine."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from fairlab.data.synthetic import MAJORITY_GROUP as A
from fairlab.data.synthetic import MINORITY_GROUP as B
from fairlab.lessons._common import (
    BASE_WORLD,
    GROUP_COLORS,
    GROUPS,
    assess,
    direction,
    pct,
    rate,
    world,
)
from fairlab.lessons._model import Control, Lesson, Prediction, Step, StepResult
from fairlab.lessons.lab import LessonLab
from fairlab.lessons.workbench import Workbench
from fairlab.plots._style import apply_layout

WORLD = world(BASE_WORLD, label_bias=0.3)
SWEEP = (0.0, 0.15, 0.3, 0.45, 0.6)

BIAS = Control(
    "bias",
    "Share of group B's repayers recorded as defaulters",
    "slider",
    0.3,
    0.0,
    0.6,
    0.05,
)
TRUTH = Control("truth", "Measure against the true outcomes", "toggle", False)


def _lab(bench: Workbench, bias: float) -> LessonLab:
    # The model learns from history, group included: it reproduces the records faithfully.
    return bench.lab(world(WORLD, label_bias=bias), aware=True)


def group_summary(lab: LessonLab, *, truth: bool) -> pd.DataFrame:
    """Per group: the outcome rate, the model's mean score, the approval rate and the true
    positive rate, against the recorded (or the true) outcomes."""
    y = lab.y_true_test if truth else lab.y_test
    decisions = lab.decisions()
    result = assess(lab, decisions, y_true=y)
    groups = lab.groups.to_numpy()
    rows = {}
    for group in GROUPS:
        member = groups == group
        rows[group] = {
            "repayment rate": float(y[member].mean()),
            "mean score": float(lab.scores[member].mean()),
            "approval rate": float(decisions[member].mean()),
            "true positive rate": rate(result, group, "true_positive_rate"),
        }
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "group"
    frame["score minus rate"] = frame["mean score"] - frame["repayment rate"]
    return frame


def _chart(frame: pd.DataFrame, *, title: str) -> go.Figure:
    fig = go.Figure()
    columns = ["repayment rate", "mean score", "approval rate", "true positive rate"]
    for group in GROUPS:
        values = [float(frame.loc[group, c]) for c in columns]
        fig.add_bar(
            name=f"Group {group}",
            x=[c.capitalize() for c in columns],
            y=values,
            marker_color=GROUP_COLORS[group],
            text=[f"{v:.0%}" for v in values],
            textposition="inside",
        )
    fig.update_yaxes(range=[0, 1.05], tickformat=".0%")
    fig.update_layout(barmode="group")
    return apply_layout(fig, title=title, height=380)


def _recorded(values: Mapping[str, Any], bench: Workbench) -> StepResult:
    frame = group_summary(_lab(bench, values["bias"]), truth=False)
    worst = float(frame["score minus rate"].abs().max())
    return StepResult(
        headline=(
            f"Recorded repayment rates: {pct(frame.loc[A, 'repayment rate'])} (A) and "
            f"{pct(frame.loc[B, 'repayment rate'])} (B). The model approves "
            f"{pct(frame.loc[A, 'approval rate'])} and {pct(frame.loc[B, 'approval rate'])}, "
            f"and its mean score matches each group's recorded rate within {worst:.2f}: "
            + (
                "calibrated, and the gap in approvals looks justified by the records."
                if abs(frame.loc[A, "approval rate"] - frame.loc[B, "approval rate"]) > 0.03
                else "calibrated, with equal approvals."
            )
        ),
        figure=_chart(frame, title="Audited against the recorded outcomes"),
        table=frame.round(3),
        facts={
            "calibration_gap": worst,
            "recorded_rate_A": float(frame.loc[A, "repayment rate"]),
            "recorded_rate_B": float(frame.loc[B, "repayment rate"]),
        },
    )


def _truth(values: Mapping[str, Any], bench: Workbench) -> StepResult:
    lab = _lab(bench, BIAS.default)
    recorded = group_summary(lab, truth=False)
    true = group_summary(lab, truth=True)
    shown = true if values["truth"] else recorded
    under = float(-true.loc[B, "score minus rate"])
    return StepResult(
        headline=(
            f"In truth, {pct(true.loc[A, 'repayment rate'])} of A and "
            f"{pct(true.loc[B, 'repayment rate'])} of B would repay. The model's mean score for "
            f"B is {true.loc[B, 'mean score']:.2f}: it under-rates group B by {under:.2f}, and "
            f"approves {pct(true.loc[B, 'true positive rate'])} of B's repayers against "
            f"{pct(true.loc[A, 'true positive rate'])} of A's."
        ),
        figure=_chart(
            shown,
            title="Audited against the "
            + ("true" if values["truth"] else "recorded")
            + " outcomes",
        ),
        table=shown.round(3),
        answer=direction(true.loc[B, "repayment rate"] - true.loc[A, "repayment rate"]),
        facts={
            "true_rate_A": float(true.loc[A, "repayment rate"]),
            "true_rate_B": float(true.loc[B, "repayment rate"]),
            "under_rating_B": under,
        },
    )


def _sweep(values: Mapping[str, Any], bench: Workbench) -> StepResult:
    rows = []
    for bias in SWEEP:
        lab = _lab(bench, bias)
        recorded = group_summary(lab, truth=False)
        true = group_summary(lab, truth=True)
        rows.append(
            {
                "label bias": bias,
                "B's score minus B's rate, recorded": float(recorded.loc[B, "score minus rate"]),
                "B's score minus B's rate, true": float(true.loc[B, "score minus rate"]),
            }
        )
    frame = pd.DataFrame(rows).set_index("label bias")
    fig = go.Figure()
    for column, group in zip(frame.columns, GROUPS, strict=True):
        fig.add_scatter(
            x=frame.index,
            y=frame[column],
            mode="lines+markers",
            name=column,
            line=dict(color=GROUP_COLORS[group]),
        )
    fig.add_hline(y=0, line_color="#868e96")
    fig.add_vline(x=values["bias"], line_dash="dot", annotation_text="your setting")
    fig.update_xaxes(title="Share of group B's repayers recorded as defaulters")
    fig.update_yaxes(title="Mean score minus repayment rate, group B")
    apply_layout(fig, title="What the audit sees, and what is there", height=400)
    nearest = min(SWEEP, key=lambda b: abs(b - values["bias"]))
    row = frame.loc[nearest]
    return StepResult(
        headline=(
            f"At a label bias of {nearest:.2f}, group B's scores look calibrated against the "
            f"records ({row.iloc[0]:+.2f}) while they under-rate B by {-row.iloc[1]:.2f} "
            "against the truth. The more biased the labels, the more the audit misses, and "
            "it never notices."
        ),
        figure=fig,
        table=frame.round(3),
        facts={"recorded_gap": float(row.iloc[0]), "true_gap": float(row.iloc[1])},
    )


LESSON = Lesson(
    key="label-bias",
    title="Label bias",
    summary="An audit measures a model against its labels; when the labels carry the bias, "
    "the metrics look fine. Compare them with the true outcomes the synthetic world kept.",
    steps=(
        Step(
            "recorded",
            "Audit against the records",
            "In this world the two groups would repay equally often, but some of group B's "
            "repayers were recorded as defaulters (restructured loans counted as defaults). "
            "The model learned from those records. Audit it the usual way, against the "
            "recorded outcomes, and set how biased the records are.",
            (BIAS,),
            _recorded,
        ),
        Step(
            "truth",
            "Audit against the truth",
            "A synthetic world knows what really happened. Switch the audit to the true outcomes.",
            (TRUTH,),
            _truth,
            predict=Prediction(
                "In truth, will group B repay less often, about as often, or more often than "
                "group A?",
                ("lower", "about the same", "higher"),
            ),
        ),
        Step(
            "sweep",
            "How much does the audit miss?",
            "For every level of label bias: how far group B's mean score sits from B's "
            "repayment rate, against the records and against the truth.",
            (BIAS,),
            _sweep,
        ),
    ),
    discussion=(
        "In real data there are no true labels to compare with. Where could you find "
        "evidence that the labels are biased?",
        "Arrests are recorded, crimes are not; hires are recorded, merit is not. Name a label "
        "in your field that measures something other than what we care about.",
        "If the labels are biased, which fairness criteria can you still trust?",
    ),
    glossary=("calibration", "base_rate", "true_positive_rate"),
)
