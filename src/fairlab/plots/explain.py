"""Figures of SHAP explanations: global importance, beeswarm, and one row's waterfall.

Pure builders: a :class:`fairlab.explain.ShapResult` in, ``go.Figure`` out. Feature names
and values come from the user's data and are escaped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from fairlab.explain.shap_ import ShapResult
from fairlab.plots._style import COLOR_GROUP, COLOR_OVERALL, COLOR_SMALL, apply_layout, plain

__all__ = ["shap_bar_chart", "shap_beeswarm_chart", "shap_waterfall_chart", "ROW_ERROR"]

ROW_ERROR = "The 'row' parameter must be an int in [0, {high}]. Got {value!r} instead."
_VALUE_COLORSCALE = [[0.0, COLOR_GROUP], [1.0, COLOR_OVERALL]]
_JITTER = 0.3


def _space(result: ShapResult) -> str:
    if result.output_space == "log-odds":
        return "log-odds of the positive outcome"
    return "probability of the positive outcome"


def _rows_note(result: ShapResult) -> str:
    if result.sampled:
        return f"{result.n_rows:,} of {result.n_rows_total:,} rows (sampled)"
    return f"{result.n_rows:,} rows"


def _value(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return "(missing)"
    return plain(value)


def shap_bar_chart(result: ShapResult, *, top: int = 15) -> go.Figure:
    """Mean |SHAP| per feature, the largest ``top`` features, largest at the top.

    Parameters
    ----------
    result : ShapResult
        The explanation.
    top : int, default 15
        How many features to show.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    importance = result.mean_abs().head(top)
    errors = result.mean_abs_errors()
    error_x = None
    if errors is not None:
        error_x = dict(type="data", array=2.0 * errors.loc[importance.index].to_numpy())
    fig = go.Figure(
        go.Bar(
            x=importance.to_numpy(),
            y=[plain(f) for f in importance.index],
            orientation="h",
            marker_color=COLOR_GROUP,
            error_x=error_x,
            hovertemplate="%{y}: %{x:.4f}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title_text=f"mean |SHAP value| ({_space(result)})")
    title = f"What drives the model overall — {result.explainer}, {_rows_note(result)}"
    if errors is not None:
        sentence = plain(result.uncertainty_sentence)
        title += f"<br><sub>{sentence} Bars: ±2 standard errors.</sub>"
    return apply_layout(fig, title=title, height=max(260, 60 + 26 * len(importance)))


def _scaled(values: pd.Series) -> np.ndarray:
    """Scale a feature's values to [0, 1]: numbers by range, categories by code."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        numbers = values.to_numpy(dtype=float, na_value=np.nan)
    else:
        numbers = pd.Categorical(values).codes.astype(float)
        numbers[numbers < 0] = np.nan
    low, high = np.nanmin(numbers, initial=np.inf), np.nanmax(numbers, initial=-np.inf)
    if not np.isfinite(low) or high == low:
        return np.full(len(numbers), 0.5)
    return np.nan_to_num((numbers - low) / (high - low), nan=0.5)


def shap_beeswarm_chart(result: ShapResult, *, top: int = 15) -> go.Figure:
    """One point per explained row and feature, at its SHAP value, coloured by feature value.

    Numbers are coloured by their place in the feature's range (low blue, high orange),
    categories by their code in sorted order; missing values sit in the middle.

    Parameters
    ----------
    result : ShapResult
        The explanation.
    top : int, default 15
        How many features to show, by mean |SHAP|.

    Returns
    -------
    plotly.graph_objects.Figure
        One scatter trace per feature.
    """
    features = list(result.mean_abs().head(top).index)
    rng = np.random.default_rng(0)
    fig = go.Figure()
    for position, feature in enumerate(features):
        shown = result.data[feature]
        fig.add_trace(
            go.Scattergl(
                x=result.values[feature].to_numpy(),
                y=position + rng.uniform(-_JITTER, _JITTER, result.n_rows),
                mode="markers",
                name=plain(feature),
                text=[plain(v) for v in shown.astype(object)],
                hovertemplate=f"{plain(feature)} = %{{text}}<br>SHAP %{{x:.4f}}<extra></extra>",
                marker=dict(
                    color=_scaled(shown),
                    cmin=0.0,
                    cmax=1.0,
                    colorscale=_VALUE_COLORSCALE,
                    size=5,
                    opacity=0.7,
                    showscale=position == 0,
                    colorbar=dict(title="feature value", tickvals=[0, 1], ticktext=["low", "high"]),
                ),
                showlegend=False,
            )
        )
    fig.update_yaxes(
        tickvals=list(range(len(features))),
        ticktext=[plain(f) for f in features],
        autorange="reversed",
    )
    fig.add_vline(x=0, line_color=COLOR_SMALL, line_width=1)
    fig.update_xaxes(title_text=f"SHAP value ({_space(result)})")
    title = f"How each feature pushes the output — {result.explainer}, {_rows_note(result)}"
    return apply_layout(fig, title=title, height=max(300, 80 + 32 * len(features)))


def shap_waterfall_chart(result: ShapResult, row: int, *, top: int = 10) -> go.Figure:
    """One row's explanation: from the base value, feature by feature, to the model output.

    Parameters
    ----------
    result : ShapResult
        The explanation.
    row : int
        Position of the row among the explained rows (``0 … result.n_rows - 1``); its
        position in the data is ``result.row_index[row]``.
    top : int, default 10
        How many features to show by |SHAP| for this row; the others are summed into one
        step.

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    ValueError
        If ``row`` is out of range.
    """
    if isinstance(row, bool) or not isinstance(row, (int, np.integer)):
        raise ValueError(ROW_ERROR.format(high=result.n_rows - 1, value=row))
    if not 0 <= row < result.n_rows:
        raise ValueError(ROW_ERROR.format(high=result.n_rows - 1, value=row))
    contributions = result.values.iloc[row]
    order = contributions.abs().sort_values(ascending=False, kind="stable").index
    shown, rest = list(order[:top]), list(order[top:])
    labels = [f"{plain(f)} = {_value(result.data.iloc[row][f])}" for f in shown]
    steps = [float(contributions[f]) for f in shown]
    if rest:
        labels.append(f"{len(rest)} other features")
        steps.append(float(contributions[rest].sum()))
    base, output = result.base_value, float(result.output[row])
    fig = go.Figure(
        go.Waterfall(
            orientation="h",
            measure=["absolute", *["relative"] * len(steps), "total"],
            y=["base value", *labels, "model output"],
            x=[base, *steps, output],
            base=0,
            increasing=dict(marker=dict(color=COLOR_OVERALL)),
            decreasing=dict(marker=dict(color=COLOR_GROUP)),
            totals=dict(marker=dict(color=COLOR_SMALL)),
            hovertemplate="%{y}: %{x:.4f}<extra></extra>",
        )
    )
    if result.standard_errors is not None and shown:
        # Error bars at the end of each shown step: ±2 Monte-Carlo standard errors.
        ends = base + np.cumsum(steps[: len(shown)])
        errors = result.standard_errors.iloc[row]
        fig.add_trace(
            go.Scatter(
                x=ends,
                y=labels[: len(shown)],
                mode="markers",
                marker=dict(size=4, color="black"),
                error_x=dict(type="data", array=[2.0 * float(errors[f]) for f in shown]),
                customdata=[2.0 * float(errors[f]) for f in shown],
                name="±2 standard errors",
                hovertemplate="%{y}: ± %{customdata:.4f} (2 standard errors)<extra></extra>",
                showlegend=False,
            )
        )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title_text=_space(result))
    title = f"Row {int(result.row_index[row])}: base value {base:.3f} → model output {output:.3f}"
    return apply_layout(fig, title=title, height=max(300, 100 + 28 * len(labels)))
