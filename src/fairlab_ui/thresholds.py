"""Cached threshold sweeps: scores are sorted once per source and attribute."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from fairlab.thresholds import ThresholdSweep
from fairlab_ui.predictions import PredictionSource, prediction_set


@st.cache_resource(max_entries=16, show_spinner="Sorting scores…")
def _sweep(source: PredictionSource, attribute: str, _frame: pd.DataFrame) -> ThresholdSweep:
    predictions = prediction_set(source, _frame)
    assert predictions.y_score is not None
    return ThresholdSweep.from_scores(
        predictions.data.y_true, predictions.y_score, predictions.data.groups(attribute)
    )


def sweep_for(source: PredictionSource, attribute: str, frame: pd.DataFrame) -> ThresholdSweep:
    """The threshold sweep of ``source``'s scores over the groups of ``attribute``."""
    return _sweep(source, attribute, frame)
