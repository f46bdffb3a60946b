"""The sidebar every page shares: the active dataset, spec and model at a glance."""

from __future__ import annotations

import streamlit as st

from fairlab_ui import cache, state
from fairlab_ui.predictions import active_source
from fairlab_ui.render import md

SOCIO_TECHNICAL_NOTE = (
    "Fairness is a socio-technical question: these metrics can show where a model treats "
    "groups differently, not whether a decision system is fair. That judgement needs the "
    "people affected and the context of use."
)


def render() -> None:
    """Draw the sidebar."""
    dataset = state.active_dataset()
    spec = state.current_spec()
    with st.container():
        st.markdown("#### Dataset")
        if dataset is None:
            st.caption("None loaded.")
        else:
            rows, cols = dataset.frame.shape
            st.markdown(f"**{md(dataset.name)}**  \n{rows:,} rows × {cols:,} columns")
        st.markdown("#### Audit spec")
        if spec is None or dataset is None:
            st.caption("Not set.")
        else:
            problems = cache.validate_spec(dataset.key, spec, dataset.frame)
            n_errors = sum(p.severity == "error" for p in problems)
            positive = md(spec.positive_label) if spec.positive_label != "" else "?"
            sensitive = ", ".join(md(s) for s in spec.sensitive) or "none"
            lines = [
                f"Outcome: {md(spec.target)} = {positive}",
                f"Sensitive: {sensitive}",
                f"Features: {len(spec.features)}",
            ]
            if spec.prediction_column:
                lines.append(f"Predictions: {md(spec.prediction_column)}")
            if spec.score_column:
                cut = "?" if spec.threshold is None else f"{spec.threshold:g}"
                lines.append(f"Scores: {md(spec.score_column)} ≥ {cut}")
            st.markdown("  \n".join(lines))
            if n_errors:
                st.markdown(f":red[:material/error: {n_errors} problem(s) to fix on the Data page]")
            else:
                st.markdown(":green[:material/check_circle: ready to audit]")
        st.markdown("#### Predictions")
        source = active_source()
        if source is None:
            st.caption("None yet: train or load a model, or use predictions in the file.")
        else:
            st.markdown(f"Auditing: {md(source.label)}")
            st.caption(
                "Every page audits these, until you pick others on the Model page; a model "
                "you train becomes the one audited."
            )
        st.divider()
        st.caption(SOCIO_TECHNICAL_NOTE)
