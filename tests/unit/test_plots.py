from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from fairlab.data.profile import group_profile, missing_by_column
from fairlab.plots import base_rate_chart, intersection_heatmap, missing_values_chart, plain
from fairlab.plots.thresholds import set_threshold_markers, threshold_curve_chart
from fairlab.thresholds import ThresholdSweep


def _profile(groups: list[str], y: list[int], attribute: str = "g"):
    return group_profile(np.array(y, dtype=np.int8), pd.Series(groups), attribute=attribute)


def test_base_rate_chart_shows_rates_intervals_and_counts() -> None:
    groups = ["a"] * 40 + ["b"] * 40 + ["c"] * 5
    y = [1] * 10 + [0] * 30 + [1] * 30 + [0] * 10 + [1, 0, 0, 0, 0]
    fig = base_rate_chart(_profile(groups, y), positive_label=">50K")
    assert isinstance(fig, go.Figure)
    big, small = fig.data
    assert list(big.y) == ["a  (n = 40)", "b  (n = 40)"] and list(big.x) == [0.25, 0.75]
    assert list(small.y) == ["c  (n = 5)"] and small.name == "fewer than 30 rows"
    assert all(np.asarray(big.error_x.array) > 0)
    assert "Base rate of '&gt;50K' by g" == fig.layout.title.text


def test_user_text_is_escaped_in_figures() -> None:
    fig = base_rate_chart(
        _profile(["<b>x</b>"] * 3 + ["y"] * 3, [1, 0, 1, 0, 0, 1], "<i>a</i>"), positive_label=1
    )
    labels = [label for trace in fig.data for label in trace.y]
    assert "&lt;b&gt;x&lt;/b&gt;  (n = 3)" in labels
    assert "<i>" not in fig.layout.title.text
    assert plain("<script>") == "&lt;script&gt;"


def test_intersection_heatmap_has_blank_cells_for_empty_combinations() -> None:
    groups = ["F × A"] * 4 + ["M × B"] * 2
    fig = intersection_heatmap(_profile(groups, [1, 0, 1, 1, 0, 0], "sex×race"), positive_label=1)
    z = np.asarray(fig.data[0].z, dtype=float)
    assert z.shape == (2, 2)
    assert np.isnan(z).sum() == 2
    assert fig.layout.xaxis.title.text == "race"


def test_missing_values_chart() -> None:
    frame = pd.DataFrame({"a": [None, 1, 2], "b": [None, None, 1]})
    fig = missing_values_chart(missing_by_column(frame), n_rows=3)
    assert list(fig.data[0].y) == ["a", "b"]
    assert fig.layout.title.text == "Missing values (of 3 rows)"


def test_moving_threshold_markers_in_place_matches_a_fresh_chart():
    rng = np.random.default_rng(0)
    n = 1500
    sweep = ThresholdSweep.from_scores(
        rng.integers(0, 2, n), rng.random(n), pd.Series(rng.choice(["Male", "Female"], n))
    )
    curve = sweep.curve(metrics=("selection_rate",))
    fig = threshold_curve_chart(curve, metric="selection_rate", thresholds=0.4)
    for thresholds in (0.25, {"Male": 0.3, "Female": 0.5}, {"Male": 0.2, "Female": 0.6}, 0.7):
        moved = set_threshold_markers(fig, thresholds)
        fresh = threshold_curve_chart(curve, metric="selection_rate", thresholds=thresholds)
        assert moved is fig
        assert moved.to_dict() == fresh.to_dict()
    with pytest.raises(ValueError, match="not in the curve"):
        set_threshold_markers(fig, {"Nobody": 0.5})
