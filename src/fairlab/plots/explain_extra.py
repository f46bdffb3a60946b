"""More figures of explanations: dependence, groups, gaps, LIME weights and proxies.

Pure builders, results in and ``go.Figure`` out, in the look of :mod:`fairlab.plots.explain`:

* :func:`shap_dependence_chart`: one feature's value against its SHAP value, one point per
  explained row, coloured by a sensitive attribute;
* :func:`shap_by_group_chart`: mean |SHAP| per feature for each group, side by side;
* :func:`gap_decomposition_chart`: the gap in mean output between two groups, feature by
  feature, as a waterfall;
* :func:`lime_weights_chart`: one row's LIME weights, labelled with their conditions;
* :func:`proxy_chart`: how well each feature predicts a sensitive attribute.

Feature names, values and group labels come from the user's data and are escaped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from fairlab.explain.lime_ import LimeResult
from fairlab.explain.proxies import CHANCE_AUC, PROXY_AUC_THRESHOLD
from fairlab.explain.shap_ import ShapResult
from fairlab.plots._style import (
    COLOR_GROUP,
    COLOR_OVERALL,
    COLOR_SEQUENCE,
    COLOR_SMALL,
    apply_layout,
    plain,
)
from fairlab.plots.explain import _rows_note, _space

__all__ = [
    "shap_dependence_chart",
    "shap_by_group_chart",
    "gap_decomposition_chart",
    "lime_weights_chart",
    "proxy_chart",
    "MISSING_LABEL",
    "FEATURE_ERROR",
    "COLOR_BY_LENGTH_ERROR",
]

MISSING_LABEL = "(missing)"
"""How a missing feature value or group is shown."""
FEATURE_ERROR = "The feature {feature!r} was not explained. Choose one of {features}."
COLOR_BY_LENGTH_ERROR = (
    "The 'color_by' parameter holds {got} values but {expected} rows were explained. Pass "
    "one value per explained row (index it with result.row_index)."
)
_JITTER = 0.25
_SPACES = {
    "probability": "probability of the positive outcome",
    "log-odds": "log-odds of the positive outcome",
}


def _is_number(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(
        values.dtype
    )


def _labels(values: pd.Series) -> np.ndarray:
    """Each value as escaped text, missing values named."""
    return np.array(
        [MISSING_LABEL if pd.isna(v) else plain(v) for v in values.astype(object)], dtype=object
    )


def _space_suffix(output_space: str | None) -> str:
    return f" ({_SPACES.get(output_space, output_space)})" if output_space else ""


def shap_dependence_chart(
    result: ShapResult,
    feature: str,
    *,
    color_by: pd.Series | None = None,
    color_title: str | None = None,
) -> go.Figure:
    """One feature's value (x) against its SHAP value (y), one point per explained row.

    Numbers are placed at their value; categories (and yes/no values) at one position
    each, in sorted order, with a little seeded jitter so that points do not hide each
    other. A missing number is left out; a missing category is a category of its own.

    Parameters
    ----------
    result : ShapResult
        The explanation.
    feature : str
        An explained feature.
    color_by : pandas.Series, optional
        A group label per explained row (in the order of ``result.values``, such as
        ``sensitive.iloc[result.row_index]``); one trace per group, in sorted order.
    color_title : str, optional
        What the groups are, for the legend (such as the sensitive attribute's name).

    Returns
    -------
    plotly.graph_objects.Figure
        One scatter trace, or one per group of ``color_by``.

    Raises
    ------
    ValueError
        If ``feature`` was not explained or ``color_by`` does not hold one value per row.
    """
    if feature not in result.values.columns:
        raise ValueError(
            FEATURE_ERROR.format(feature=feature, features=list(result.values.columns))
        )
    shown = result.data[feature].reset_index(drop=True)
    shap_values = result.values[feature].to_numpy(dtype=float)
    texts = _labels(shown)
    fig = go.Figure()
    if _is_number(shown):
        x = shown.to_numpy(dtype=float, na_value=np.nan)
    else:
        categories = sorted(set(texts.tolist()), key=lambda t: (t == MISSING_LABEL, t))
        position = {category: i for i, category in enumerate(categories)}
        rng = np.random.default_rng(0)
        x = np.array([position[t] for t in texts], dtype=float)
        x += rng.uniform(-_JITTER, _JITTER, len(x))
        fig.update_xaxes(tickvals=list(range(len(categories))), ticktext=categories)
    if color_by is None:
        groups = np.full(len(x), "", dtype=object)
        names = [""]
    else:
        if len(color_by) != result.n_rows:
            raise ValueError(
                COLOR_BY_LENGTH_ERROR.format(got=len(color_by), expected=result.n_rows)
            )
        groups = _labels(pd.Series(np.asarray(color_by, dtype=object)))
        names = sorted(set(groups.tolist()), key=lambda t: (t == MISSING_LABEL, t))
    hover = f"{plain(feature)} = %{{text}}<br>SHAP %{{y:.4f}}"
    for i, name in enumerate(names):
        mask = groups == name
        fig.add_trace(
            go.Scattergl(
                x=x[mask],
                y=shap_values[mask],
                text=texts[mask],
                mode="markers",
                name=name or plain(feature),
                marker=dict(color=COLOR_SEQUENCE[i % len(COLOR_SEQUENCE)], size=6, opacity=0.7),
                hovertemplate=hover + (f"<br>{name}" if name else "") + "<extra></extra>",
                showlegend=color_by is not None,
            )
        )
    if color_by is not None and color_title:
        fig.update_layout(legend_title_text=plain(color_title))
    fig.add_hline(y=0, line_color=COLOR_SMALL, line_width=1)
    fig.update_xaxes(title_text=plain(feature))
    fig.update_yaxes(title_text=f"SHAP value ({_space(result)})")
    rows = _rows_note(result)
    title = f"How {plain(feature)} pushes the output — {result.explainer}, {rows}"
    return apply_layout(fig, title=title, height=420)


def shap_by_group_chart(
    table: pd.DataFrame,
    *,
    top: int = 15,
    attribute: str | None = None,
    output_space: str | None = None,
) -> go.Figure:
    """Mean |SHAP| per feature for each group, as grouped horizontal bars.

    Parameters
    ----------
    table : pandas.DataFrame
        From :meth:`fairlab.explain.ShapResult.by_group`: one row per feature (most
        important first), one column per group.
    top : int, default 15
        How many features to show (the first rows of ``table``).
    attribute : str, optional
        What the groups are, for the title and legend.
    output_space : {"probability", "log-odds"}, optional
        The explanation's output space, for the axis title.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace per group.
    """
    shown = table.head(top)
    features = [plain(feature) for feature in shown.index]
    fig = go.Figure()
    for i, group in enumerate(shown.columns):
        label = MISSING_LABEL if pd.isna(group) else plain(group)
        fig.add_trace(
            go.Bar(
                x=shown[group].to_numpy(dtype=float),
                y=features,
                orientation="h",
                name=label,
                marker_color=COLOR_SEQUENCE[i % len(COLOR_SEQUENCE)],
                hovertemplate=f"{label}<br>%{{y}}: %{{x:.4f}}<extra></extra>",
            )
        )
    fig.update_layout(barmode="group")
    if attribute:
        fig.update_layout(legend_title_text=plain(attribute))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title_text="mean |SHAP value|" + _space_suffix(output_space))
    by = f" by {plain(attribute)}" if attribute else " by group"
    height = max(300, 80 + len(features) * (12 + 10 * len(shown.columns)))
    return apply_layout(fig, title=f"What drives the model{by}", height=height)


def gap_decomposition_chart(
    gap: pd.Series, *, top: int = 10, output_space: str | None = None
) -> go.Figure:
    """The gap in mean output between two groups, split into feature contributions.

    Parameters
    ----------
    gap : pandas.Series
        From :meth:`fairlab.explain.ShapResult.gap_decomposition`: one contribution per
        feature, named ``"a − b"``.
    top : int, default 10
        How many features to show by |contribution|; the others are summed into one step.
    output_space : {"probability", "log-odds"}, optional
        The explanation's output space, for the axis title.

    Returns
    -------
    plotly.graph_objects.Figure
        One waterfall trace, from 0 through each feature to the total gap.
    """
    order = gap.abs().sort_values(ascending=False, kind="stable").index
    shown, rest = list(order[:top]), list(order[top:])
    labels = [plain(feature) for feature in shown]
    steps = [float(gap[feature]) for feature in shown]
    if rest:
        labels.append(f"{len(rest)} other features")
        steps.append(float(gap[rest].sum()))
    total = float(gap.sum())
    fig = go.Figure(
        go.Waterfall(
            orientation="h",
            measure=[*["relative"] * len(steps), "total"],
            y=[*labels, "gap in mean output"],
            x=[*steps, total],
            base=0,
            increasing=dict(marker=dict(color=COLOR_OVERALL)),
            decreasing=dict(marker=dict(color=COLOR_GROUP)),
            totals=dict(marker=dict(color=COLOR_SMALL)),
            hovertemplate="%{y}: %{x:.4f}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title_text="contribution to the gap" + _space_suffix(output_space))
    name = plain(gap.name) if gap.name is not None else "between the groups"
    title = f"Gap in mean model output, {name}: {total:+.3f}, feature by feature"
    return apply_layout(fig, title=title, height=max(300, 100 + 28 * len(labels)))


def lime_weights_chart(result: LimeResult) -> go.Figure:
    """One row's LIME weights, each bar labelled with its feature's condition.

    Parameters
    ----------
    result : LimeResult
        The explanation of one row.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace: positive weights (towards the positive outcome) orange, negative
        ones blue, strongest at the top.
    """
    features = list(result.weights.index)
    weights = result.weights.to_numpy(dtype=float)
    labels = [plain(result.conditions.get(feature, feature)) for feature in features]
    fig = go.Figure(
        go.Bar(
            x=weights,
            y=labels,
            orientation="h",
            marker_color=[COLOR_OVERALL if w > 0 else COLOR_GROUP for w in weights],
            hovertemplate="%{y}: %{x:.4f}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed")
    fig.add_vline(x=0, line_color=COLOR_SMALL, line_width=1)
    fig.update_xaxes(title_text="LIME weight (on the probability)")
    title = (
        f"LIME: model {result.model_prediction:.3f}, local model "
        f"{result.local_prediction:.3f}, local fit R² {result.score:.2f}"
    )
    return apply_layout(fig, title=title, height=max(260, 80 + 28 * len(labels)))


def proxy_chart(table: pd.DataFrame, *, attribute: str | None = None) -> go.Figure:
    """How well each feature, and all together, predict a sensitive attribute.

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`fairlab.explain.proxy_strength` (columns ``roc_auc`` and
        ``likely_proxy``, one row per feature, all features together first).
    attribute : str, optional
        The sensitive attribute, for the title.

    Returns
    -------
    plotly.graph_objects.Figure
        A bar trace of likely proxies and one of the other features (only those with
        rows), with a dotted line at chance and a dashed one at the flagging threshold.
    """
    labels = [plain(feature) for feature in table.index]
    auc = table["roc_auc"].to_numpy(dtype=float)
    flagged = table["likely_proxy"].to_numpy(dtype=bool)
    fig = go.Figure()
    for mask, name, color in (
        (flagged, "likely proxy", COLOR_OVERALL),
        (~flagged, "not flagged", COLOR_GROUP),
    ):
        if not mask.any():
            continue
        fig.add_trace(
            go.Bar(
                x=auc[mask],
                y=[label for label, keep in zip(labels, mask, strict=True) if keep],
                orientation="h",
                name=name,
                marker_color=color,
                hovertemplate="%{y}: AUC %{x:.3f}<extra></extra>",
            )
        )
    fig.add_vline(x=CHANCE_AUC, line_color=COLOR_SMALL, line_dash="dot")
    fig.add_vline(x=PROXY_AUC_THRESHOLD, line_color=COLOR_OVERALL, line_dash="dash")
    fig.update_layout(barmode="overlay")
    fig.update_yaxes(categoryorder="array", categoryarray=labels, autorange="reversed")
    metric = str(table["metric"].iloc[0]) if "metric" in table.columns and len(table) else "AUC"
    fig.update_xaxes(
        title_text=f"cross-validated {metric} (dotted: chance, {CHANCE_AUC:g}; dashed: "
        f"likely proxy from {PROXY_AUC_THRESHOLD:g})",
        range=[0.0, 1.0],
    )
    what = plain(attribute) if attribute else "the sensitive attribute"
    title = f"How well each feature predicts {what}"
    return apply_layout(fig, title=title, height=max(260, 90 + 26 * len(labels)))
