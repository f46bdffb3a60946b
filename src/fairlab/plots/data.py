"""Figures of the data before any model: base rates per group, intersections, missing values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from fairlab.data.profile import GroupProfile, intersection_table
from fairlab.plots._style import COLOR_GROUP, COLOR_OVERALL, COLOR_SMALL, apply_layout, plain

__all__ = ["base_rate_chart", "intersection_heatmap", "missing_values_chart"]


def base_rate_chart(profile: GroupProfile, *, positive_label: object) -> go.Figure:
    """Bar chart of the base rate of the positive outcome per group.

    Bars carry their Wilson interval as error bars and their row count as text; groups
    under the minimum size are drawn grey and named in the legend; a dashed line marks
    the overall base rate.

    Parameters
    ----------
    profile : GroupProfile
        From :func:`fairlab.data.profile.group_profile`.
    positive_label : object
        The positive outcome, for the title.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    table = profile.table.sort_values("base_rate", ascending=True, na_position="first")
    fig = go.Figure()
    for small, name, color in (
        (False, "groups", COLOR_GROUP),
        (True, "fewer than 30 rows", COLOR_SMALL),
    ):
        part = table[table["small"] == small]
        if part.empty:
            continue
        fig.add_trace(
            go.Bar(
                x=part["base_rate"],
                y=[
                    f"{plain(g)}  (n = {n:,})"
                    for g, n in zip(part["group"], part["count"], strict=True)
                ],
                orientation="h",
                name=name,
                marker_color=color,
                error_x=dict(
                    type="data",
                    symmetric=False,
                    array=(part["base_rate_high"] - part["base_rate"]).to_numpy(),
                    arrayminus=(part["base_rate"] - part["base_rate_low"]).to_numpy(),
                    color="#495057",
                    thickness=1.2,
                ),
                customdata=np.stack(
                    [
                        part["count"],
                        part["positives"],
                        part["base_rate_low"],
                        part["base_rate_high"],
                    ],
                    axis=-1,
                ),
                hovertemplate=(
                    "%{y}<br>base rate %{x:.1%} (95% CI %{customdata[2]:.1%}–%{customdata[3]:.1%})"
                    "<br>%{customdata[1]:,} positive of %{customdata[0]:,} rows<extra></extra>"
                ),
            )
        )
    if np.isfinite(profile.overall_base_rate):
        fig.add_vline(x=profile.overall_base_rate, line_dash="dash", line_color=COLOR_OVERALL)
        fig.add_annotation(
            x=profile.overall_base_rate,
            y=1.0,
            yref="paper",
            yanchor="bottom",
            text=f"overall {profile.overall_base_rate:.1%}",
            showarrow=False,
            font=dict(color=COLOR_OVERALL),
        )
    fig.update_xaxes(
        title="share of rows with the positive outcome",
        tickformat=".0%",
        range=[0, 1.05],
        gridcolor="#e9ecef",
    )
    fig.update_yaxes(type="category", automargin=True)
    title = f"Base rate of '{plain(positive_label)}' by {plain(profile.attribute)}"
    fig.update_layout(barmode="overlay", bargap=0.25)
    return apply_layout(fig, title=title, height=max(260, 60 + 34 * len(table)))


def intersection_heatmap(profile: GroupProfile, *, positive_label: object) -> go.Figure:
    """Heatmap of base rates over the intersection of two sensitive attributes.

    Each cell shows its base rate and its row count; empty intersections stay blank.

    Parameters
    ----------
    profile : GroupProfile
        An intersection profile of exactly two attributes.
    positive_label : object
        The positive outcome, for the title.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    rates = intersection_table(profile, value="base_rate")
    counts = intersection_table(profile, value="count").reindex_like(rates)
    text = [
        [
            "" if pd.isna(c) else f"{r:.0%}<br>n = {int(c):,}" if pd.notna(r) else f"n = {int(c):,}"
            for r, c in zip(rate_row, count_row, strict=True)
        ]
        for rate_row, count_row in zip(rates.to_numpy(), counts.to_numpy(), strict=True)
    ]
    fig = go.Figure(
        go.Heatmap(
            z=rates.to_numpy(dtype=float),
            x=[plain(c) for c in rates.columns],
            y=[plain(i) for i in rates.index],
            text=text,
            texttemplate="%{text}",
            colorscale="Blues",
            zmin=0,
            zmax=1,
            colorbar=dict(title="base rate", tickformat=".0%"),
            hovertemplate="%{y} × %{x}<br>%{text}<extra></extra>",
            xgap=2,
            ygap=2,
        )
    )
    first, _, second = profile.attribute.partition("×")
    fig.update_xaxes(title=plain(second), type="category")
    fig.update_yaxes(title=plain(first), type="category", automargin=True)
    title = f"Base rate of '{plain(positive_label)}' by {plain(first)} and {plain(second)}"
    return apply_layout(fig, title=title, height=max(300, 120 + 40 * len(rates)))


def missing_values_chart(missing: pd.DataFrame, *, n_rows: int) -> go.Figure:
    """Bar chart of the share of missing values per column.

    Parameters
    ----------
    missing : pandas.DataFrame
        From :func:`fairlab.data.profile.missing_by_column`.
    n_rows : int
        Rows in the data, for the title.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    table = missing.iloc[::-1]
    fig = go.Figure(
        go.Bar(
            x=table["share"],
            y=[plain(c) for c in table["column"]],
            orientation="h",
            marker_color=COLOR_GROUP,
            text=[f"{m:,}" for m in table["missing"]],
            textposition="outside",
            hovertemplate="%{y}: %{x:.1%} missing<extra></extra>",
        )
    )
    fig.update_xaxes(title="share of rows missing", tickformat=".0%", gridcolor="#e9ecef")
    fig.update_yaxes(type="category", automargin=True)
    return apply_layout(
        fig, title=f"Missing values (of {n_rows:,} rows)", height=max(220, 80 + 26 * len(table))
    )
