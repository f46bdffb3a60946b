"""The report downloads, built once per source and settings."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from fairlab.explain.report_section import explanation_section
from fairlab.fairness import FairnessConfig, metrics_json
from fairlab.plots.mitigation import mitigation_section
from fairlab.report import ReportSection, performance_section, write_report
from fairlab_ui import explain, state
from fairlab_ui.mitigation import MitigationRequest, comparison
from fairlab_ui.mitigation import stored as stored_comparison
from fairlab_ui.predictions import PredictionSource, fairness, prediction_set


@dataclass(frozen=True)
class ReportBytes:
    """The four downloads of the Fairness page."""

    html: bytes
    group_metrics_csv: bytes
    spec_json: bytes
    metrics_json: bytes


@dataclass(frozen=True)
class ReportExtras:
    """What the user has computed on other pages that the report should include.

    Attributes
    ----------
    explanation : tuple of (int, int) or None
        ``(rows, seed)`` of the global SHAP explanation computed on the Explain page.
    surrogate_kind : str
        The surrogate explained, for predictions from the file.
    agreement_rows : int or None
        Rows of the SHAP-against-LIME comparison, if it was run.
    proxy_attribute : str or None
        The attribute of the proxy table, if it was computed.
    """

    explanation: tuple[int, int] | None = None
    surrogate_kind: str = "tree"
    agreement_rows: int | None = None
    proxy_attribute: str | None = None
    mitigation: MitigationRequest | None = None
    mitigation_disparity: str = "demographic_parity_difference"

    @property
    def included(self) -> list[str]:
        """The extra sections, in words."""
        parts = []
        if self.explanation is not None:
            parts.append(f"explanations ({self.explanation[0]:,} rows)")
        if self.agreement_rows is not None:
            parts.append(f"SHAP against LIME ({self.agreement_rows} rows)")
        if self.proxy_attribute is not None:
            parts.append(f"proxies of {self.proxy_attribute}")
        if self.mitigation is not None:
            n = len(self.mitigation.techniques)
            parts.append(f"mitigation comparison ({n} technique{'s' if n != 1 else ''})")
        return parts


def extras_for(source: PredictionSource) -> ReportExtras:
    """The extras this session has computed for ``source``."""

    def matching(key: str) -> tuple | None:
        request = st.session_state.get(key)
        return request if request is not None and request[0] == source else None

    explanation = matching(state.EXPLAIN_GLOBAL_REQUEST)
    agreement = matching(state.EXPLAIN_AGREEMENT_REQUEST)
    proxy = matching(state.EXPLAIN_PROXY_REQUEST)
    mitigation_request = st.session_state.get(state.MITIGATE_REQUEST)
    if mitigation_request is not None and (
        mitigation_request.source != source or stored_comparison(mitigation_request) is None
    ):
        mitigation_request = None
    criterion = st.session_state.get("mitigate_criterion", "demographic_parity")
    kind = st.session_state.get("mitigate_kind", "difference")
    return ReportExtras(
        mitigation=mitigation_request,
        mitigation_disparity=f"{criterion}_{kind}",
        explanation=None if explanation is None else (explanation[1], explanation[2]),
        surrogate_kind=str(st.session_state.get("explain_surrogate_kind", "tree")),
        agreement_rows=None if agreement is None or explanation is None else agreement[1],
        proxy_attribute=None if proxy is None or explanation is None else proxy[1],
    )


def _explanation_section(
    source: PredictionSource, extras: ReportExtras, frame: pd.DataFrame
) -> ReportSection | None:
    if extras.explanation is None:
        return None
    ctx = explain.context(source, frame, surrogate_kind=extras.surrogate_kind)  # type: ignore[arg-type]
    n_rows, seed = extras.explanation
    result = explain.global_shap(source, ctx, n_rows=n_rows, seed=seed)
    summary = None
    if extras.agreement_rows is not None:
        _, summary = explain.agreement(source, ctx, n_rows=extras.agreement_rows, num_samples=5000)
    proxies = None
    if extras.proxy_attribute is not None:
        proxies = explain.proxies(source, ctx, extras.proxy_attribute)
    return explanation_section(
        result,
        model_label=ctx.label,
        agreement=summary,
        proxies=proxies,
        proxy_attribute=extras.proxy_attribute,
        surrogate=ctx.surrogate,
    )


@st.cache_data(max_entries=8, show_spinner="Writing the report…")
def report_files(
    source: PredictionSource,
    config: FairnessConfig,
    _frame: pd.DataFrame,
    dataset_name: str,
    extras: ReportExtras = ReportExtras(),  # noqa: B008 - frozen, a safe default
) -> ReportBytes:
    """Build the report files in a temporary folder and return their bytes."""
    predictions = prediction_set(source, _frame)
    result = fairness(source, config, _frame)
    mitigation = None
    if extras.mitigation is not None:
        mitigation = mitigation_section(
            comparison(extras.mitigation, _frame), disparity=extras.mitigation_disparity
        )
    after = [s for s in [_explanation_section(source, extras, _frame), mitigation] if s is not None]
    with tempfile.TemporaryDirectory() as folder:
        files = write_report(
            folder,
            dataset_name=f"{dataset_name} — {source.label}",
            spec=source.spec,
            fairness=result,
            sections_before=[performance_section(predictions.performance.metrics())],
            sections_after=after,
        )
        metrics = metrics_json(result, source.spec)
        metrics["performance"] = {
            k: (None if v != v else float(v)) for k, v in predictions.performance.metrics().items()
        }
        return ReportBytes(
            html=Path(files.html).read_bytes(),
            group_metrics_csv=Path(files.group_metrics_csv).read_bytes(),
            spec_json=Path(files.spec_json).read_bytes(),
            metrics_json=json.dumps(
                metrics, indent=2, ensure_ascii=False, allow_nan=False
            ).encode(),
        )
