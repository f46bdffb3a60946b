"""Explain page: why the model decides as it does, and whether it decides differently for
different groups: SHAP and LIME in the user's own features, their agreement, LIME's
stability, explanations by group, proxies of the sensitive attributes, and what-if."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from fairlab.errors import FairLabError
from fairlab.explain import STABILITY_SEEDS, compare_attributions
from fairlab.explain.batches import plan_shap_rows
from fairlab.explain.report_section import shap_values_csv
from fairlab.explain.shap_ import (
    INTERVENTIONAL_BACKGROUND_ROWS,
    TREE_DIFFERENCE,
    estimate_shap_cost,
)
from fairlab.explain.whatif import flip_sensitive, what_if
from fairlab.plots.explain import shap_bar_chart, shap_beeswarm_chart, shap_waterfall_chart
from fairlab.plots.explain_extra import (
    gap_decomposition_chart,
    lime_weights_chart,
    shap_by_group_chart,
    shap_dependence_chart,
)
from fairlab_ui import explain, state
from fairlab_ui.glossary_links import glossary_links
from fairlab_ui.page_gate import require_source
from fairlab_ui.render import md, show_error, show_warning, stop_page

LIME_SAMPLES = (1000, 2000, 5000, 10000, 20000, 40000)
LIME_SECONDS = explain.LIME_SECONDS
SURROGATES = {"tree": "shallow decision tree", "boosting": "gradient boosting"}
VIEWS = ("Whole model", "One row", "By group", "Proxies", "What if")

st.title("Explain")
st.caption(
    "Why does the model decide as it does, and does it decide differently for different "
    "groups? SHAP and LIME, in your own features (one-hot columns are summed back into the "
    "column you know)."
)
glossary_links(["shap", "lime", "proxy"])

dataset, source = require_source()
if not source.spec.features:
    st.info(
        "Explanations need feature columns: choose them on the Data page.", icon=":material/info:"
    )
    stop_page()
frame = dataset.frame
surrogate_kind = "tree"
if source.kind == "file":
    surrogate_kind = st.radio(
        "Surrogate model",
        list(SURROGATES),
        format_func=SURROGATES.__getitem__,
        key="explain_surrogate_kind",
        horizontal=True,
        help="With predictions from a file there is no model to explain: FairLab fits one "
        "that mimics them and explains it. A shallow tree is easy to read; gradient "
        "boosting usually mimics more faithfully.",
    )
try:
    ctx = explain.context(source, frame, surrogate_kind=surrogate_kind)
except FairLabError as exc:
    show_error(str(exc))
    stop_page()

rows = ctx.rows
if ctx.surrogate is not None:
    fidelity = ctx.surrogate.fidelity_sentence
    st.warning(
        md(
            f"No model came with these predictions, so FairLab explains a surrogate: "
            f"{ctx.surrogate.label}. {fidelity} Everything below describes the surrogate, "
            "which only approximates the real decision process."
        ),
        icon=":material/info:",
    )
st.markdown(
    f"Explaining **{md(ctx.label)}** on {rows.n_rows:,} audited rows, with "
    f"{len(ctx.background):,} training rows kept for the explainers (each explanation says "
    "which of them it is relative to)."
)


tree_perturbation = "tree_path_dependent"
if estimate_shap_cost(ctx.model, 1).explainer == "TreeExplainer":
    tree_perturbation = st.radio(
        "Tree SHAP values",
        ["tree_path_dependent", "interventional"],
        format_func=lambda v: {
            "tree_path_dependent": "path-dependent (fast, no background)",
            "interventional": f"interventional ({INTERVENTIONAL_BACKGROUND_ROWS} background rows)",
        }[v],
        key="explain_tree_perturbation",
        horizontal=True,
    )
    st.caption(TREE_DIFFERENCE)


# ---------------------------------------------------------------------- shared helpers
def _request_matches(key: str, value: object) -> bool:
    return st.session_state.get(key) == value


def _global_result():  # noqa: ANN202 - ShapResult or None
    request = st.session_state.get(state.EXPLAIN_GLOBAL_REQUEST)
    if request is None or request[0] != source or len(request) != 5:
        return None
    if request[3] != tree_perturbation:
        return None
    _, n_rows, seed, perturbation, passes = request
    return explain.global_shap(
        source, ctx, n_rows=n_rows, seed=seed, tree_perturbation=perturbation, max_passes=passes
    )


def _space_note(result) -> str:  # noqa: ANN001
    tolerance = f"{result.additivity_tolerance:g}"
    rows_note = (
        f"{result.n_rows:,} of {result.n_rows_total:,} rows explained"
        if result.n_rows_total > 1
        else "one row explained"
    )
    note = (
        f"{md(result.explainer)}; values in {md(result.output_space)} of the positive outcome; "
        f"{rows_note}. Background: {md(result.background)} Base value "
        f"{result.base_value:.4f} plus the SHAP values equals the model's own output "
        f"(predict_proba{', as log-odds' if result.output_space == 'log-odds' else ''}) to "
        f"within {result.additivity_error:.1e} (tolerance {tolerance})."
    )
    return note


def _notes(result) -> None:  # noqa: ANN001
    for note in getattr(result, "notes", ()):
        st.caption(md(note))


def _additivity_warning(result) -> None:  # noqa: ANN001
    if result.additivity_error > result.additivity_tolerance:
        show_warning(
            f"The SHAP values of some rows do not add up to the model output "
            f"(largest gap {result.additivity_error:.3g}). This model's predictions depend on "
            "which rows are predicted together (a nearest-neighbours model with tied "
            "neighbours does this), so read the values as approximate."
        )


def _row_label(position: int) -> str:
    outcome = "positive" if rows.y_true[position] == 1 else "negative"
    decision = "positive" if ctx.y_pred[position] == 1 else "negative"
    score = "" if ctx.y_score is None else f" (score {ctx.y_score[position]:.3f})"
    return f"row {position}: predicted {decision}{score}, observed {outcome}"


# ---------------------------------------------------------------------- whole model
def whole_model() -> None:
    """Global importance, beeswarm, dependence, and SHAP against LIME over a sample."""
    cols = st.columns(3, vertical_alignment="bottom")
    wanted = cols[0].number_input(
        "Rows to explain",
        10,
        max(10, rows.n_rows),
        min(1000, rows.n_rows),
        100,
        key="explain_rows",
    )
    budget = cols[1].number_input(
        "Time budget (seconds)",
        1,
        600,
        20,
        5,
        key="explain_budget",
        help="If the estimate exceeds the budget, a seeded sample of rows is explained.",
    )
    seed = cols[2].number_input("Seed", 0, 2**31 - 1, 0, key="explain_seed")
    try:
        plan = plan_shap_rows(ctx.model, rows.n_rows, wanted=int(wanted), max_seconds=float(budget))
    except FairLabError as exc:
        show_error(str(exc))
        return
    st.caption(f"Plan: {md(plan.sentence)}")
    if st.button(
        "Explain the model", type="primary", key="explain_run", icon=":material/insights:"
    ):
        bar = st.progress(0.0, text="Explaining rows…")

        def progress(done: int, total: int) -> None:
            bar.progress(done / total, text=f"Explained {done:,} of {total:,} rows…")

        try:
            explain.global_shap(
                source,
                ctx,
                n_rows=plan.n_rows,
                seed=int(seed),
                progress=progress,
                tree_perturbation=tree_perturbation,
                max_passes=plan.max_passes,
            )
        except FairLabError as exc:
            show_error(str(exc))
            return
        finally:
            bar.empty()
        st.session_state[state.EXPLAIN_GLOBAL_REQUEST] = (
            source,
            plan.n_rows,
            int(seed),
            tree_perturbation,
            plan.max_passes,
        )
    result = _global_result()
    if result is None:
        st.caption("Nothing is computed until you ask: press the button.")
        return
    st.caption(_space_note(result))
    st.caption(md(result.uncertainty_sentence))
    _notes(result)
    _additivity_warning(result)
    st.download_button(
        "shap_values.csv",
        shap_values_csv(result),
        "shap_values.csv",
        "text/csv",
        key="explain_download_shap",
        icon=":material/download:",
        help="Every SHAP value with its Monte-Carlo standard error (empty for exact "
        "explainers), the output space, the base value and the background.",
    )
    left, right = st.columns(2, gap="large")
    left.plotly_chart(shap_bar_chart(result), key="explain_bar")
    right.plotly_chart(shap_beeswarm_chart(result), key="explain_beeswarm")
    st.subheader("Dependence on one feature")
    cols = st.columns(2)
    feature = cols[0].selectbox(
        "Feature", list(result.mean_abs().index), key="explain_dependence_feature"
    )
    attribute = cols[1].selectbox("Colour by", rows.attributes, key="explain_dependence_colour")
    groups = rows.groups(attribute).iloc[result.row_index].reset_index(drop=True)
    st.plotly_chart(
        shap_dependence_chart(result, feature, color_by=groups, color_title=attribute),
        key="explain_dependence",
    )
    st.subheader("Do SHAP and LIME tell the same story?")
    cols = st.columns(2, vertical_alignment="bottom")
    n_compare = cols[0].number_input("Rows to compare", 5, 200, 20, 5, key="explain_agreement_rows")
    if cols[1].button("Compare SHAP and LIME", key="explain_agreement_run"):
        st.session_state[state.EXPLAIN_AGREEMENT_REQUEST] = (source, int(n_compare))
    request = st.session_state.get(state.EXPLAIN_AGREEMENT_REQUEST)
    if request is not None and request[0] == source:
        try:
            per_row, summary = explain.agreement(source, ctx, n_rows=request[1], num_samples=5000)
        except FairLabError as exc:
            show_error(str(exc))
            return
        st.markdown(md(summary.sentence))
        st.dataframe(
            pd.DataFrame({"mean": summary.mean, "smallest": summary.min}).T,
            column_config={
                "overlap": st.column_config.NumberColumn("top-5 overlap", format="%.2f"),
                "jaccard": st.column_config.NumberColumn("top-5 Jaccard", format="%.2f"),
                "spearman": st.column_config.NumberColumn("Spearman ρ", format="%.2f"),
                "sign_agreement": st.column_config.NumberColumn("same sign", format="%.2f"),
            },
        )


# ---------------------------------------------------------------------- one row
def _pick_row() -> int:
    mode = st.radio(
        "Pick a row",
        ["By position", "Most confident errors", "By group"],
        key="explain_pick_mode",
        horizontal=True,
    )
    if mode == "By position":
        position = st.number_input(
            "Row (position among the audited rows)", 0, rows.n_rows - 1, 0, key="explain_position"
        )
        return int(position)
    if mode == "Most confident errors":
        errors = np.flatnonzero(ctx.y_pred != rows.y_true)
        if len(errors) == 0:
            st.caption("The model makes no error on these rows; showing row 0.")
            return 0
        if ctx.y_score is not None:
            threshold = source.spec.threshold if source.spec.threshold is not None else 0.5
            confidence = np.abs(ctx.y_score[errors] - threshold)
            errors = errors[np.argsort(-confidence, kind="stable")]
        position = st.selectbox(
            "Error", errors[:50].tolist(), format_func=_row_label, key="explain_error"
        )
        return int(position)
    cols = st.columns(3)
    attribute = cols[0].selectbox("Attribute", rows.attributes, key="explain_group_attribute")
    labels = rows.groups(attribute)
    group = cols[1].selectbox(
        "Group", sorted(str(g) for g in labels.unique()), key=f"explain_group_{attribute}"
    )
    members = np.flatnonzero(labels.astype(str).to_numpy() == group)
    nth = cols[2].number_input(
        f"Row of the group (1 – {len(members)})", 1, len(members), 1, key="explain_group_nth"
    )
    return int(members[int(nth) - 1])


def _offer_more_samples(suggested: int) -> None:
    st.session_state[state.EXPLAIN_LIME_SAMPLES] = suggested


def one_row() -> None:
    """SHAP waterfall and LIME side by side for the chosen row, with LIME's stability."""
    position = _pick_row()
    st.session_state[state.EXPLAIN_ROW] = position
    if st.session_state.get("explain_pick_mode") != "Most confident errors":
        st.caption(md(_row_label(position)))
    with st.expander("The row's values"):
        st.dataframe(
            rows.X.iloc[[position]].T.astype(str).rename(columns={position: "value"}),
        )
    cols = st.columns(2, vertical_alignment="bottom")
    num_samples = cols[0].select_slider(
        "LIME samples", LIME_SAMPLES, value=5000, key=state.EXPLAIN_LIME_SAMPLES
    )
    lime_seed = cols[1].number_input("LIME seed", 0, 2**31 - 1, 0, key="explain_lime_seed")
    try:
        shap_row = explain.row_shap(source, ctx, position, tree_perturbation)
        lime_row = explain.row_lime(
            source, ctx, position, num_samples=int(num_samples), seed=int(lime_seed)
        )
    except FairLabError as exc:
        show_error(str(exc))
        return
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown("**SHAP**")
        st.plotly_chart(shap_waterfall_chart(shap_row, 0), key="explain_waterfall")
        st.caption(_space_note(shap_row))
        st.caption(md(shap_row.uncertainty_sentence))
        _notes(shap_row)
        _additivity_warning(shap_row)
    with right:
        st.markdown("**LIME**")
        st.plotly_chart(lime_weights_chart(lime_row), key="explain_lime_chart")
        fidelity = (
            f"Local fidelity: LIME's prediction {lime_row.local_prediction:.3f} against the "
            f"model's {lime_row.model_prediction:.3f}, weighted R² {lime_row.score:.2f} (how "
            "well LIME's straight-line model mimics the model around this row)."
        )
        if lime_row.is_faithful:
            st.caption(md(fidelity))
        else:
            show_warning(lime_row.fidelity_advice)
        st.caption(
            f"{lime_row.num_samples:,} samples, seed {lime_row.random_state}, kernel width "
            f"{lime_row.kernel_width:.2f}."
            + (
                f" The number of samples was lowered to stay within {LIME_SECONDS:g} s for "
                "this model; check the stability below."
                if lime_row.capped_by_time
                else ""
            )
        )
    agreement = compare_attributions(shap_row.values.iloc[0], lime_row.weights)
    st.markdown(md(agreement.sentence))
    st.caption(
        f"Top-{agreement.top_k} overlap {agreement.overlap}, Spearman ρ "
        f"{agreement.spearman:.2f}. SHAP compares the row with the average row; LIME fits a "
        "line around the row: they answer different questions, and disagreement is a reason "
        "to look closer, not a bug."
    )
    st.subheader("Is LIME stable for this row?")
    if st.button(
        f"Re-run LIME with {STABILITY_SEEDS} seeds", key="explain_stability_run"
    ):
        st.session_state[state.EXPLAIN_STABILITY_REQUEST] = (source, position, int(num_samples))
    if _request_matches(state.EXPLAIN_STABILITY_REQUEST, (source, position, int(num_samples))):
        try:
            stability = explain.row_stability(
                source, ctx, position, num_samples=int(num_samples), seeds=STABILITY_SEEDS
            )
        except FairLabError as exc:
            show_error(str(exc))
            return
        text = (
            f"{stability.verdict.capitalize()}: mean top-{stability.top_k} Jaccard "
            f"{stability.jaccard:.2f} over {len(stability.seeds)} seeds (lowest "
            f"{stability.min_jaccard:.2f}) with {stability.num_samples:,} samples."
        )
        st.caption(md(f"The badge: {stability.criterion}"))
        if stability.is_stable and stability.is_faithful:
            st.success(md(text), icon=":material/check_circle:")
        else:
            st.warning(md(f"{text} {stability.advice}"), icon=":material/warning:")
            suggested = stability.suggested_num_samples
            if suggested is not None and suggested <= LIME_SAMPLES[-1]:
                allowed = min(s for s in LIME_SAMPLES if s >= suggested)
                st.button(
                    f"Raise the number of samples to {allowed:,}",
                    key="explain_raise_samples",
                    on_click=_offer_more_samples,
                    args=(allowed,),
                )
        table = stability.weights.assign(top_k_share=stability.weights["top_k_share"] * 100)
        st.dataframe(
            table.rename(
                columns={"mean": "mean weight", "std": "spread (std)", "top_k_share": "in top k"}
            ),
            column_config={
                "mean weight": st.column_config.NumberColumn(format="%.4f"),
                "spread (std)": st.column_config.NumberColumn(format="%.4f"),
                "in top k": st.column_config.NumberColumn(format="%.0f%%"),
            },
        )


# ---------------------------------------------------------------------- by group
def by_group() -> None:
    """Mean |SHAP| per group, and the gap between two groups split by feature."""
    result = _global_result()
    if result is None:
        st.info(
            "Explain the whole model first (first view); the group lenses reuse its rows.",
            icon=":material/info:",
        )
        return
    attribute = st.selectbox("Groups of", rows.attributes, key="explain_by_group_attribute")
    groups = rows.groups(attribute).iloc[result.row_index].reset_index(drop=True).astype(str)
    st.plotly_chart(
        shap_by_group_chart(result.by_group(groups), attribute=attribute),
        key="explain_by_group_chart",
    )
    present = sorted(groups.unique())
    if len(present) < 2:
        st.caption("Only one group among the explained rows: nothing to compare.")
        return
    cols = st.columns(2)
    group_a = cols[0].selectbox("Group", present, index=0, key=f"explain_gap_a_{attribute}")
    group_b = cols[1].selectbox("compared with", present, index=1, key=f"explain_gap_b_{attribute}")
    if group_a == group_b:
        st.caption("Choose two different groups.")
        return
    gap = result.gap_decomposition(groups, group_a, group_b)
    total = float(gap.sum())
    st.plotly_chart(gap_decomposition_chart(gap), key="explain_gap_chart")
    st.markdown(
        md(
            f"The mean model output ({result.output_space}) of {group_a} is {total:+.4f} "
            f"compared with {group_b}. The largest contributions: "
            + ", ".join(f"{f} ({v:+.4f})" for f, v in gap.abs().nlargest(3).items())
            + ". A contribution is the difference of the two groups' mean SHAP values for "
            "that feature; together they add up to the gap."
        )
    )


# ---------------------------------------------------------------------- proxies
def proxy_view() -> None:
    """How well each feature, and all together, predict a sensitive attribute."""
    st.caption(
        "A feature that predicts a sensitive attribute can carry it into the model even when "
        'the attribute itself is not a model input ("fairness through unawareness" fails). '
        "Each feature is tested alone with cross-validation, then all together."
    )
    attribute = st.selectbox("Sensitive attribute", rows.attributes, key="explain_proxy_attr")
    if st.button("Find proxies", key="explain_proxy_run", type="primary"):
        st.session_state[state.EXPLAIN_PROXY_REQUEST] = (source, attribute)
    if not _request_matches(state.EXPLAIN_PROXY_REQUEST, (source, attribute)):
        st.caption("Nothing is computed until you ask.")
        return
    try:
        table = explain.proxies(source, ctx, attribute)
    except FairLabError as exc:
        show_error(str(exc))
        return
    shown = table.copy()
    result = _global_result()
    if result is not None:
        shown["mean |SHAP|"] = result.mean_abs().reindex(shown.index)
    st.dataframe(
        shown,
        column_config={
            "roc_auc": st.column_config.NumberColumn("ROC AUC", format="%.3f"),
            "normalized_mutual_information": st.column_config.NumberColumn(
                "normalised mutual information", format="%.3f"
            ),
            "mean |SHAP|": st.column_config.NumberColumn(format="%.4f"),
        },
    )
    flagged = [str(f) for f, v in table["likely_proxy"].items() if bool(v)]
    if flagged:
        st.markdown(
            md(f"Likely proxies of {attribute} (ROC AUC ≥ 0.7): " + ", ".join(flagged) + ".")
        )
    if result is None:
        st.caption("Explain the whole model to see each proxy's SHAP importance beside it.")


# ---------------------------------------------------------------------- what if
def what_if_view() -> None:
    """Edit the chosen row and re-predict; flip the sensitive attribute."""
    position = int(st.session_state.get(state.EXPLAIN_ROW, 0))
    position = min(max(position, 0), rows.n_rows - 1)
    st.caption(md(f"Editing {_row_label(position)} (choose another row in the 'One row' view)."))
    original = rows.X.iloc[[position]].reset_index(drop=True)
    edited = st.data_editor(original, key=f"explain_whatif_editor_{position}", hide_index=True)
    changes = {
        column: edited.iloc[0][column]
        for column in original.columns
        if not _same(original.iloc[0][column], edited.iloc[0][column])
    }
    try:
        outcome = what_if(ctx.model, original, changes)
    except FairLabError as exc:
        show_error(str(exc))
    else:
        st.markdown(md(outcome.sentence))
    model_inputs = set(ctx.features)
    attributes = [a for a in rows.sensitive_features.columns if a in model_inputs]
    st.subheader("Flip the sensitive attribute")
    if not attributes:
        st.caption(
            "No sensitive attribute is a model input, so flipping it cannot change a "
            "decision directly; proxies may still carry it (see the Proxies view)."
        )
        return
    attribute = st.selectbox("Attribute", attributes, key="explain_flip_attribute")
    values = tuple(sorted(str(v) for v in rows.X[attribute].dropna().unique()))
    try:
        flips = flip_sensitive(ctx.model, rows.X, attribute, sensitive_values=values)
    except FairLabError as exc:
        show_error(str(exc))
        return
    st.markdown(md(flips.sentence))
    st.dataframe(flips.table(), hide_index=True)


def _same(a: object, b: object) -> bool:
    if pd.isna(a) and pd.isna(b):
        return True
    return a == b


view = st.radio(
    "View", VIEWS, key=state.EXPLAIN_VIEW, horizontal=True, label_visibility="collapsed"
)
if view == VIEWS[0]:
    whole_model()
elif view == VIEWS[1]:
    one_row()
elif view == VIEWS[2]:
    by_group()
elif view == VIEWS[3]:
    proxy_view()
else:
    what_if_view()
