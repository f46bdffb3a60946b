"""Data page: choose data, say what to audit, and see the groups before any model exists."""

from __future__ import annotations

import dataclasses

import streamlit as st

from fairlab.data.bundled import BUNDLED_NAMES, bundled_titles
from fairlab.data.profile import GroupProfile
from fairlab.data.synthetic import SCENARIOS, WorldConfig
from fairlab.errors import FairLabError
from fairlab.labels import distinct_labels
from fairlab.plots import base_rate_chart, intersection_heatmap, missing_values_chart
from fairlab.spec import bin_labels
from fairlab_ui import cache, data_options, session, spec_form, state
from fairlab_ui.render import md, show_error, show_problems, stop_page
from fairlab_ui.workspace import WORKSPACE_PARAM

MAX_LABEL_OPTIONS = 50
ROLE_HELP = {
    "numeric": "numbers",
    "categorical": "a few repeated values",
    "boolean": "two values (yes/no)",
    "datetime": "dates or times",
    "text": "free text",
    "identifier": "unique in every row",
    "constant": "one value (or none)",
}

st.title("Data")
st.caption(
    "Choose a dataset, say which column is the outcome and which are sensitive attributes, "
    "and look at the groups before any model exists."
)


# ---------------------------------------------------------------------- source
def _on_bundled_change() -> None:
    session.use_bundled(state.choice(state.DATA_BUNDLED))


def _on_upload_change() -> None:
    uploaded = st.session_state.get(state.DATA_UPLOAD)
    if uploaded is not None:
        header, delimiter = data_options.current_read_options()
        session.use_upload(uploaded.name, uploaded.getvalue(), header=header, delimiter=delimiter)


KNOBS = {
    "minority_share": ("Share of group B (under-representation)", 0.05, 0.5, 0.05),
    "base_rate_gap": ("Gap in the true rate of qualified people, A − B", 0.0, 0.6, 0.05),
    "label_bias": ("Share of B's qualified people recorded as not qualified", 0.0, 0.9, 0.05),
    "proxy_strength": ("Correlation of a proxy feature with the group", 0.0, 0.95, 0.05),
    "noise_gap": ("Extra measurement noise on B's features", 0.0, 2.0, 0.1),
}


def synthetic_form() -> None:
    """Knobs of the synthetic world; generating it puts them in the page's address."""
    current = st.session_state.get(state.SYNTHETIC_CONFIG) or WorldConfig()
    with st.form("data_synthetic_form", border=True):
        cols = st.columns(3)
        scenario = cols[0].selectbox("Scenario", SCENARIOS, index=SCENARIOS.index(current.scenario))
        n_rows = cols[1].number_input("People", 100, 1_000_000, current.n_rows, 500)
        seed = cols[2].number_input("Seed", 0, 2**32 - 1, current.seed)
        knobs = {}
        cols = st.columns(len(KNOBS))
        for column, (name, (label, low, high, step)) in zip(cols, KNOBS.items(), strict=True):
            knobs[name] = column.slider(
                label, low, high, float(getattr(current, name)), step, key=f"data_world_{name}"
            )
        age_band = st.checkbox("Add a second attribute (age band)", current.include_age_band)
        submitted = st.form_submit_button("Generate the world", type="primary")
    if submitted:
        try:
            config = WorldConfig(
                scenario=scenario,
                n_rows=int(n_rows),
                seed=int(seed),
                include_age_band=bool(age_band),
                **{k: float(v) for k, v in knobs.items()},
            )
        except FairLabError as exc:
            show_error(str(exc))
            return
        session.use_synthetic(config)
        st.query_params.from_dict(
            {
                WORKSPACE_PARAM: st.session_state[state.WORKSPACE],
                "world": "1",
                **config.to_query_params(),
            }
        )
    if state.active_dataset() is not None and state.active_dataset().kind == "synthetic":
        st.caption("The page's address now holds these settings: share it to open this world.")


source = st.radio(
    "Source",
    [state.SOURCE_BUNDLED, state.SOURCE_UPLOAD, state.SOURCE_SYNTHETIC],
    **state.show(state.DATA_SOURCE, state.SOURCE_BUNDLED),
    horizontal=True,
    label_visibility="collapsed",
)
if source == state.SOURCE_BUNDLED:
    titles = bundled_titles()
    chosen = st.selectbox(
        "Bundled dataset",
        BUNDLED_NAMES,
        **state.show(state.DATA_BUNDLED, state.DEFAULT_BUNDLED, then=_on_bundled_change),
        format_func=titles.__getitem__,
    )
    active = state.active_dataset()
    if active is not None and active.key != f"bundled:{chosen}":
        st.button(
            f"Use {titles[chosen]}",
            key="data_use_bundled",
            on_click=session.use_bundled,
            args=(chosen,),
        )
elif source == state.SOURCE_SYNTHETIC:
    synthetic_form()
else:
    data_options.read_options()
    st.file_uploader(
        "Upload a CSV file (.csv, .csv.gz, or a .zip of one CSV; UTF-8 or Latin-1)",
        type=data_options.UPLOAD_TYPES,
        key=state.DATA_UPLOAD,
        on_change=_on_upload_change,
    )
    active = state.active_dataset()
    if active is not None and active.kind == "upload":
        st.caption(
            f"In use: your upload {md(active.name)}, kept on the server for this workspace "
            "only. Upload another file to replace it."
        )
upload_error = st.session_state.get(state.UPLOAD_ERROR)
if upload_error:
    show_error(upload_error)
    previous = state.active_dataset()
    if previous is not None:
        st.caption(f"The dataset loaded before, {md(previous.name)}, is still active.")

dataset = state.active_dataset()
if dataset is None:
    stop_page()
frame = dataset.frame


# ---------------------------------------------------------------------- preview
st.header(md(dataset.name), divider="gray")
n_rows, n_cols = frame.shape
metric_cols = st.columns(4)
metric_cols[0].metric("Rows", f"{n_rows:,}")
metric_cols[1].metric("Columns", f"{n_cols:,}")
metric_cols[2].metric("Missing cells", f"{sum(c.n_missing for c in dataset.columns):,}")
metric_cols[3].metric(
    "Source", {"bundled": "bundled", "synthetic": "synthetic"}.get(dataset.kind, "your upload")
)
if dataset.card:
    with st.expander("About this dataset: source, licence, columns and known problems"):
        st.markdown(dataset.card)
if dataset.warnings:
    with st.expander(f"{len(dataset.warnings)} notes from reading the file", expanded=True):
        for warning in dataset.warnings:
            st.markdown(f"- {md(warning)}")

preview_tab, columns_tab = st.tabs(["First rows", "Columns and their roles"])
with preview_tab:
    st.dataframe(frame.head(100), height=280)
with columns_tab:
    st.dataframe(
        [
            {
                "column": c.name,
                "role": c.role,
                "meaning": ROLE_HELP[c.role],
                "type": c.dtype,
                "missing": c.n_missing,
                "distinct": c.n_unique,
                "why": c.reason,
            }
            for c in dataset.columns
        ],
        hide_index=True,
        height=280,
    )


# ---------------------------------------------------------------------- spec
st.header("What to audit", divider="gray")
spec = state.current_spec()
problems = spec_form.draft(dataset)[1] if spec is None else []
if spec is not None:
    problems = problems + cache.validate_spec(dataset.key, spec, frame)

columns = [str(c) for c in frame.columns]
left, right = st.columns(2, gap="large")
with left:
    st.selectbox(
        "Outcome (target) column",
        columns,
        **spec_form.bind(state.DATA_TARGET, dataset),
        help="The observed outcome the decisions are about, e.g. income above 50K.",
    )
    show_problems(problems, "target")
    target = state.choice(state.DATA_TARGET)
    st.selectbox(
        "Positive (favourable) outcome",
        distinct_labels(frame[target], limit=MAX_LABEL_OPTIONS),
        **spec_form.bind(state.DATA_POSITIVE, dataset),
        format_func=str,
        placeholder="Choose which value counts as the positive outcome",
        help=(
            "The outcome people want (a loan granted, a job offer). Every other value "
            "counts as negative. Metrics such as selection rate count this value."
        ),
    )
    show_problems(problems, "positive_label")
with right:
    st.multiselect(
        "Sensitive attributes",
        [c for c in columns if c != target],
        **spec_form.bind(state.DATA_SENSITIVE, dataset),
        help=(
            "Attributes along which people may experience fairness-related harms, such "
            "as sex, race or age. Numeric ones are cut into groups with bins."
        ),
    )
    show_problems(problems, "sensitive")
    sensitive = state.choice(state.DATA_SENSITIVE)
    for key in spec_form.bins_keys():
        column = key.removeprefix(state.DATA_BINS_PREFIX)
        st.text_input(
            f"Bins for {md(column)} (cut points, comma-separated)",
            **spec_form.bind(key, dataset),
            help="Groups are half-open intervals: 25, 45 gives < 25, [25, 45) and ≥ 45.",
        )
    show_problems(problems, "bins")
    data_options.group_merge_form(dataset, sensitive)
    if any(frame[c].isna().any() for c in sensitive if c in frame):
        st.radio(
            "Rows with a missing sensitive value",
            ["own_group", "drop"],
            **spec_form.bind(state.DATA_MISSING_POLICY, dataset),
            format_func={"own_group": "keep as their own group", "drop": "leave out"}.__getitem__,
            horizontal=True,
        )
    show_problems(problems, "missing")

st.multiselect(
    "Features a model may use",
    [c for c in columns if c != target],
    **spec_form.bind(state.DATA_FEATURES, dataset),
    help=(
        "By default every column except the outcome, the sensitive attributes, "
        "identifiers, constant columns, free text and dates. Adding a sensitive attribute "
        "is an explicit choice; leaving it out does not stop a model from using proxies."
    ),
)
show_problems(problems, "features")
data_options.leakage_warnings(dataset.key, spec, frame)

has_predictions = bool(state.choice(state.DATA_PREDICTION) or state.choice(state.DATA_SCORE))
with st.expander(
    "The file already holds a model's predictions or scores (optional)", expanded=has_predictions
):
    st.caption(
        "To audit decisions that were already made, name the column with the predictions "
        "and which values are positive, and/or a column of scores with a threshold."
    )
    pred_col, score_col = st.columns(2, gap="large")
    with pred_col:
        st.selectbox(
            "Prediction column",
            [None, *[c for c in columns if c != target]],
            **spec_form.bind(state.DATA_PREDICTION, dataset),
            format_func=lambda c: "(none)" if c is None else c,
            placeholder="(none)",
        )
        prediction = state.choice(state.DATA_PREDICTION)
        if prediction is not None:
            st.multiselect(
                "Values that mean a positive prediction",
                distinct_labels(frame[prediction], limit=MAX_LABEL_OPTIONS),
                **spec_form.bind(state.DATA_PREDICTION_POSITIVE, dataset),
                format_func=str,
            )
        show_problems(problems, "prediction")
    with score_col:
        roles = dataset.roles
        numeric = [c for c in columns if c != target and roles.get(c) in ("numeric", "boolean")]
        st.selectbox(
            "Score column",
            [None, *numeric],
            **spec_form.bind(state.DATA_SCORE, dataset),
            format_func=lambda c: "(none)" if c is None else c,
            placeholder="(none)",
        )
        if state.choice(state.DATA_SCORE) is not None:
            st.number_input(
                "Threshold (score ≥ threshold is a positive prediction)",
                **spec_form.bind(state.DATA_THRESHOLD, dataset),
                format="%.4g",
            )
        show_problems(problems, "score")

if spec is not None:
    save_col, load_col = st.columns(2, gap="large")
    with save_col:
        st.download_button(
            "Save this spec (JSON)",
            spec.to_json(),
            file_name="spec.json",
            mime="application/json",
            key="data_spec_download",
            icon=":material/download:",
        )
    with load_col:
        st.file_uploader(
            "Load a saved spec",
            type=["json"],
            key=state.DATA_SPEC_UPLOAD,
            on_change=spec_form.on_spec_upload,
            args=(dataset,),
        )
        spec_error = st.session_state.get(state.SPEC_FILE_ERROR)
        if spec_error:
            show_error(spec_error)


# ---------------------------------------------------------------------- profile
def _group_table(profile: GroupProfile) -> None:
    table = profile.table
    st.dataframe(
        {
            "group": table["group"],
            "rows": table["count"],
            "share": 100 * table["share"],
            "positive": table["positives"],
            "base rate": 100 * table["base_rate"],
            "95% CI": [
                f"{lo:.1%} – {hi:.1%}" if lo == lo else "undefined (n = 0)"
                for lo, hi in zip(table["base_rate_low"], table["base_rate_high"], strict=True)
            ],
            "under 30 rows": table["small"],
        },
        column_config={
            "share": st.column_config.NumberColumn(format="%.1f%%"),
            "base rate": st.column_config.NumberColumn(format="%.1f%%"),
            "rows": st.column_config.NumberColumn(format="localized"),
        },
        hide_index=True,
    )


st.header("Groups before any model", divider="gray")
errors = [p for p in problems if p.severity == "error"]
if spec is None or errors:
    st.info(
        f"Fix the {len(errors)} problem(s) above to see group sizes and base rates.",
        icon=":material/info:",
    )
    stop_page()

profile = cache.profile(dataset.key, spec, frame)
st.caption(
    "The base rate is the share of rows whose observed outcome is the positive one. "
    "Different base rates are not by themselves unfair, but they shape what any model "
    "learns and which fairness criteria can hold at once. Bars show 95% Wilson intervals."
)
if profile.dropped:
    dropped = "; ".join(f"{n:,} with {md(reason)}" for reason, n in profile.dropped.items())
    st.caption(f"{profile.n_rows:,} rows are audited; left out: {dropped}.")

def _in_bin_order(group_profile: GroupProfile, attribute: str) -> GroupProfile:
    """Binned groups in the order of their bins ("< 30", "[30, 50)", "≥ 50"), not by size;
    a group that is not a bin (missing values) comes last."""
    edges = spec.bins_for(attribute)
    if edges is None:
        return group_profile
    order = {label: i for i, label in enumerate(bin_labels(edges))}
    table = group_profile.table.sort_values(
        "group", key=lambda g: g.map(order).fillna(len(order)), kind="stable"
    ).reset_index(drop=True)
    return dataclasses.replace(group_profile, table=table)


attributes = list(profile.groups)
tabs = st.tabs([md(a) for a in attributes])
for tab, attribute in zip(tabs, attributes, strict=True):
    group_profile = _in_bin_order(profile.groups[attribute], attribute)
    with tab:
        chart_col, table_col = st.columns([1, 1], gap="medium")
        is_pair = attribute.count("×") == 1 and len(spec.sensitive) == 2
        with chart_col:
            figure = cache.cached_figure(
                ("data-groups", dataset.key, spec, attribute),
                lambda gp=group_profile, pair=is_pair: (
                    intersection_heatmap(gp, positive_label=spec.positive_label)
                    if pair
                    else base_rate_chart(gp, positive_label=spec.positive_label)
                ),
            )
            st.plotly_chart(figure, key=f"data_chart_{attribute}", config={"displaylogo": False})
        with table_col:
            _group_table(group_profile)
            if group_profile.small_groups:
                st.caption(
                    f"{len(group_profile.small_groups)} group(s) have fewer than 30 rows: "
                    "their base rates are uncertain (see the intervals)."
                )

if not profile.missing.empty:
    st.subheader("Missing values")
    st.plotly_chart(
        cache.cached_figure(
            ("data-missing", dataset.key, spec),
            lambda: missing_values_chart(profile.missing, n_rows=n_rows),
        ),
        key="data_missing_chart",
        config={"displaylogo": False},
    )
