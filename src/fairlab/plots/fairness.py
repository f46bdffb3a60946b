"""Figures of a fairness assessment: a metric per group, and the disparities with verdicts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from fairlab.plots._style import COLOR_GROUP, COLOR_OVERALL, COLOR_SMALL, apply_layout, plain

__all__ = ["group_metric_chart", "disparity_chart", "VERDICT_COLORS"]

VERDICT_COLORS = {
    "passes": "#2b8a3e",
    "fails": "#c92a2a",
    "insufficient evidence": "#e67700",
    "undefined": "#868e96",
}


def group_metric_chart(
    table: pd.DataFrame,
    *,
    attribute: str,
    metric: str,
    metric_title: str,
    overall: float | None = None,
) -> go.Figure:
    """One metric per group as bars with their bootstrap intervals.

    Groups where the metric is undefined get no bar but a label saying why; groups under
    the minimum size are drawn grey.

    Parameters
    ----------
    table : pandas.DataFrame
        A group table of :class:`fairlab.fairness.FairnessResult` (``by_group[attr]``).
    attribute : str
        The attribute's name, for the title.
    metric : str
        A metric column, such as ``"selection_rate"``.
    metric_title : str
        How to name the metric in the title.
    overall : float, optional
        The metric over all rows, drawn as a dashed line.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    rows = table.sort_values(metric, ascending=True, na_position="first")
    labels = [
        f"{plain(g)}  (n = {int(n):,})" for g, n in zip(rows["group"], rows["count"], strict=True)
    ]
    value = rows[metric].to_numpy(dtype=float)
    low = rows[f"{metric}_low"].to_numpy(dtype=float)
    high = rows[f"{metric}_high"].to_numpy(dtype=float)
    small = rows["small"].to_numpy(dtype=bool)
    undefined = rows[f"{metric}_undefined"].to_numpy(dtype=object)
    fig = go.Figure(
        go.Bar(
            x=np.nan_to_num(value, nan=0.0),
            y=labels,
            orientation="h",
            marker_color=[COLOR_SMALL if s else COLOR_GROUP for s in small],
            error_x=dict(
                type="data",
                symmetric=False,
                array=np.nan_to_num(high - value),
                arrayminus=np.nan_to_num(value - low),
                color="#495057",
                thickness=1.2,
            ),
            text=[plain(u) if isinstance(u, str) and u else "" for u in undefined],
            textposition="outside",
            customdata=np.stack([low, high], axis=-1),
            hovertemplate=(
                "%{y}<br>%{x:.1%} (95% CI %{customdata[0]:.1%}–%{customdata[1]:.1%})<extra></extra>"
            ),
            showlegend=False,
        )
    )
    if overall is not None and np.isfinite(overall):
        fig.add_vline(x=overall, line_dash="dash", line_color=COLOR_OVERALL)
        fig.add_annotation(
            x=overall,
            y=1.0,
            yref="paper",
            yanchor="bottom",
            text=f"overall {overall:.1%}",
            showarrow=False,
            font=dict(color=COLOR_OVERALL),
        )
    fig.update_xaxes(tickformat=".0%", range=[0, 1.05], gridcolor="#e9ecef", title=metric_title)
    fig.update_yaxes(type="category", automargin=True)
    title = f"{plain(metric_title).capitalize()} by {plain(attribute)}"
    return apply_layout(fig, title=title, height=max(260, 70 + 34 * len(rows)))


def disparity_chart(disparities: pd.DataFrame, *, attribute: str) -> go.Figure:
    """Differences and ratios of each criterion with intervals, coloured by verdict.

    Parameters
    ----------
    disparities : pandas.DataFrame
        ``FairnessResult.disparities[attribute]``.
    attribute : str
        For the title.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("differences (0 is equal)", "ratios (1 is equal)"),
        horizontal_spacing=0.2,
    )
    for column, kind in ((1, "difference"), (2, "ratio")):
        part = disparities[disparities["kind"] == kind]
        names = [str(c).replace("_", " ") for c in part["criterion"]]
        value = part["value"].to_numpy(dtype=float)
        low = part["ci_low"].to_numpy(dtype=float)
        high = part["ci_high"].to_numpy(dtype=float)
        fig.add_trace(
            go.Scatter(
                x=value,
                y=names,
                mode="markers",
                marker=dict(size=11, color=[VERDICT_COLORS[v] for v in part["verdict"]]),
                error_x=dict(
                    type="data",
                    symmetric=False,
                    array=np.nan_to_num(high - value),
                    arrayminus=np.nan_to_num(value - low),
                    color="#495057",
                ),
                customdata=np.stack([low, high, part["verdict"].to_numpy(dtype=object)], axis=-1),
                hovertemplate=(
                    "%{y}: %{x:.3f} (95% CI %{customdata[0]:.3f}–%{customdata[1]:.3f})"
                    "<br>%{customdata[2]}<extra></extra>"
                ),
                showlegend=False,
            ),
            row=1,
            col=column,
        )
        limits = part["limit"].dropna().unique()
        if len(limits):
            fig.add_vline(
                x=float(limits[0]), line_dash="dot", line_color="#868e96", row=1, col=column
            )
        fig.update_xaxes(
            range=[0, 1.02] if kind == "ratio" else None,
            rangemode="tozero",
            gridcolor="#e9ecef",
            row=1,
            col=column,
        )
        fig.update_yaxes(type="category", automargin=True, row=1, col=column)
    return apply_layout(fig, title=f"Disparities between groups of {plain(attribute)}", height=320)
