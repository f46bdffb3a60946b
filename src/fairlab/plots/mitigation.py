"""Figures of a mitigation comparison: the trade-off, group metrics, flipped decisions.

Also the comparison's section of the HTML report (:func:`mitigation_section`).
"""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from fairlab.fairness import DISPARITY_NAMES, METRIC_EXPLANATIONS
from fairlab.mitigation import (
    BASELINE,
    TABLE_CRITERIA,
    MitigationComparison,
    MitigationError,
)
from fairlab.plots._style import COLOR_SEQUENCE, apply_layout, plain
from fairlab.plots.fairness import VERDICT_COLORS
from fairlab.plots.thresholds import METRIC_LABELS
from fairlab.report import ReportSection

__all__ = [
    "tradeoff_chart",
    "per_group_chart",
    "flips_chart",
    "pareto_front",
    "mitigation_section",
    "STAGE_COLORS",
    "COLOR_BASELINE",
    "DISPARITY_ERROR",
    "METRIC_ERROR",
]

COLOR_BASELINE = "#212529"
STAGE_COLORS = {
    "pre": COLOR_SEQUENCE[0],
    "in": COLOR_SEQUENCE[1],
    "post": COLOR_SEQUENCE[2],
}
_STAGE_NAMES = {
    "pre": "pre-processing",
    "in": "in-processing",
    "post": "post-processing",
}
DISPARITY_ERROR = "The 'disparity' parameter must be one of {names}. Got {value!r} instead."
METRIC_ERROR = "The 'metric' parameter must be one of {names}. Got {value!r} instead."


def _disparity_title(disparity: str) -> str:
    return disparity.replace("_", " ")


def _check_disparity(disparity: str) -> str:
    if disparity not in DISPARITY_NAMES:
        raise MitigationError(DISPARITY_ERROR.format(names=list(DISPARITY_NAMES), value=disparity))
    return "ratio" if disparity.endswith("_ratio") else "difference"


def pareto_front(
    disparity: np.ndarray, accuracy: np.ndarray, *, lower_is_better: bool
) -> np.ndarray:
    """Which points no other point beats on both disparity and accuracy.

    Parameters
    ----------
    disparity, accuracy : numpy.ndarray of float
        One value per point; points where either is NaN are never on the front.
    lower_is_better : bool
        True for differences (0 is equal), False for ratios (1 is equal).

    Returns
    -------
    numpy.ndarray of bool
        True for the points on the front: no other point has a disparity at least as
        good and an accuracy at least as high, with one of the two strictly better.
    """
    goodness = -np.asarray(disparity, dtype=float) if lower_is_better else np.asarray(disparity)
    accuracy = np.asarray(accuracy, dtype=float)
    defined = ~(np.isnan(goodness) | np.isnan(accuracy))
    front = np.zeros(goodness.size, dtype=bool)
    for i in np.flatnonzero(defined):
        others = defined.copy()
        others[i] = False
        dominated = (
            others
            & (goodness >= goodness[i])
            & (accuracy >= accuracy[i])
            & ((goodness > goodness[i]) | (accuracy > accuracy[i]))
        )
        front[i] = not dominated.any()
    return front


def tradeoff_chart(
    comparison: MitigationComparison,
    disparity: str = "demographic_parity_difference",
    *,
    highlight: str | None = None,
) -> go.Figure:
    """Accuracy against a disparity, one point per technique, with the Pareto front.

    Each point has its bootstrap interval as whiskers on both axes. The baseline is a
    black star; the other points are coloured by stage. The dashed line joins the
    points that no other technique beats on both accuracy and the disparity. Each
    point's ``customdata`` is its technique label, for selection in the app.

    Parameters
    ----------
    comparison : MitigationComparison
        From :func:`fairlab.mitigation.compare_techniques`.
    disparity : str, default "demographic_parity_difference"
        One of :data:`fairlab.fairness.DISPARITY_NAMES`.
    highlight : str, optional
        A technique label to ring, such as the one selected.

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    MitigationError
        If ``disparity`` or ``highlight`` is not known.
    """
    kind = _check_disparity(disparity)
    if highlight is not None:
        comparison.result(highlight)
    table = comparison.table(kind=kind)  # type: ignore[arg-type]
    value = table[disparity].to_numpy(dtype=float)
    accuracy = table["accuracy"].to_numpy(dtype=float)
    front = pareto_front(value, accuracy, lower_is_better=kind == "difference")
    names = list(table.index)
    stages = [comparison.results[name].technique.stage for name in names]
    undefined = [name for name, v in zip(names, value, strict=True) if math.isnan(v)]

    fig = go.Figure()
    order = np.argsort(value[front])
    fig.add_trace(
        go.Scatter(
            x=value[front][order],
            y=accuracy[front][order],
            mode="lines",
            line=dict(color="#868e96", dash="dash", width=1.5),
            name="Pareto front",
            hoverinfo="skip",
        )
    )
    for stage in ("baseline", "pre", "in", "post"):
        rows = [i for i, s in enumerate(stages) if s == stage and not math.isnan(value[i])]
        if not rows:
            continue
        part = table.iloc[rows]
        x = value[rows]
        y = accuracy[rows]
        is_baseline = stage == BASELINE
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="markers+text" if is_baseline else "markers",
                name="baseline" if is_baseline else _STAGE_NAMES[stage],
                marker=dict(
                    size=18 if is_baseline else 12,
                    symbol="star" if is_baseline else "circle",
                    color=COLOR_BASELINE if is_baseline else STAGE_COLORS[stage],
                    line=dict(color="white", width=1),
                ),
                text=["baseline"] * len(rows) if is_baseline else None,
                textposition="top center",
                error_x=dict(
                    type="data",
                    symmetric=False,
                    array=np.nan_to_num(part[f"{disparity}_high"].to_numpy(dtype=float) - x),
                    arrayminus=np.nan_to_num(x - part[f"{disparity}_low"].to_numpy(dtype=float)),
                    color="#adb5bd",
                    thickness=1,
                ),
                error_y=dict(
                    type="data",
                    symmetric=False,
                    array=np.nan_to_num(part["accuracy_high"].to_numpy(dtype=float) - y),
                    arrayminus=np.nan_to_num(y - part["accuracy_low"].to_numpy(dtype=float)),
                    color="#adb5bd",
                    thickness=1,
                ),
                customdata=[names[i] for i in rows],
                hovertext=[_hover(table.iloc[i], disparity) for i in rows],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    if highlight is not None and highlight not in undefined:
        i = names.index(highlight)
        fig.add_trace(
            go.Scatter(
                x=[value[i]],
                y=[accuracy[i]],
                mode="markers",
                marker=dict(size=26, symbol="circle-open", color="#f59f00", line=dict(width=3)),
                name="selected",
                customdata=[highlight],
                hoverinfo="skip",
            )
        )
    if undefined:
        shown = "; ".join(plain(name) for name in undefined)
        fig.add_annotation(
            text=f"Not shown, {_disparity_title(disparity)} undefined: {shown}",
            xref="paper",
            yref="paper",
            x=0,
            y=-0.22,
            showarrow=False,
            xanchor="left",
            font=dict(size=11, color="#868e96"),
        )
    better = "lower is better" if kind == "difference" else "higher is better"
    fig.update_xaxes(title=f"{_disparity_title(disparity)} ({better})", gridcolor="#e9ecef")
    fig.update_yaxes(title="accuracy", tickformat=".1%", gridcolor="#e9ecef")
    title = (
        f"Accuracy against {_disparity_title(disparity)} by {plain(comparison.attribute)}, "
        "one point per technique"
    )
    fig = apply_layout(fig, title=title, height=460)
    fig.update_layout(clickmode="event+select")
    return fig


def _hover(row: pd.Series, disparity: str) -> str:
    lines = [
        f"<b>{plain(row.name)}</b> ({plain(row['stage'])})",
        f"accuracy {row['accuracy']:.1%} ({row['accuracy_low']:.1%}–{row['accuracy_high']:.1%})",
        f"{_disparity_title(disparity)} {row[disparity]:.3f} "
        f"({row[f'{disparity}_low']:.3f}–{row[f'{disparity}_high']:.3f}): "
        f"{plain(row[f'{disparity}_verdict'])}",
        f"run time {row['seconds']:.1f} s",
        "needs the sensitive attribute to decide"
        if row["needs_sensitive_at_prediction"]
        else "decides without the sensitive attribute",
    ]
    return "<br>".join(lines)


def per_group_chart(
    comparison: MitigationComparison, name: str, *, metric: str = "selection_rate"
) -> go.Figure:
    """One group metric for a technique next to the baseline's, with intervals.

    Parameters
    ----------
    comparison : MitigationComparison
        From :func:`fairlab.mitigation.compare_techniques`.
    name : str
        A technique label.
    metric : str, default "selection_rate"
        A group metric of :data:`fairlab.fairness.METRIC_NAMES`.

    Returns
    -------
    plotly.graph_objects.Figure

    Raises
    ------
    MitigationError
        If the technique or the metric is not known.
    """
    if metric not in METRIC_LABELS:
        raise MitigationError(METRIC_ERROR.format(names=list(METRIC_LABELS), value=metric))
    table = comparison.per_group(name, metrics=(metric,))
    groups = [
        f"{plain(g)}  (n = {int(n):,})" for g, n in zip(table["group"], table["count"], strict=True)
    ]
    fig = go.Figure()
    for column, label, colour in (
        ("baseline", "baseline", COLOR_BASELINE),
        ("mitigated", plain(name), COLOR_SEQUENCE[1]),
    ):
        value = table[column].to_numpy(dtype=float)
        fig.add_trace(
            go.Bar(
                x=np.nan_to_num(value),
                y=groups,
                orientation="h",
                name=label,
                marker_color=colour,
                error_x=dict(
                    type="data",
                    symmetric=False,
                    array=np.nan_to_num(table[f"{column}_high"].to_numpy(dtype=float) - value),
                    arrayminus=np.nan_to_num(value - table[f"{column}_low"].to_numpy(dtype=float)),
                    color="#495057",
                    thickness=1.2,
                ),
                hovertemplate="%{y}: %{x:.1%}<extra>" + label + "</extra>",
            )
        )
    fig.update_layout(barmode="group")
    fig.update_xaxes(tickformat=".0%", rangemode="tozero", gridcolor="#e9ecef")
    fig.update_yaxes(type="category", automargin=True, autorange="reversed")
    title = (
        f"{METRIC_LABELS[metric]} by {plain(comparison.attribute)}:<br>{plain(name)} "
        "against the baseline"
    )
    return apply_layout(fig, title=title, height=max(280, 90 + 56 * len(groups)))


def flips_chart(comparison: MitigationComparison, name: str) -> go.Figure:
    """Decisions a technique changed from the baseline's, per group and direction.

    Parameters
    ----------
    comparison : MitigationComparison
        From :func:`fairlab.mitigation.compare_techniques`.
    name : str
        A technique label.

    Returns
    -------
    plotly.graph_objects.Figure
        Stacked bars of the share of each group's rows turned positive (0 → 1) and
        turned negative (1 → 0), with the counts in the hover text.

    Raises
    ------
    MitigationError
        If the technique is not known.
    """
    table = comparison.flips(name)
    groups = [
        f"{plain(g)}  (n = {int(n):,})" for g, n in zip(table["group"], table["count"], strict=True)
    ]
    fig = go.Figure()
    for column, label, colour in (
        ("negative_to_positive", "turned positive (0 → 1)", VERDICT_COLORS["passes"]),
        ("positive_to_negative", "turned negative (1 → 0)", VERDICT_COLORS["fails"]),
    ):
        counts = table[column].to_numpy()
        fig.add_trace(
            go.Bar(
                x=counts / table["count"].to_numpy(),
                y=groups,
                orientation="h",
                name=label,
                marker_color=colour,
                customdata=counts,
                hovertemplate="%{y}: %{customdata:,} people (%{x:.1%})<extra>" + label + "</extra>",
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(tickformat=".0%", rangemode="tozero", gridcolor="#e9ecef")
    fig.update_yaxes(type="category", automargin=True, autorange="reversed")
    title = f"Decisions changed by {plain(comparison.attribute)}:<br>{plain(name)}"
    fig = apply_layout(fig, title=title, height=max(300, 130 + 40 * len(groups)))
    # Below the bars: above them the legend would sit on a long title.
    fig.update_layout(legend=dict(orientation="h", x=0, y=-0.25, yanchor="top"))
    return fig


# ---------------------------------------------------------------------- report
def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _with_interval(value: float, low: float, high: float, *, percent: bool) -> str:
    if math.isnan(value):
        return '<span class="undefined">undefined</span>'
    shown = f"{value:.1%}" if percent else f"{value:.3f}"
    if math.isnan(low) or math.isnan(high):
        return shown
    interval = f"{low:.1%} – {high:.1%}" if percent else f"{low:.3f} – {high:.3f}"
    return f'{shown}<br><span class="ci">{interval}</span>'


def _verdict(verdict: str) -> str:
    css = _e(verdict).replace(" ", "-")
    return f'<br><span class="verdict {css}">{_e(verdict)}</span>'


def mitigation_section(
    comparison: MitigationComparison,
    *,
    disparity: str = "demographic_parity_difference",
    figures: tuple[go.Figure, ...] | None = None,
) -> ReportSection:
    """The report section of a comparison: its table and the trade-off chart.

    Parameters
    ----------
    comparison : MitigationComparison
        From :func:`fairlab.mitigation.compare_techniques`.
    disparity : str, default "demographic_parity_difference"
        The disparity of the trade-off chart, and which form (difference or ratio) the
        table shows.
    figures : tuple of Figure, optional
        Figures to show instead of the trade-off chart.

    Returns
    -------
    fairlab.report.ReportSection

    Raises
    ------
    MitigationError
        If ``disparity`` is not known.
    """
    kind = _check_disparity(disparity)
    table = comparison.table(kind=kind)  # type: ignore[arg-type]
    header = [
        "technique",
        "stage",
        "accuracy",
        "balanced accuracy",
        "ROC AUC",
        *[_disparity_title(f"{c}_{kind}") for c in TABLE_CRITERIA],
        "run time",
        "needs the sensitive attribute to decide",
    ]
    rows = []
    for name, row in table.iterrows():
        cells = [
            _e(name),
            _e(row["stage"]),
            _with_interval(
                row["accuracy"], row["accuracy_low"], row["accuracy_high"], percent=True
            ),
            "—" if math.isnan(row["balanced_accuracy"]) else f"{row['balanced_accuracy']:.1%}",
            "—" if math.isnan(row["roc_auc"]) else f"{row['roc_auc']:.3f}",
        ]
        for criterion in TABLE_CRITERIA:
            key = f"{criterion}_{kind}"
            cells.append(
                _with_interval(row[key], row[f"{key}_low"], row[f"{key}_high"], percent=False)
                + _verdict(row[f"{key}_verdict"])
            )
        cells.append(f"{row['seconds']:.1f} s")
        cells.append("yes" if row["needs_sensitive_at_prediction"] else "no")
        rows.append(cells)
    head = "<thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in header) + "</tr></thead>"
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    notes = [
        f"Every technique starts from the same base model ({_e(comparison.base.title)}), "
        f"training rows and seed ({comparison.random_state}), and is assessed on the same "
        f"{comparison.y_true.size:,} test rows for '{_e(comparison.attribute)}'. Intervals "
        f"are {comparison.fairness_config.confidence:.0%} bootstrap intervals.",
        "A technique that needs the sensitive attribute to decide about a person uses it at "
        "the moment of the decision, which the law forbids in many settings.",
        "Randomised techniques (exponentiated gradient, threshold optimizer) draw some "
        "decisions at random, with a fixed seed so the results can be reproduced.",
    ]
    warnings = [
        f"<li><strong>{_e(name)}</strong>: {_e(text)}</li>"
        for name, text in table["warnings"].items()
        if text
    ]
    explanation = METRIC_EXPLANATIONS.get(disparity, "")
    body_html = (
        "".join(f"<p>{note}</p>" for note in notes)
        + f"<table>{head}<tbody>{body}</tbody></table>"
        + (f"<h3>Warnings</h3><ul>{''.join(warnings)}</ul>" if warnings else "")
        + (
            f"<p><em>{_e(_disparity_title(disparity))}</em>: {_e(explanation)}</p>"
            if explanation
            else ""
        )
    )
    chosen = (tradeoff_chart(comparison, disparity),) if figures is None else tuple(figures)
    return ReportSection(
        title=f"Mitigation techniques compared for '{comparison.attribute}'",
        body_html=body_html,
        figures=chosen,
    )
