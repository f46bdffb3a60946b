"""Plotly figure builders: results in, ``go.Figure`` out.

Pure functions, one module per area (``data``, and later ``performance``, ``fairness``,
``thresholds``); this package re-exports them. Text that comes from the user's data goes
through :func:`plain`, because plotly honours a few HTML tags in labels.
"""

from __future__ import annotations

from fairlab.plots._style import plain
from fairlab.plots.data import base_rate_chart, intersection_heatmap, missing_values_chart
from fairlab.plots.thresholds import set_threshold_markers, threshold_curve_chart

__all__ = [
    "base_rate_chart",
    "intersection_heatmap",
    "missing_values_chart",
    "plain",
    "set_threshold_markers",
    "threshold_curve_chart",
]
