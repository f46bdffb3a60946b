"""The report downloads, built once per source and settings."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from fairlab.fairness import FairnessConfig, metrics_json
from fairlab.report import performance_section, write_report
from fairlab_ui.predictions import PredictionSource, fairness, prediction_set


@dataclass(frozen=True)
class ReportBytes:
    """The four downloads of the Fairness page."""

    html: bytes
    group_metrics_csv: bytes
    spec_json: bytes
    metrics_json: bytes


@st.cache_data(max_entries=8, show_spinner="Writing the report…")
def report_files(
    source: PredictionSource, config: FairnessConfig, _frame: pd.DataFrame, dataset_name: str
) -> ReportBytes:
    """Build the report files in a temporary folder and return their bytes."""
    predictions = prediction_set(source, _frame)
    result = fairness(source, config, _frame)
    with tempfile.TemporaryDirectory() as folder:
        files = write_report(
            folder,
            dataset_name=f"{dataset_name} — {source.label}",
            spec=source.spec,
            fairness=result,
            sections_before=[performance_section(predictions.performance.metrics())],
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
