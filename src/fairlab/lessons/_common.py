"""Pieces the lessons share: their worlds, group rates and charts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from fairlab.data.synthetic import MAJORITY_GROUP, MINORITY_GROUP, WorldConfig
from fairlab.fairness import FairnessResult, assess_fairness
from fairlab.lessons.lab import LessonLab
from fairlab.lessons.workbench import LESSON_FAIRNESS
from fairlab.plots._style import COLOR_SEQUENCE, apply_layout

BASE_WORLD = WorldConfig(scenario="lending", n_rows=4000, seed=0)
"""Every lesson's world starts here: 4,000 loan applicants, seed 0."""

GROUPS = (MAJORITY_GROUP, MINORITY_GROUP)
GROUP_COLORS = {MAJORITY_GROUP: COLOR_SEQUENCE[0], MINORITY_GROUP: COLOR_SEQUENCE[1]}

RATE_TITLES = {
    "selection_rate": "Selection rate",
    "true_positive_rate": "True positive rate",
    "false_positive_rate": "False positive rate",
    "false_negative_rate": "False negative rate",
    "positive_predictive_value": "Precision (PPV)",
    "accuracy": "Accuracy",
}


def world(base: WorldConfig, **changes: Any) -> WorldConfig:
    """``base`` with some settings changed."""
    return replace(base, **changes)


def assess(
    lab: LessonLab, y_pred: np.ndarray, *, y_true: np.ndarray | None = None
) -> FairnessResult:
    """Group metrics of test decisions, against recorded (default) or given outcomes."""
    return assess_fairness(
        lab.y_test if y_true is None else y_true,
        y_pred,
        sensitive_features=lab.groups.rename("group"),
        y_score=None,
        config=LESSON_FAIRNESS,
    )


def rates(result: FairnessResult) -> pd.DataFrame:
    """The group table of the lesson attribute, indexed by group."""
    return result.by_group["group"].set_index("group")


def rate(result: FairnessResult, group: str, metric: str) -> float:
    """One group's rate."""
    return float(rates(result).loc[group, metric])


def gap(result: FairnessResult, metric: str) -> float:
    """Group A's rate minus group B's."""
    table = rates(result)
    return float(table.loc[MAJORITY_GROUP, metric] - table.loc[MINORITY_GROUP, metric])


def rate_chart(
    result: FairnessResult,
    metrics: Sequence[str],
    *,
    title: str,
    reference: float | None = None,
    reference_label: str = "",
) -> go.Figure:
    """Grouped bars: each metric for groups A and B, with 95 % intervals."""
    table = rates(result)
    fig = go.Figure()
    for group in GROUPS:
        row = table.loc[group]
        values = [float(row[m]) for m in metrics]
        fig.add_bar(
            name=f"Group {group} (n = {int(row['count']):,})",
            x=[RATE_TITLES.get(m, m) for m in metrics],
            y=values,
            marker_color=GROUP_COLORS[group],
            error_y=dict(
                type="data",
                symmetric=False,
                array=[float(row[f"{m}_high"]) - v for m, v in zip(metrics, values, strict=True)],
                arrayminus=[
                    v - float(row[f"{m}_low"]) for m, v in zip(metrics, values, strict=True)
                ],
            ),
            text=[f"{v:.0%}" for v in values],
            textposition="inside",
        )
    if reference is not None:
        fig.add_hline(y=reference, line_dash="dash", annotation_text=reference_label)
    fig.update_yaxes(range=[0, 1.05], tickformat=".0%")
    fig.update_layout(barmode="group")
    return apply_layout(fig, title=title, height=380)


def direction(value: float, *, tolerance: float = 0.02) -> str:
    """``"lower"``, ``"about the same"`` or ``"higher"`` for a signed difference."""
    if value < -tolerance:
        return "lower"
    if value > tolerance:
        return "higher"
    return "about the same"


def pct(value: float) -> str:
    """A rate as a whole percentage."""
    return "undefined" if not np.isfinite(value) else f"{value:.0%}"
