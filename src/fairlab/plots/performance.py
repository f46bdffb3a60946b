"""Figures of a model's performance: confusion matrix, ROC curves, calibration curves.

Pure builders: the tables of :mod:`fairlab.performance` in, ``go.Figure`` out.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from fairlab.performance import OVERALL_GROUP
from fairlab.plots._style import COLOR_OVERALL, COLOR_SEQUENCE, COLOR_SMALL, apply_layout, plain

__all__ = ["confusion_matrix_chart", "roc_chart", "calibration_chart"]

_GROUP_COLORS = tuple(color for color in COLOR_SEQUENCE if color != COLOR_OVERALL)
_CHANCE_LINE = dict(color=COLOR_SMALL, dash="dash", width=1.2)


def confusion_matrix_chart(
    confusion: pd.DataFrame, *, title: str = "Confusion matrix"
) -> go.Figure:
    """Heatmap of a 2 × 2 confusion matrix, each cell with its count and share of rows.

    Parameters
    ----------
    confusion : pandas.DataFrame
        Counts with actual outcomes as rows and predictions as columns, such as
        :attr:`fairlab.performance.PerformanceResult.confusion`.
    title : str, default "Confusion matrix"
        The figure title (escaped).

    Returns
    -------
    plotly.graph_objects.Figure
    """
    counts = confusion.to_numpy(dtype=float)
    total = counts.sum()
    shares = counts / total if total else np.zeros_like(counts)
    text = [
        [f"{int(c):,}<br>{s:.1%}" for c, s in zip(row_counts, row_shares, strict=True)]
        for row_counts, row_shares in zip(counts, shares, strict=True)
    ]
    columns = [plain(c) for c in confusion.columns]
    rows = [plain(r) for r in confusion.index]
    fig = go.Figure(
        go.Heatmap(
            z=counts,
            x=columns,
            y=rows,
            text=text,
            texttemplate="%{text}",
            hovertemplate="%{y}, %{x}: %{text}<extra></extra>",
            colorscale="Blues",
            showscale=False,
        )
    )
    fig.update_yaxes(autorange="reversed", title_text="actual")
    fig.update_xaxes(side="top", title_text="predicted")
    return apply_layout(fig, title=plain(title), height=320)


def roc_chart(curves: pd.DataFrame, *, title: str = "ROC curve") -> go.Figure:
    """ROC curves, overall and per group, with the diagonal of guessing.

    Parameters
    ----------
    curves : pandas.DataFrame
        From :func:`fairlab.performance.roc_curve_by_group`.
    title : str, default "ROC curve"
        The figure title (escaped).

    Returns
    -------
    plotly.graph_objects.Figure
        One line per group, named with its AUC and row count; groups without a curve
        (one outcome only) are listed in a note under the chart.
    """
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[0, 1],
            y=[0, 1],
            mode="lines",
            name="guessing",
            line=_CHANCE_LINE,
            hoverinfo="skip",
        )
    )
    missing = []
    for (group, part), color in _by_group(curves):
        auc = float(part["auc"].iloc[0])
        count = int(part["count"].iloc[0])
        if math.isnan(auc):
            missing.append(f"{plain(group)} (n = {count:,})")
            continue
        thresholds = [
            "none predicted positive" if math.isinf(t) else f"{t:.3g}" for t in part["threshold"]
        ]
        fig.add_trace(
            go.Scatter(
                x=part["fpr"],
                y=part["tpr"],
                mode="lines",
                name=f"{plain(group)} (AUC {auc:.3f}, n = {count:,})",
                line=dict(color=color, width=3 if group == OVERALL_GROUP else 1.8),
                customdata=thresholds,
                hovertemplate="false positive rate %{x:.3f}<br>true positive rate %{y:.3f}"
                "<br>threshold %{customdata}<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_xaxes(title_text="false positive rate", range=[0, 1], constrain="domain")
    fig.update_yaxes(title_text="true positive rate", range=[0, 1.02], scaleanchor="x")
    apply_layout(fig, title=plain(title), height=480)
    _note_missing(fig, missing, "No curve (only one outcome): ")
    return fig


def calibration_chart(
    table: pd.DataFrame, *, title: str = "Calibration: predicted against observed"
) -> go.Figure:
    """Calibration curves, overall and per group, with the diagonal of perfect calibration.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`fairlab.performance.calibration_by_group`.
    title : str
        The figure title (escaped).

    Returns
    -------
    plotly.graph_objects.Figure
        One line per group; each point is a bin, with the interval of its observed rate
        as an error bar and its row count on hover.
    """
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[0, 1],
            y=[0, 1],
            mode="lines",
            name="perfectly calibrated",
            line=_CHANCE_LINE,
            hoverinfo="skip",
        )
    )
    for (group, part), color in _by_group(table):
        fig.add_trace(
            go.Scatter(
                x=part["mean_predicted"],
                y=part["observed_rate"],
                mode="lines+markers",
                name=plain(group),
                line=dict(color=color, width=3 if group == OVERALL_GROUP else 1.8),
                error_y=dict(
                    type="data",
                    symmetric=False,
                    array=(part["observed_high"] - part["observed_rate"]).to_numpy(),
                    arrayminus=(part["observed_rate"] - part["observed_low"]).to_numpy(),
                    thickness=1,
                    width=3,
                ),
                customdata=part["count"].to_numpy(),
                hovertemplate="mean predicted %{x:.3f}<br>observed %{y:.3f}"
                "<br>%{customdata:,} rows<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_xaxes(title_text="mean predicted probability", range=[0, 1])
    fig.update_yaxes(title_text="observed rate of the positive outcome", range=[0, 1.02])
    return apply_layout(fig, title=plain(title), height=480)


def _by_group(table: pd.DataFrame) -> list[tuple[tuple[str, pd.DataFrame], str]]:
    """Groups in table order, overall first, each with its colour."""
    colors = itertools.cycle(_GROUP_COLORS)
    result = []
    for group, part in table.groupby("group", sort=False):
        color = COLOR_OVERALL if group == OVERALL_GROUP else next(colors)
        result.append(((str(group), part), color))
    return result


def _note_missing(fig: go.Figure, missing: list[str], prefix: str) -> None:
    if not missing:
        return
    fig.add_annotation(
        text=prefix + ", ".join(missing),
        xref="paper",
        yref="paper",
        x=0,
        y=-0.18,
        showarrow=False,
        xanchor="left",
        font=dict(size=11, color="#495057"),
    )
    fig.update_layout(margin=dict(b=80))
