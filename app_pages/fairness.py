"""Fairness page: group metrics with intervals, disparities with verdicts, the threshold
explorer, and the report to keep."""

from __future__ import annotations

import dataclasses
import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from fairlab.errors import FairLabError
from fairlab.fairness import (
    CRITERIA,
    METRIC_EXPLANATIONS,
    METRIC_NAMES,
    MIN_CASES,
    FairnessConfig,
    assess_counts,
)
from fairlab.plots.fairness import disparity_chart, group_metric_chart
from fairlab.plots.thresholds import set_threshold_markers, threshold_curve_chart
from fairlab.report import METRIC_TITLES
from fairlab_ui import cache, reports, state
from fairlab_ui.glossary_links import glossary_links
from fairlab_ui.page_gate import require_source
from fairlab_ui.predictions import (
    fairness,
    prediction_set,
)
from fairlab_ui.render import md, show_error, stop_page
from fairlab_ui.thresholds import sweep_for

COMPARISONS = {
    "between_groups": "between groups (largest minus smallest, smallest over largest)",
    "reference": "against a reference group",
    "overall": "against the overall rate",
}

st.title("Fairness")
st.caption(
    "How the model's decisions differ between groups: every metric with its count and a "
    "95% interval, every disparity with a verdict in plain words."
)

dataset, source = require_source()
frame = dataset.frame
predictions = prediction_set(source, frame)
data = predictions.data
st.markdown(
    f"Auditing **{md(source.label)}** on {data.n_rows:,} rows "
    f"({'every row of the file' if source.kind == 'file' else 'the test split'})."
)

with st.expander("Assessment settings", icon=":material/tune:"):
    left, right = st.columns(2, gap="large")
    comparison = left.radio(
        "Compare groups",
        list(COMPARISONS),
        format_func=COMPARISONS.__getitem__,
        **state.show("fair_comparison", "between_groups"),
    )
    references: list[tuple[str, str]] = []
    if comparison == "reference":
        for attribute in data.attributes:
            groups = sorted(str(g) for g in data.groups(attribute).unique())
            reference = left.selectbox(
                f"Reference group of {md(attribute)}",
                groups,
                **state.show(f"fair_reference_{attribute}", groups[0], groups),
            )
            references.append((attribute, reference))
    ratio_bound = right.number_input(
        "Ratios pass at or above",
        0.5,
        1.0,
        step=0.05,
        **state.show("fair_ratio_bound", 0.8),
        help="0.8 is the four-fifths rule of US employment guidance: a rule of thumb, "
        "not a law of nature.",
    )
    tolerance = right.number_input(
        "Differences pass at or below",
        0.0,
        0.5,
        step=0.01,
        **state.show("fair_tolerance", 0.1),
        help="A tolerance for differences of rates, chosen for the context of the decision.",
    )
    min_cases = right.number_input(
        "Fewest cases for a confident verdict",
        1,
        10_000,
        step=5,
        **state.show("fair_min_cases", MIN_CASES),
        help="A group whose rate has fewer cases in its denominator (positives for TPR, "
        "negatives for FPR, …) is listed as too small and cannot make a verdict confident.",
    )
try:
    config = FairnessConfig(
        min_cases=int(min_cases),
        comparison=comparison,
        reference_groups=tuple(references),
        ratio_bound=float(ratio_bound),
        difference_tolerance=float(tolerance),
    )
    result = fairness(source, config, frame)
except FairLabError as exc:
    show_error(str(exc))
    stop_page()

st.caption(
    "Verdicts are tests over every comparison of groups, with intervals that hold together "
    "at 95%: *fails* when some comparison is shown beyond the bound, *passes* when every one "
    "is shown within it, *insufficient evidence* otherwise, and never confident about a "
    "group with fewer than 30 cases. "
    "Fairness is a socio-technical question: a verdict here says what the numbers show, not "
    "whether the decisions are fair in their context."
)


def _with_interval(table: pd.DataFrame, name: str, fmt: str) -> list[str]:
    """Each group's value with its interval, or the reason it is undefined."""
    reasons = table.get(f"{name}_undefined", pd.Series([None] * len(table)))
    return [
        reason
        if isinstance(reason, str) and reason
        else f"{value:{fmt}} ({low:{fmt}}–{high:{fmt}})"
        for value, low, high, reason in zip(
            table[name], table[f"{name}_low"], table[f"{name}_high"], reasons, strict=True
        )
    ]


def _driving_pairs(disparities: pd.DataFrame) -> list[str]:
    """The comparison behind each verdict, with its simultaneous interval."""
    shown = []
    for _, row in disparities.iterrows():
        if not row["pair"]:
            shown.append("—")
            continue
        first, second = row["pair"]
        rate = METRIC_TITLES.get(row["pair_metric"], row["pair_metric"])
        shown.append(
            f"{first} vs {second} ({rate}): {row['pair_value']:.3f} "
            f"[{row['pair_ci_low']:.3f} – {row['pair_ci_high']:.3f}]"
        )
    return shown


def _too_small_groups(disparities: pd.DataFrame) -> pd.DataFrame:
    """Each group too small for a compared rate, with its count of cases, once."""
    found = dict.fromkeys(item for items in disparities["too_small"] for item in items)
    return pd.DataFrame(
        [(group, METRIC_TITLES.get(metric, metric), cases) for group, metric, cases in found],
        columns=["group", "rate", "cases"],
    )


def groups_and_disparities() -> None:
    """Per attribute: disparities with verdicts, a metric by group, the group table."""
    tabs = st.tabs([md(a) for a in result.attributes])
    for tab, attribute in zip(tabs, result.attributes, strict=True):
        with tab:
            disparities = result.disparities[attribute]
            st.plotly_chart(
                cache.cached_figure(
                    ("fair-disparity", source, config, attribute),
                    lambda d=disparities, a=attribute: disparity_chart(d, attribute=a),
                ),
                key=f"fair_disparity_{attribute}",
            )
            st.dataframe(
                pd.DataFrame(
                    {
                        "criterion": [str(n).replace("_", " ") for n in disparities.index],
                        "value": disparities["value"],
                        "95% CI": [
                            "—" if pd.isna(lo) else f"{lo:.3f} – {hi:.3f}"
                            for lo, hi in zip(
                                disparities["ci_low"], disparities["ci_high"], strict=True
                            )
                        ],
                        "verdict": disparities["verdict"],
                        "decided by": _driving_pairs(disparities),
                        "in words": disparities["sentence"],
                    }
                ),
                hide_index=True,
                column_config={
                    "value": st.column_config.NumberColumn(format="%.3f"),
                    "in words": st.column_config.TextColumn(width="large"),
                },
            )
            for note in disparities["note"].dropna().unique():
                st.caption(md(note))
            too_small = _too_small_groups(disparities)
            if len(too_small):
                st.caption(
                    md(
                        f"Too small to be confident (fewer than {config.min_cases} cases in "
                        "the rate's denominator): these groups are in the intervals, but no "
                        "verdict passes, or fails because of them."
                    )
                )
                st.dataframe(too_small, hide_index=True, key=f"fair_too_small_{attribute}")
            table = result.by_group[attribute]
            metric = st.selectbox(
                "Metric by group",
                [
                    "selection_rate",
                    *[m for m in METRIC_NAMES if m != "selection_rate"],
                    "base_rate",
                ],
                format_func=METRIC_TITLES.__getitem__,
                key=f"fair_metric_{attribute}",
                help=METRIC_EXPLANATIONS.get("selection_rate"),
            )
            st.caption(md(METRIC_EXPLANATIONS.get(metric, "")))
            st.plotly_chart(
                cache.cached_figure(
                    ("fair-group-metric", source, config, attribute, metric),
                    lambda t=table, a=attribute, m=metric: group_metric_chart(
                        t,
                        attribute=a,
                        metric=m,
                        metric_title=METRIC_TITLES[m],
                        overall=float(result.overall[m]),
                    ),
                ),
                key=f"fair_group_chart_{attribute}",
            )
            shown = {"group": table["group"], "rows": table["count"]}
            for name in ["base_rate", *METRIC_NAMES]:
                shown[METRIC_TITLES[name]] = _with_interval(table, name, ".1%")
            if "mean_score" in table:
                shown["mean score"] = _with_interval(table, "mean_score", ".3f")
                shown["observed rate"] = _with_interval(table, "observed_rate", ".1%")
            shown["under 30 rows"] = table["small"]
            st.dataframe(pd.DataFrame(shown), hide_index=True)

    with st.expander("What the metrics mean", icon=":material/menu_book:"):
        for name, text in METRIC_EXPLANATIONS.items():
            st.markdown(f"**{md(name.replace('_', ' '))}**: {md(text)}")
        glossary_links(
            [*METRIC_EXPLANATIONS, *CRITERIA],
            caption="Each metric and criterion in words, as a formula and worked through:",
        )


def threshold_controls() -> None:
    """The explorer's settings; changing one reruns the page, moving a slider does not."""
    st.header("Threshold explorer", divider="gray")
    st.caption(
        "Move the threshold (score ≥ threshold is a positive decision), globally or per group, "
        "and see every group metric and disparity follow."
    )
    cols = st.columns(4, gap="medium", vertical_alignment="bottom")
    attribute = cols[0].selectbox("Groups of", data.attributes, key="fair_threshold_attribute")
    metric = cols[1].selectbox(
        "Metric against the threshold",
        [
            "selection_rate",
            "true_positive_rate",
            "false_positive_rate",
            "positive_predictive_value",
        ],
        format_func=METRIC_TITLES.__getitem__,
        key="fair_threshold_metric",
    )
    cost_ratio = cols[2].number_input(
        "A false positive costs … false negatives",
        0.1,
        10.0,
        1.0,
        0.1,
        key="fair_cost_ratio",
        help="Used for the expected cost and for the cost-minimising threshold.",
    )
    per_group = cols[3].toggle("One threshold per group", key="fair_per_group")
    sweep = sweep_for(source, attribute, frame)
    best = sweep.best_threshold(cost_fp=float(cost_ratio), cost_fn=1.0)
    st.caption(f"The threshold with the lowest cost at this ratio is {best:.3f}.")
    threshold_explorer(attribute, metric, float(cost_ratio), per_group)


def _threshold_figure(
    attribute: str, metric: str, threshold: float | dict[str, float]
) -> go.Figure:
    """The curve chart with the threshold marked: built once per session and curve, after
    which a slider move only moves the markers (3 ms instead of 50 ms)."""
    key = (source, attribute, metric, isinstance(threshold, dict))
    cached = st.session_state.get(state.THRESHOLD_FIGURE)
    if cached is not None and cached[0] == key:
        return set_threshold_markers(cached[1], threshold)
    curve = sweep_for(source, attribute, frame).curve(metrics=(metric,))
    figure = threshold_curve_chart(curve, metric=metric, thresholds=threshold)
    st.session_state[state.THRESHOLD_FIGURE] = (key, figure)
    return figure


@st.fragment
def threshold_explorer(attribute: str, metric: str, cost_ratio: float, per_group: bool) -> None:
    """Sliders for the decision threshold; only this part reruns while they move."""
    sweep = sweep_for(source, attribute, frame)
    low, high = float(predictions.y_score.min()), float(predictions.y_score.max())
    if 0.0 <= low and high <= 1.0:
        low, high = 0.0, 1.0  # probabilities: a round scale
    else:
        low, high = float(math.floor(low)), float(math.ceil(high))
    controls, chart_col = st.columns([1, 2], gap="large")
    with controls:
        default = source.spec.threshold if source.spec.threshold is not None else 0.5
        default = min(max(default, low), high)
        if per_group:
            thresholds = {
                group: st.slider(
                    f"Threshold for {md(group)}",
                    low,
                    high,
                    default,
                    step=(high - low) / 100,
                    key=f"fair_threshold_{attribute}_{group}",
                )
                for group in sweep.groups
            }
            threshold: float | dict[str, float] = thresholds
        else:
            threshold = st.slider(
                "Threshold", low, high, default, step=(high - low) / 100, key="fair_threshold"
            )
        st.session_state[state.THRESHOLDS] = (attribute, threshold)
    # The chart goes out first: the verdicts below must not delay it.
    with chart_col:
        st.plotly_chart(_threshold_figure(attribute, metric, threshold), key="fair_threshold_chart")
    overall = sweep.overall_at(threshold)
    accuracy = (overall["tp"] + overall["tn"]) / overall["count"]
    cost = sweep.cost_at(threshold, cost_fp=cost_ratio, cost_fn=1.0)
    with controls:
        # Markdown, not st.metric: two metrics cost ~70 ms of browser time per slider move.
        st.markdown(
            f"Accuracy at this threshold: **{accuracy:.3f}**  \n"
            f"Expected cost per row: **{cost:.3f}**"
        )
    counts = sweep.confusion_at(threshold)
    own_reference = tuple(pair for pair in config.reference_groups if pair[0] == attribute)
    assessed = assess_counts(
        {attribute: counts}, config=dataclasses.replace(config, reference_groups=own_reference)
    )
    disparities = assessed.disparities[attribute]
    st.dataframe(
        pd.DataFrame(
            {
                "criterion": [str(n).replace("_", " ") for n in disparities.index],
                "value": disparities["value"],
                "verdict": disparities["verdict"],
                "in words": disparities["sentence"],
            }
        ),
        hide_index=True,
        column_config={"value": st.column_config.NumberColumn(format="%.3f")},
        key="fair_threshold_disparities",
    )


def report_downloads() -> None:
    """The report files as downloads."""
    st.header("The report", divider="gray")
    st.caption(
        "A self-contained HTML report (opens offline), every group metric as a spreadsheet-safe "
        "CSV, the spec and the metrics as JSON."
    )
    extras = reports.extras_for(source)
    included = extras.included
    st.caption(
        md(
            "Also included: " + "; ".join(included) + "."
            if included
            else "Explanations computed on the Explain page and mitigation comparisons run "
            "on the Mitigate page are added to the report."
        )
    )
    files = reports.report_files(source, config, frame, dataset.name, extras)
    cols = st.columns(4)
    cols[0].download_button(
        "report.html",
        files.html,
        "report.html",
        "text/html",
        key="fair_download_report",
        icon=":material/download:",
    )
    cols[1].download_button(
        "group_metrics.csv",
        files.group_metrics_csv,
        "group_metrics.csv",
        "text/csv",
        key="fair_download_csv",
        icon=":material/download:",
    )
    cols[2].download_button(
        "spec.json",
        files.spec_json,
        "spec.json",
        "application/json",
        key="fair_download_spec",
        icon=":material/download:",
    )
    cols[3].download_button(
        "metrics.json",
        files.metrics_json,
        "metrics.json",
        "application/json",
        key="fair_download_metrics",
        icon=":material/download:",
    )


VIEWS = ("Groups and disparities", "Threshold explorer", "Report")
# One view at a time: a smaller page also makes every threshold move cheaper to redraw.
view = st.radio("View", VIEWS, key="fair_view", horizontal=True, label_visibility="collapsed")
if view == VIEWS[0]:
    groups_and_disparities()
elif view == VIEWS[1]:
    if predictions.y_score is not None:
        threshold_controls()
    else:
        st.caption(
            "The threshold explorer needs scores or probabilities; these predictions have none."
        )
else:
    report_downloads()
