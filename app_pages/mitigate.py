"""Mitigate page: pre-, in- and post-processing techniques on the same split, in one table
and one accuracy-against-disparity chart, with each technique's groups and changed
decisions next to the baseline's."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from fairlab.errors import FairLabError
from fairlab.fairness import FairnessConfig
from fairlab.mitigation import DEFAULT_TECHNIQUES, TechniqueConfig
from fairlab.plots.mitigation import flips_chart, per_group_chart, tradeoff_chart
from fairlab.report import METRIC_TITLES
from fairlab_ui import mitigation, state
from fairlab_ui.glossary_links import glossary_links
from fairlab_ui.page_gate import require_source
from fairlab_ui.params import param_widget
from fairlab_ui.render import md, show_error, stop_page

CRITERIA = {
    "demographic_parity": "demographic parity",
    "equalized_odds": "equalized odds",
    "equal_opportunity": "equal opportunity",
    "predictive_parity": "predictive parity",
    "error_rate_parity": "error-rate parity",
}
FAIRNESS_PAGE_THRESHOLDS = "Per-group thresholds from the Fairness page"

st.title("Mitigate")
st.caption(
    "Compare mitigation techniques on the same split and the same base model: what each "
    "buys on a fairness criterion, what it costs in accuracy, with 95% intervals. A "
    "model *mitigated for* a criterion is not thereby fair: which criterion matters, and "
    "whether any model should decide here, are questions for the people affected."
)

dataset, source = require_source("Train a model on the Model page first.")
if source.kind != "model":
    st.info(
        "Mitigation retrains or post-processes a model FairLab trained: train one on the "
        "Model page. Predictions from a file or an uploaded model cannot be retrained here.",
        icon=":material/info:",
    )
    stop_page()
frame = dataset.frame
st.markdown(f"Base model: **{md(source.label)}**, on its test split.")

catalogue = mitigation.catalogue()
default_labels = [label for label, config in catalogue.items() if config in set(DEFAULT_TECHNIQUES)]
with st.container(border=True):
    cols = st.columns([1, 3])
    attributes = [a for a in source.spec.sensitive]
    if len(attributes) > 1:
        attributes.append("×".join(attributes))
    attribute = cols[0].selectbox("Mitigate for groups of", attributes, key="mitigate_attribute")
    options = list(catalogue)
    saved = st.session_state.get(state.THRESHOLDS)
    if saved is not None and isinstance(saved[1], dict):
        options.append(FAIRNESS_PAGE_THRESHOLDS)
    chosen = cols[1].multiselect(
        "Techniques (the unmitigated baseline is always included)",
        options,
        default=default_labels,
        key="mitigate_techniques",
    )
    with st.expander("Settings of the chosen techniques", icon=":material/tune:"):
        st.caption(
            "Measured on Adult (34,189 training rows) on a 2-core machine, the default "
            "comparison took about 7 s with logistic regression, 24 s with gradient "
            "boosting and 70 s with a random forest (bench/bench_threads.py). Raising the "
            "iteration limits fits the constraint more closely and takes longer."
        )
        settings: dict[str, dict[str, object]] = {}
        for label in chosen:
            if label == FAIRNESS_PAGE_THRESHOLDS:
                continue
            spec = catalogue[label].spec
            if not spec.params:
                continue
            st.markdown(f"**{md(label)}**")
            widgets = st.columns(len(spec.params))
            values = {}
            for column, param in zip(widgets, spec.params, strict=True):
                with column:
                    values[param.name] = param_widget(
                        param,
                        f"mitigate_param_{spec.name}_{catalogue[label].constraint}_{param.name}",
                    )
            settings[label] = values
    submitted = st.button(
        "Run the comparison", type="primary", icon=":material/compare_arrows:", key="mitigate_run"
    )


def _techniques() -> tuple[TechniqueConfig, ...]:
    configs = []
    for label in chosen:
        if label == FAIRNESS_PAGE_THRESHOLDS:
            saved_attribute, thresholds = st.session_state[state.THRESHOLDS]
            if saved_attribute != attribute:
                raise FairLabError(
                    f"The per-group thresholds of the Fairness page are for groups of "
                    f"{saved_attribute}, not {attribute}. Choose {saved_attribute} here, or "
                    f"set thresholds for {attribute} on the Fairness page."
                )
            configs.append(TechniqueConfig("group_thresholds", thresholds=thresholds))
            continue
        base = catalogue[label]
        params = tuple(settings.get(label, {}).items())
        configs.append(TechniqueConfig(base.name, base.constraint, params=params))
    return tuple(configs)


if submitted:
    try:
        request = mitigation.MitigationRequest(
            source=source,
            attribute=attribute,
            techniques=_techniques(),
            fairness=FairnessConfig(),
        )
        bar = st.progress(0.0, text="Preparing the features…")
        finished = {"done": 0, "total": len(request.techniques) + 1, "last": ""}
        fits: dict[str, int] = {}
        planned = {t.label: mitigation.expected_fits(t) for t in request.techniques}

        def _show_progress() -> None:
            done, total = finished["done"], finished["total"]
            running = [
                f"{name}: fit {n}" + (f" of {planned[name]}" if planned.get(name) else "")
                for name, n in fits.items()
            ]
            partial = sum(
                min(n / planned[name], 0.99) for name, n in fits.items() if planned.get(name)
            )
            text = f"{done} of {total} done" + (f" (last: {finished['last']})" if done else "")
            bar.progress(
                min((done + partial) / total, 1.0),
                text=text + ("; running " + ", ".join(running) if running else "") + "…",
            )

        def progress(done: int, total: int, name: str) -> None:
            finished.update(done=done, total=total, last=name)
            fits.pop(name, None)
            _show_progress()

        def fit_progress(name: str, n_fits: int) -> None:
            fits[name] = n_fits
            _show_progress()

        try:
            mitigation.comparison(request, frame, progress=progress, fit_progress=fit_progress)
        finally:
            bar.empty()
    except FairLabError as exc:
        show_error(str(exc))
    else:
        st.session_state[state.MITIGATE_REQUEST] = request

request = st.session_state.get(state.MITIGATE_REQUEST)
if request is None or request.source != source:
    st.caption("Nothing runs until you press the button.")
    stop_page()
result = mitigation.comparison(request, frame)
if request.attribute != attribute:
    st.caption(
        md(
            f"The results below are for groups of {request.attribute}, the last comparison "
            "run; press the button to compare for the attribute chosen above."
        )
    )


def _point_name(point: dict) -> str | None:
    """The technique label a clicked point carries (plotly may wrap it in a list)."""
    data = point.get("customdata")
    if isinstance(data, list | tuple):
        data = data[0] if data else None
    return None if data is None else str(data)


def _interval(value: float, low: float, high: float) -> str:
    if pd.isna(value):
        return "undefined"
    return f"{value:.3f} ({low:.3f}–{high:.3f})"


st.header("Comparison", divider="gray")
cols = st.columns(2)
criterion = cols[0].selectbox(
    "Fairness criterion",
    list(CRITERIA),
    format_func=CRITERIA.__getitem__,
    key="mitigate_criterion",
)
kind = cols[1].radio(
    "Disparities as",
    ["difference", "ratio"],
    horizontal=True,
    key="mitigate_kind",
    help="Difference: largest minus smallest group rate (0 is parity). Ratio: smallest over "
    "largest (1 is parity).",
)
disparity = f"{criterion}_{kind}"
table = result.table(kind)
shown = pd.DataFrame(
    {
        "stage": table["stage"],
        "accuracy (95% CI)": [
            _interval(v, lo, hi)
            for v, lo, hi in zip(
                table["accuracy"], table["accuracy_low"], table["accuracy_high"], strict=True
            )
        ],
        "balanced accuracy": table["balanced_accuracy"],
        "ROC AUC": table["roc_auc"],
    },
    index=table.index,
)
for name, title in CRITERIA.items():
    key = f"{name}_{kind}"
    shown[f"{title} (95% CI)"] = [
        _interval(v, lo, hi)
        for v, lo, hi in zip(table[key], table[f"{key}_low"], table[f"{key}_high"], strict=True)
    ]
    shown[f"{title}: verdict"] = table[f"{key}_verdict"]
shown["seconds"] = table["seconds"]
shown["needs the sensitive attribute to decide"] = table["needs_sensitive_at_prediction"]
shown["randomised"] = table["randomized"]
st.dataframe(
    shown,
    column_config={
        "balanced accuracy": st.column_config.NumberColumn(format="%.3f"),
        "ROC AUC": st.column_config.NumberColumn(format="%.3f"),
        "seconds": st.column_config.NumberColumn(format="%.1f"),
    },
    key="mitigate_table",
)
st.caption(
    "Techniques that need a person's sensitive attribute to decide about them treat people "
    "differently by group at decision time, which is unlawful in many settings. Randomised "
    "techniques decide some people by a (seeded) coin flip."
)
for name, text in table["warnings"].items():
    if text:
        st.caption(md(f"{name}: {text}"))

if st.session_state.get("mitigate_selected") not in result.names:
    st.session_state["mitigate_selected"] = result.names[min(1, len(result.names) - 1)]
event = st.plotly_chart(
    tradeoff_chart(result, disparity, highlight=st.session_state["mitigate_selected"]),
    key="mitigate_tradeoff",
    on_select="rerun",
    selection_mode="points",
)
picked = [_point_name(p) for p in event.selection.points]
picked_name = next((n for n in picked if n is not None), None)
if picked_name in result.names and picked_name != st.session_state.get(state.MITIGATE_PICKED):
    st.session_state[state.MITIGATE_PICKED] = picked_name
    st.session_state["mitigate_selected"] = picked_name
    st.rerun()
st.caption("Click a point, or choose a technique below, to see its groups next to the baseline's.")
glossary_links(
    [
        *(r.technique.name for r in result.results.values()),
        "demographic_parity",
        "equalized_odds",
        "equal_opportunity",
        "predictive_parity",
        "confidence_interval",
    ]
)

st.header("One technique against the baseline", divider="gray")
cols = st.columns(2)
name = cols[0].selectbox("Technique", list(result.names), key="mitigate_selected")
metric = cols[1].selectbox(
    "Group metric",
    [
        "selection_rate",
        "true_positive_rate",
        "false_positive_rate",
        "positive_predictive_value",
        "accuracy",
    ],
    format_func=METRIC_TITLES.__getitem__,
    key="mitigate_metric",
)
left, right = st.columns(2, gap="large")
left.plotly_chart(per_group_chart(result, name, metric=metric), key="mitigate_per_group")
right.plotly_chart(flips_chart(result, name), key="mitigate_flips")
flips = result.flips(name)
overall = flips[flips["group"] == "overall"].iloc[0]
st.markdown(
    md(
        f"What changed: {int(overall['flipped']):,} of {int(overall['count']):,} decisions "
        f"({overall['flipped_share']:.1%}) differ from the baseline's: "
        f"{int(overall['negative_to_positive']):,} from negative to positive and "
        f"{int(overall['positive_to_negative']):,} from positive to negative."
    )
)
st.dataframe(
    flips,
    hide_index=True,
    column_config={"flipped_share": st.column_config.NumberColumn(format="percent")},
    key="mitigate_flips_table",
)
