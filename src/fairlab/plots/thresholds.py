"""Figures of the threshold explorer: a rate against the decision threshold, per group."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from fairlab.plots._style import COLOR_OVERALL, COLOR_SEQUENCE, apply_layout, plain

__all__ = ["threshold_curve_chart", "set_threshold_markers"]

METRIC_LABELS = {
    "selection_rate": "Selection rate",
    "true_positive_rate": "True positive rate",
    "false_positive_rate": "False positive rate",
    "false_negative_rate": "False negative rate",
    "true_negative_rate": "True negative rate",
    "positive_predictive_value": "Precision (positive predictive value)",
    "negative_predictive_value": "Negative predictive value",
    "false_discovery_rate": "False discovery rate",
    "false_omission_rate": "False omission rate",
    "accuracy": "Accuracy",
}
CURVE_METRIC_ERROR = (
    "The 'metric' parameter must be one of the metrics in the curve, {available}. Got {value!r} "
    "instead. Compute the curve with that metric, or choose another."
)
CURVE_THRESHOLD_GROUPS_ERROR = (
    "The 'thresholds' mapping names groups that are not in the curve: {unknown}. Pass one "
    "threshold per group of the curve."
)


def threshold_curve_chart(
    curve: pd.DataFrame,
    *,
    metric: str,
    thresholds: float | Mapping[str, float] | None = None,
) -> go.Figure:
    """Line chart of one rate against the threshold, one line per group.

    Parameters
    ----------
    curve : pandas.DataFrame
        From :meth:`fairlab.thresholds.ThresholdSweep.curve`: the columns ``group,
        threshold, metric, value``. Undefined values (NaN) leave gaps in the lines.
    metric : str
        The metric to draw; it must be in the curve.
    thresholds : float or mapping of str to float, optional
        The current threshold, marked by a dashed vertical line; or a threshold per
        group, each marked in its group's colour.

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    ValueError
        If ``metric`` is not in the curve, or ``thresholds`` names groups the curve lacks.
    """
    available = list(pd.unique(curve["metric"]))
    if metric not in available:
        raise ValueError(CURVE_METRIC_ERROR.format(available=available, value=metric))
    rows = curve[curve["metric"] == metric]
    groups = list(pd.unique(rows["group"]))
    colors = {g: COLOR_SEQUENCE[i % len(COLOR_SEQUENCE)] for i, g in enumerate(groups)}
    label = METRIC_LABELS.get(metric, metric.replace("_", " ").capitalize())

    fig = go.Figure()
    for group in groups:
        part = rows[rows["group"] == group]
        fig.add_trace(
            go.Scatter(
                x=part["threshold"].to_numpy(),
                y=part["value"].to_numpy(),
                mode="lines",
                name=plain(group),
                line=dict(color=colors[group], width=2),
                hovertemplate=(
                    f"{plain(group)}<br>threshold %{{x:.3g}}: {label.lower()} %{{y:.1%}}"
                    "<extra></extra>"
                ),
            )
        )

    set_threshold_markers(fig, thresholds)
    fig.update_xaxes(
        title="threshold (a score at or above it is a positive prediction)", gridcolor="#e9ecef"
    )
    fig.update_yaxes(title=label.lower(), tickformat=".0%", range=[0, 1.02], gridcolor="#e9ecef")
    return apply_layout(fig, title=f"{label} by threshold", height=380)


def set_threshold_markers(
    fig: go.Figure, thresholds: float | Mapping[str, float] | None
) -> go.Figure:
    """Mark the current threshold(s) on a chart from :func:`threshold_curve_chart`, in place.

    Redrawing only the markers lets a slider move the threshold without rebuilding the
    curves, which costs about 20 times more.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        A figure from :func:`threshold_curve_chart`; its traces are named by group.
    thresholds : float or mapping of str to float or None
        As for :func:`threshold_curve_chart`.

    Returns
    -------
    plotly.graph_objects.Figure
        ``fig`` itself.

    Raises
    ------
    ValueError
        If ``thresholds`` names groups the figure has no line for.
    """
    colors = {trace.name: trace.line.color for trace in fig.data}
    # Shapes and annotations as plain dicts in one layout update: add_vline() costs ~10 ms
    # a line.
    shapes: list[dict] = []
    annotations: list[dict] = []
    if isinstance(thresholds, Mapping):
        unknown = [g for g in thresholds if plain(g) not in colors]
        if unknown:
            raise ValueError(CURVE_THRESHOLD_GROUPS_ERROR.format(unknown=unknown))
        for group, value in thresholds.items():
            shapes.append(_marker(float(value), colors[plain(group)]))
    elif thresholds is not None:
        shapes.append(_marker(float(thresholds), COLOR_OVERALL))
        annotations.append(
            dict(
                x=float(thresholds),
                y=1.0,
                xref="x",
                yref="paper",
                yanchor="bottom",
                text=f"threshold {float(thresholds):.3g}",
                showarrow=False,
                font=dict(color=COLOR_OVERALL),
            )
        )
    same_layout = len(fig.layout.shapes) == len(shapes) and len(fig.layout.annotations) == len(
        annotations
    )
    if not same_layout:
        fig.layout.shapes = shapes
        fig.layout.annotations = annotations
        return fig
    # Setting a few properties of the existing markers costs ~3 ms; replacing them ~15 ms.
    for shape, new in zip(fig.layout.shapes, shapes, strict=True):
        shape.x0 = new["x0"]
        shape.x1 = new["x1"]
        if shape.line.color != new["line"]["color"]:
            shape.line.color = new["line"]["color"]
    for annotation, new in zip(fig.layout.annotations, annotations, strict=True):
        annotation.x = new["x"]
        annotation.text = new["text"]
    return fig


def _marker(x: float, color: str) -> dict:
    return dict(
        type="line",
        xref="x",
        yref="paper",
        x0=x,
        x1=x,
        y0=0,
        y1=1,
        line=dict(color=color, dash="dash", width=1.5),
    )
